package host_test

import (
	"os"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/testutil"
)

// TestWorkers: each worker is its own state with WORKER and WORKERS; their
// servers share a port; output lines stay whole; the status is the worst.
func TestWorkers(t *testing.T) {
	src := `
local address = ...
local s, err = stream_socket_server("udp://" .. address, STREAM_SERVER_BIND)
shared = (shared or 0) + 1 -- globals are per worker
print(string.format("worker %d of %d %s %d %s", WORKER, WORKERS, tostring(s ~= nil), shared, string.rep("x", 5000)))
if WORKER == 2 then os.exit(3) end
`
	// A free UDP port, held by nobody: the workers bind it together.
	address := testutil.FreeAddr(t, "udp")
	var out, errb strings.Builder
	code := host.Run(host.Options{Script: "test.lua", Source: []byte(src), Args: []string{address}, Stdout: &out, Stderr: &errb, Workers: 3})
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	sort.Strings(lines)
	x := " " + strings.Repeat("x", 5000)
	want := []string{"worker 1 of 3 true 1" + x, "worker 2 of 3 true 1" + x, "worker 3 of 3 true 1" + x}
	if code != 3 || strings.Join(lines, "\n") != strings.Join(want, "\n") || errb.Len() != 0 {
		t.Fatalf("exit %d\nstdout (%d lines)\nstderr:\n%s", code, len(lines), errb.String())
	}
}

// TestWorkersSignal: a signal stops every worker.
func TestWorkersSignal(t *testing.T) {
	src := `
local s = assert(stream_socket_server("tcp://` + testutil.FreeAddr(t, "tcp") + `"))
print("ready")
stream_socket_accept(s)
`
	signals := make(chan os.Signal, 1)
	ready := make(chan struct{})
	out := &countWriter{want: 2, seen: ready}
	done := make(chan int)
	go func() {
		done <- host.Run(host.Options{Script: "test.lua", Source: []byte(src), Stdout: out, Signals: signals, Workers: 2})
	}()
	<-ready // both workers listen on the same port
	signals <- syscall.SIGINT
	if code := <-done; code != host.ExitInterrupted {
		t.Fatalf("exit %d", code)
	}
}

// countWriter closes seen once want "ready" lines were written.
type countWriter struct {
	strings.Builder
	want int
	seen chan struct{}
}

func (w *countWriter) Write(p []byte) (int, error) {
	n, err := w.Builder.Write(p)
	if strings.Count(w.String(), "ready\n") == w.want && w.want > 0 {
		w.want = 0
		close(w.seen)
	}
	return n, err
}
