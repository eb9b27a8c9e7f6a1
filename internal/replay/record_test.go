package replay

import (
	"strings"
	"testing"

	"github.com/luasock/luasock/internal/sockevent"
)

// The recorder writes what happened in its order across connections:
// a probe left out, client addresses marked, notes and names as comments,
// datagrams one step each, a dropped one left out.
func TestRecorderOrder(t *testing.T) {
	var b strings.Builder
	r := NewRecorder(&b, func(err error) { t.Error(err) })
	srv := "127.0.0.1:8001"
	ev := func(stream uint64, op sockevent.Op, peer, data string) *sockevent.Event {
		return &sockevent.Event{Stream: stream, Op: op, Transport: "tcp", Local: srv, Peer: peer, Data: data}
	}
	a, bb := "127.0.0.1:40001", "127.0.0.1:40002"
	for _, e := range []*sockevent.Event{
		ev(1, sockevent.Listen, "", ""),
		ev(9, sockevent.Accept, "127.0.0.1:39999", ""), // a probe: no byte
		{Stream: 9, Op: sockevent.Recv, Transport: "tcp", EOF: true},
		ev(9, sockevent.Close, "", ""),
		ev(2, sockevent.Accept, a, ""),
		ev(3, sockevent.Accept, bb, ""),
		{Stream: 3, Op: sockevent.NameOp, Note: "bob"},
		ev(2, sockevent.Send, a, "* "+bb+" joined\n"),
		{Stream: 2, Op: sockevent.NoteOp, Note: "GREETING"},
		ev(2, sockevent.Recv, a, "hel"),
		ev(2, sockevent.Recv, a, "lo\n"),
		ev(3, sockevent.Send, bb, a+": hello\n"),
		ev(2, sockevent.Recv, a, "again\n"),
		{Stream: 4, Op: sockevent.Bind, Transport: "udp", Local: "127.0.0.1:53"},
		{Stream: 4, Op: sockevent.Recv, Transport: "udp", Local: "127.0.0.1:53", Peer: "127.0.0.1:5000", Data: "\x12\x34q"},
		{Stream: 4, Op: sockevent.Drop, Transport: "udp", Local: "127.0.0.1:53", Peer: "127.0.0.1:5000", Data: "lost"},
		{Stream: 4, Op: sockevent.Send, Transport: "udp", Local: "127.0.0.1:53", Peer: "127.0.0.1:5000", Data: "\x12\x34a"},
		{Stream: 4, Op: sockevent.Send, Transport: "udp", Local: "127.0.0.1:53", Peer: "127.0.0.1:5000", Data: "\x12\x34b"},
		{Stream: 5, Op: sockevent.Recv, Transport: "udg", Peer: "/tmp/x", Data: "unix datagram"},
		ev(2, sockevent.Close, a, ""),
	} {
		r.Observe(e)
	}
	r.Finish()
	want := Header + `

connection 1 tcp 127.0.0.1:8001

connection 2 tcp 127.0.0.1:8001  # bob
1 < "* " {client2} " joined\n"
# note: GREETING
1 > "hello\n"
2 < {client1} ": hello\n"
1 > "again\n"

connection 3 udp 127.0.0.1:53
3 > hex
    00000000  12 34 71                                          |.4q|
3 < hex
    00000000  12 34 61                                          |.4a|
3 < hex
    00000000  12 34 62                                          |.4b|
1 < end
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	s, err := Parse(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Conns) != 3 || s.Conns[1].Name != "bob" || len(s.Steps) != 11 {
		t.Errorf("read back: %d connections, %d steps", len(s.Conns), len(s.Steps))
	}
}

// TestRecorderNamesDatagramPeers: trace_name given a peer's address before
// that peer's first datagram names that peer, not whichever comes first.
func TestRecorderNamesDatagramPeers(t *testing.T) {
	var b strings.Builder
	r := NewRecorder(&b, func(err error) { t.Error(err) })
	udp := func(op sockevent.Op, peer, data string) *sockevent.Event {
		return &sockevent.Event{Stream: 1, Op: op, Transport: "udp", Local: "127.0.0.1:53", Peer: peer, Data: data}
	}
	for _, e := range []*sockevent.Event{
		udp(sockevent.Bind, "", ""),
		{Stream: 1, Op: sockevent.NameOp, Transport: "udp", Peer: "127.0.0.1:6000", Note: "bob"},
		udp(sockevent.Recv, "127.0.0.1:5000", "from alice"),
		udp(sockevent.Recv, "127.0.0.1:6000", "from bob"),
		udp(sockevent.Close, "", ""),
	} {
		r.Observe(e)
	}
	r.Finish()
	if !strings.Contains(b.String(), "connection 1 udp 127.0.0.1:53\n") || !strings.Contains(b.String(), "connection 2 udp 127.0.0.1:53  # bob\n") {
		t.Errorf("got\n%s", b.String())
	}
	if len(r.names) != 0 || len(r.notes) != 0 {
		t.Errorf("kept after the close: names %v, notes %v", r.names, r.notes)
	}
}
