package host_test

import (
	"context"
	"net"
	"os"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/testutil"
	"golang.org/x/sys/unix"
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
	// The workers bind one port together, so it is chosen here: a port
	// freed for them could be taken by another program meanwhile.
	address := heldPort(t)
	r := testutil.RunOptions(host.Options{Script: "test.lua", Source: []byte(src), Args: []string{address}, Workers: 3}).WantStatus(t, 3)
	lines := strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
	sort.Strings(lines)
	x := " " + strings.Repeat("x", 5000)
	want := []string{"worker 1 of 3 true 1" + x, "worker 2 of 3 true 1" + x, "worker 3 of 3 true 1" + x}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") || r.Stderr != "" {
		r.Fatalf(t, "want a whole line from each of the 3 workers, and nothing on stderr")
	}
}

// TestWorkersSignal: a signal stops every worker.
func TestWorkersSignal(t *testing.T) {
	src := `
local s = assert(stream_socket_server("tcp://127.0.0.1:0"))
print("ready")
stream_socket_accept(s)
`
	signals := make(chan os.Signal, 1)
	ready := make(chan struct{})
	out := &countWriter{want: 2, seen: ready}
	done := make(chan testutil.Result, 1)
	go func() {
		done <- testutil.RunOptions(host.Options{Script: "test.lua", Source: []byte(src), Stdout: out, Signals: signals, Workers: 2})
	}()
	<-ready // both workers serve
	signals <- syscall.SIGINT
	(<-done).WantStatus(t, host.ExitInterrupted)
}

// heldPort returns a loopback UDP address whose port a socket with
// SO_REUSEPORT holds until the test ends: the workers, which set it too,
// bind the port beside it, and no other program can take it.
func heldPort(t *testing.T) string {
	t.Helper()
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var err error
		if cerr := c.Control(func(fd uintptr) {
			err = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
		}); cerr != nil {
			return cerr
		}
		return err
	}}
	c, err := lc.ListenPacket(context.Background(), "udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c.LocalAddr().String()
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
