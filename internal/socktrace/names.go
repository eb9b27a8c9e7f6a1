package socktrace

import (
	"strconv"

	"github.com/luasock/luasock/internal/sockevent"
)

// peerNames is what the trace calls a run's peers: "client 1", "client 2"
// in the order they arrived (an accepted connection's peer; a datagram
// socket's peer when a socket that is not connected, a server, first
// receives from it), or the name trace_name gave. Workers' peers share one count.
type peerNames struct {
	names   map[string]string // the peer's address -> its name
	clients int
	// keep: names outlive their connection (a diagram, drawn at the end);
	// else an accepted stream's close forgets its peer's name, so that a
	// server that runs for days keeps only its live clients'.
	keep bool
}

// maxNames bounds the names kept: past it, new clients keep their address
// (a datagram server hears from any number of peers and is told of no end).
const maxNames = 10000

func newPeerNames(keep bool) peerNames {
	return peerNames{names: map[string]string{}, keep: keep}
}

// see takes the names an event gives. Call it before showing the event.
func (n *peerNames) see(e *sockevent.Event) {
	if e.Peer == "" || e.Err != nil || e.Peer == e.Local && e.Op != sockevent.NameOp { // (a socket is not its own client)
		return
	}
	switch {
	case e.Op == sockevent.NameOp:
		if _, ok := n.names[e.Peer]; ok || len(n.names) < maxNames {
			n.names[e.Peer] = e.Note
		}
	case e.Op == sockevent.Accept, e.Op == sockevent.Recv && e.Datagram() && e.Addressed:
		if _, ok := n.names[e.Peer]; !ok && len(n.names) < maxNames {
			n.clients++
			n.names[e.Peer] = "client " + strconv.Itoa(n.clients)
		}
	}
}

// done forgets what an event ends. Call it after showing the event.
func (n *peerNames) done(e *sockevent.Event) {
	if !n.keep && e.Op == sockevent.Close && e.Kind == "stream" && !e.Datagram() {
		delete(n.names, e.Peer)
	}
}

// of is the name of the peer at addr; "" when it has none.
func (n *peerNames) of(addr string) string { return n.names[addr] }

// shown is addr as the text trace shows it: "client 1 (127.0.0.1:54302)"
// when it has a name.
func (n *peerNames) shown(addr string) string {
	if name := n.names[addr]; name != "" && addr != "" {
		return name + " (" + addr + ")"
	}
	return addr
}

// message tells whether e is a message a note can name: bytes sent,
// received (not peeked: those are read again) or lost to --drop.
func message(e *sockevent.Event) bool {
	switch e.Op {
	case sockevent.Send, sockevent.Drop:
		return e.Err == nil
	case sockevent.Recv:
		return e.Err == nil && !e.EOF && !e.Peek
	}
	return false
}
