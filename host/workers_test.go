package host_test

import (
	"context"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

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

// TestWorkersShareOneSocket: where the kernel does not spread a port's
// clients (the portable build: macOS, the BSDs), the workers of a run
// serve one socket: a client that one worker no longer accepts reaches the
// other.
func TestWorkersShareOneSocket(t *testing.T) {
	if !testutil.Portable {
		t.Skip("skipped: on Linux each worker binds a socket of its own (SO_REUSEPORT), and the kernel spreads the clients")
	}
	src := `
local s = assert(stream_socket_server("tcp://" .. arg[1]))
print(s:name())
print("ready")
local c = assert(stream_socket_accept(s))
fwrite(c, "worker " .. WORKER .. "\n")
fclose(c)
`
	ready := make(chan struct{})
	out := &countWriter{want: 2, seen: ready}
	done := make(chan testutil.Result, 1)
	go func() {
		done <- testutil.RunOptions(host.Options{Script: "test.lua", Source: []byte(src), Args: []string{heldTCPPort(t)}, Stdout: out, Workers: 2})
	}()
	select {
	case <-ready:
	case r := <-done:
		r.Fatalf(t, "the workers ended before both served")
	case <-time.After(10 * time.Second):
		t.Fatalf("the workers did not both serve: %q", out.String())
	}
	names := strings.Fields(strings.ReplaceAll(out.String(), "ready\n", ""))
	if len(names) != 2 || names[0] != names[1] {
		t.Fatalf("the workers' servers: %q, want one address twice", names)
	}
	var got []string
	for range 2 {
		c, err := net.Dial("tcp", names[0])
		if err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 64)
		n, _ := c.Read(b)
		c.Close()
		got = append(got, strings.TrimSpace(string(b[:n])))
	}
	sort.Strings(got)
	if strings.Join(got, ",") != "worker 1,worker 2" {
		t.Fatalf("the clients were served by %q, want one by each worker", got)
	}
	(<-done).WantStatus(t, host.ExitOK)
}

// heldTCPPort returns a loopback TCP address whose port a socket with
// SO_REUSEPORT holds, bound but not listening (so it takes no client), until
// the test ends: the workers listen on it beside that socket.
func heldTCPPort(t *testing.T) string {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err == nil {
		t.Cleanup(func() { unix.Close(fd) })
		err = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
	}
	if err == nil {
		err = unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}})
	}
	sa, err2 := unix.Getsockname(fd)
	if err != nil || err2 != nil {
		t.Fatal(err, err2)
	}
	return "127.0.0.1:" + strconv.Itoa(sa.(*unix.SockaddrInet4).Port)
}
