package socktrace_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/luasock/luasock/internal/sockevent"
	"github.com/luasock/luasock/internal/socktrace"
)

// lab is a server's run with the lab's own events: two clients accepted
// (the second named by the script), a note that names a message and one
// that names none, a UDP client of a datagram server, and an answer lost
// to --drop.
func lab() []sockevent.Event {
	now := time.Now()
	srv := sockevent.Event{Time: now, Stream: 1, Transport: "tcp", Kind: "server", Local: "127.0.0.1:7000"}
	one := sockevent.Event{Time: now, Stream: 2, Transport: "tcp", Kind: "stream", Local: "127.0.0.1:7000", Peer: "127.0.0.1:50001"}
	two := one
	two.Stream, two.Peer = 3, "127.0.0.1:50002"
	udp := sockevent.Event{Time: now, Stream: 4, Transport: "udp", Kind: "socket", Local: "127.0.0.1:1113", Peer: "127.0.0.1:50003", Addressed: true}
	with := func(e sockevent.Event, op sockevent.Op, data, note string) sockevent.Event {
		e.Op, e.Data, e.Note = op, data, note
		return e
	}
	quiet := udp
	quiet.Peer, quiet.Addressed = "", false
	return []sockevent.Event{
		with(srv, sockevent.Listen, "", ""),
		with(one, sockevent.Accept, "", ""),
		with(two, sockevent.Accept, "", ""),
		with(two, sockevent.NameOp, "", "alice"),
		with(one, sockevent.NoteOp, "", "greeting"),
		with(one, sockevent.Send, "hello\n", ""),
		with(two, sockevent.NoteOp, "", "never sent"),
		with(two, sockevent.Close, "", ""),
		with(udp, sockevent.Recv, "x", ""),
		with(quiet, sockevent.NoteOp, "", "the time"),
		with(udp, sockevent.Drop, "Sun Nov 29\r\n", ""),
	}
}

func TestTextNames(t *testing.T) {
	var out bytes.Buffer
	w := socktrace.New(&out, 4, nil)
	for _, e := range lab() {
		w.Observe(&e)
	}
	got := regexp.MustCompile(`(?m)^ +\d+\.\d{6}  `).ReplaceAllString(out.String(), "")
	want := `tcp server 127.0.0.1:7000  listen
tcp stream 127.0.0.1:7000  accept   <- client 1 (127.0.0.1:50001)
tcp stream 127.0.0.1:7000  accept   <- client 2 (127.0.0.1:50002)
tcp stream 127.0.0.1:7000  name     alice (127.0.0.1:50002)
tcp stream 127.0.0.1:7000  note     client 1 (127.0.0.1:50001)  "greeting"
tcp stream 127.0.0.1:7000  send     -> client 1 (127.0.0.1:50001)  6 bytes
            0000  68 65 6c 6c                                       |hell|
            ...   2 more bytes
tcp stream 127.0.0.1:7000  note     alice (127.0.0.1:50002)  "never sent"
tcp stream 127.0.0.1:7000  close    alice (127.0.0.1:50002)
udp socket 127.0.0.1:1113  recv     <- client 3 (127.0.0.1:50003)  1 byte
            0000  78                                                |x|
udp socket 127.0.0.1:1113  note      "the time"
udp socket 127.0.0.1:1113  drop     -> client 3 (127.0.0.1:50003)  12 bytes  (lost: --drop)
            0000  53 75 6e 20                                       |Sun |
            ...   8 more bytes
`
	// (recv and drop are recvfrom and sendto in a real run: Addressed.)
	want = strings.Replace(want, "recv     <- client 3", "recvfrom <- client 3", 1)
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestJSONNames(t *testing.T) {
	var out bytes.Buffer
	w := socktrace.NewJSON(&out, 4, nil)
	for _, e := range lab() {
		w.Observe(&e)
	}
	for _, want := range []string{
		`"op":"accept","transport":"tcp","kind":"stream","local":"127.0.0.1:7000","peer":"127.0.0.1:50001","name":"client 1"}`,
		`"op":"name","transport":"tcp","kind":"stream","local":"127.0.0.1:7000","peer":"127.0.0.1:50002","name":"alice","note":"alice"}`,
		`"op":"note","transport":"tcp","kind":"stream","local":"127.0.0.1:7000","peer":"127.0.0.1:50001","name":"client 1","note":"greeting"}`,
		`"op":"drop","transport":"udp","kind":"socket","local":"127.0.0.1:1113","peer":"127.0.0.1:50003","name":"client 3","addressed":true,"bytes":12,"data":"Sun "}`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %s in\n%s", want, out.String())
		}
	}
}

func TestMermaidNames(t *testing.T) {
	var out bytes.Buffer
	m := socktrace.NewMermaid(&out, 4, nil)
	for _, e := range lab() {
		m.Observe(&e)
	}
	m.Finish()
	want := `sequenceDiagram
    participant P1 as 127.0.0.1:7000
    participant P2 as client 1
    participant P3 as alice
    participant P4 as 127.0.0.1:1113
    participant P5 as client 3
    Note over P1: tcp listen
    P2-)P1: connect (accepted)
    P3-)P1: connect (accepted)
    P1->>P2: greeting (6 bytes)
    Note over P1,P3: never sent
    P1-xP3: close
    P5->>P4: 1 byte "x"
    P4-xP5: the time (12 bytes) (dropped by --drop)
`
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

// TestSkipKeepsNumbers: events a filter leaves out still number the
// clients, and a message left out leaves its note a note.
func TestSkipKeepsNumbers(t *testing.T) {
	var text, diagram bytes.Buffer
	w, m := socktrace.New(&text, 0, nil), socktrace.NewMermaid(&diagram, 0, nil)
	for i, e := range lab() {
		for _, o := range []interface {
			Observe(*sockevent.Event)
			Skip(*sockevent.Event)
		}{w, m} {
			if i == 4 || i >= 8 { // the first note, and the datagrams
				o.Observe(&e)
			} else {
				o.Skip(&e)
			}
		}
	}
	m.Finish()
	if !strings.Contains(text.String(), `recvfrom <- client 3 (127.0.0.1:50003)`) ||
		!strings.Contains(text.String(), `note     client 1 (127.0.0.1:50001)  "greeting"`) {
		t.Errorf("text:\n%s", text.String())
	}
	if !strings.Contains(diagram.String(), "participant P2 as client 1\n") ||
		!strings.Contains(diagram.String(), "    Note over P1,P2: greeting\n") {
		t.Errorf("diagram:\n%s", diagram.String())
	}
}
