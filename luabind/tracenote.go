package luabind

import (
	"github.com/luasock/luasock/internal/lang/luaarg"
	"github.com/luasock/luasock/internal/sockevent"
	lua "github.com/yuin/gopher-lua"
)

// The script's words for the lab's outputs (--trace, --pcap):
// a name for the handle's next message, a name for its peer. Both check
// their arguments whether or not anything observes, so that a script
// fails the same way with and without --trace; past that, a run nobody
// observes pays one comparison.

// traceNote is `trace_note(s, text)` → `true`: text names s's next message
// (the next send, receive or dropped datagram). A non-stream or closed
// handle raises bad argument #1, text that is neither a string nor a
// number bad argument #2; it never fails otherwise.
func (a *api) traceNote(L *lua.LState, fname string) int {
	s := checkStream(L, 1, fname)
	text := luaarg.CheckString(L, 2, fname)
	if a.observer != nil {
		a.observe(s, sockevent.Event{Op: sockevent.NoteOp, Peer: s.peerName(), Note: text})
	}
	L.Push(lua.LTrue)
	return 1
}

// traceName is `trace_name(s, name [, peer])` → `true`: name is what the
// lab calls s's peer, or the peer at address peer (as
// stream_socket_recvfrom returned it) of a socket with none, such as a UDP
// server. A non-stream or closed handle raises bad argument #1, a name
// that is not a string bad argument #2, a missing peer on a socket without
// one bad argument #3; it never fails otherwise.
func (a *api) traceName(L *lua.LState, fname string) int {
	s := checkStream(L, 1, fname)
	name := luaarg.CheckString(L, 2, fname)
	var peer string
	if L.Get(3) != lua.LNil {
		peer = luaarg.CheckString(L, 3, fname)
	} else if peer = s.peerName(); peer == "" && !s.connected { // (a unix peer may be unnamed)
		luaarg.Error(L, 3, fname, "the socket has no peer: give the peer's address")
	}
	if a.observer != nil {
		a.observe(s, sockevent.Event{Op: sockevent.NameOp, Peer: peer, Note: name})
	}
	L.Push(lua.LTrue)
	return 1
}
