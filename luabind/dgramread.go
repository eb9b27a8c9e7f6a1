package luabind

import (
	"errors"
	"os"

	lua "github.com/yuin/gopher-lua"
	"golang.org/x/sys/unix"
)

// Datagram sockets read as streams (fread, fgets, feof), as PHP's stream
// buffer reads them.

// readDatagram is fread on a datagram socket, as PHP's stream buffer does
// it: the bytes buffered first, then one datagram (up to a chunk) of which
// what does not fit stays buffered for the next fread. It waits only when
// nothing was buffered (PHP waits out the timeout either way). A failure
// other than a timeout, such as ECONNREFUSED, sets the end of the stream,
// as in PHP; later reads still try the socket.
func (a *api) readDatagram(L *lua.LState, s *stream, length int) int {
	var out lua.LString
	if len(s.readBuf) > 0 {
		out = s.take(min(length, len(s.readBuf)))
		if len(out) == length {
			L.Push(out)
			return 1
		}
	}
	nonblocking := s.nonblocking
	s.nonblocking = nonblocking || len(out) > 0
	var from rawAddr // (recv needs somewhere for the sender; here, on the stack)
	data, _, err := a.recv(L, s, chunkSize, 0, &from)
	s.nonblocking = nonblocking
	if err != nil {
		s.noteDatagramFailure(err)
		if len(out) > 0 {
			L.Push(out)
			return 1
		}
		return pushFailure(L, err) // nothing there: EAGAIN, as "" is an empty datagram
	}
	if rest := length - len(out); len(data) > rest {
		s.readBuf = append(s.readBuf, data[rest:]...)
		data = data[:rest]
	}
	L.Push(out + lua.LString(data))
	return 1
}

// noteDatagramFailure sets the end of a datagram stream after a read that
// failed for good (PHP's socket read does): a timeout or a socket with
// nothing there is no end.
func (s *stream) noteDatagramFailure(err error) {
	if !wouldBlock(err) && !errors.Is(err, os.ErrDeadlineExceeded) && !errors.Is(err, os.ErrClosed) {
		s.eof = true
	}
}

// peekDatagramFailure is feof's check of a datagram socket, PHP's liveness
// check: a pending error (an ICMP port unreachable: ECONNREFUSED) ends the
// stream; a datagram or nothing at all does not.
func (s *stream) peekDatagramFailure() {
	if len(s.dgrams) > 0 {
		return
	}
	_ = s.raw.Control(func(fd uintptr) {
		var b [1]byte
		_, _, err := unix.Recvfrom(int(fd), b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
		if err != nil && err != unix.EMSGSIZE {
			s.noteDatagramFailure(err)
		}
	})
}
