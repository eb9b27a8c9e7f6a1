package socktrace_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/luasock/luasock/internal/sockevent"
	"github.com/luasock/luasock/internal/socktrace"
)

var (
	sent = sockevent.Event{Time: time.Now(), Stream: 2, Op: sockevent.Send, Transport: "tcp", Kind: "stream",
		Local: "127.0.0.1:5000", Peer: "127.0.0.1:80", Data: "GET /a;b#c<d> HTTP/1.0\r\n\r\n"}
	refused = sockevent.Event{Time: time.Now(), Op: sockevent.Connect, Transport: "tcp", Kind: "socket",
		Peer: "127.0.0.1:1", Err: syscall.ECONNREFUSED}
)

// TestJSONLine: the data cut after maxBytes (the count is the whole
// message's), text as a string and anything else in hex, a failure's
// message and errno.
func TestJSONLine(t *testing.T) {
	binary := sent
	binary.Op, binary.Data = sockevent.Recv, "\xff\x00abc"
	var out bytes.Buffer
	w := socktrace.NewJSON(&out, 8, nil)
	for _, e := range []sockevent.Event{sent, binary, refused} {
		w.Observe(&e)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines:\n%s", len(lines), out.String())
	}
	var got []map[string]any
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		delete(m, "t")
		got = append(got, m)
	}
	want := []string{
		`{"bytes":26,"data":"GET /a;b","kind":"stream","local":"127.0.0.1:5000","op":"send","peer":"127.0.0.1:80","stream":2,"transport":"tcp"}`,
		`{"bytes":5,"data_hex":"ff00616263","kind":"stream","local":"127.0.0.1:5000","op":"recv","peer":"127.0.0.1:80","stream":2,"transport":"tcp"}`,
		`{"errno":111,"error":"Connection refused","kind":"socket","op":"connect","peer":"127.0.0.1:1","transport":"tcp"}`,
	}
	for i, m := range got {
		b, _ := json.Marshal(m) // sorted keys
		if string(b) != want[i] {
			t.Errorf("line %d:\n%s\nwant\n%s", i+1, b, want[i])
		}
	}
}

// TestMermaidEscapes: '#', ';', '<' and '>' become entity codes (Mermaid
// reads them as comment, statement end and HTML), other bytes Lua escapes;
// a preview is cut with "...", and none is shown with maxBytes 0.
func TestMermaidEscapes(t *testing.T) {
	for _, tt := range []struct {
		maxBytes int
		want     string
	}{
		{64, `P1->>P2: 26 bytes "GET /a#59;b#35;c#lt;d#gt; HTTP/1.0\r\n"...`},
		{5, `P1->>P2: 26 bytes "GET /"...`},
		{0, `P1->>P2: 26 bytes`},
	} {
		var out bytes.Buffer
		m := socktrace.NewMermaid(&out, tt.maxBytes, nil)
		m.Observe(&sent)
		m.Observe(&refused)
		if out.Len() != 0 {
			t.Fatalf("written before Finish: %q", out.String())
		}
		m.Finish()
		m.Finish()
		want := "sequenceDiagram\n    participant P1 as 127.0.0.1:5000\n    participant P2 as 127.0.0.1:80\n" +
			"    participant P3 as 127.0.0.1:1\n    " + tt.want + "\n" +
			"    Note over P3: connect failed: Connection refused (111)\n"
		if out.String() != want {
			t.Errorf("maxBytes %d:\n%s\nwant\n%s", tt.maxBytes, out.String(), want)
		}
	}
}

// TestMermaidBounded: a long run keeps a bounded diagram and says how many
// events it left out; workers' endpoints are told apart.
func TestMermaidBounded(t *testing.T) {
	var out bytes.Buffer
	m := socktrace.NewMermaid(&out, 0, nil)
	e := sent
	e.Worker = 2
	for range 6000 {
		m.Observe(&e)
	}
	m.Finish()
	if n := strings.Count(out.String(), "->>"); n != 5000 {
		t.Errorf("%d arrows", n)
	}
	if !strings.Contains(out.String(), "participant P1 as 127.0.0.1:5000 [w2]\n") ||
		!strings.HasSuffix(out.String(), "    Note over P1: 1000 more events not drawn\n") {
		t.Errorf("diagram:\n%s", out.String()[:300]+"..."+out.String()[out.Len()-200:])
	}
}
