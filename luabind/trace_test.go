package luabind_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/socktrace"
	"github.com/luasock/luasock/internal/testprog"
	"github.com/luasock/luasock/internal/testutil"
	"github.com/luasock/luasock/luabind"
)

// traceScript makes every traced event happen once: listen, connect,
// accept, send, recv, shutdown, end of stream, close, bind, sendto,
// recvfrom, and a failed connect.
const traceScript = `
local srv = assert(stream_socket_server("tcp://127.0.0.1:0"))
local c = assert(stream_socket_client("tcp://" .. srv:name()))
local conn = assert(stream_socket_accept(srv))
print(srv:name(), c:name())
fwrite(c, "AB\0\1\255\r\n" .. ("A"):rep(16))
assert(fread(conn, 100))
stream_socket_shutdown(c, STREAM_SHUT_WR)
assert(fread(conn, 100) == nil)
fclose(conn) fclose(c) fclose(srv)
local u = assert(stream_socket_server("udp://127.0.0.1:0", STREAM_SERVER_BIND))
print(u:name())
stream_socket_sendto(u, "ping", 0, u:name())
stream_socket_recvfrom(u, 10)
fclose(u)
assert(not stream_socket_client("tcp://" .. arg[1], 1))
`

// traceRun runs traceScript, its refused connect to closed, with a trace
// in format that shows 16 bytes of data; it returns the trace and the
// addresses the script printed: the server's, the client's, the UDP
// socket's. An exit status but 0, or anything on stderr, fails the test.
func traceRun(t *testing.T, closed, format string) (trace *bytes.Buffer, srv, cli, udp string) {
	t.Helper()
	trace = &bytes.Buffer{}
	r := testutil.RunOptions(host.Options{Script: "test.lua", Source: []byte(traceScript), Args: []string{closed},
		Trace: trace, TraceBytes: 16, TraceFormat: format}).WantStatus(t, 0)
	names := strings.Fields(r.Stdout)
	if r.Stderr != "" || len(names) != 3 {
		r.Fatalf(t, "want the three addresses and nothing on stderr")
	}
	return trace, names[0], names[1], names[2]
}

func TestTrace(t *testing.T) {
	closed := luabind.RefusingAddr(t, "tcp")
	trace, srv, cli, udp := traceRun(t, closed, "")
	q := regexp.QuoteMeta
	want := []string{
		`tcp server ` + q(srv) + `  listen`,
		`tcp stream ` + q(cli) + `  connect  -> ` + q(srv),
		`tcp stream ` + q(srv) + `  accept   <- client 1 \(` + q(cli) + `\)`,
		`tcp stream ` + q(cli) + `  send     -> ` + q(srv) + `  23 bytes`,
		`            0000  41 42 00 01 ff 0d 0a 41  41 41 41 41 41 41 41 41  \|AB\.\.\.\.\.AAAAAAAAA\|`,
		`            \.\.\.   7 more bytes`,
		`tcp stream ` + q(srv) + `  recv     <- client 1 \(` + q(cli) + `\)  23 bytes`,
		`            0000  41 42 00 01 ff 0d 0a 41  41 41 41 41 41 41 41 41  \|AB\.\.\.\.\.AAAAAAAAA\|`,
		`            \.\.\.   7 more bytes`,
		`tcp stream ` + q(cli) + `  shutdown write`,
		`tcp stream ` + q(srv) + `  recv     <- client 1 \(` + q(cli) + `\)  0 bytes  \(end of stream\)`,
		`tcp stream ` + q(srv) + `  close    client 1 \(` + q(cli) + `\)`,
		`tcp stream ` + q(cli) + `  close    ` + q(srv),
		`tcp server ` + q(srv) + `  close`,
		`udp socket ` + q(udp) + `  bind`,
		`udp socket ` + q(udp) + `  sendto   -> ` + q(udp) + `  4 bytes`,
		`            0000  70 69 6e 67                                       \|ping\|`,
		`udp socket ` + q(udp) + `  recvfrom <- ` + q(udp) + `  4 bytes`,
		`            0000  70 69 6e 67                                       \|ping\|`,
		`udp socket ` + q(udp) + `  close`,
		`tcp socket  error    -> ` + q(closed) + `  connect: Connection refused \(111\)`,
	}
	lines := strings.Split(strings.TrimSuffix(trace.String(), "\n"), "\n")
	event := regexp.MustCompile(`^ +\d+\.\d{6}  (.*)$`)
	for i, w := range want {
		if i >= len(lines) {
			t.Fatalf("trace ends before line %d (%s):\n%s", i+1, w, trace.String())
		}
		l := lines[i]
		if m := event.FindStringSubmatch(l); m != nil {
			l = m[1]
		}
		if !regexp.MustCompile(`^` + w + `$`).MatchString(l) {
			t.Fatalf("trace line %d: %q\nwant %s\nwhole trace:\n%s", i+1, l, w, trace.String())
		}
	}
	if len(lines) != len(want) {
		t.Fatalf("%d trace lines, want %d:\n%s", len(lines), len(want), trace.String())
	}
}

// TestTraceBytesZero: no dump, only the events.
func TestTraceBytesZero(t *testing.T) {
	var trace bytes.Buffer
	host.Run(host.Options{Script: "test.lua", Source: []byte(traceScript), Args: []string{luabind.RefusingAddr(t, "tcp")}, Trace: &trace})
	if n := strings.Count(trace.String(), "\n"); n != 15 || strings.Contains(trace.String(), "0000") {
		t.Fatalf("%d lines:\n%s", n, trace.String())
	}
}

// failingWriter fails every write, as a full disk does.
type failingWriter struct{ writes int }

func (w *failingWriter) Write(p []byte) (int, error) {
	w.writes++
	return 0, errors.New("no space left on device")
}

// TestTraceWriteFails: the trace stops at its first failed write, says so
// once on stderr, and the script runs on.
func TestTraceWriteFails(t *testing.T) {
	w := &failingWriter{}
	r := testutil.RunOptions(host.Options{Script: "test.lua", Source: []byte(traceScript + `print("done")`), Args: []string{luabind.RefusingAddr(t, "tcp")},
		Trace: w}).WantStatus(t, 0)
	if !strings.HasSuffix(r.Stdout, "done\n") || w.writes != 1 || r.Stderr != "luasock: the trace stopped: no space left on device\n" {
		r.Fatalf(t, "%d writes to the trace, want 1; then done, and the trace's failure once on stderr", w.writes)
	}
}

// TestTraceDevFull writes the trace to /dev/full, a real failing file.
func TestTraceDevFull(t *testing.T) {
	f, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var errb bytes.Buffer
	host.Run(host.Options{Script: "test.lua", Source: []byte(traceScript), Args: []string{luabind.RefusingAddr(t, "tcp")}, Stderr: &errb, Trace: f})
	if errb.String() != "luasock: the trace stopped: write /dev/full: no space left on device\n" {
		t.Fatalf("stderr: %q", errb.String())
	}
}

// TestTraceWorkers: with --workers, each trace line names its worker.
func TestTraceWorkers(t *testing.T) {
	var trace bytes.Buffer
	src := `local s = assert(stream_socket_server("udp://127.0.0.1:0", STREAM_SERVER_BIND)) fclose(s)`
	r := testutil.RunOptions(host.Options{Script: "test.lua", Source: []byte(src), Trace: &trace, Workers: 2}).WantStatus(t, 0)
	lines := strings.Split(strings.TrimSuffix(trace.String(), "\n"), "\n")
	event := regexp.MustCompile(`^ +\d+\.\d{6}  \[w([12])\] udp socket 127\.0\.0\.1:\d+  (bind|close)$`)
	seen := map[string]int{}
	for _, l := range lines {
		m := event.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("trace line %q\nwhole trace:\n%s", l, trace.String())
		}
		seen[m[1]]++
	}
	if r.Stderr != "" || seen["1"] != 2 || seen["2"] != 2 {
		r.Fatalf(t, "lines per worker %v, want 2 each, and nothing on stderr; the trace:\n%s", seen, trace.String())
	}
}

// TestTraceJSON: --trace-format json is one JSON object per event, the
// events of the text trace, with both ends, the count and the data.
func TestTraceJSON(t *testing.T) {
	closed := luabind.RefusingAddr(t, "tcp")
	trace, srv, cli, udp := traceRun(t, closed, "json")
	n := func(v int) *int { return &v }
	s := func(v string) *string { return &v }
	want := []socktrace.JSONEvent{
		{Stream: 1, Op: "listen", Transport: "tcp", Kind: "server", Local: srv},
		{Stream: 2, Op: "connect", Transport: "tcp", Kind: "stream", Local: cli, Peer: srv},
		{Stream: 3, Op: "accept", Transport: "tcp", Kind: "stream", Local: srv, Peer: cli, Name: "client 1"},
		{Stream: 2, Op: "send", Transport: "tcp", Kind: "stream", Local: cli, Peer: srv, Bytes: n(23), DataHex: "41420001ff0d0a414141414141414141"},
		{Stream: 3, Op: "recv", Transport: "tcp", Kind: "stream", Local: srv, Peer: cli, Name: "client 1", Bytes: n(23), DataHex: "41420001ff0d0a414141414141414141"},
		{Stream: 2, Op: "shutdown", Transport: "tcp", Kind: "stream", Local: cli, Peer: srv, How: "write"},
		{Stream: 3, Op: "recv", Transport: "tcp", Kind: "stream", Local: srv, Peer: cli, Name: "client 1", Bytes: n(0), EOF: true},
		{Stream: 3, Op: "close", Transport: "tcp", Kind: "stream", Local: srv, Peer: cli, Name: "client 1"},
		{Stream: 2, Op: "close", Transport: "tcp", Kind: "stream", Local: cli, Peer: srv},
		{Stream: 1, Op: "close", Transport: "tcp", Kind: "server", Local: srv},
		{Stream: 4, Op: "bind", Transport: "udp", Kind: "socket", Local: udp},
		{Stream: 4, Op: "send", Transport: "udp", Kind: "socket", Local: udp, Peer: udp, Addressed: true, Bytes: n(4), Data: s("ping")},
		{Stream: 4, Op: "recv", Transport: "udp", Kind: "socket", Local: udp, Peer: udp, Addressed: true, Bytes: n(4), Data: s("ping")},
		{Stream: 4, Op: "close", Transport: "udp", Kind: "socket", Local: udp},
		{Op: "connect", Transport: "tcp", Kind: "socket", Local: "(the refused socket's)", Peer: closed, Error: "Connection refused", Errno: n(111)},
	}
	dec := json.NewDecoder(trace)
	dec.DisallowUnknownFields()
	last := 0.0
	for i, w := range want {
		var got socktrace.JSONEvent
		if err := dec.Decode(&got); err != nil {
			t.Fatalf("event %d: %v", i+1, err)
		}
		if got.T < last {
			t.Errorf("event %d: t %v after %v", i+1, got.T, last)
		}
		last, w.T = got.T, got.T
		if w.Local == "(the refused socket's)" && regexp.MustCompile(`^127\.0\.0\.1:\d+$`).MatchString(got.Local) {
			w.Local = got.Local
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("event %d:\n%s\nwant\n%s", i+1, jsonOf(got), jsonOf(w))
		}
	}
	if dec.More() {
		t.Errorf("more events than %d", len(want))
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestTraceMermaid: --trace-format mermaid is a sequence diagram: one
// participant per endpoint (a client by its name), one arrow per event between two of them
// (sends and receives with a preview of the bytes), notes for the rest.
func TestTraceMermaid(t *testing.T) {
	closed := luabind.RefusingAddr(t, "tcp")
	trace, srv, _, udp := traceRun(t, closed, "mermaid")
	failed := regexp.MustCompile(`participant P4 as (127\.0\.0\.1:\d+)\n`).FindStringSubmatch(trace.String()) // the refused socket's port
	if failed == nil {
		t.Fatalf("no participant for the refused socket:\n%s", trace.String())
	}
	want := "sequenceDiagram\n" +
		"    participant P1 as " + srv + "\n" +
		"    participant P2 as client 1\n" + // the script's client is the server's first

		"    participant P3 as " + udp + "\n" +
		"    participant P4 as " + failed[1] + "\n" +
		"    participant P5 as " + closed + "\n" +
		"    Note over P1: tcp listen\n" +
		"    P2-)P1: connect\n" +
		"    P2-)P1: connect (accepted)\n" +
		`    P2->>P1: 23 bytes "AB\x00\x01\xff\r\nAAAAAAAAA"...` + "\n" +
		`    P2->>P1: 23 bytes "AB\x00\x01\xff\r\nAAAAAAAAA"...` + "\n" +
		"    P2--xP1: shutdown write\n" +
		"    P2--xP1: end of stream\n" +
		"    P1-xP2: close\n" +
		"    P2-xP1: close\n" +
		"    Note over P1: close\n" +
		"    Note over P3: udp bind\n" +
		`    P3->>P3: 4 bytes "ping"` + "\n" +
		`    P3->>P3: 4 bytes "ping"` + "\n" +
		"    Note over P3: close\n" +
		"    P4-xP5: connect failed: Connection refused (111)\n"
	if trace.String() != want {
		t.Fatalf("diagram:\n%s", testutil.Diff(want, trace.String()))
	}
	// The structure, as a reader of the diagram counts it: every statement
	// names declared participants; one arrow per event that has two ends.
	declared := map[string]bool{}
	arrows, notes := 0, 0
	statement := regexp.MustCompile(`^    (?:participant (P\d+) as .+|Note over (P\d+)(?:,(P\d+))?: .+|(P\d+)(?:->>|--x|-x|-\))(P\d+): .+)$`)
	for i, l := range strings.Split(strings.TrimSuffix(trace.String(), "\n"), "\n")[1:] {
		m := statement.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("statement %d: %q", i+1, l)
		}
		if m[1] != "" {
			declared[m[1]] = true
		}
		for _, p := range m[2:] {
			if p != "" && !declared[p] {
				t.Errorf("statement %d names %s, not declared", i+1, p)
			}
		}
		switch {
		case m[4] != "":
			arrows++
		case m[2] != "":
			notes++
		}
	}
	// The 15 events of the text trace: 11 between two ends (connect,
	// accept, send, recv, shutdown, end of stream, two closes, sendto,
	// recvfrom, a refused connect), 4 at one (listen, bind, two closes).
	if arrows != 11 || notes != 4 {
		t.Errorf("%d arrows and %d notes, want 11 and 4", arrows, notes)
	}
}

// TestPcapWorkers: with --workers, every worker's packets go to the one
// capture, whole, and tshark reads them all.
func TestPcapWorkers(t *testing.T) {
	testprog.Need(t, "tshark", "tshark")
	path := filepath.Join(t.TempDir(), "w.pcapng")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	src := `
local s = assert(stream_socket_server("udp://127.0.0.1:0", STREAM_SERVER_BIND, stream_context_create({socket = {so_reuseport = false}})))
for i = 1, 50 do
  stream_socket_sendto(s, "worker " .. WORKER, 0, s:name())
  assert(stream_socket_recvfrom(s, 100))
end`
	testutil.RunOptions(host.Options{Script: "test.lua", Source: []byte(src), Pcap: f, Workers: 2}).WantStatus(t, 0)
	// udp.payload, not data.data: tshark decodes some ports as a protocol
	out, err := exec.Command("tshark", "-r", path, "-T", "fields", "-e", "udp.srcport", "-e", "udp.payload").Output()
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		count[l]++
	}
	if len(count) != 2 {
		t.Fatalf("%d kinds of packet, want one per worker:\n%s", len(count), out)
	}
	for l, n := range count {
		if n != 100 {
			t.Errorf("%q: %d packets, want 100 (50 sent, 50 received)", l, n)
		}
	}
}
