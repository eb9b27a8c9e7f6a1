package luabind

import (
	"strings"
	"time"

	"github.com/luasock/luasock/internal/lang/luaarg"
	"github.com/luasock/luasock/internal/sockevent"
	lua "github.com/yuin/gopher-lua"
	"golang.org/x/sys/unix"
)

// setTimeout is `stream_set_timeout(s, seconds [, microseconds])` → true.
// Reads, writes and recvfrom then fail with `nil, errstr, ETIMEDOUT` ("Connection
// timed out", 110 on Linux) after that long without progress. 0 times out at
// once, as in PHP.
func setTimeout(L *lua.LState, fname string) int {
	s := checkStream(L, 1, fname)
	sec := luaarg.CheckNumber(L, 2, fname)
	usec := luaarg.OptNumber(L, 3, fname, 0)
	s.timeout = max(seconds(sec, usec), time.Nanosecond)
	L.Push(lua.LTrue)
	return 1
}

// setBlocking is `stream_set_blocking(s, enable)` → true. In non-blocking
// mode reads with nothing there give "" and writes what fits.
func setBlocking(L *lua.LState, fname string) int {
	s := checkStream(L, 1, fname)
	s.nonblocking = !luaarg.CheckBool(L, 2, fname)
	L.Push(lua.LTrue)
	return 1
}

// streamType is PHP's stream_type name for the transport.
func (s *stream) streamType() string {
	if s.paired {
		return "generic_socket" // PHP's socketpair streams
	}
	if s.crypto != nil {
		return s.transport + "_socket/ssl"
	}
	return s.transport + "_socket"
}

// getMetaData is `stream_get_meta_data(s)` → `{timed_out, blocked, eof,
// stream_type, mode, unread_bytes, seekable}`.
func getMetaData(L *lua.LState, fname string) int {
	s := checkStream(L, 1, fname)
	t := L.NewTable()
	t.RawSetString("timed_out", lua.LBool(s.timedOut))
	t.RawSetString("blocked", lua.LBool(!s.nonblocking))
	t.RawSetString("eof", lua.LBool(s.eof && len(s.readBuf) == 0))
	t.RawSetString("stream_type", lua.LString(s.streamType()))
	t.RawSetString("mode", lua.LString("r+"))
	unread := len(s.readBuf)
	for _, d := range s.dgrams {
		unread += len(d.data)
	}
	t.RawSetString("unread_bytes", lua.LNumber(unread))
	t.RawSetString("seekable", lua.LFalse)
	if s.crypto != nil {
		t.RawSetString("crypto", cryptoMeta(L, s.crypto))
	}
	L.Push(t)
	return 1
}

// getName is `stream_socket_get_name(s, want_peer)` → name | nil when the
// socket has none: "ip:port", "[v6]:port", or a unix path.
func getName(L *lua.LState, fname string) int {
	checkStream(L, 1, fname)
	return pushName(L, fname, luaarg.CheckBool(L, 2, fname))
}

// pushName is `s:name()` / `s:peer()` → name | nil.
func pushName(L *lua.LState, fname string, peer bool) int {
	s := checkStream(L, 1, fname)
	name := s.localName()
	if peer {
		name = s.peerName()
	} else if s.unbound() {
		name = "" // a server made without BIND: PHP has no name
	}
	if name == "" {
		L.Push(lua.LNil)
	} else {
		L.Push(lua.LString(name))
	}
	return 1
}

// unbound tells a socket that was never bound: an IP name with port 0 (a
// bound one always has its port), or no name at all.
func (s *stream) unbound() bool {
	name := s.localName()
	return name == "" || strings.HasSuffix(name, ":0")
}

// shutdown is `stream_socket_shutdown(s, how)` → true | `nil, errstr, errno`.
// how is STREAM_SHUT_RD, STREAM_SHUT_WR or STREAM_SHUT_RDWR.
func (a *api) shutdown(L *lua.LState, fname string) int {
	s := checkStream(L, 1, fname)
	how := luaarg.CheckInt(L, 2, fname)
	if how < unix.SHUT_RD || how > unix.SHUT_RDWR {
		luaarg.Error(L, 2, fname, "must be one of STREAM_SHUT_RD, STREAM_SHUT_WR, or STREAM_SHUT_RDWR")
	}
	if how != unix.SHUT_RD && s.crypto != nil {
		_ = s.closeNotify() // the peer reads a clean end of the TLS stream
	}
	var err error
	if cerr := s.raw.Control(func(fd uintptr) { err = unix.Shutdown(int(fd), how) }); cerr != nil {
		err = cerr
	}
	if a.observer != nil {
		a.observeFailure(s, sockevent.Event{Op: sockevent.Shutdown, Peer: s.peerName(), How: []string{"read", "write", "both"}[how]}, err)
	}
	if err != nil {
		return pushFailure(L, err)
	}
	L.Push(lua.LTrue)
	return 1
}

// getTransports is `stream_get_transports()` → `{"tcp", "udp", "unix", "udg", "ssl", "tls", "tlsv1.0", "tlsv1.1", "tlsv1.2", "tlsv1.3"}`.
func getTransports(L *lua.LState) int {
	t := L.NewTable()
	for _, name := range transports {
		t.Append(lua.LString(name))
	}
	L.Push(t)
	return 1
}
