package host_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/testutil"
)

// versionScript answers each client with its version; the server's
// address comes from the ready file.
func versionScript(v int) string {
	return fmt.Sprintf(`
local srv = assert(stream_socket_server("tcp://127.0.0.1:0"))
while true do
  local c = stream_socket_accept(srv)
  if c then spawn(function(c) fwrite(c, "v%d\n") fclose(c) end, c) end
end
`, v)
}

// TestReload: while a client connects without pause, the script changes 10
// times (SIGHUP, then --watch); no connection is refused or reset, and
// after each change the answers come from the new code. With two workers
// too. (How long a change takes is logged, not bounded: a loaded machine
// may be slow.)
func TestReload(t *testing.T) {
	for _, workers := range []int{1, 2} {
		for _, watch := range []bool{false, true} {
			t.Run(fmt.Sprintf("workers=%d,watch=%v", workers, watch), func(t *testing.T) {
				testReload(t, workers, watch)
			})
		}
	}
}

func testReload(t *testing.T, workers int, watch bool) {
	dir := t.TempDir()
	script := filepath.Join(dir, "version.lua")
	replaceFile(t, script, versionScript(0))
	notify, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: filepath.Join(dir, "notify"), Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer notify.Close()
	bound := hangBound(t)
	errb := &lockedBuffer{}
	// awaitReady reads notifications up to READY=1.
	awaitReady := func() {
		t.Helper()
		notify.SetReadDeadline(time.Now().Add(bound))
		buf := make([]byte, 64)
		for {
			n, err := notify.Read(buf)
			if err != nil {
				t.Fatalf("%v; stderr %q", err, errb.String())
			}
			if string(buf[:n]) == "READY=1" {
				return
			}
		}
	}
	ready := filepath.Join(dir, "ready")
	signals := make(chan os.Signal, 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan testutil.Result, 1)
	go func() {
		done <- testutil.RunOptionsContext(ctx, host.Options{Script: script, Workers: workers, Signals: signals, Watch: watch,
			ReadyFile: ready, NotifySocket: notify.LocalAddr().String(), Stderr: errb, Grace: bound})
	}()
	awaitReady()
	data, err := os.ReadFile(ready)
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(strings.Fields(string(data))[0], "tcp://")

	// The client: one connection after the other, each answer noted.
	answers := make(chan string, 1024)
	var failures atomic.Int32
	var clientErr atomic.Value
	stop := make(chan struct{})
	clientDone := make(chan struct{})
	var stopOnce sync.Once
	stopClient := func() {
		stopOnce.Do(func() {
			close(stop)
			<-clientDone
			if err := clientErr.Load(); err != nil {
				t.Errorf("the client: %v", err)
			}
		})
	}
	defer stopClient()
	go func() {
		defer close(clientDone)
		for {
			select {
			case <-stop:
				return
			default:
			}
			c, err := net.DialTimeout("tcp", addr, bound)
			if err != nil {
				failures.Add(1)
				clientErr.Store(fmt.Errorf("connect: %w", err))
				return
			}
			c.SetDeadline(time.Now().Add(bound))
			b, err := io.ReadAll(c)
			c.Close()
			if err != nil || len(b) == 0 {
				failures.Add(1)
				clientErr.Store(fmt.Errorf("answer %q: %v", b, err))
				return
			}
			select {
			case answers <- strings.TrimSpace(string(b)):
			default:
			}
		}
	}()

	var slowest time.Duration
	defer func() { t.Logf("slowest change: %v", slowest) }()
	for v := 1; v <= 10; v++ {
		changed := time.Now()
		if os.Getenv("LUASOCK_DEBUG") != "" {
			fmt.Fprintf(os.Stderr, "%s write v%d\n", time.Now().Format("15:04:05.000"), v)
		}
		replaceFile(t, script, versionScript(v))
		if !watch {
			signals <- syscall.SIGHUP
		}
		awaitReady()
		// The answers are the new version's: three in a row.
		deadline := time.After(bound)
		want := fmt.Sprintf("v%d", v)
		for inARow := 0; inARow < 3; {
			select {
			case a := <-answers:
				if a == want {
					inARow++
				} else {
					inARow = 0
				}
			case <-deadline:
				t.Fatalf("answers not from %s %v after the change; stderr %q", want, bound, errb.String())
			}
		}
		if took := time.Since(changed); took > slowest {
			slowest = took
		}
	}
	stopClient()
	if failures.Load() != 0 {
		t.Fatalf("%d connections failed", failures.Load())
	}
	signals <- syscall.SIGTERM
	if r := (<-done).WantStatus(t, host.ExitTerminated); r.Stderr != "" {
		r.Fatalf(t, "want nothing on stderr")
	}
}

// replaceFile writes data to a file beside path and renames it over path:
// a watcher (--watch) never sees path empty or half written.
func replaceFile(t *testing.T, path, data string) {
	t.Helper()
	next := filepath.Join(filepath.Dir(path), ".next") // not *.lua: the watcher ignores it
	if err := os.WriteFile(next, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(next, path); err != nil {
		t.Fatal(err)
	}
}

// lockedBuffer is a strings.Builder that goroutines may share.
type lockedBuffer struct {
	mu      sync.Mutex
	b       strings.Builder
	written chan struct{} // a token after each write
}

func (w *lockedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.written == nil {
		w.written = make(chan struct{}, 1)
	}
	select {
	case w.written <- struct{}{}:
	default:
	}
	return w.b.Write(p)
}

// waitFor waits until s has been written, at most hangBound.
func (w *lockedBuffer) waitFor(t *testing.T, s string) {
	t.Helper()
	w.mu.Lock()
	if w.written == nil {
		w.written = make(chan struct{}, 1)
	}
	written := w.written
	w.mu.Unlock()
	deadline := time.After(hangBound(t))
	for !strings.Contains(w.String(), s) {
		select {
		case <-written:
		case <-deadline:
			t.Fatalf("stderr %q never had %q", w.String(), s)
		}
	}
}

func (w *lockedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// TestReloadFailures: a new script that does not compile, or that ends
// before it serves, is reported, and the running one goes on serving; a
// unix server's socket file outlives the handover.
func TestReloadFailures(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "s.lua")
	sock := filepath.Join(dir, "s.sock")
	serve := func(v string) string {
		return `local srv = assert(stream_socket_server("unix://` + sock + `"))
while true do local c = stream_socket_accept(srv) if c then fwrite(c, "` + v + `\n") fclose(c) end end`
	}
	os.WriteFile(script, []byte(serve("one")), 0o644)
	notify, next := listenNotify(t, dir)
	bound := hangBound(t)
	ask := func() string { return askUnix(t, sock, bound) }
	signals := make(chan os.Signal, 2)
	errb := &lockedBuffer{}
	done := make(chan testutil.Result, 1)
	go func() {
		done <- testutil.RunOptions(host.Options{Script: script, Signals: signals, Stderr: errb, NotifySocket: notify.LocalAddr().String()})
	}()
	if s := next(); s != "READY=1" {
		t.Fatalf("got %q", s)
	}
	os.WriteFile(script, []byte("this is not Lua"), 0o644)
	signals <- syscall.SIGHUP
	errb.waitFor(t, "; the running script goes on\n")
	os.WriteFile(script, []byte(`error("before serving")`), 0o644)
	signals <- syscall.SIGHUP
	if s := next(); s != "RELOADING=1" {
		t.Fatalf("got %q", s)
	}
	errb.waitFor(t, "luasock: reload: the new script ended")
	if a := ask(); a != "one\n" {
		t.Fatalf("answer %q", a)
	}
	os.WriteFile(script, []byte(serve("two")), 0o644)
	signals <- syscall.SIGHUP
	for s := next(); s != "READY=1"; s = next() {
	}
	if a := ask(); a != "two\n" && a != "one\n" {
		t.Fatalf("answer %q", a)
	}
	signals <- syscall.SIGINT
	stderr := (<-done).WantStatus(t, host.ExitInterrupted).Stderr
	for _, want := range []string{"luasock: reload: ", "s.lua:1: '=' expected near 'is'", "; the running script goes on\n",
		"before serving", "luasock: reload: the new script ended"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr %q lacks %q", stderr, want)
		}
	}
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("the socket file outlived the run: %v", err)
	}
}

// TestReloadNumbersHandlesOn: the observers outlive a reload, so the new
// state's handles go on from the old one's numbers: a client accepted
// after a reload is not taken for the server, nor for one accepted before.
func TestReloadNumbersHandlesOn(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "s.lua")
	sock := filepath.Join(dir, "s.sock")
	os.WriteFile(script, []byte(`local srv = assert(stream_socket_server("unix://`+sock+`"))
while true do local c = stream_socket_accept(srv) if c then fwrite(c, "hi\n") fclose(c) end end`), 0o644)
	notify, next := listenNotify(t, dir)
	bound := hangBound(t)
	ask := func() { askUnix(t, sock, bound) }
	signals := make(chan os.Signal, 2)
	trace := &lockedBuffer{}
	done := make(chan testutil.Result, 1)
	go func() {
		done <- testutil.RunOptions(host.Options{Script: script, Signals: signals, Trace: trace, TraceFormat: "json",
			NotifySocket: notify.LocalAddr().String()})
	}()
	if s := next(); s != "READY=1" {
		t.Fatalf("got %q", s)
	}
	ask()
	signals <- syscall.SIGHUP
	for s := next(); s != "READY=1"; s = next() {
	}
	ask()
	signals <- syscall.SIGINT
	<-done
	var streams []string
	for _, line := range strings.Split(trace.String(), "\n") {
		if strings.Contains(line, `"op":"accept"`) || strings.Contains(line, `"op":"listen"`) {
			_, rest, _ := strings.Cut(line, `"stream":`)
			n, _, _ := strings.Cut(rest, ",")
			streams = append(streams, n)
		}
	}
	seen := map[string]bool{}
	for _, n := range streams {
		seen[n] = true
	}
	if len(streams) < 3 || len(seen) != len(streams) { // (the new state's listen is its own handle too)
		t.Fatalf("the listens and accepts before and after the reload: handles %v, want a number each\n%s", streams, trace.String())
	}
}

// listenNotify is a NOTIFY_SOCKET in dir (notify's address) and a function
// that returns the next state it is told (READY=1, RELOADING=1).
func listenNotify(t *testing.T, dir string) (notify *net.UnixConn, next func() string) {
	notify, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: filepath.Join(dir, "notify"), Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { notify.Close() })
	bound := hangBound(t)
	return notify, func() string {
		notify.SetReadDeadline(time.Now().Add(bound))
		buf := make([]byte, 64)
		n, err := notify.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		return string(buf[:n])
	}
}

// askUnix connects to the unix server at sock and returns all it says.
func askUnix(t *testing.T, sock string, bound time.Duration) string {
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(bound))
	b, _ := io.ReadAll(c)
	return string(b)
}
