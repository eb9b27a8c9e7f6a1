package luabind

import (
	"bytes"
	"errors"
	"math"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/luasock/luasock/internal/errno"
	"github.com/luasock/luasock/internal/lang/luaarg"
	"github.com/luasock/luasock/internal/sockevent"
	lua "github.com/yuin/gopher-lua"
	"golang.org/x/sys/unix"
)

// The reading flow: the receive system call (recv) and the Lua functions
// that read (stream_socket_recvfrom, fread, stream_get_contents, feof,
// fgets, stream_get_line), with the read-ahead buffer they share and the
// line reading of fgets and stream_get_line.

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

// recv is one receive of at most length bytes (recvOp), waiting as the
// stream allows; datagrams received ahead come first. eof is a stream
// socket's end (a 0-byte read). The sender's address goes to *from, when
// from is not nil. (No address is returned by value: it would take 120
// bytes in every caller's frame, on the stack of a task blocked in the
// receive, and fgets's chain of calls then outgrew a 4 KiB stack:
// TestIdleTaskStack.)
func (a *api) recv(L *lua.LState, s *stream, length, flags int, from *rawAddr) (data string, eof bool, err error) {
	if a.impair != nil {
		length = a.impair.readLength(s, length)
	}
	if s.crypto != nil {
		return a.recvTLS(L, s, length, flags)
	}
	if s.datagram() {
		return a.recvDatagram(L, s, length, flags, from)
	}
	// A stream socket's, the one an idle connection's task waits in: this
	// frame is kept small (the datagram path apart).
	op := recvOps.get()
	op.s, op.length, op.flags = s, length, flags // (put left the rest zero)
	err = a.callOrWait(L, s, waiting{limit: s.waitFor()}, op)
	n := op.n
	data = op.data
	recvOps.put(op)
	return a.received(s, nil, flags, length, n, data, err)
}

// recvDatagram is recv on a datagram socket: a datagram received ahead,
// or the system call, whose sender goes into the pooled op and is copied
// out (from, often in the caller's frame, is never kept nor moved to the
// heap).
func (a *api) recvDatagram(L *lua.LState, s *stream, length, flags int, from *rawAddr) (string, bool, error) {
	if from == nil {
		from = newRawAddr() // (fgets on a datagram socket) the sender goes to the trace
	}
	var n int
	var data string
	var err error
	if len(s.dgrams) > 0 && flags&^unix.MSG_PEEK == 0 {
		n, data = s.popDgram(length, flags != 0, from)
	} else {
		d := dgramRecvOps.get()
		d.op.s, d.op.length, d.op.flags, d.op.from = s, length, flags, &d.sender
		d.op.batch = flags == 0 && length <= maxRecv
		err = a.callOrWait(L, s, waiting{limit: s.waitFor(), parked: &s.recvParked}, &d.op)
		n, data = d.op.n, d.op.data
		*from = d.sender
		dgramRecvOps.put(d)
	}
	return a.received(s, from, flags, length, n, data, err)
}

// received ends recv: what a timeout leaves, the end of a stream, the
// observer.
func (a *api) received(s *stream, from *rawAddr, flags, length, n int, data string, err error) (string, bool, error) {
	s.timedOut = errors.Is(err, os.ErrDeadlineExceeded)
	eof := n == 0 && !s.datagram() && length > 0
	if a.observer != nil {
		a.observeRecv(s, from, flags, data, eof, err)
	}
	if err != nil {
		return "", false, err
	}
	return data, eof, nil
}

// newRawAddr is a rawAddr on the heap, not in its caller's frame.
//
//go:noinline
func newRawAddr() *rawAddr { return new(rawAddr) }

// recvOp is one receive system call, recvfrom(2) (or a batch: batch),
// copied out of a pooled buffer: a huge length costs only what arrives.
// The buffer is held only for the call, not while a task waits: 10,000
// idle readers must not pin 10,000 buffers. A datagram longer than the
// buffer is sized by a peek.
type recvOp struct {
	s             *stream
	length, flags int
	batch         bool // a datagram socket's plain receive: the first try takes a batch (recvBatchNow)
	n             int
	data          string
	from          *rawAddr // the sender's address; nil on a stream socket, where none is wanted
}

// dgramRecvOp is a datagram socket's recvOp, with room for the sender.
type dgramRecvOp struct {
	op     recvOp
	sender rawAddr
}

var (
	recvOps      opPool[recvOp]
	dgramRecvOps opPool[dgramRecvOp]
)

func (o *recvOp) try(fd int, luaLocked bool) error {
	var err error
	if o.batch && luaLocked { // the batch fills the stream's queue
		o.n, o.data, err = o.s.recvBatchNow(fd, o.length, o.from)
		return err
	}
	o.n, o.data, err = recvOne(fd, o.length, o.flags, o.s.datagram(), o.from)
	return err
}

// recvOne is one recvfrom(2) of at most length bytes through a pooled
// buffer; a datagram that may be longer than the buffer is sized first
// (recvLarge).
func recvOne(fd, length, flags int, datagram bool, from *rawAddr) (int, string, error) {
	if length > maxRecv && datagram {
		return recvLarge(fd, length, flags, from)
	}
	bufp := recvBufs.Get().(*[]byte)
	b := (*bufp)[:min(length, maxRecv)]
	n, err := recvfromNow(fd, b, flags, from)
	var data string
	if err == nil {
		data = string(b[:n])
	}
	recvBufs.Put(bufp)
	return n, data, err
}

// recvLarge is recvOne of a datagram that may outgrow the pooled buffer:
// a buffer of the datagram's size (datagramSize, per system). Apart from
// recvOne, whose frame is on the stack of every task blocked in a read.
//
//go:noinline
func recvLarge(fd, length, flags int, from *rawAddr) (int, string, error) {
	size, err := datagramSize(fd, flags)
	if err != nil {
		return 0, "", err
	}
	b := make([]byte, min(size, length))
	n, err := recvfromNow(fd, b, flags, from)
	if err != nil {
		return 0, "", err
	}
	return n, string(b[:n]), nil
}

// recvTLS is recv on a TLS stream. A record may hold more than length:
// the rest goes to the read-ahead buffer, which callers that pass a short
// length have found empty.
func (a *api) recvTLS(L *lua.LState, s *stream, length, flags int) (string, bool, error) {
	if flags != 0 {
		return "", false, errno.New("STREAM_PEEK and STREAM_OOB do not apply to TLS streams")
	}
	if err := s.crypto.ready(L); err != nil { // a handshake still to do runs first
		return "", false, err
	}
	data, eof, err := a.tlsRecv(L, s)
	if a.observer != nil {
		a.observeRecv(s, &rawAddr{}, 0, data, eof, err)
	}
	if len(data) > length {
		s.readBuf = append(s.readBuf, data[length:]...)
		data = data[:length]
	}
	return data, eof, err
}

// observeRecv records one receive: from the sender on an unconnected
// datagram socket (Addressed), from the peer otherwise (from nil: a stream).
func (a *api) observeRecv(s *stream, from *rawAddr, flags int, data string, eof bool, err error) {
	e := sockevent.Event{Op: sockevent.Recv, Peer: s.peerName(), Data: data, EOF: eof, Peek: flags&unix.MSG_PEEK != 0}
	if from != nil && e.Peer == "" {
		if name, ok := s.peerNameOf(from); ok {
			e.Peer, e.Addressed = lua.LVAsString(name), true
		}
	}
	if err != nil {
		e.Data, e.EOF = "", false
	}
	a.observeFailure(s, e, err)
}

// fill reads one chunk into the read-ahead buffer; at the end of the stream
// it sets s.eof and reads nothing.
func (a *api) fill(L *lua.LState, s *stream) error {
	size := chunkSize
	if s.crypto != nil { // a whole record: its rest would go ahead of the bytes before it
		size = max(size, tlsReadSize)
	}
	data, eof, err := a.recv(L, s, size, 0, nil)
	if err != nil {
		if s.datagram() {
			s.noteDatagramFailure(err)
		}
		return err
	}
	if eof {
		s.eof = true
	}
	s.readBuf = append(s.readBuf, data...)
	return nil
}

// take removes and returns the first n bytes of the read-ahead buffer. A
// large buffer is not kept for the few bytes left in it: a connection that
// once read a long line must not hold its memory for good.
func (s *stream) take(n int) lua.LString {
	out := lua.LString(s.readBuf[:n])
	rest := s.readBuf[n:]
	switch {
	case cap(s.readBuf) > longLine && len(rest) <= cap(s.readBuf)/4:
		s.readBuf = append([]byte(nil), rest...)
	case len(rest) == 0:
		s.readBuf = s.readBuf[:0]
	default:
		s.readBuf = rest
	}
	return out
}

// pushReadFailure ends a read that failed: a non-blocking stream with nothing
// there gives "", anything else `nil, errstr, errno`. Only for fgets and a
// stream socket's fread, which never return "" otherwise: a read where ""
// is data (recvfrom, an empty datagram, an empty line) gives EAGAIN.
func pushReadFailure(L *lua.LState, s *stream, err error) int {
	if s.nothingReady(err) {
		L.Push(lua.LString(""))
		return 1
	}
	return pushFailure(L, err)
}

// recvfrom is `stream_socket_recvfrom(sock, length [, flags])` → `data, address`
// | `nil` at the end of a stream | `nil, errstr, errno`. One receive: on
// datagram sockets one datagram, cut to length. Flags STREAM_OOB, STREAM_PEEK.
// On stream sockets bytes that fgets read ahead come first.
func (a *api) recvfrom(L *lua.LState, fname string) int {
	s := checkStream(L, 1, fname)
	length := luaarg.CheckLength(L, 2, fname)
	flags := luaarg.OptInt(L, 3, fname, 0)
	// On a datagram socket PHP's recvfrom reads the next datagram and leaves
	// what fread buffered for the next fread.
	if len(s.readBuf) > 0 && flags&streamOOB == 0 && !s.datagram() {
		n := min(length, len(s.readBuf))
		if a.impair != nil {
			n = a.impair.readLength(s, n)
		}
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
	var from rawAddr
	data, eof, err := a.recv(L, s, length, sysFlags, &from)
	if err != nil {
		return pushFailure(L, err) // nothing there: EAGAIN, as "" is an empty datagram
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

// read is `fread(s, length)` → data (as soon as some is there, ≤ length) |
// `nil` at the end of the stream | `nil, errstr, errno`.
func (a *api) read(L *lua.LState, fname string) int {
	s := checkStream(L, 1, fname)
	length := luaarg.CheckLength(L, 2, fname)
	if s.datagram() {
		return a.readDatagram(L, s, length)
	}
	if len(s.readBuf) > 0 {
		n := min(length, len(s.readBuf))
		if a.impair != nil {
			n = a.impair.readLength(s, n)
		}
		L.Push(s.take(n))
		return 1
	}
	if s.eof {
		L.Push(lua.LNil)
		return 1
	}
	data, eof, err := a.recv(L, s, length, 0, nil)
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

// getContents is `stream_get_contents(s [, maxlength])` → everything up to the
// end of the stream ("" when nothing is left) or maxlength bytes |
// `nil, errstr, errno` (what was read stays buffered).
func (a *api) getContents(L *lua.LState, fname string) int {
	s := checkStream(L, 1, fname)
	limit := luaarg.OptInt(L, 2, fname, -1)
	if limit < -1 {
		luaarg.Error(L, 2, fname, "must be greater than or equal to -1")
	}
	for !s.eof && (limit < 0 || len(s.readBuf) < limit) {
		if err := a.fill(L, s); err != nil {
			if s.nothingReady(err) && len(s.readBuf) > 0 {
				break
			}
			return pushFailure(L, err) // nothing at all: EAGAIN, as "" is the end
		}
	}
	n := len(s.readBuf)
	if limit >= 0 {
		n = min(n, limit)
	}
	L.Push(s.take(n))
	return 1
}

// eof is `feof(s)` → boolean. It never blocks: with nothing buffered it peeks
// at the socket to see whether the peer has closed.
func (a *api) eof(L *lua.LState, fname string) int {
	s := checkStream(L, 1, fname)
	gone := false
	if len(s.readBuf) == 0 && !s.eof && !s.listening && s.datagram() && s.crypto == nil {
		s.peekDatagramFailure()
	}
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

// gets is `fgets(s [, length])` → one line with its "\n" (at most length-1
// bytes) | `nil` at the end of the stream | `nil, errstr, errno`. On a
// timeout the partial line stays buffered for the next call.
func (a *api) gets(L *lua.LState, fname string) int {
	s := checkStream(L, 1, fname)
	limit := -1
	if L.Get(2) != lua.LNil {
		limit = luaarg.CheckLength(L, 2, fname) - 1
	}
	return a.pushLine(L, s, lineEnd{ending: "\n", keep: true, limit: limit})
}

// getLine is `stream_get_line(s, length [, ending])` → the bytes before
// ending (which is consumed, not returned), at most length (0: 8192) |
// `nil` at the end of the stream | `nil, errstr, errno`.
func (a *api) getLine(L *lua.LState, fname string) int {
	s := checkStream(L, 1, fname)
	length := luaarg.CheckInt(L, 2, fname)
	if length < 0 {
		luaarg.Error(L, 2, fname, "must be greater than or equal to 0")
	}
	if length == 0 {
		length = chunkSize
	}
	ending := luaarg.OptString(L, 3, fname, "")
	return a.pushLine(L, s, lineEnd{ending: ending, limit: length})
}

// pushLine reads a line and pushes it, or the failure. A non-blocking
// stream without a whole line gives fgets "" and stream_get_line, whose ""
// is an empty line, EAGAIN (PHP: false).
func (a *api) pushLine(L *lua.LState, s *stream, e lineEnd) int {
	line, err := a.readLine(L, s, e)
	if err != nil && e.keep {
		return pushReadFailure(L, s, err)
	}
	if err != nil {
		return pushFailure(L, err)
	}
	L.Push(line)
	return 1
}

// longLine is the read-ahead size past which a line still being read
// gathers in the chunks received instead of one growing buffer, so each
// byte is copied once more (into the string returned), not at every growth.
const longLine = 64 << 10

// scannedBytes counts the bytes searched for line endings: tests check
// that the search is linear.
var scannedBytes atomic.Int64

// lineEnd says where readLine stops.
type lineEnd struct {
	ending string // "" ends no line: only limit or the end of the stream
	keep   bool   // the line includes its ending (fgets); else it is dropped
	limit  int    // bytes returned at most; < 0 no limit
}

// enough is how many bytes must be there to know that no ending comes
// within the limit.
func (e lineEnd) enough() int {
	if e.limit < 0 {
		return math.MaxInt
	}
	return e.limit
}

// cut is how many bytes the line ending at i (-1: none) returns and how many
// it consumes; n is the bytes there. As in PHP, an ending counts only when
// it ends within the limit.
func (e lineEnd) cut(i, n int) (line, used int) {
	if i >= 0 && (e.limit < 0 || i+len(e.ending) <= e.limit) {
		if e.keep {
			return i + len(e.ending), i + len(e.ending)
		}
		return i, i + len(e.ending)
	}
	if e.limit >= 0 && n > e.limit {
		return e.limit, e.limit
	}
	return n, n
}

// readLine reads up to e's ending, e.limit bytes, or the end of the
// stream, and returns the line (nil at the end of the stream). A read that
// fails leaves every byte read ahead for the next call. Each byte is
// searched for the ending once.
func (a *api) readLine(L *lua.LState, s *stream, e lineEnd) (lua.LValue, error) {
	from := 0 // the bytes before have no ending
	for {
		buf := s.readBuf
		if e.ending != "" && from < len(buf) {
			scannedBytes.Add(int64(len(buf) - from))
			if i := bytes.Index(buf[from:], bytesOf(e.ending)); i >= 0 {
				line, used := e.cut(from+i, len(buf))
				return s.takeLine(line, used), nil
			}
			from = max(0, len(buf)-len(e.ending)+1)
		}
		switch {
		case len(buf) >= e.enough() || s.eof && len(buf) > 0:
			line, used := e.cut(-1, len(buf))
			return s.takeLine(line, used), nil
		case s.eof:
			return lua.LNil, nil
		case len(buf) >= longLine:
			return a.readLongLine(L, s, e)
		}
		if err := a.fill(L, s); err != nil {
			return nil, err
		}
	}
}

// takeLine returns the first n bytes of the read-ahead buffer and drops
// used of them.
func (s *stream) takeLine(n, used int) lua.LString {
	line := s.take(n)
	s.take(used - n)
	return line
}

// readLongLine is readLine once the read-ahead buffer, which holds no
// ending, has reached longLine bytes: the chunks received are kept as they
// are and joined once, into the line.
func (a *api) readLongLine(L *lua.LState, s *stream, e lineEnd) (lua.LValue, error) {
	parts := [][]byte{s.readBuf}
	n := len(s.readBuf)
	s.readBuf = nil
	size := maxRecv
	if s.datagram() {
		size = chunkSize // as fill: one datagram at a time, cut the same way
	}
	tail := []byte(nil) // the last len(ending)-1 bytes, where an ending may begin
	if k := len(e.ending) - 1; k > 0 {
		tail = append(tail, parts[0][n-k:]...)
	}
	for {
		data, eof, err := a.recv(L, s, size, 0, nil)
		if err != nil {
			s.readBuf = append(bytes.Join(parts, nil), s.readBuf...) // TLS may have left some there
			return nil, err
		}
		if eof {
			s.eof = true
			line, used := e.cut(-1, n)
			return s.joinLine(parts, n, line, used), nil
		}
		pieces := [][]byte{bytesOf(data)}
		if len(s.readBuf) > 0 { // the rest of a TLS record, which comes after data
			pieces = append(pieces, s.readBuf)
			s.readBuf = nil
		}
		for _, p := range pieces {
			i := -1
			if e.ending != "" {
				i = findEnding(tail, p, e.ending)
				if i >= 0 {
					i += n - len(tail)
				}
				if k := len(e.ending) - 1; k > 0 {
					tail = lastBytes(tail, p, k)
				}
			}
			parts = append(parts, p)
			n += len(p)
			if i >= 0 || n >= e.enough() {
				line, used := e.cut(i, n)
				return s.joinLine(parts, n, line, used), nil
			}
		}
	}
}

// findEnding finds ending in tail+p (tail is shorter than ending), looking
// at each byte of p once.
func findEnding(tail, p []byte, ending string) int {
	scannedBytes.Add(int64(len(p)))
	if len(tail) > 0 {
		window := append(append([]byte(nil), tail...), p[:min(len(p), len(ending)-1)]...)
		if i := bytes.Index(window, bytesOf(ending)); i >= 0 {
			return i
		}
	}
	if i := bytes.Index(p, bytesOf(ending)); i >= 0 {
		return len(tail) + i
	}
	return -1
}

// lastBytes is the last k bytes of tail+p.
func lastBytes(tail, p []byte, k int) []byte {
	if len(p) >= k {
		return append(tail[:0:0], p[len(p)-k:]...)
	}
	return append(append(tail[:0:0], tail[max(0, len(tail)+len(p)-k):]...), p...)
}

// joinLine returns the first line bytes of parts (n bytes in all) as one
// string and leaves the bytes after the first used in the read-ahead buffer.
func (s *stream) joinLine(parts [][]byte, n, line, used int) lua.LString {
	var b strings.Builder
	b.Grow(line)
	rest := make([]byte, 0, n-used)
	off := 0
	for _, p := range parts {
		if off < line {
			b.Write(p[:min(len(p), line-off)])
		}
		if end := off + len(p); end > used {
			rest = append(rest, p[max(0, used-off):]...)
		}
		off += len(p)
	}
	s.readBuf = rest
	return lua.LString(b.String())
}
