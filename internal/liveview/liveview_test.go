package liveview

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/luasock/luasock/internal/sockevent"
)

// serve starts v on loopback until the test ends; it returns the page's
// base address and the token.
func serve(t *testing.T, v *View) (base, token string) {
	t.Helper()
	if err := v.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	base, token, _ = strings.Cut(v.URL(), "?token=")
	return base, token
}

var client = &http.Client{Timeout: 20 * time.Second}

// get fetches path (with its query) and returns the status and body.
func get(t *testing.T, url string, cookies ...*http.Cookie) (int, string, *http.Response) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	r, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return r.StatusCode, string(b), r
}

func events(t *testing.T, base, token string, since uint64) batch {
	t.Helper()
	code, body, _ := get(t, fmt.Sprintf("%sevents?since=%d&token=%s", base, since, token))
	if code != 200 {
		t.Fatalf("/events: %d %s", code, body)
	}
	var b batch
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestToken: the page and its answers need the token in the query; a
// wrong one, or one of another length, is refused. The script and style,
// the same in every luasock, are served without it, and no cookie carries
// the token (a host's cookies go to all its ports).
func TestToken(t *testing.T) {
	v := New(0)
	base, token := serve(t, v)
	for _, path := range []string{"", "events", "bytes?q=1", "nothing"} {
		if code, _, _ := get(t, base+path); code != http.StatusForbidden {
			t.Errorf("/%s without the token: %d, want 403", path, code)
		}
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		wrong := strings.Repeat("0", len(token))
		for _, bad := range []string{wrong, token[:len(token)-1], token + "0", "x"} {
			if code, _, _ := get(t, base+path+sep+"token="+bad); code != http.StatusForbidden {
				t.Errorf("/%s with token %q: %d, want 403", path, bad, code)
			}
		}
	}
	code, body, r := get(t, base+"?token="+token)
	if code != 200 || !strings.Contains(body, "luasock live view") {
		t.Fatalf("the page: %d %.80q", code, body)
	}
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	if len(r.Cookies()) != 0 {
		t.Errorf("the page set cookies: %v", r.Cookies())
	}
	for _, path := range []string{"app.js", "style.css"} {
		if code, body, _ := get(t, base+path); code != 200 || strings.Contains(body, token) {
			t.Errorf("/%s without the token: %d (holds the token: %v)", path, code, strings.Contains(body, token))
		}
	}
	if code, _, _ := get(t, base+"events?token="+token); code != 200 {
		t.Errorf("/events with the token: %d", code)
	}
	if code, _, _ := get(t, base+"nothing?token="+token); code != 404 {
		t.Errorf("an unknown path: %d", code)
	}
}

func send(w int, stream uint64, data string) *sockevent.Event {
	return &sockevent.Event{Worker: w, Stream: stream, Op: sockevent.Send, Transport: "tcp", Kind: "stream",
		Local: "127.0.0.1:8000", Peer: "127.0.0.1:40000", Data: data}
}

// TestRingBounded: the view keeps the last events only, the first
// KeptBytes of each message, and says which it no longer has.
func TestRingBounded(t *testing.T) {
	v := New(16)
	base, token := serve(t, v)
	big := strings.Repeat("x", 3*KeptBytes)
	for i := range 100 {
		v.Observe(send(0, 1, fmt.Sprintf("message %d %s", i, big)))
	}
	if v.kept != 16 || len(v.ring) != 16 {
		t.Fatalf("kept %d in a ring of %d", v.kept, len(v.ring))
	}
	b := events(t, base, token, 0)
	if len(b.Events) != 16 || b.Events[0].Num != 85 || b.Events[15].Num != 100 {
		t.Fatalf("%d events, from #%d", len(b.Events), b.Events[0].Num)
	}
	if n := len(b.Events[0].Preview); n != previewBytes {
		t.Errorf("a preview of %d bytes", n)
	}
	if code, _, _ := get(t, fmt.Sprintf("%sbytes?q=%d&token=%s", base, 3, token)); code != 404 {
		t.Errorf("an event the ring dropped: %d", code)
	}
	code, body, _ := get(t, fmt.Sprintf("%sbytes?q=%d&token=%s", base, b.Events[15].Seq, token))
	var m struct {
		N    int    `json:"n"`
		Data []byte `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &m); code != 200 || err != nil {
		t.Fatalf("/bytes: %d %v", code, err)
	}
	if m.N != len("message 99 ")+len(big) || len(m.Data) != KeptBytes || !strings.HasPrefix(string(m.Data), "message 99 x") {
		t.Errorf("/bytes: n %d, %d bytes kept", m.N, len(m.Data))
	}
	if b2 := events(t, base, token, b.Seq); len(b2.Events) != 0 || b2.Full {
		t.Errorf("nothing new: %d events, full %v", len(b2.Events), b2.Full)
	}
}

// TestTablesBounded: closed connections and ended tasks make room for new
// ones; when every row is live, the new ones are counted, not listed.
func TestTablesBounded(t *testing.T) {
	v := New(0)
	for s := uint64(1); s <= 3*MaxEntries; s++ {
		v.Observe(&sockevent.Event{Stream: s, Op: sockevent.Accept, Transport: "tcp", Kind: "stream", Peer: "127.0.0.1:1"})
		v.Observe(&sockevent.Event{Stream: s, Op: sockevent.Close, Transport: "tcp", Kind: "stream", Peer: "127.0.0.1:1"})
	}
	if n := len(v.conns.rows); n > MaxEntries || n == 0 {
		t.Fatalf("%d connections listed", n)
	}
	for s := uint64(10000); s < 10000+2*MaxEntries; s++ {
		v.Observe(&sockevent.Event{Stream: s, Op: sockevent.Accept, Transport: "tcp", Kind: "stream", Peer: "127.0.0.1:1"})
	}
	if n := len(v.conns.rows); n != MaxEntries || len(v.hidden[0]) != MaxEntries {
		t.Fatalf("%d connections listed, %d hidden", n, len(v.hidden[0]))
	}
	// An entry not listed counts once, however many events it has, and
	// not once it ended; it is not listed part-way when room comes.
	hidden := uint64(10000 + 2*MaxEntries - 1)
	for range 10 {
		v.Observe(send(0, hidden, "x"))
	}
	v.Observe(&sockevent.Event{Stream: hidden, Op: sockevent.Close, Transport: "tcp", Kind: "stream", Peer: "127.0.0.1:1"})
	if len(v.hidden[0]) != MaxEntries-1 || v.conns.rows["0/"+strconv.FormatUint(hidden, 10)] != nil {
		t.Fatalf("after 10 sends and a close of a connection not listed: %d hidden", len(v.hidden[0]))
	}
	for range 3 * MaxEntries {
		id := v.NewTask()
		v.ObserveTask(Task{ID: id, State: TaskRunning})
		v.ObserveTask(Task{ID: id, State: TaskEnded})
	}
	if n := len(v.tasks.rows); n > MaxEntries || len(v.tasks.finished) > 2*MaxEntries {
		t.Fatalf("%d tasks listed, %d finished kept", n, len(v.tasks.finished))
	}
}

// TestTables: names (given, or "client N" by arrival), notes, bytes and
// states as the page reads them, a datagram socket's peers apart.
func TestTables(t *testing.T) {
	v := New(0)
	base, token := serve(t, v)
	v.Observe(&sockevent.Event{Stream: 1, Op: sockevent.Listen, Transport: "tcp", Kind: "server", Local: "127.0.0.1:8000"})
	v.Observe(&sockevent.Event{Stream: 2, Op: sockevent.Accept, Transport: "tcp", Kind: "stream", Local: "127.0.0.1:8000", Peer: "127.0.0.1:5000"})
	v.Observe(&sockevent.Event{Stream: 2, Op: sockevent.NameOp, Transport: "tcp", Kind: "stream", Peer: "127.0.0.1:5000", Note: "alice"})
	v.Observe(&sockevent.Event{Stream: 2, Op: sockevent.NoteOp, Transport: "tcp", Kind: "stream", Peer: "127.0.0.1:5000", Note: "greeting"})
	v.Observe(send(0, 2, "hello\n"))
	v.Observe(&sockevent.Event{Stream: 2, Op: sockevent.Recv, Transport: "tcp", Kind: "stream", Peer: "127.0.0.1:5000", EOF: true})
	v.Observe(&sockevent.Event{Stream: 2, Op: sockevent.Close, Transport: "tcp", Kind: "stream", Peer: "127.0.0.1:5000", Unread: 3})
	v.Observe(&sockevent.Event{Stream: 3, Op: sockevent.Bind, Transport: "udp", Kind: "socket", Local: "127.0.0.1:53"})
	v.Observe(&sockevent.Event{Stream: 3, Op: sockevent.Recv, Transport: "udp", Kind: "socket", Peer: "127.0.0.1:6000", Addressed: true, Data: "ask"})
	v.Observe(&sockevent.Event{Stream: 3, Op: sockevent.Send, Transport: "udp", Kind: "socket", Peer: "127.0.0.1:6000", Addressed: true, Data: "answer"})
	v.Observe(&sockevent.Event{Stream: 3, Op: sockevent.Drop, Transport: "udp", Kind: "socket", Peer: "127.0.0.1:6001", Addressed: true, Data: "lost"})
	v.Observe(&sockevent.Event{Op: sockevent.Connect, Transport: "tcp", Kind: "socket", Peer: "127.0.0.1:1", Err: syscall.ECONNREFUSED})
	b := events(t, base, token, 0)
	rows := map[string]conn{}
	for _, c := range b.Conns {
		rows[c.Key] = c
	}
	want := map[string]string{
		"0/1":                "listening in 0 out 0 name  note ",
		"0/2":                "closed: reset (3 bytes unread) in 0 out 6 name alice note greeting",
		"0/3":                "bound in 3 out 6 name  note ",
		"0/3/127.0.0.1:6000": "seen in 3 out 6 name client 2 note ", // as the trace names it (client 1: the accepted one)
		"0/3/127.0.0.1:6001": "seen in 0 out 0 name  note ",
	}
	for key, w := range want {
		c := rows[key]
		if got := fmt.Sprintf("%s in %d out %d name %s note %s", c.State, c.In, c.Out, c.Name, c.Note); got != w {
			t.Errorf("%s: %q, want %q", key, got, w)
		}
	}
	if len(rows) != len(want) {
		t.Errorf("%d rows: %v", len(rows), rows)
	}
	if n := len(b.Events); n != 12 {
		t.Errorf("%d events", n)
	}
}

// TestStuckClient: clients that ask for /events and never read their
// answers hold up neither Observe nor the other clients, and Close cuts
// them off.
func TestStuckClient(t *testing.T) {
	before := runtime.NumGoroutine()
	v := New(0)
	base, token := serve(t, v)
	big := strings.Repeat("<b>&\x00", 300)
	for i := range RingSize {
		v.Observe(send(0, uint64(i%50+1), big))
	}
	addr := strings.TrimSuffix(strings.TrimPrefix(base, "http://"), "/")
	// Each stuck client asks again and again on one connection (HTTP
	// pipelining) and reads nothing: once the kernel's buffers are full,
	// its answer waits in a write.
	const stuckClients = answerSlots / 2
	for range stuckClients {
		d := net.Dialer{Control: func(_, _ string, raw syscall.RawConn) error {
			return raw.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 1024) })
		}}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		go func() {
			for range 200 {
				if _, err := fmt.Fprintf(c, "GET /events?since=0&token=%s HTTP/1.1\r\nHost: x\r\n\r\n", token); err != nil {
					return
				}
			}
		}()
	}
	writing := func() int {
		v.srv.mu.Lock()
		defer v.srv.mu.Unlock()
		return v.srv.active
	}
	for deadline := time.Now().Add(20 * time.Second); writing() < stuckClients; {
		if time.Now().After(deadline) {
			t.Fatalf("%d answers waiting to be written, want %d", writing(), stuckClients)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The script goes on: many events, while every slot is stuck writing.
	done := make(chan time.Duration)
	go func() {
		start := time.Now()
		for i := range 200000 {
			v.Observe(send(i%4, uint64(i%50+1), big))
		}
		done <- time.Since(start)
	}()
	select {
	case d := <-done:
		t.Logf("200000 events observed in %v with %d answers stuck", d, writing())
	case <-time.After(writeTimeout):
		t.Fatal("Observe is held up by clients that do not read")
	}
	b := events(t, base, token, v.seq-10) // a client that reads is served (a slot is free, or soon)
	if len(b.Events) != 10 {
		t.Errorf("%d events", len(b.Events))
	}
	start := time.Now()
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > closeWait+5*time.Second {
		t.Errorf("Close took %v", d)
	}
	awaitGoroutines(t, before)
}

// awaitGoroutines waits (bounded) until no more goroutines run than
// before: net/http's per-connection ones end once their connections close.
func awaitGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestClose: Close ends every goroutine of the view, and serves nothing
// after; calling it again, or on a view never served, does nothing.
func TestClose(t *testing.T) {
	if err := New(0).Close(); err != nil {
		t.Fatal(err)
	}
	var none *View
	if err := none.Close(); err != nil || none.URL() != "" {
		t.Fatal("a nil view")
	}
	before := runtime.NumGoroutine()
	v := New(0)
	base, token := serve(t, v)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v.Observe(send(i, 1, "hi"))
		}()
	}
	wg.Wait()
	if b := events(t, base, token, 0); len(b.Events) != 4 {
		t.Fatalf("%d events", len(b.Events))
	}
	client.CloseIdleConnections()
	v.Close()
	v.Close()
	if _, err := client.Get(base + "?token=" + token); err == nil {
		t.Error("served after Close")
	}
	awaitGoroutines(t, before)
}

// TestNotesClipped: a note or name the script made of a peer's line is
// kept to KeptNote bytes.
func TestNotesClipped(t *testing.T) {
	v := New(0)
	long := strings.Repeat("n", 10*KeptNote)
	v.Observe(&sockevent.Event{Stream: 2, Op: sockevent.Accept, Transport: "tcp", Kind: "stream", Peer: "127.0.0.1:5000"})
	v.Observe(&sockevent.Event{Stream: 2, Op: sockevent.NoteOp, Transport: "tcp", Kind: "stream", Peer: "127.0.0.1:5000", Note: long})
	v.Observe(&sockevent.Event{Stream: 2, Op: sockevent.NameOp, Transport: "tcp", Kind: "stream", Peer: "127.0.0.1:5000", Note: long})
	c := v.conns.rows["0/2"]
	if len(c.Note) > KeptNote+4 || len(c.Name) > KeptNote+4 || !strings.HasPrefix(c.Note, "nnn") {
		t.Fatalf("kept a note of %d bytes, a name of %d", len(c.Note), len(c.Name))
	}
	for i := 0; i < v.kept; i++ {
		if r := v.ring[(v.head+i)%len(v.ring)]; len(r.Note) > KeptNote+4 {
			t.Fatalf("the ring kept a note of %d bytes", len(r.Note))
		}
	}
}
