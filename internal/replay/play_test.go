package replay

import (
	"bufio"
	"errors"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// pubsub serves a tiny publish/subscribe protocol on a loopback port until
// the test ends: "SUB\n" subscribes, "PUB text\n" sends "<word> text\n" to
// every subscriber, "OK\n" answers both.
func pubsub(t *testing.T, word string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var subs []net.Conn
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range subs {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				in := bufio.NewScanner(c)
				for in.Scan() {
					line := in.Text()
					switch {
					case line == "SUB":
						mu.Lock()
						subs = append(subs, c)
						mu.Unlock()
						c.Write([]byte("OK\n"))
					case strings.HasPrefix(line, "PUB "):
						c.Write([]byte("OK\n"))
						mu.Lock()
						for _, s := range subs {
							s.Write([]byte(word + " " + line[4:] + "\n"))
						}
						mu.Unlock()
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// A subscriber that waits for what a publisher sends on another
// connection: one file, the steps interleaved.
const pubsubSession = `# luasock session
connection 1 tcp -
1 > "SUB\n"
1 < "OK\n"
connection 2 tcp -
2 > "PUB " {msg "hello"} "\n"
2 < "OK\n"
1 < "MSG " {msg} "\n"
1 > end
2 > end
`

func parse(t *testing.T, text string) *Session {
	t.Helper()
	s, err := Parse(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// noLeaks fails when goroutines started during the test are still running
// once it is done (waiting a bounded while for them to end).
func noLeaks(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<20)
			t.Errorf("%d goroutines before, %d after:\n%s", before, n, buf[:runtime.Stack(buf, true)])
		}
	})
}

func TestPlayClientAcrossConnections(t *testing.T) {
	noLeaks(t)
	addr := pubsub(t, "MSG")
	p := &Player{Session: parse(t, pubsubSession), Timeout: 5 * time.Second}
	if err := p.PlayClient(addr); err != nil {
		t.Fatal(err)
	}
}

func TestPlayClientDifference(t *testing.T) {
	noLeaks(t)
	addr := pubsub(t, "MESSAGE")
	p := &Player{Session: parse(t, pubsubSession), Timeout: 5 * time.Second}
	err := p.PlayClient(addr)
	var d *Difference
	if !errors.As(err, &d) || d.Conn != 1 || d.Line != 8 || d.Offset != 1 || d.Want != "MSG hello\n" || !strings.HasPrefix(d.Got, "MES") {
		t.Fatalf("%#v", err)
	}
}

// The server side, to live clients: the subscriber gets the published
// text, whatever it was (captured from the publisher).
func TestPlayServerAcrossConnections(t *testing.T) {
	noLeaks(t)
	p := &Player{Session: parse(t, pubsubSession), Timeout: 5 * time.Second}
	addrs := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- p.PlayServer("127.0.0.1:0", func(a net.Addr) { addrs <- a.String() }) }()
	addr := <-addrs
	sub, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	sub.SetDeadline(time.Now().Add(5 * time.Second))
	in := bufio.NewReader(sub)
	sub.Write([]byte("SUB\n"))
	if l, _ := in.ReadString('\n'); l != "OK\n" {
		t.Fatalf("sub got %q", l)
	}
	pub, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	pub.Write([]byte("PUB news of the day\n"))
	if l, _ := in.ReadString('\n'); l != "MSG news of the day\n" {
		t.Fatalf("sub got %q", l)
	}
	sub.(*net.TCPConn).CloseWrite()
	pub.(*net.TCPConn).CloseWrite()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// A peer that never answers costs the timeout, no more; one that sends
// without end where a marker stands costs maxMarker bytes.
func TestPlayBounded(t *testing.T) {
	noLeaks(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				line, _ := bufio.NewReader(c).ReadString('\n')
				if line == "flood\n" {
					c.Write([]byte(strings.Repeat("x", 2*maxMarker)))
				}
				c.SetReadDeadline(time.Now().Add(5 * time.Second))
				c.Read(make([]byte, 1)) // until the player leaves
			}()
		}
	}()
	for _, tt := range []struct{ session, reason string }{
		{"connection 1 tcp -\n> \"quiet\\n\"\n< \"hello\"\n", "the server sent 0 of the 5 bytes recorded, then nothing for 200ms"},
		{"connection 1 tcp -\n> \"flood\\n\"\n< {*} \"\\n\"\n", "the server sent over 4096 bytes where a marker stands"},
	} {
		start := time.Now()
		err := (&Player{Session: parse(t, tt.session), Timeout: 200 * time.Millisecond}).PlayClient(ln.Addr().String())
		var d *Difference
		if !errors.As(err, &d) || !strings.Contains(d.Reason, tt.reason) {
			t.Errorf("%q: %v", tt.session, err)
		}
		if time.Since(start) > 3*time.Second {
			t.Errorf("%q took %v", tt.session, time.Since(start))
		}
	}
}

// Datagrams: a server that echoes a request's 2-byte id before its
// answer; the session marks the id (captured) and a byte that changes.
const udpSession = `connection 1 udp -
> hex
    00000000  {id 12 34} 01 ??                                    |.4..|
< hex
    00000000  {id} 02 ff                                          |...|
`

func udpIDServer(t *testing.T) string {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { pc.Close(); <-done })
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if n == 4 {
				pc.WriteTo([]byte{buf[0], buf[1], 2, 0xff}, from)
			}
		}
	}()
	return pc.LocalAddr().String()
}

func TestPlayDatagrams(t *testing.T) {
	noLeaks(t)
	s := parse(t, udpSession)
	if err := (&Player{Session: s, Timeout: 5 * time.Second}).PlayClient(udpIDServer(t)); err != nil {
		t.Fatal(err)
	}
	p := &Player{Session: s, Timeout: 5 * time.Second}
	addrs := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- p.PlayServer("127.0.0.1:0", func(a net.Addr) { addrs <- a }) }()
	c, err := net.Dial("udp", (<-addrs).String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte{0xab, 0xcd, 1, 7})
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 16)
	n, err := c.Read(buf)
	if err != nil || string(buf[:n]) != "\xab\xcd\x02\xff" {
		t.Fatalf("answer % x, %v", buf[:n], err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestPlayDatagramDifference(t *testing.T) {
	noLeaks(t)
	s := parse(t, strings.Replace(udpSession, "{id} 02 ff", "{id} 02 fe", 1))
	err := (&Player{Session: s, Timeout: 5 * time.Second}).PlayClient(udpIDServer(t))
	var d *Difference
	if !errors.As(err, &d) || d.Line != 4 || d.Offset != 3 || !strings.Contains(d.Reason, "datagram differs at byte 3") {
		t.Fatalf("%v", err)
	}
}

// TestUDPServerBounded: datagrams no connection has taken yet are held up
// to maxQueued bytes, however many clients send them (one client's inbox
// alone holds up to 64).
func TestUDPServerBounded(t *testing.T) {
	defer func(q int64) { maxQueued = q }(maxQueued)
	maxQueued = 100000
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := newUDPServer(pc, 1)
	done := make(chan struct{})
	go func() { u.dispatch(); close(done) }()
	big := make([]byte, 20000)
	for range 4 { // 4 clients x 10 x 20,000 bytes: 8 times the bound
		c, err := net.Dial("udp", pc.LocalAddr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		for range 10 {
			c.Write(big)
		}
	}
	// A probe from a fifth client, sent last: once the dispatcher knows it,
	// it has handled every datagram before it (kept, or dropped).
	probe, err := net.Dial("udp", pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Close()
	probe.Write([]byte("probe"))
	deadline := time.Now().Add(10 * time.Second)
	for {
		u.mu.Lock()
		seen := u.known[probe.LocalAddr().String()] != nil
		u.mu.Unlock()
		if seen {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d bytes queued: the probe was not dispatched", u.queued.Load())
		}
		time.Sleep(10 * time.Millisecond) // polls the dispatcher's progress
	}
	pc.Close()
	<-done
	if q := u.queued.Load(); q > maxQueued || q < maxQueued/2 {
		t.Fatalf("%d bytes queued, want at most %d (and more than half: the kernel keeps that many)", q, maxQueued)
	}
}
