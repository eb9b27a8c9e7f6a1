// Package testutil runs Lua snippets through the real runtime for tests, and
// gives them real peers on loopback.
package testutil

import (
	"bytes"
	"net"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/luasock/luasock/host"
)

// Result is what a run printed and its exit status.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// lineTee keeps all output and hands each complete line to a channel as soon
// as it is written, so a peer can react to what the script prints.
type lineTee struct {
	mu      sync.Mutex
	all     bytes.Buffer
	partial []byte
	lines   chan string
}

func (w *lineTee) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.all.Write(p)
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		select {
		case w.lines <- string(w.partial[:i]):
		default: // nobody listens this far: keep going
		}
		w.partial = w.partial[i+1:]
	}
	return len(p), nil
}

func (w *lineTee) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.all.String()
}

// Peer runs beside a script: it receives each line the script prints.
type Peer func(t testing.TB, lines <-chan string)

// Run runs src as a script named test.lua with args. peer, if not nil, runs
// concurrently and must return by itself; Run waits for it.
func Run(t testing.TB, src string, peer Peer, args ...string) Result {
	t.Helper()
	out := &lineTee{lines: make(chan string, 1024)}
	var errb bytes.Buffer
	done := make(chan struct{})
	if peer != nil {
		go func() {
			defer close(done)
			peer(t, out.lines)
		}()
	} else {
		close(done)
	}
	code := host.Run(host.Options{Script: "test.lua", Source: []byte(src), Args: args, Stdout: out, Stderr: &errb})
	close(out.lines)
	<-done
	return Result{Stdout: out.String(), Stderr: errb.String(), Code: code}
}

// Expect runs src and fails the test unless it printed want, exited 0 and
// wrote nothing on stderr.
func Expect(t testing.TB, src, want string, peer Peer, args ...string) {
	t.Helper()
	r := Run(t, src, peer, args...)
	if r.Code != 0 || r.Stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s\nstdout:\n%s", r.Code, r.Stderr, r.Stdout)
	}
	if r.Stdout != want {
		t.Fatalf("stdout:\n%s\nwant:\n%s", r.Stdout, want)
	}
}

// NextLine returns the next printed line, or fails the test when the script
// ended first.
func NextLine(t testing.TB, lines <-chan string) string {
	l, ok := <-lines
	if !ok {
		t.Error("the script ended before printing the expected line")
		return ""
	}
	return l
}

// Busy returns the address of a Go socket that occupies a loopback port.
func Busy(t testing.TB, network string) string {
	t.Helper()
	if strings.HasPrefix(network, "udp") {
		c, err := net.ListenPacket(network, "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c.LocalAddr().String()
	}
	l, err := net.Listen(network, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l.Addr().String()
}

// OpenFDs counts this process's open file descriptors.
func OpenFDs(t testing.TB) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}
