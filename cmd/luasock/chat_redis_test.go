package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/luasock/luasock/internal/testprog"
	"github.com/luasock/luasock/internal/testutil"
)

// printer is a luasock process whose printed lines a test waits for.
type printer struct {
	mu      sync.Mutex
	lines   []string
	changed chan struct{} // closed (and replaced) when a line comes
}

func startPrinter(t *testing.T, args ...string) *printer {
	t.Helper()
	luasock, err := exec.LookPath("luasock")
	if err != nil {
		t.Fatal(err)
	}
	p := &printer{changed: make(chan struct{})}
	cmd := exec.Command(luasock, args...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	go func() {
		r := bufio.NewScanner(stdout)
		for r.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, r.Text())
			close(p.changed)
			p.changed = make(chan struct{})
			p.mu.Unlock()
		}
	}()
	return p
}

// await waits until n printed lines match pattern, and returns them.
func (p *printer) await(t *testing.T, pattern string, n int) []string {
	t.Helper()
	re := regexp.MustCompile(pattern)
	timeout := time.After(20 * time.Second)
	for {
		p.mu.Lock()
		var got []string
		for _, l := range p.lines {
			if re.MatchString(l) {
				got = append(got, l)
			}
		}
		changed, all := p.changed, strings.Join(p.lines, "\n")
		p.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-changed:
		case <-timeout:
			t.Fatalf("want %d lines matching %q; printed:\n%s", n, pattern, all)
		}
	}
}

// freePortOn is a TCP port free on the loopback address ip right now.
func freePortOn(t *testing.T, ip string) string {
	l, err := net.Listen("tcp4", ip+":0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// TestChatRedisSpansProcesses: examples/chat_redis.lua run as two workers
// on 127.0.0.2 and once more on 127.0.0.3, all on one real redis-server,
// with HAProxy in front of both processes: clients of both workers, of
// the other process and of HAProxy each hear every other client's line,
// and not their own.
func TestChatRedisSpansProcesses(t *testing.T) {
	redisAddr := testprog.Redis(t)
	haproxy := testprog.Need(t, "haproxy", "haproxy")
	script, _ := filepath.Abs("../../examples/chat_redis.lua")
	portA, portB := freePortOn(t, "127.0.0.2"), freePortOn(t, "127.0.0.3")
	front := freePortOn(t, "127.0.0.1")

	cfg := filepath.Join(t.TempDir(), "haproxy.cfg")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`defaults
  mode tcp
  timeout connect 5s
  timeout client 1m
  timeout server 1m
frontend chat
  bind 127.0.0.1:%s
  default_backend servers
backend servers
  balance roundrobin
  server a 127.0.0.2:%s
  server b 127.0.0.3:%s
`, front, portA, portB)), 0o644)
	hp := exec.Command(haproxy, "-db", "-f", cfg)
	var hpOut strings.Builder
	hp.Stdout, hp.Stderr = &hpOut, &hpOut
	if err := hp.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hp.Process.Kill(); hp.Wait() })
	// HAProxy listens before the servers start: a probe reaches no chat.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		c, err := net.Dial("tcp4", "127.0.0.1:"+front)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("HAProxy on %s: %v\n%s", front, err, hpOut.String())
		}
	}

	a := startPrinter(t, "run", "--workers", "2", script, "tcp://127.0.0.2:"+portA, redisAddr)
	b := startPrinter(t, "run", script, "tcp://127.0.0.3:"+portB, redisAddr)
	a.await(t, `^chat server on 127\.0\.0\.2:\d+ \(worker [12]\), room in Redis at `, 2)
	b.await(t, `^chat server on 127\.0\.0\.3:\d+, room in Redis at `, 1)

	var clients []net.Conn
	dial := func(addr string) net.Conn {
		c, err := net.DialTimeout("tcp4", addr, 5*time.Second)
		if err != nil {
			t.Fatalf("%s: %v (haproxy: %s)", addr, err, hpOut.String())
		}
		t.Cleanup(func() { c.Close() })
		clients = append(clients, c)
		return c
	}
	// Clients of A until both workers have one (the kernel spreads them;
	// the portable build's workers share one socket, and whichever wakes
	// first takes the client: idle, that may be the same one every time).
	workers := map[string]bool{}
	for i := 0; len(workers) < 2; i++ {
		if i == 16 && testutil.Portable {
			t.Logf("16 clients, all on worker %v (one socket shared: the room spans processes only)", workers)
			break
		}
		if i == 16 {
			t.Fatalf("16 clients, all on worker %v", workers)
		}
		c := dial("127.0.0.2:" + portA)
		line := a.await(t, `^`+regexp.QuoteMeta(c.LocalAddr().String())+` joined \(worker [12]\)$`, 1)[0]
		workers[line[len(line)-2:len(line)-1]] = true
	}
	dial("127.0.0.3:" + portB)
	b.await(t, ` joined$`, 1)
	// HAProxy's round robin: one client to each process.
	for range 2 {
		dial("127.0.0.1:" + front)
	}
	a.await(t, ` joined \(worker [12]\)$`, len(clients)-2)
	b.await(t, ` joined$`, 2)

	for i, c := range clients {
		fmt.Fprintf(c, "line %d\n", i)
	}
	for i, c := range clients {
		c.SetReadDeadline(time.Now().Add(20 * time.Second))
		heard := map[string]bool{}
		r := bufio.NewReader(c)
		for len(heard) < len(clients)-1 {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("client %d heard %v, then %v", i, heard, err)
			}
			if strings.HasPrefix(line, "* ") {
				continue // joined, left
			}
			_, said, ok := strings.Cut(strings.TrimSuffix(line, "\n"), ": ")
			if !ok || heard[said] || said == fmt.Sprintf("line %d", i) {
				t.Fatalf("client %d got %q (heard %v)", i, line, heard)
			}
			heard[said] = true
		}
	}
}
