package luabind

import (
	"time"

	"github.com/luasock/luasock/internal/sockevent"
	"golang.org/x/sys/unix"
)

// The socket events the observers watch (luasock run --trace, --pcap):
// package sockevent says what each holds. Every call site checks
// a.observer != nil first, so that with nobody watching an operation costs
// one comparison and nothing is built.

// kind is the handle's kind as the events name it.
func (s *stream) kind() string {
	switch {
	case s.listening:
		return "server"
	case s.connected:
		return "stream"
	}
	return "socket"
}

// observe hands e to the observers, with the handle's part filled from s
// (nil: the operation made no handle, and e says what it can).
func (a *api) observe(s *stream, e sockevent.Event) {
	e.Time = time.Now()
	e.Worker = a.worker.ID
	if s != nil {
		if s.eventID == 0 {
			if a.worker.Streams != nil {
				s.eventID = a.worker.Streams.Add(1)
			} else {
				a.streamsSeen++
				s.eventID = a.streamsSeen
			}
		}
		e.Stream = s.eventID
		e.Transport = s.transport
		e.TLS = s.crypto != nil
		e.Kind = s.kind()
		e.Local = printable(s.localName())
	}
	e.Peer = printable(e.Peer)
	a.observer.Observe(&e)
}

// observeFailure records e as failed with err, unless err only found the
// socket not ready (a non-blocking call or a poll): that is no event.
func (a *api) observeFailure(s *stream, e sockevent.Event, err error) {
	if wouldBlock(err) {
		return
	}
	e.Err = err
	a.observe(s, e)
}

// observeClose records the close of s, with the bytes of a TCP stream that
// the peer sent and the script never read: those make the kernel reset the
// connection instead of ending it.
func (a *api) observeClose(s *stream) {
	e := sockevent.Event{Op: sockevent.Close, Peer: s.peerName()}
	if s.connected && s.transport == "tcp" {
		_ = s.raw.Control(func(fd uintptr) {
			if n, err := unix.IoctlGetInt(int(fd), unreadRequest); err == nil {
				e.Unread = n
			}
		})
	}
	a.observe(s, e)
}
