package luabind

import (
	"strconv"

	"github.com/luasock/luasock/internal/errno"
	"github.com/luasock/luasock/internal/socktrace"
)

// The trace's events from the socket API (package socktrace writes them).
// Callers check a.trace != nil first, so nothing is built when it is off.

// traceName is a handle as the trace shows it: its kind and local address.
func (s *stream) traceName() string {
	kind := "socket"
	switch {
	case s.listening:
		kind = "server"
	case s.connected:
		kind = "stream"
	}
	local := s.localName()
	if local == "" {
		local = "(unnamed)"
	}
	transport := s.transport
	if s.crypto != nil {
		transport = "tls"
	}
	return transport + " " + kind + " " + local
}

// traceOp records an operation on s that moved n bytes of data (n < 0:
// none).
func (a *api) traceOp(s *stream, op, arrow, peer string, n int, data string) {
	a.traceEvent(socktrace.Event{Handle: s.traceName(), Op: op, Arrow: arrow, Peer: peer, N: n, Data: data})
}

// traceNote records an operation on s with a note after it ("(end of
// stream)", the TLS version).
func (a *api) traceNote(s *stream, op, arrow, peer string, n int, note string) {
	a.traceEvent(socktrace.Event{Handle: s.traceName(), Op: op, Arrow: arrow, Peer: peer, N: n, Note: note})
}

// traceError records a failed operation, unless it only found the socket
// not ready (a non-blocking call or a poll).
func (a *api) traceError(handle, op, arrow, peer string, err error) {
	if wouldBlock(err) {
		return
	}
	msg, code := errno.Of(err)
	note := op + ": " + msg + " (" + strconv.Itoa(code) + ")"
	a.traceEvent(socktrace.Event{Handle: handle, Op: "error", Arrow: arrow, Peer: peer, N: -1, Note: note})
}

// traceEvent records e as this worker's, with an abstract unix socket's
// peer name printable.
func (a *api) traceEvent(e socktrace.Event) {
	e.Worker = a.worker.ID
	e.Peer = printable(e.Peer)
	a.trace.Record(e)
}
