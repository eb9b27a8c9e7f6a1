// Package sockevent is what luasock's socket binding tells its observers:
// one Event per socket operation of a script (listen, connect, accept,
// send, receive, shutdown, close, a TLS handshake, a failure), with both
// ends' addresses and the bytes. The trace (package socktrace), the packet
// capture (package sockpcap) and any later observer of a run's sockets
// watch the same events through Observer.
package sockevent

import (
	"errors"
	"net/netip"
	"syscall"
	"time"
)

// Op is what happened.
type Op string

// The operations. A failed one has the same Op and Err set.
const (
	Listen   Op = "listen"   // a stream server listens (Local: its address)
	Bind     Op = "bind"     // a datagram server (or a server without STREAM_SERVER_LISTEN) is bound
	Accept   Op = "accept"   // a server accepted a connection from Peer: the handle is the new stream
	Connect  Op = "connect"  // a client connected to Peer (a datagram client: set its peer)
	Send     Op = "send"     // Data went to Peer
	Recv     Op = "recv"     // Data came from Peer; EOF: the peer ended the stream
	Shutdown Op = "shutdown" // stream_socket_shutdown; How says which way
	Close    Op = "close"    // fclose, or the host releasing a task's handle
	TLS      Op = "tls"      // a TLS handshake ended (Note: version and cipher); Data of later events is plaintext
	// NoteOp: the script named the handle's next message (trace_note):
	// Note is its text. NameOp: the script named the handle's peer
	// (trace_name): Note is the name. Drop: --drop lost the datagram in
	// Data that the script sent to Peer (nothing went).
	NoteOp Op = "note"
	NameOp Op = "name"
	Drop   Op = "drop"
)

// Event is one socket operation. The binding fills it with the Lua lock
// held and calls every observer in turn; an observer must not keep the
// *Event (nor change it) after Observe returns.
type Event struct {
	Time   time.Time
	Worker int // the worker's number (luasock run --workers); 0 when not a worker
	// Stream numbers the handle, from 1 in the order the worker's events
	// first name it: (Worker, Stream) is one handle of a run, one TCP
	// connection for a stream. 0: the operation made no handle (a failed
	// listen or connect).
	Stream    uint64
	Op        Op
	Transport string // tcp, udp, unix, udg (a TLS stream is tcp with TLS set)
	TLS       bool   // the stream speaks TLS: Data is the plaintext the script sees
	Kind      string // server (listening), stream (connected), socket (neither)
	// Local is the handle's own address ("127.0.0.1:80", "[::1]:80", a unix
	// path, "@name" for an abstract one; "" when it has none); for a failed
	// listen, the address it was asked for; for a failed connect, the
	// address the socket had (an IP one, when it had one).
	Local string
	// Peer is the other end: where data went, or came from, or the address
	// connected to; "" when there is none (a listening server).
	Peer string
	// Addressed: the call named the peer per datagram (stream_socket_sendto
	// with an address, recvfrom on an unconnected datagram socket).
	Addressed bool
	Data      string // the bytes sent or received
	EOF       bool   // Recv: the peer ended the stream (Data is empty)
	Peek      bool   // Recv with STREAM_PEEK: the bytes stay queued for the next read
	How       string // Shutdown: read, write or both
	// Unread, on the Close of a TCP stream, counts the bytes the peer sent
	// that the script never read: the kernel answers the close with a
	// reset (RST), not the end of the stream (FIN).
	Unread int
	Note   string // TLS: the version and cipher suite; NoteOp, NameOp: the script's text
	Err    error  // the operation failed (never a "would block")
}

// Failed tells whether the operation failed.
func (e *Event) Failed() bool { return e.Err != nil }

// Reset tells whether the operation failed because the peer reset the
// connection (ECONNRESET) or refused it (ECONNREFUSED).
func (e *Event) Reset() bool {
	return errors.Is(e.Err, syscall.ECONNRESET) || errors.Is(e.Err, syscall.ECONNREFUSED)
}

// Datagram tells whether the transport is connectionless.
func (e *Event) Datagram() bool { return e.Transport == "udp" || e.Transport == "udg" }

// IP is the event's two ends as IP addresses and ports; ok is false for a
// unix socket or an end that is not known.
func (e *Event) IP() (local, peer netip.AddrPort, ok bool) {
	if e.Transport != "tcp" && e.Transport != "udp" {
		return local, peer, false
	}
	local, err1 := netip.ParseAddrPort(e.Local)
	peer, err2 := netip.ParseAddrPort(e.Peer)
	return local, peer, err1 == nil && err2 == nil
}

// Observer watches a run's socket events. Observe is called on the task's
// goroutine with the Lua lock held, by several workers at once with
// --workers: it must be quick and safe for concurrent use.
type Observer interface {
	Observe(e *Event)
}

// Join is one Observer that calls each of the observers given, in order;
// nil ones are left out. It is nil when none is left, so that the binding
// pays one comparison per operation when nobody observes.
func Join(observers ...Observer) Observer {
	var kept multi
	for _, o := range observers {
		if o != nil {
			kept = append(kept, o)
		}
	}
	switch len(kept) {
	case 0:
		return nil
	case 1:
		return kept[0]
	}
	return kept
}

// Finisher is an Observer with something to write when the run has ended
// (a diagram drawn from every event). The host calls Finish once, after
// the last event.
type Finisher interface {
	Observer
	Finish()
}

// Finish finishes o if it is a Finisher (a joined one finishes each of
// its own).
func Finish(o Observer) {
	if f, ok := o.(Finisher); ok {
		f.Finish()
	}
}

type multi []Observer

func (m multi) Observe(e *Event) {
	for _, o := range m {
		o.Observe(e)
	}
}

func (m multi) Finish() {
	for _, o := range m {
		Finish(o)
	}
}
