package luabind

import (
	"errors"
	"os"
	"strings"

	"github.com/luasock/luasock/internal/errno"
	"github.com/luasock/luasock/internal/lang/luaarg"
	"github.com/luasock/luasock/internal/sockevent"
	lua "github.com/yuin/gopher-lua"
	"golang.org/x/sys/unix"
)

// The writing flow: the send system calls of stream_socket_sendto and
// fwrite, the parsing and caching of sendto's addresses, and TLS writes.

// sendto is `stream_socket_sendto(sock, data [, flags [, address]])` →
// `bytes` | `nil, errstr, errno`.
func (a *api) sendto(L *lua.LState, fname string) int {
	s := checkStream(L, 1, fname)
	data := luaarg.CheckString(L, 2, fname)
	flags := luaarg.OptInt(L, 3, fname, 0)
	address := luaarg.OptString(L, 4, fname, "")
	return a.send(L, s, data, flags, address)
}

// sendtoMethod is `s:sendto(data [, address [, flags]])`.
func (a *api) sendtoMethod(L *lua.LState, fname string) int {
	s := checkStream(L, 1, fname)
	data := luaarg.CheckString(L, 2, fname)
	address := luaarg.OptString(L, 3, fname, "")
	flags := luaarg.OptInt(L, 4, fname, 0)
	return a.send(L, s, data, flags, address)
}

// send is sendto's work: one send system call (sendCall) and its results
// pushed.
func (a *api) send(L *lua.LState, s *stream, data string, flags int, address string) int {
	var dest *destination
	if address != "" {
		var err error
		if dest, err = a.destination(L, s, address); err != nil {
			return pushFailure(L, err)
		}
	}
	if s.crypto != nil {
		if dest != nil || flags != 0 {
			return pushFailure(L, errno.New("a TLS stream sends only to its peer, without flags"))
		}
		return a.pushTLSWrite(L, s, data)
	}
	sysFlags := unix.MSG_NOSIGNAL
	if flags&streamOOB != 0 {
		sysFlags |= unix.MSG_OOB
	}
	if a.impair != nil {
		return a.sendImpaired(L, s, data, dest, sysFlags)
	}
	n, err := a.sendCall(L, s, data, dest, sysFlags)
	if a.observer != nil {
		if dest != nil {
			a.observeSend(s, formatSockaddr(dest.sa), true, data[:n], err)
		} else {
			a.observeSend(s, s.peerName(), false, data[:n], err)
		}
	}
	if err != nil {
		if s.nothingReady(err) {
			L.Push(lua.LNumber(0))
			return 1
		}
		return pushFailure(L, err)
	}
	L.Push(lua.LNumber(n))
	return 1
}

// sendCall is one send system call of data to dest (nil: the peer),
// waiting as the stream allows.
func (a *api) sendCall(L *lua.LState, s *stream, data string, dest *destination, flags int) (int, error) {
	op := sendOps.get()
	*op = sendOp{data: data, flags: flags, dest: dest}
	err := a.callOrWait(L, s, waiting{write: true, limit: s.waitFor()}, op)
	n := op.n
	sendOps.put(op)
	return n, err
}

// sendOp is one send system call of data: send(2) to the peer, or sendto(2)
// to dest.
type sendOp struct {
	data  string
	flags int
	dest  *destination // nil: the peer
	n     int
}

var sendOps opPool[sendOp]

func (o *sendOp) try(fd int, luaLocked bool) error {
	var err error
	switch {
	case o.dest == nil || o.dest.len > 0:
		o.n, err = sendNow(fd, bytesOf(o.data), o.flags, o.dest)
	case luaLocked:
		o.n, err = sendtoSockaddr(fd, o.data, o.flags, o.dest.sa)
	default:
		// x/sys writes into a Sockaddr as it sends, and without the Lua
		// lock another task may be sending to the cached one: a copy.
		o.n, err = sendtoSockaddr(fd, o.data, o.flags, copySockaddr(o.dest.sa))
	}
	return err
}

// sendtoSockaddr is sendto(2) of a datagram through x/sys, for an address
// with no raw form (a unix name).
func sendtoSockaddr(fd int, data string, flags int, to unix.Sockaddr) (int, error) {
	if err := unix.Sendto(fd, bytesOf(data), flags|unix.MSG_DONTWAIT, to); err != nil {
		return 0, err
	}
	return len(data), nil
}

// copySockaddr is a copy of a unix name's Sockaddr (any other is returned
// as it is).
func copySockaddr(sa unix.Sockaddr) unix.Sockaddr {
	if u, ok := sa.(*unix.SockaddrUnix); ok {
		c := *u
		return &c
	}
	return sa
}

// observeSend records a send of data to peer (addressed: sendto's
// address), or its failure.
func (a *api) observeSend(s *stream, peer string, addressed bool, data string, err error) {
	e := sockevent.Event{Op: sockevent.Send, Peer: peer, Addressed: addressed, Data: data}
	if err != nil {
		e.Data = ""
	}
	a.observeFailure(s, e, err)
}

// destination parses sendto's address for the socket s: a path on unix
// sockets, else "host:port" (a "udp://" prefix is allowed).
func (a *api) destination(L *lua.LState, s *stream, address string) (*destination, error) {
	if d, ok := s.dests[address]; ok { // a server answering its peers, or a client's loop
		return d, nil
	}
	sa, literal, err := a.parseDestination(L, s, address)
	if err != nil {
		return nil, err
	}
	d := newDestination(sa)
	if literal { // a host name may resolve differently next time
		if s.dests == nil || len(s.dests) >= addrCacheSize {
			s.dests = make(map[string]*destination)
		}
		s.dests[address] = d
	}
	return d, nil
}

// parseDestination parses sendto's address; literal tells whether it needed
// no name resolution.
func (a *api) parseDestination(L *lua.LState, s *stream, address string) (sa unix.Sockaddr, literal bool, err error) {
	if i := strings.Index(address, "://"); i >= 0 {
		address = address[i+3:]
	}
	if s.family == unix.AF_UNIX {
		if err := checkUnixPath(address); err != nil {
			return nil, false, err
		}
		return unixSockaddr(address), true, nil
	}
	host, port, err := parseHostPort(address)
	if err != nil {
		return nil, false, err
	}
	_, literal = literalIP(host)
	ips, err := a.resolve(L, host)
	if err != nil {
		return nil, false, err
	}
	ip := ips[0]
	for _, cand := range ips {
		if cand.Is4() == (s.family == unix.AF_INET) {
			ip = cand
			break
		}
	}
	return ipSockaddr(ip, port, s.family), literal, nil
}

// write is `fwrite(s, data [, length])` → bytes written | `nil, errstr, errno`.
// A blocking stream writes everything; a non-blocking one what fits (maybe 0).
func (a *api) write(L *lua.LState, fname string) int {
	s := checkStream(L, 1, fname)
	data := luaarg.CheckString(L, 2, fname)
	if L.Get(3) != lua.LNil {
		length := luaarg.CheckInt(L, 3, fname)
		if length <= 0 {
			L.Push(lua.LNumber(0))
			return 1
		}
		data = data[:min(length, len(data))]
	}
	if s.crypto != nil {
		return a.pushTLSWrite(L, s, data)
	}
	if a.impair != nil {
		return a.writeImpaired(L, s, data)
	}
	op := writeOps.get()
	*op = writeOp{data: data, datagram: s.datagram()}
	err := a.callOrWait(L, s, waiting{write: true, limit: s.waitFor()}, op)
	written := op.written
	writeOps.put(op)
	s.timedOut = errors.Is(err, os.ErrDeadlineExceeded)
	if a.observer != nil {
		if written > 0 {
			a.observeSend(s, s.peerName(), false, data[:written], nil)
		} else if err != nil {
			a.observeSend(s, s.peerName(), false, "", err)
		}
	}
	// A partial write reports its count; the error comes back on the next call.
	if err != nil && written == 0 && !s.nothingReady(err) {
		return pushFailure(L, err)
	}
	L.Push(lua.LNumber(written))
	return 1
}

// writeOp is fwrite's send system calls: from written on until all of
// data is sent (one datagram on a datagram socket) or a send fails.
type writeOp struct {
	data     string
	datagram bool
	written  int
}

var writeOps opPool[writeOp]

func (o *writeOp) try(fd int, _ bool) error {
	for o.written < len(o.data) || (o.written == 0 && o.datagram) {
		n, err := sendNow(fd, bytesOf(o.data[o.written:]), unix.MSG_NOSIGNAL, nil)
		if err != nil {
			return err
		}
		o.written += n
		if o.datagram {
			break
		}
	}
	return nil
}

// pushTLSWrite writes data on a TLS stream and pushes fwrite's results.
func (a *api) pushTLSWrite(L *lua.LState, s *stream, data string) int {
	if a.impair != nil {
		return a.writeImpaired(L, s, data)
	}
	if err := s.crypto.ready(L); err != nil { // a handshake still to do runs first
		return pushFailure(L, err)
	}
	n, err := a.tlsWrite(L, s, data)
	if a.observer != nil {
		a.observeSend(s, s.peerName(), false, data[:n], err)
	}
	if err != nil && n == 0 {
		return pushFailure(L, err)
	}
	L.Push(lua.LNumber(n))
	return 1
}
