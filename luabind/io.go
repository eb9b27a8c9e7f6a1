package luabind

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"sync"
	"unsafe"

	lua "github.com/yuin/gopher-lua"
	"golang.org/x/sys/unix"
)

// PHP's flag values for recvfrom and sendto.
const (
	streamOOB  = 1
	streamPeek = 2
)

// chunkSize is how much fgets and friends read at a time, PHP's chunk size.
const chunkSize = 8192

// maxRecv is the buffer one receive uses; larger requests on datagram
// sockets are sized by the datagram itself.
const maxRecv = 65536

var recvBufs = sync.Pool{New: func() any { b := make([]byte, maxRecv); return &b }}

// bytesOf views a Lua string's bytes for a system call that only reads them.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// recv is one receive system call of at most length bytes. The result is
// copied out of a pooled buffer, so a huge length costs only what arrives.
// eof is a stream socket's end (a 0-byte read).
func (a *api) recv(L *lua.LState, s *Stream, length, flags int) (data string, from rawAddr, eof bool, err error) {
	if s.crypto != nil {
		data, eof, err = a.recvTLS(L, s, length, flags)
		return data, from, eof, err
	}
	large := s.datagram() && length > maxRecv
	var n int
	err = unix.EAGAIN
	if !large || len(s.dgrams) > 0 { // datagrams received ahead come first
		n, data, err = s.recvNow(length, flags, &from)
		a.yieldIfClosed(L, err)
	}
	if wouldBlock(err) && (large || s.waitFor() != 0) {
		n, data, from, err = a.recvWait(L, s, length, flags, !large)
	}
	s.timedOut = errors.Is(err, os.ErrDeadlineExceeded)
	eof = n == 0 && !s.datagram() && length > 0
	if a.trace != nil {
		a.traceRecv(s, &from, flags, data, eof, err)
	}
	if err != nil {
		return "", from, false, err
	}
	return data, from, eof, nil
}

// recvNow is recv's first try, with the Lua lock held and without waiting.
// The buffer is held only for the system call, not while a task waits:
// 10,000 idle readers must not pin 10,000 buffers.
func (s *Stream) recvNow(length, flags int, from *rawAddr) (int, string, error) {
	if s.datagram() && flags&^unix.MSG_PEEK == 0 {
		if len(s.dgrams) > 0 {
			n, data := s.popDgram(length, flags != 0, from)
			return n, data, nil
		}
		if flags == 0 {
			return s.recvBatchNow(length, from)
		}
	}
	fd := s.lockFD()
	if fd < 0 {
		return 0, "", os.ErrClosed
	}
	bufp := recvBufs.Get().(*[]byte)
	b := (*bufp)[:min(length, maxRecv)]
	n, err := recvfromNow(fd, b, flags, from)
	s.fdMu.Unlock()
	var data string
	if err == nil {
		data = string(b[:n])
	}
	recvBufs.Put(bufp)
	return n, data, err
}

// recvWait is recv when it must wait (or size a large datagram): the
// general path, which releases the Lua lock while the poller waits. tried
// says recvNow has just found nothing: no second try with the lock held.
func (a *api) recvWait(L *lua.LState, s *Stream, length, flags int, tried bool) (n int, data string, from rawAddr, err error) {
	large := s.datagram() && length > maxRecv
	run := a.do
	if tried {
		run = a.wait
	}
	err = run(L, s, false, s.waitFor(), func(fd int) error {
		bufp := recvBufs.Get().(*[]byte)
		defer recvBufs.Put(bufp)
		b := (*bufp)[:min(length, maxRecv)]
		if large { // size the buffer by the waiting datagram
			size, _, err := unix.Recvfrom(fd, b[:1], flags|unix.MSG_PEEK|unix.MSG_TRUNC)
			if err != nil {
				return err
			}
			b = make([]byte, min(size, length))
		}
		var err error
		if n, err = recvfromNow(fd, b, flags, &from); err == nil {
			data = string(b[:n])
		}
		return err
	})
	return n, data, from, err
}

// recvTLS is recv on a TLS stream. A record may hold more than length:
// the rest goes to the read-ahead buffer, which callers that pass a short
// length have found empty.
func (a *api) recvTLS(L *lua.LState, s *Stream, length, flags int) (string, bool, error) {
	if flags != 0 {
		return "", false, userFailure("STREAM_PEEK and STREAM_OOB do not apply to TLS streams")
	}
	data, eof, err := a.tlsRecv(L, s)
	if a.trace != nil {
		a.traceRecv(s, &rawAddr{}, 0, data, eof, err)
	}
	if len(data) > length {
		s.readBuf = append(s.readBuf, data[length:]...)
		data = data[:length]
	}
	return data, eof, err
}

// traceRecv records one receive: recvfrom with the sender on an unconnected
// datagram socket, recv otherwise.
func (a *api) traceRecv(s *Stream, from *rawAddr, flags int, data string, eof bool, err error) {
	op, peer := "recv", s.peerName()
	if name, ok := s.peerNameOf(from); ok && peer == "" {
		op, peer = "recvfrom", lua.LVAsString(name)
	}
	if flags&unix.MSG_PEEK != 0 {
		op += " (peek)"
	}
	switch {
	case err != nil:
		a.traceError(s.traceName(), op, "<-", peer, err)
	case eof:
		a.trace.write(event{worker: a.worker, handle: s.traceName(), op: op, arrow: "<-", peer: peer, n: 0, note: "(end of stream)"})
	default:
		a.traceOp(s, op, "<-", peer, len(data), data)
	}
}

// fill reads one chunk into the read-ahead buffer; at the end of the stream
// it sets s.eof and reads nothing.
func (a *api) fill(L *lua.LState, s *Stream) error {
	data, _, eof, err := a.recv(L, s, chunkSize, 0)
	if err != nil {
		return err
	}
	if eof {
		s.eof = true
	}
	s.readBuf = append(s.readBuf, data...)
	return nil
}

// take removes and returns the first n bytes of the read-ahead buffer.
func (s *Stream) take(n int) lua.LString {
	out := lua.LString(s.readBuf[:n])
	if n == len(s.readBuf) {
		s.readBuf = s.readBuf[:0]
	} else {
		s.readBuf = s.readBuf[n:]
	}
	return out
}

// traceSend records a send of data, or its failure.
func (a *api) traceSend(s *Stream, op, peer, data string, err error) {
	if err != nil {
		a.traceError(s.traceName(), op, "->", peer, err)
		return
	}
	a.traceOp(s, op, "->", peer, len(data), data)
}

// pushReadFailure ends a read that failed: a non-blocking stream with nothing
// there gives "", anything else `nil, errstr, errno`.
func pushReadFailure(L *lua.LState, s *Stream, err error) int {
	if s.nonblocking && wouldBlock(err) {
		L.Push(lua.LString(""))
		return 1
	}
	return pushFailure(L, err)
}

// recvfrom is `stream_socket_recvfrom(sock, length [, flags])` → `data, address`
// | `nil` at the end of a stream | `nil, errstr, errno`. One receive: on
// datagram sockets one datagram, cut to length. Flags STREAM_OOB, STREAM_PEEK.
// Bytes that fgets read ahead come first, as in PHP.
func (a *api) recvfrom(L *lua.LState, fname string) int {
	s := checkStream(L, 1, fname)
	length := checkLength(L, 2, fname)
	flags := optInt(L, 3, fname, 0)
	if len(s.readBuf) > 0 && flags&streamOOB == 0 {
		n := min(length, len(s.readBuf))
		if flags&streamPeek != 0 {
			L.Push(lua.LString(s.readBuf[:n]))
		} else {
			L.Push(s.take(n))
		}
		L.Push(lua.LString(s.peerName()))
		return 2
	}
	sysFlags := 0
	if flags&streamOOB != 0 {
		sysFlags |= unix.MSG_OOB
	}
	if flags&streamPeek != 0 {
		sysFlags |= unix.MSG_PEEK
	}
	data, from, eof, err := a.recv(L, s, length, sysFlags)
	if err != nil {
		return pushReadFailure(L, s, err)
	}
	if eof {
		s.eof = flags&streamPeek == 0 // a peek changes nothing
		L.Push(lua.LNil)
		return 1
	}
	L.Push(lua.LString(data))
	if name, ok := s.peerNameOf(&from); ok {
		L.Push(name)
	} else {
		L.Push(lua.LString(s.peerName()))
	}
	return 2
}

// sendto is `stream_socket_sendto(sock, data [, flags [, address]])` →
// `bytes` | `nil, errstr, errno`.
func (a *api) sendto(L *lua.LState, fname string) int {
	s := checkStream(L, 1, fname)
	data := checkString(L, 2, fname)
	flags := optInt(L, 3, fname, 0)
	address := optString(L, 4, fname, "")
	return a.send(L, s, data, flags, address)
}

// sendtoMethod is `s:sendto(data [, address [, flags]])`.
func (a *api) sendtoMethod(L *lua.LState, fname string) int {
	s := checkStream(L, 1, fname)
	data := checkString(L, 2, fname)
	address := optString(L, 3, fname, "")
	flags := optInt(L, 4, fname, 0)
	return a.send(L, s, data, flags, address)
}

func (a *api) send(L *lua.LState, s *Stream, data string, flags int, address string) int {
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
			return pushFailure(L, userFailure("a TLS stream sends only to its peer, without flags"))
		}
		return a.pushWritten(L, s, data)
	}
	sysFlags := unix.MSG_NOSIGNAL
	if flags&streamOOB != 0 {
		sysFlags |= unix.MSG_OOB
	}
	n, err := 0, error(unix.EAGAIN)
	fast := dest != nil && s.datagram()
	if fast {
		if fd := s.lockFD(); fd < 0 {
			err = os.ErrClosed
			a.yieldIfClosed(L, err)
		} else {
			err = sendtoNow(fd, data, sysFlags, dest)
			s.fdMu.Unlock()
			if err == nil {
				n = len(data)
			}
		}
	}
	if wouldBlock(err) && !(fast && s.waitFor() == 0) {
		n, err = a.sendWait(L, s, data, to, sysFlags, fast)
	}
	if a.trace != nil {
		op, peer := "send", s.peerName()
		if to != nil {
			op, peer = "sendto", FormatSockaddr(to)
		}
		a.traceSend(s, op, peer, data[:n], err)
	}
	if err != nil {
		if s.nonblocking && wouldBlock(err) {
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
func (a *api) sendWait(L *lua.LState, s *Stream, data string, to unix.Sockaddr, flags int, tried bool) (n int, err error) {
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
	run := a.do
	if tried {
		run = a.wait
	}
	err = run(L, s, true, s.waitFor(), func(fd int) (err error) {
		n, err = unix.SendmsgN(fd, bytesOf(data), nil, to, flags)
		return err
	})
	return n, err
}

// destination parses sendto's address for the socket s: a path on unix
// sockets, else "host:port" (a "udp://" prefix is allowed).
func (a *api) destination(L *lua.LState, s *Stream, address string) (*destination, error) {
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
func (a *api) parseDestination(L *lua.LState, s *Stream, address string) (sa unix.Sockaddr, literal bool, err error) {
	if i := strings.Index(address, "://"); i >= 0 {
		address = address[i+3:]
	}
	if s.family == unix.AF_UNIX {
		if len(address) > maxUnixPath {
			return nil, false, errnoFailure(unix.ENAMETOOLONG)
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

// read is `fread(s, length)` → data (as soon as some is there, ≤ length) |
// `nil` at the end of the stream | `nil, errstr, errno`.
func (a *api) read(L *lua.LState, fname string) int {
	s := checkStream(L, 1, fname)
	length := checkLength(L, 2, fname)
	if len(s.readBuf) > 0 {
		L.Push(s.take(min(length, len(s.readBuf))))
		return 1
	}
	if s.eof {
		L.Push(lua.LNil)
		return 1
	}
	data, _, eof, err := a.recv(L, s, length, 0)
	if err != nil {
		return pushReadFailure(L, s, err)
	}
	if eof {
		s.eof = true
		L.Push(lua.LNil)
		return 1
	}
	L.Push(lua.LString(data))
	return 1
}

// gets is `fgets(s [, length])` → one line with its "\n" (at most length-1
// bytes) | `nil` at the end of the stream | `nil, errstr, errno`. On a
// timeout the partial line stays buffered for the next call.
func (a *api) gets(L *lua.LState, fname string) int {
	s := checkStream(L, 1, fname)
	limit := -1
	if L.Get(2) != lua.LNil {
		limit = checkLength(L, 2, fname) - 1
	}
	for {
		i := bytes.IndexByte(s.readBuf, '\n')
		switch {
		case i >= 0 && (limit < 0 || i < limit):
			L.Push(s.take(i + 1))
			return 1
		case limit >= 0 && len(s.readBuf) >= limit:
			L.Push(s.take(limit))
			return 1
		case s.eof:
			return a.pushRest(L, s)
		}
		if err := a.fill(L, s); err != nil {
			return pushReadFailure(L, s, err)
		}
	}
}

// pushRest returns what is left at the end of the stream, or nil.
func (a *api) pushRest(L *lua.LState, s *Stream) int {
	if len(s.readBuf) == 0 {
		L.Push(lua.LNil)
	} else {
		L.Push(s.take(len(s.readBuf)))
	}
	return 1
}

// getLine is `stream_get_line(s, length [, ending])` → the bytes before
// ending (which is consumed, not returned), at most length (0: 8192) |
// `nil` at the end of the stream | `nil, errstr, errno`.
func (a *api) getLine(L *lua.LState, fname string) int {
	s := checkStream(L, 1, fname)
	length := checkInt(L, 2, fname)
	if length < 0 {
		argError(L, 2, fname, "must be greater than or equal to 0")
	}
	if length == 0 {
		length = chunkSize
	}
	ending := optString(L, 3, fname, "")
	for {
		if i := bytes.Index(s.readBuf, bytesOf(ending)); ending != "" && i >= 0 && i <= length {
			line := s.take(i)
			s.take(len(ending))
			L.Push(line)
			return 1
		}
		switch {
		case len(s.readBuf) >= length:
			L.Push(s.take(length))
			return 1
		case s.eof:
			return a.pushRest(L, s)
		}
		if err := a.fill(L, s); err != nil {
			return pushReadFailure(L, s, err)
		}
	}
}

// getContents is `stream_get_contents(s [, maxlength])` → everything up to the
// end of the stream ("" when nothing is left) or maxlength bytes |
// `nil, errstr, errno` (what was read stays buffered).
func (a *api) getContents(L *lua.LState, fname string) int {
	s := checkStream(L, 1, fname)
	limit := optInt(L, 2, fname, -1)
	if limit < -1 {
		argError(L, 2, fname, "must be greater than or equal to -1")
	}
	for !s.eof && (limit < 0 || len(s.readBuf) < limit) {
		if err := a.fill(L, s); err != nil {
			if s.nonblocking && wouldBlock(err) {
				break
			}
			return pushFailure(L, err)
		}
	}
	n := len(s.readBuf)
	if limit >= 0 {
		n = min(n, limit)
	}
	L.Push(s.take(n))
	return 1
}

// write is `fwrite(s, data [, length])` → bytes written | `nil, errstr, errno`.
// A blocking stream writes everything; a non-blocking one what fits (maybe 0).
func (a *api) write(L *lua.LState, fname string) int {
	s := checkStream(L, 1, fname)
	data := checkString(L, 2, fname)
	if L.Get(3) != lua.LNil {
		length := checkInt(L, 3, fname)
		if length <= 0 {
			L.Push(lua.LNumber(0))
			return 1
		}
		data = data[:min(length, len(data))]
	}
	if s.crypto != nil {
		return a.pushWritten(L, s, data)
	}
	written := 0
	err := a.do(L, s, true, s.waitFor(), func(fd int) error {
		for written < len(data) || (written == 0 && s.datagram()) {
			n, err := unix.SendmsgN(fd, bytesOf(data[written:]), nil, nil, unix.MSG_NOSIGNAL)
			if err != nil {
				return err
			}
			written += n
			if s.datagram() {
				break
			}
		}
		return nil
	})
	s.timedOut = errors.Is(err, os.ErrDeadlineExceeded)
	if a.trace != nil {
		if written > 0 {
			a.traceSend(s, "send", s.peerName(), data[:written], nil)
		} else if err != nil {
			a.traceSend(s, "send", s.peerName(), "", err)
		}
	}
	// A partial write reports its count; the error comes back on the next call.
	if err != nil && written == 0 && !(s.nonblocking && wouldBlock(err)) {
		return pushFailure(L, err)
	}
	L.Push(lua.LNumber(written))
	return 1
}

// pushWritten writes data on a TLS stream and pushes fwrite's results.
func (a *api) pushWritten(L *lua.LState, s *Stream, data string) int {
	n, err := a.tlsWrite(L, s, data)
	if a.trace != nil {
		a.traceSend(s, "send", s.peerName(), data[:n], err)
	}
	if err != nil && n == 0 {
		return pushFailure(L, err)
	}
	L.Push(lua.LNumber(n))
	return 1
}

// close is `fclose(s)` → true. A second fclose raises, as in PHP.
func (a *api) close(L *lua.LState, fname string) int {
	s := checkStream(L, 1, fname)
	if a.trace != nil {
		a.traceOp(s, "close", "", s.peerName(), -1, "")
	}
	a.closeStream(s)
	L.Push(lua.LTrue)
	return 1
}

// eof is `feof(s)` → boolean. It never blocks: with nothing buffered it peeks
// at the socket to see whether the peer has closed.
func (a *api) eof(L *lua.LState, fname string) int {
	s := checkStream(L, 1, fname)
	gone := false
	if len(s.readBuf) == 0 && !s.eof && !s.listening && !s.datagram() {
		_ = s.raw.Control(func(fd uintptr) { // Control: never waits for another task's read
			var b [1]byte
			n, _, err := unix.Recvfrom(int(fd), b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
			s.eof = err == nil && n == 0
			gone = err != nil && !wouldBlock(err) // reset: PHP's liveness check fails too
		})
	}
	L.Push(lua.LBool(len(s.readBuf) == 0 && (s.eof || gone)))
	return 1
}
