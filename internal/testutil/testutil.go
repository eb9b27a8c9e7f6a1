// Package testutil runs Lua snippets through the real runtime for tests,
// gives them real peers on loopback, and shows where an output differs from
// the one wanted.
package testutil

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"regexp"
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

// Fatalf ends the test with the message, then the run's exit status,
// stdout and stderr.
func (r Result) Fatalf(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := strings.TrimSuffix(fmt.Sprintf(format, args...), "\n")
	t.Fatalf("%s\nexit %d\nstdout:\n%s\nstderr:\n%s", msg, r.Code, r.Stdout, r.Stderr)
}

// Want ends the test unless the run exited 0, wrote nothing on stderr and
// printed want; the message shows where stdout first differs.
func (r Result) Want(t testing.TB, want string) {
	t.Helper()
	if r.Code == 0 && r.Stderr == "" && r.Stdout == want {
		return
	}
	diff := Diff(want, r.Stdout)
	if diff == "" {
		diff = "stdout as wanted"
	}
	r.Fatalf(t, "%s", diff)
}

// WantSuffix ends the test unless the run exited 0 and its stdout ends in
// want (what comes before depends on timing, such as a port).
func (r Result) WantSuffix(t testing.TB, want string) {
	t.Helper()
	if r.Code != 0 || !strings.HasSuffix(r.Stdout, want) {
		r.Fatalf(t, "want stdout ending in:\n%s", want)
	}
}

// WantMatch ends the test unless the run exited 0, wrote nothing on stderr
// and all of its stdout matches the regular expression pattern.
func (r Result) WantMatch(t testing.TB, pattern string) {
	t.Helper()
	if r.Code != 0 || r.Stderr != "" || !regexp.MustCompile(`^`+pattern+`$`).MatchString(r.Stdout) {
		r.Fatalf(t, "want stdout matching %q", pattern)
	}
}

// Expect runs src and fails the test unless it printed want, exited 0 and
// wrote nothing on stderr.
func Expect(t testing.TB, src, want string, peer Peer, args ...string) {
	t.Helper()
	Run(t, src, peer, args...).Want(t, want)
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
	s, addr := listen(t, network)
	t.Cleanup(func() { s.Close() })
	return addr
}

// FreeAddr returns a loopback address whose port was free when asked: until
// someone binds it, a connect there is refused.
func FreeAddr(t testing.TB, network string) string {
	t.Helper()
	s, addr := listen(t, network)
	s.Close()
	return addr
}

// listen opens a Go socket on a free loopback port and returns its address.
func listen(t testing.TB, network string) (io.Closer, string) {
	t.Helper()
	if strings.HasPrefix(network, "udp") {
		c, err := net.ListenPacket(network, "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		return c, c.LocalAddr().String()
	}
	l, err := net.Listen(network, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return l, l.Addr().String()
}

// OpenFDs counts this process's open file descriptors: /proc/self/fd on
// Linux, /dev/fd on macOS and the BSDs.
func OpenFDs(t testing.TB) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		entries, err = os.ReadDir("/dev/fd")
	}
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// NeedLinux skips a test of what only the Linux build has (what names it)
// in the portable build, where that fails with EOPNOTSUPP or does not
// exist.
func NeedLinux(t testing.TB, what string) {
	t.Helper()
	if Portable {
		t.Skip("skipped: " + what + " is Linux's only, and this is the portable build (tag luasock_portable, or not Linux)")
	}
}

// Command is exec.Command, through the emulator that LUASOCK_QEMU names
// when the tests run under qemu-user (.ci/crossbuild --tests): a test
// binary that runs itself again runs another system's code.
func Command(name string, args ...string) *exec.Cmd {
	if emulator := os.Getenv("LUASOCK_QEMU"); emulator != "" {
		return exec.Command(emulator, append([]string{name}, args...)...)
	}
	return exec.Command(name, args...)
}
