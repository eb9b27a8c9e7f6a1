package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/luasock/luasock/internal/testprog"
	"github.com/luasock/luasock/internal/testutil"
)

// whoami is a luasock process running docs/deploy/whoami.lua: every line
// it prints is kept.
type whoami struct {
	cmd  *exec.Cmd
	addr string

	mu      sync.Mutex
	lines   []string
	changed chan struct{} // closed (and replaced) when a line comes
	done    chan struct{} // stdout closed
}

func startWhoami(t *testing.T) *whoami {
	t.Helper()
	luasock, err := exec.LookPath("luasock")
	if err != nil {
		t.Fatal(err)
	}
	w := &whoami{done: make(chan struct{}), changed: make(chan struct{})}
	w.cmd = exec.Command(luasock, "run", filepath.Join(deployDir, "whoami.lua"), "tcp://127.0.0.1:0")
	w.cmd.Stderr = os.Stderr
	stdout, err := w.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.cmd.Process.Kill(); w.cmd.Wait() })
	r := bufio.NewReader(stdout)
	line, err := r.ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if !ok {
		t.Fatalf("whoami.lua's first line: %q, %v", line, err)
	}
	w.addr = addr
	go func() {
		defer close(w.done)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			w.mu.Lock()
			w.lines = append(w.lines, strings.TrimSpace(line))
			close(w.changed)
			w.changed = make(chan struct{})
			w.mu.Unlock()
		}
	}()
	return w
}

// printed tells whether the server printed line; changed is closed when
// it prints another.
func (w *whoami) printed(line string) (ok bool, changed <-chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, l := range w.lines {
		if l == line {
			return true, w.changed
		}
	}
	return false, w.changed
}

// whoPrinted waits until one of the servers (one or two) prints line (print's output is
// flushed within 20 ms, maybe after the client has its answer) and
// returns it, or nil after 10 s.
func whoPrinted(line string, servers ...*whoami) *whoami {
	timeout := time.After(10 * time.Second)
	for {
		var cases []<-chan struct{}
		for _, w := range servers {
			ok, changed := w.printed(line)
			if ok {
				return w
			}
			cases = append(cases, changed)
		}
		select {
		case <-cases[0]:
		case <-cases[len(cases)-1]:
		case <-timeout:
			return nil
		}
	}
}

// haproxyStats asks HAProxy's stats socket for each server's status ("UP",
// "DOWN", ...) and counters: retries and redispatches.
func haproxyStats(sock string) (map[string][]string, error) {
	c, err := net.DialTimeout("unix", sock, time.Second)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, "show stat\n"); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(c)
	if err != nil {
		return nil, err
	}
	// # pxname,svname,...: field 17 is status, 15 wretr, 16 wredis.
	stats := map[string][]string{}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(line, ",")
		if len(f) > 25 && f[0] == "whoami" {
			stats[f[1]] = []string{f[17], f[15], f[16]}
		}
	}
	return stats, nil
}

// waitStatus polls the stats socket (no fixed sleep) until each named server
// has the status wanted, up to readyTimeout.
func waitStatus(t *testing.T, sock string, want map[string]string) map[string][]string {
	t.Helper()
	deadline := time.Now().Add(readyTimeout)
	for {
		stats, err := haproxyStats(sock)
		ok := err == nil
		for name, status := range want {
			ok = ok && len(stats[name]) > 0 && stats[name][0] == status
		}
		if ok {
			return stats
		}
		if time.Now().After(deadline) {
			t.Fatalf("HAProxy's servers: %v, %v; want %v", stats, err, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// askWhoami connects to the balancer from the loopback address source and
// checks that the answer names the client's own address and port.
func askWhoami(front, source string) (string, error) {
	d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(source)}}
	c, err := d.Dial("tcp", front)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	b, err := io.ReadAll(c)
	self := c.LocalAddr().String()
	if err != nil || string(b) != "you are "+self+"\n" {
		return self, fmt.Errorf("client %s got %q, %v", self, b, err)
	}
	return self, nil
}

// TestHAProxy runs HAProxy (docs/deploy/haproxy.cfg) in front of two
// luasock servers (docs/deploy/whoami.lua), one sent PROXY v1 headers and
// the other v2: clients from 127.0.0.2 and 127.0.0.3 are answered with
// their own addresses, each printed by the server that served it. Then one
// server goes down: HAProxy retries on the other, and no client is lost.
func TestHAProxy(t *testing.T) {
	haproxy := testprog.Need(t, "haproxy", "haproxy")
	s1, s2 := startWhoami(t), startWhoami(t)
	front := testutil.FreeAddr(t, "tcp4")
	stats := filepath.Join(t.TempDir(), "stats.sock")
	cmd := exec.Command(haproxy, "-db", "-f", filepath.Join(deployDir, "haproxy.cfg"))
	cmd.Env = append(os.Environ(), "FRONTEND="+front, "SERVER1="+s1.addr, "SERVER2="+s2.addr, "HAPROXY_STATS="+stats)
	var haproxyOut strings.Builder
	cmd.Stdout, cmd.Stderr = &haproxyOut, &haproxyOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("haproxy's output:\n%s", haproxyOut.String())
		}
	})
	waitStatus(t, stats, map[string]string{"s1": "UP", "s2": "UP"})

	// Both servers up: round robin gives each half of the clients.
	const clients = 20
	sources := []string{"127.0.0.2", "127.0.0.3"}
	served := map[*whoami]int{}
	var selves []string
	for i := range clients {
		self, err := askWhoami(front, sources[i%2])
		if err != nil {
			t.Fatal(err)
		}
		selves = append(selves, self)
		w := whoPrinted(self, s1, s2)
		if w == nil {
			t.Fatalf("%s: printed by no server", self)
		}
		served[w]++
	}
	for _, self := range selves {
		one, _ := s1.printed(self)
		two, _ := s2.printed(self)
		if one == two {
			t.Fatalf("%s: printed by s1 %v, by s2 %v; want by one of them", self, one, two)
		}
	}
	if served[s1] == 0 || served[s2] == 0 {
		t.Fatalf("served by s1 %d, s2 %d: want both", served[s1], served[s2])
	}

	// A client that reaches s1 directly, from 127.0.0.2, and forges a
	// header is not the balancer: closed unread, printed by no one.
	d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}
	forger, err := d.Dial("tcp", s1.addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(forger, "PROXY TCP4 203.0.113.66 127.0.0.1 4444 80\r\n")
	forger.SetReadDeadline(time.Now().Add(10 * time.Second))
	if got, err := io.ReadAll(forger); len(got) != 0 {
		t.Fatalf("the forger got %q, %v; want the connection closed", got, err)
	}
	forger.Close()
	if printed, _ := s1.printed("203.0.113.66:4444"); printed {
		t.Fatalf("s1 printed the forged header's address")
	}

	// s1 goes down. Until the health checks notice, HAProxy still sends it
	// clients: refused, they are retried on s2.
	s1.cmd.Process.Signal(syscall.SIGTERM)
	<-s1.done
	s1.cmd.Wait()
	for i := range clients {
		self, err := askWhoami(front, sources[i%2])
		if err != nil {
			t.Fatalf("with s1 down: %v", err)
		}
		if whoPrinted(self, s2) != s2 {
			t.Fatalf("%s: not printed by s2", self)
		}
	}
	after := waitStatus(t, stats, map[string]string{"s1": "DOWN", "s2": "UP"})
	t.Logf("served by s1 %d, s2 %d; then %d clients by s2 with s1 down (s1's retries %s, redispatches %s)",
		served[s1], served[s2], clients, after["s1"][1], after["s1"][2])
}
