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

func (a *api) send(L *lua.LState, s *stream, data string, flags int, address string) int {
	var to unix.Sockaddr
	var dest *destination
	if address != "" {
		var err error
		if dest, err = a.destination(L, s, address); err != nil {
			return pushFailure(L, err)
		}
		to = dest.sa
	}
	if s.crypto != nil {
		if to != nil || flags != 0 {
			return pushFailure(L, errno.New("a TLS stream sends only to its peer, without flags"))
		}
		return a.pushTLSWrite(L, s, data)
	}
	sysFlags := unix.MSG_NOSIGNAL
	if flags&streamOOB != 0 {
		sysFlags |= unix.MSG_OOB
	}
	if a.impair != nil {
		return a.sendImpaired(L, s, data, to, sysFlags)
	}
	n, err := 0, error(unix.EAGAIN)
	fast := dest != nil && s.datagram()
	if fast {
		if fd := s.lockFD(); fd < 0 {
			err = os.ErrClosed
			a.endTaskIfHostClosed(L, err)
		} else {
			err = sendtoNow(fd, data, sysFlags, dest)
			s.unlockFD()
			if err == nil {
				n = len(data)
			}
		}
	}
	if wouldBlock(err) && !(fast && s.waitFor() == 0) {
		n, err = a.sendWait(L, s, data, to, sysFlags, fast)
	}
	if a.observer != nil {
		if to != nil {
			a.observeSend(s, formatSockaddr(to), true, data[:n], err)
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

// sendWait is send's general path: it may release the Lua lock while the
// poller waits. to is copied: x/sys writes into a Sockaddr as it sends, and
// the cached one may be in use by the fast path of another task meanwhile.
func (a *api) sendWait(L *lua.LState, s *stream, data string, to unix.Sockaddr, flags int, tried bool) (n int, err error) {
	switch sa := to.(type) {
	case *unix.SockaddrInet4:
		c := *sa
		to = &c
	case *unix.SockaddrInet6:
		c := *sa
		to = &c
	case *unix.SockaddrUnix:
		c := *sa
		to = &c
	}
	err = a.callAfterTry(L, s, true, tried, func(fd int) (err error) {
		n, err = unix.SendmsgN(fd, bytesOf(data), nil, to, flags)
		return err
	})
	return n, err
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
		if len(address) > maxUnixPath {
			return nil, false, errno.FromSyscall(unix.ENAMETOOLONG)
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
	// The first try needs no closure (no allocation): an accepted
	// connection written once never waits.
	written, err := 0, error(os.ErrClosed)
	if fd := s.lockFD(); fd >= 0 {
		written, err = sendAll(fd, data, 0, s.datagram())
		s.unlockFD()
	} else {
		a.endTaskIfHostClosed(L, err)
	}
	if wait := s.waitFor(); wouldBlock(err) && wait != 0 {
		w := written // the closure's own copy: written itself stays on the stack
		err = a.waitAndCall(L, s, true, wait, func(fd int) (err error) {
			w, err = sendAll(fd, data, w, s.datagram())
			return err
		})
		written = w
	}
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

// sendAll sends data from written on until all of it is sent (one datagram
// on a datagram socket) or a send fails, and returns the new count.
func sendAll(fd int, data string, written int, datagram bool) (int, error) {
	for written < len(data) || (written == 0 && datagram) {
		n, err := sendNow(fd, bytesOf(data[written:]))
		if err != nil {
			return written, err
		}
		written += n
		if datagram {
			break
		}
	}
	return written, nil
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
