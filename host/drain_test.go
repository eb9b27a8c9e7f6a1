package host_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/testutil"
)

// drainScript serves transferSize bytes to each client, in a task per
// client, and prints its address.
const drainScript = `
local srv = assert(stream_socket_server("tcp://127.0.0.1:0"))
print(stream_socket_get_name(srv, false))
local chunk = string.rep("x", 65536)
while true do
  local c = stream_socket_accept(srv)
  spawn(function(c)
    for _ = 1, 320 do assert(fwrite(c, chunk)) end
    fclose(c)
    print("sent")
  end, c)
end
`

const transferSize = 320 * 65536

// startRun runs src with signals and returns its stdout lines and, when it
// ends, its exit status and output.
func startRun(t *testing.T, opts host.Options) (lines <-chan string, done <-chan testutil.Result) {
	t.Helper()
	r, w := io.Pipe()
	out := make(chan string, 16)
	go func() {
		s := bufio.NewScanner(r)
		for s.Scan() {
			out <- s.Text()
		}
		close(out)
	}()
	end := make(chan testutil.Result, 1)
	opts.Stdout = w
	go func() {
		end <- testutil.RunOptions(opts)
		w.Close()
	}()
	return out, end
}

// wantExit waits (at most 20 s) for the run to end with the exit status want.
func wantExit(t *testing.T, done <-chan testutil.Result, want int) {
	t.Helper()
	select {
	case r := <-done:
		r.WantStatus(t, want)
	case <-time.After(20 * time.Second):
		t.Fatal("the run did not end")
	}
}

// TestDrain: the first SIGTERM closes the server at once (a new client is
// refused) and lets a transfer in flight finish; the run then ends with 143.
func TestDrain(t *testing.T) {
	signals := make(chan os.Signal, 2)
	lines, done := startRun(t, host.Options{Script: "drain.lua", Source: []byte(drainScript), Signals: signals, Stderr: os.Stderr})
	addr := <-lines
	c := testutil.Dial(t, "tcp", addr)
	if c == nil {
		t.FailNow()
	}
	defer c.Close()
	first := make([]byte, 1)
	if _, err := io.ReadFull(c, first); err != nil { // the transfer has begun
		t.Fatal(err)
	}
	signals <- syscall.SIGTERM
	// The server closes while the transfer goes on: new clients are refused.
	deadline := time.Now().Add(hangBound(t))
	for {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		nc.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts after SIGTERM")
		}
	}
	c.SetDeadline(time.Now().Add(hangBound(t)))
	n, err := io.Copy(io.Discard, c)
	if err != nil || n+1 != transferSize {
		t.Fatalf("received %d of %d bytes: %v", n+1, transferSize, err)
	}
	wantExit(t, done, host.ExitTerminated)
	if l := <-lines; l != "sent" {
		t.Fatalf("printed %q", l)
	}
}

// TestDrainGrace: tasks that do not finish within the grace period are
// ended; a second signal ends the run at once.
func TestDrainGrace(t *testing.T) {
	for _, second := range []bool{false, true} {
		signals := make(chan os.Signal, 2)
		grace := 200 * time.Millisecond
		if second {
			grace = time.Hour
		}
		lines, done := startRun(t, host.Options{Script: "grace.lua", Signals: signals, Grace: grace, Source: []byte(`
spawn(function() while true do sleep(0.01) end end)
print("ready")
sleep(3600)
`)})
		<-lines
		signals <- syscall.SIGTERM
		if second {
			signals <- syscall.SIGINT
		}
		wantExit(t, done, host.ExitTerminated)
	}
}

// TestReady: once the script serves, the ready file lists its servers and
// the notification socket gets READY=1; with workers, once every worker
// serves. A name to resolve is not the first wait.
func TestReady(t *testing.T) {
	for _, workers := range []int{1, 2} {
		dir := t.TempDir()
		notify, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: filepath.Join(dir, "notify"), Net: "unixgram"})
		if err != nil {
			t.Fatal(err)
		}
		ready := filepath.Join(dir, "ready")
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan testutil.Result, 1)
		go func() {
			done <- testutil.RunOptionsContext(ctx, host.Options{Script: "ready.lua", Workers: workers, ReadyFile: ready,
				NotifySocket: notify.LocalAddr().String(), Stderr: os.Stderr, Source: []byte(`
local tcp = assert(stream_socket_server("tcp://localhost:0", STREAM_SERVER_BIND + STREAM_SERVER_LISTEN,
  stream_context_create({socket = {so_reuseport = false}})))
local unix = assert(stream_socket_server("unix://` + dir + `/s" .. (WORKER or 1) .. ".sock"))
local udp = assert(stream_socket_server("udp://127.0.0.1:0", STREAM_SERVER_BIND))
while true do local c = stream_socket_accept(tcp) if c then fclose(c) end end
`)})
		}()
		notify.SetReadDeadline(time.Now().Add(20 * time.Second))
		buf := make([]byte, 64)
		n, err := notify.Read(buf)
		if err != nil || string(buf[:n]) != "READY=1" {
			t.Fatalf("notification %q, %v", buf[:n], err)
		}
		data, err := os.ReadFile(ready)
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		var tcp, udp, unix int
		for _, a := range got {
			switch {
			case strings.HasPrefix(a, "tcp://127.0.0.1:"):
				tcp++
				if c := testutil.Dial(t, "tcp", strings.TrimPrefix(a, "tcp://")); c != nil {
					c.Close()
				}
			case strings.HasPrefix(a, "udp://127.0.0.1:"):
				udp++
			case strings.HasPrefix(a, "unix://"+dir+"/s"):
				unix++
			default:
				t.Errorf("unexpected line %q", a)
			}
		}
		if tcp != workers || udp != workers || unix != workers {
			t.Fatalf("%d workers: ready file %q", workers, data)
		}
		cancel()
		(<-done).WantStatus(t, host.ExitInterrupted)
		notify.Close()
	}
}

// TestReadyFailure: a ready file that cannot be written stops the run.
func TestReadyFailure(t *testing.T) {
	r := testutil.RunOptions(host.Options{Script: "r.lua", ReadyFile: "/nonexistent/dir/ready",
		Source: []byte(`local s = assert(stream_socket_server("tcp://127.0.0.1:0")) stream_socket_accept(s)`)}).WantStatus(t, host.ExitError)
	if !strings.Contains(r.Stderr, "luasock: --ready-file: ") {
		r.Fatalf(t, "want the ready file's failure on stderr")
	}
}

// TestDrainEndsDatagramReaders: a drain closes a datagram server under a
// task waiting in recvfrom, which ends there; another task's later call on
// the closed handle is not disturbed by what the ended one left (under
// -race: nothing the ended task does after giving up the Lua lock).
func TestDrainEndsDatagramReaders(t *testing.T) {
	signals := make(chan os.Signal, 2)
	lines, done := startRun(t, host.Options{Script: "dgram.lua", Signals: signals, Stderr: os.Stderr, Source: []byte(`
local u = assert(stream_socket_server("udp://127.0.0.1:0", STREAM_SERVER_BIND))
local sender = assert(stream_socket_client("udp://" .. u:name()))
spawn(function() sleep(0.02) fwrite(sender, "x") end)
assert(stream_socket_recvfrom(u, 10)) -- a receive that waits: the next one starts with the wait
spawn(function() stream_socket_recvfrom(u, 10) print("not ended") end)
spawn(function() sleep(0.3) print(stream_socket_recvfrom(u, 10)) end)
sleep(0) -- the tasks run to their waits before main goes on
print("ready")
sleep(1)
`)})
	if l := <-lines; l != "ready" {
		t.Fatalf("printed %q", l)
	}
	signals <- syscall.SIGTERM
	wantExit(t, done, host.ExitTerminated)
	for l := range lines {
		t.Errorf("printed %q after the drain", l)
	}
}
