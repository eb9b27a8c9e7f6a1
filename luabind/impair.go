package luabind

import (
	"errors"
	"os"
	"time"

	"github.com/luasock/luasock/internal/impair"
	"github.com/luasock/luasock/internal/sockevent"
	lua "github.com/yuin/gopher-lua"
	"golang.org/x/sys/unix"
)

// Impairment (luasock run --slice, --delay, --drop, --duplicate, --reorder):
// the script's own sockets misbehave as a slow or lossy network would, from
// a seed. The decisions are package impair's; here they meet the sockets.
// The reads (read.go) and writes (write.go) each make one a.impair != nil
// check and come here only when it is set, so that an unimpaired run pays
// that comparison and nothing more. The observers see the calls as made: a sliced write is
// several sends, a dropped datagram a drop event and no send, a duplicated one two.

// impairer is one state's impairment: its dice and the datagrams held back
// for reordering, one per socket at most.
type impairer struct {
	dice     *impair.Dice
	settings impair.Settings
	held     map[*stream]heldDatagram
}

// heldDatagram is a datagram --reorder keeps back until its socket's next.
type heldDatagram struct {
	data  string
	dest  *destination
	flags int
}

func newImpairer(s impair.Settings, worker int) *impairer {
	if !s.On() {
		return nil
	}
	return &impairer{dice: impair.NewDice(s, uint64(worker)), settings: s, held: map[*stream]heldDatagram{}}
}

// readLength is the most one read of s may return: datagrams are never
// cut (a datagram read short loses its rest). Not inlined: its copy of the
// settings would sit in recv's frame, on every waiting task's stack.
//
//go:noinline
func (im *impairer) readLength(s *stream, length int) int {
	if s.datagram() {
		return length
	}
	return im.settings.ReadLength(length)
}

// pause waits d with the Lua lock released: only the sending task waits.
func (a *api) pause(L *lua.LState, d time.Duration) {
	if d <= 0 {
		return
	}
	ctx := a.waitContext(L)
	a.host.Block(L, func() {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		}
	})
}

// writeImpaired is fwrite (and a TLS stream's sendto) under impairment:
// a datagram meets its fate, a stream's bytes go in slices, each its own
// send after its delay. It pushes fwrite's results.
func (a *api) writeImpaired(L *lua.LState, s *stream, data string) int {
	if s.datagram() {
		n, err := a.datagramImpaired(L, s, data, nil, unix.MSG_NOSIGNAL)
		return a.pushWritten(L, s, n, err)
	}
	if s.crypto != nil {
		if err := s.crypto.ready(L); err != nil { // a handshake still to do runs first
			return pushFailure(L, err)
		}
	}
	n, err := a.sliceWrite(L, s, data, nil, unix.MSG_NOSIGNAL)
	return a.pushWritten(L, s, n, err)
}

// sendImpaired is stream_socket_sendto under impairment (not TLS: that is
// writeImpaired).
func (a *api) sendImpaired(L *lua.LState, s *stream, data string, dest *destination, flags int) int {
	var n int
	var err error
	if s.datagram() {
		n, err = a.datagramImpaired(L, s, data, dest, flags)
	} else {
		n, err = a.sliceWrite(L, s, data, dest, flags)
	}
	return a.pushWritten(L, s, n, err)
}

// pushWritten pushes a write's count, or its failure when nothing went:
// a partial write reports its count and the error comes on the next call.
func (a *api) pushWritten(L *lua.LState, s *stream, n int, err error) int {
	s.timedOut = errors.Is(err, os.ErrDeadlineExceeded)
	if err != nil && n == 0 && !s.nothingReady(err) {
		return pushFailure(L, err)
	}
	L.Push(lua.LNumber(n))
	return 1
}

// sliceWrite sends data on a stream in pieces of at most --slice bytes,
// each after its delay. TCP_NODELAY is set while slicing, so that each
// piece leaves as a segment of its own instead of waiting to be coalesced
// by Nagle's algorithm.
func (a *api) sliceWrite(L *lua.LState, s *stream, data string, dest *destination, flags int) (int, error) {
	if a.impair.settings.Slice > 0 && s.transport == "tcp" {
		_ = s.raw.Control(func(fd uintptr) { _ = unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_NODELAY, 1) })
	}
	written := 0
	for _, size := range impair.Pieces(len(data), a.impair.settings.Slice) {
		a.pause(L, a.impair.dice.Delay())
		piece := data[written : written+size]
		for sent := 0; sent < len(piece) || len(piece) == 0; {
			n, err := a.sendOne(L, s, piece[sent:], dest, flags)
			sent += n
			written += n
			if err != nil || s.nonblocking && sent < len(piece) || len(piece) == 0 {
				return written, err
			}
		}
	}
	return written, nil
}

// datagramImpaired sends one datagram as its fate says: dropped (nothing
// sent, the script told it went, as a lossy network would), delayed,
// held back until the socket's next datagram, sent twice.
func (a *api) datagramImpaired(L *lua.LState, s *stream, data string, dest *destination, flags int) (int, error) {
	fate := a.impair.dice.Datagram()
	if fate.Drop {
		if a.observer != nil {
			peer, addressed := s.peerName(), false
			if dest != nil {
				peer, addressed = formatSockaddr(dest.sa), true
			}
			a.observe(s, sockevent.Event{Op: sockevent.Drop, Peer: peer, Addressed: addressed, Data: data})
		}
		return len(data), nil
	}
	a.pause(L, fate.Delay)
	held, holding := a.impair.held[s]
	if !holding && fate.Hold {
		a.impair.hold(s, heldDatagram{data: data, dest: dest, flags: flags})
		return len(data), nil
	}
	n, err := a.sendOne(L, s, data, dest, flags)
	if err == nil && fate.Duplicate {
		_, _ = a.sendOne(L, s, data, dest, flags)
	}
	if holding {
		delete(a.impair.held, s)
		_, _ = a.sendOne(L, s, held.data, held.dest, held.flags)
	}
	return n, err
}

// hold keeps d back for s, forgetting what closed sockets held.
func (im *impairer) hold(s *stream, d heldDatagram) {
	for other := range im.held {
		if other.closed {
			delete(im.held, other)
		}
	}
	im.held[s] = d
}

// sendOne is one send system call (TLS: one write), waiting as the stream
// allows, and its event.
func (a *api) sendOne(L *lua.LState, s *stream, data string, dest *destination, flags int) (n int, err error) {
	if s.crypto != nil {
		n, err = a.tlsWrite(L, s, data)
	} else {
		n, err = a.sendCall(L, s, data, dest, flags)
	}
	if a.observer != nil {
		peer, addressed := s.peerName(), false
		if dest != nil {
			peer, addressed = formatSockaddr(dest.sa), true
		}
		a.observeSend(s, peer, addressed, data[:n], err)
	}
	return n, err
}
