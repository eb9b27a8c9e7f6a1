package host_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/testutil"
)

func TestExitStatus(t *testing.T) {
	tests := []struct {
		name, src string
		code      int
		stderr    string // a prefix
	}{
		{"end of script", `local x = 1`, host.ExitOK, ""},
		{"uncaught error", "local x = 1\nerror('boom')", host.ExitError, "test.lua:2: boom\nstack traceback:\n"},
		{"runtime error", "local t = nil\nlocal y = t.x", host.ExitError, "test.lua:2: attempt to index local 't' (a nil value)\nstack traceback:\n"},
		{"error object", `error({})`, host.ExitError, "(error object is not a string)\n"},
		{"syntax error", "local a = 1\nlocal x x = = 2", host.ExitError, "test.lua:2: unexpected symbol near '='\n"},
		{"syntax error at the end", "if true then\n", host.ExitError, "test.lua:2: 'end' expected (to close 'if' at line 1) near '<eof>'\n"},
		{"os.exit(n)", `os.exit(7) error("not reached")`, 7, ""},
		{"os.exit()", `os.exit()`, host.ExitOK, ""},
		{"os.exit(true) is Lua 5.2's", `os.exit(true)`, host.ExitError, "test.lua:1: bad argument #1 to 'exit' (number expected, got boolean)\n"},
		{"os.exit of a numeric string", `os.exit(" 0x3 ")`, 3, ""},
		{"os.exit inside pcall", `pcall(os.exit, 3) error("not reached")`, 3, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := testutil.Run(t, tt.src, nil).WantStatus(t, tt.code)
			if !strings.HasPrefix(r.Stderr, tt.stderr) || (tt.stderr == "" && r.Stderr != "") {
				r.Fatalf(t, "want stderr starting %q", tt.stderr)
			}
		})
	}
}

func TestMissingScript(t *testing.T) {
	r := testutil.RunOptions(host.Options{Script: filepath.Join(t.TempDir(), "none.lua")}).WantStatus(t, host.ExitError)
	if !strings.HasSuffix(r.Stderr, "none.lua: No such file or directory\n") {
		r.Fatalf(t, "want the missing file named on stderr")
	}
}

// TestScriptEnvironment: arg and ..., the #! line, package.path, print.
func TestScriptEnvironment(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "main.lua")
	os.WriteFile(filepath.Join(dir, "helper.lua"), []byte(`return {answer = 42}`), 0o644)
	os.WriteFile(script, []byte(`#!/usr/bin/env luasock
SCRIPT = [[`+script+`]]
print(arg[0] == SCRIPT, arg[1], arg[2], select("#", ...), ...)
print(require("helper").answer)
print(1, nil, true, setmetatable({}, {__tostring = function() return "obj" end}))
io.write("no newline", 5, "\n")
error("line four")
`), 0o644)
	r := testutil.RunOptions(host.Options{Script: script, Args: []string{"a", "b"}}).WantStatus(t, host.ExitError)
	want := "true\ta\tb\t2\ta\tb\n42\n1\tnil\ttrue\tobj\nno newline5\n"
	if r.Stdout != want || !strings.HasPrefix(r.Stderr, script+":7: line four\n") {
		r.Fatalf(t, "want stdout %q, then the error of line 7 on stderr", want)
	}
}

// blockedScript prints "ready" and then waits in accept; its server has a
// socket file.
const blockedScript = `
local s = assert(stream_socket_server("unix://" .. ...))
local u = assert(stream_socket_server("udp://127.0.0.1:0", STREAM_SERVER_BIND))
print("ready")
stream_socket_accept(s)
print("not reached")
`

// TestSignals: SIGINT and SIGTERM end a blocked script with 130 and 143,
// after closing every handle and removing its socket file. Output printed
// before the signal reaches the writer while the script runs.
func TestSignals(t *testing.T) {
	for sig, code := range map[syscall.Signal]int{syscall.SIGINT: host.ExitInterrupted, syscall.SIGTERM: host.ExitTerminated} {
		t.Run(sig.String(), func(t *testing.T) {
			sock := filepath.Join(t.TempDir(), "s.sock")
			signals := make(chan os.Signal, 1)
			ready := make(chan struct{})
			out := &notifyWriter{want: "ready\n", seen: ready}
			done := make(chan testutil.Result, 1)
			go func() {
				done <- testutil.RunOptions(host.Options{Script: "test.lua", Source: []byte(blockedScript), Args: []string{sock}, Stdout: out, Signals: signals})
			}()
			<-ready // print reached the writer while the script was blocked
			if _, err := os.Stat(sock); err != nil {
				t.Fatal(err)
			}
			signals <- sig
			(<-done).WantStatus(t, code)
			if _, err := os.Stat(sock); !os.IsNotExist(err) {
				t.Fatalf("the socket file outlived the run: %v", err)
			}
			if strings.Contains(out.String(), "not reached") {
				t.Fatal("the script ran on after the signal")
			}
		})
	}
}

// notifyWriter closes seen once want has been written.
type notifyWriter struct {
	bytes.Buffer
	want string
	seen chan struct{}
	once bool
}

func (w *notifyWriter) Write(p []byte) (int, error) {
	n, err := w.Buffer.Write(p)
	if !w.once && strings.Contains(w.Buffer.String(), w.want) {
		w.once = true
		close(w.seen)
	}
	return n, err
}

// TestExitClosesHandles: os.exit and an uncaught error close every handle
// and remove socket files, like the end of a script.
func TestExitClosesHandles(t *testing.T) {
	for _, end := range []string{`os.exit(4)`, `error("x")`, ``} {
		sock := filepath.Join(t.TempDir(), "s.sock")
		testutil.Run(t, `local s = assert(stream_socket_server("unix://" .. ...)) `+end, nil, sock)
		if _, err := os.Stat(sock); !os.IsNotExist(err) {
			t.Fatalf("%q: the socket file outlived the run: %v", end, err)
		}
	}
}

// baseline counts open fds and goroutines before a leak check.
func baseline(t *testing.T) (fds, goroutines int) {
	return testutil.OpenFDs(t), runtime.NumGoroutine()
}

// checkBaseline fails the test unless fds and goroutines come back to
// baseline: a run's goroutines end, and its fds close, on their own soon
// after it (later on a loaded machine).
func checkBaseline(t *testing.T, fds, goroutines int) {
	t.Helper()
	var gotFDs, gotGoroutines int
	back := settle(t, func() bool {
		gotFDs, gotGoroutines = testutil.OpenFDs(t), runtime.NumGoroutine()
		return gotFDs <= fds && gotGoroutines <= goroutines // (fewer: an earlier test's leftovers ended meanwhile)
	})
	if !back {
		t.Errorf("open fds: %d before, %d after; goroutines: %d before, %d after", fds, gotFDs, goroutines, gotGoroutines)
	}
}

// hangBound bounds a wait that only a failure (a hang) makes long: two
// minutes (10,000 tasks took 15 s under -race on a loaded 2-core machine),
// or less so that the test fails with its own message before the test
// binary's -timeout ends it. It is never a performance goal.
func hangBound(t *testing.T) time.Duration {
	bound := 2 * time.Minute
	if end, ok := t.Deadline(); ok {
		bound = min(bound, time.Until(end)-10*time.Second)
	}
	return max(bound, time.Second)
}

// settle polls done until it reports true, which it returns, or until 20 s
// (at most hangBound) have passed: false.
func settle(t *testing.T, done func() bool) bool {
	end := time.Now().Add(min(20*time.Second, hangBound(t)))
	for !done() {
		if time.Now().After(end) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// taskRunners counts the goroutines that run tasks (runTasks: running one,
// or idle, waiting for the next), of every run in the process.
func taskRunners() int {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), "/host.(*scriptRun).runTasks(")
		}
		buf = make([]byte, 2*len(buf))
	}
}

// awaitNoTaskRunners fails the test unless every run's task runners end:
// they do on their own once their run has ended.
func awaitNoTaskRunners(t *testing.T, when string) {
	t.Helper()
	if !settle(t, func() bool { return taskRunners() == 0 }) {
		t.Fatalf("%s: %d task runners left", when, taskRunners())
	}
}

// TestNoLeaks: after a run that served 1,000 connections, open fds and
// goroutines are back to where they were.
func TestNoLeaks(t *testing.T) {
	const conns = 1000
	src := `
local s = assert(stream_socket_server("tcp://127.0.0.1:0"))
print(s:name())
for i = 1, tonumber(...) do
  local c = assert(stream_socket_accept(s))
  fwrite(c, "The local time is " .. date("n/j/Y g:i a") .. "\n")
  fclose(c)
end
`
	fds, goroutines := baseline(t)
	peer := func(t testing.TB, lines <-chan string) {
		addr := testutil.NextLine(t, lines)
		for i := 0; i < conns; i++ {
			c := testutil.Dial(t, "tcp", addr)
			if c == nil {
				return
			}
			b, err := io.ReadAll(c)
			c.Close()
			if err != nil || !strings.HasPrefix(string(b), "The local time is ") {
				t.Errorf("got %q, %v", b, err)
				return
			}
		}
	}
	testutil.Run(t, src, peer, "1000").WantStatus(t, 0)
	checkBaseline(t, fds, goroutines)
}

// TestBlockingPositions: a call that waits (here accept with a timeout)
// works wherever it stands, since blocking needs no coroutine yield.
func TestBlockingPositions(t *testing.T) {
	src := `
local s = assert(stream_socket_server("tcp://127.0.0.1:0"))
local function wait() return stream_socket_accept(s, 0.01) end
local function tail() return s:accept(0.01) end
print(select(3, wait()))
print(select(4, pcall(wait)))
print(select(4, xpcall(wait, debug.traceback)))
print(select(3, tail()))
local mt = setmetatable({}, {__index = function(_, k) return select(3, wait()) end})
print(mt.x)
for code in function(_, prev) if prev == nil then return select(3, wait()) end end do print(code) end
local t = {3, 1, 2}
table.sort(t, function(a, b) wait() return a < b end)
print(table.concat(t, ","))
print(select(3, coroutine.wrap(wait)()))
local co = coroutine.create(function() return select(3, wait()) end)
print(coroutine.resume(co))
print(string.gsub("ab", ".", function(c) return tostring(select(3, wait())) end))
`
	testutil.Expect(t, src, "110\n110\n110\n110\n110\n110\n1,2,3\n110\ntrue\t110\n110110\t2\n", nil)
}

// TestStopEndsRetryingLoop: a stop that comes while the main task runs Lua
// closes the server under it; the loop's next accept must end the task, not
// fail at once forever (the run would wait out the grace period).
func TestStopEndsRetryingLoop(t *testing.T) {
	src := `
local server = assert(stream_socket_server("tcp://127.0.0.1:0"))
stop_and_wait(server:name()) -- returns once the host has closed the server
for n = 1, 100000 do
  local conn = stream_socket_accept(server, 0)
  if conn then fclose(conn) end
end
print("spun")
`
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	bound := hangBound(t)
	var refused atomic.Bool
	stopAndWait := func(addr string) {
		cancel()
		for deadline := time.Now().Add(bound); time.Now().Before(deadline); runtime.Gosched() {
			c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
			if errors.Is(err, syscall.ECONNREFUSED) {
				refused.Store(true) // the host has closed the listener
				return
			}
			if err == nil {
				c.Close()
			}
		}
	}
	// The grace is what a task that spins would wait out: far longer than a
	// run that stops in its time takes, loaded or not.
	r := testutil.RunOptionsContext(ctx, host.Options{Script: "test.lua", Source: []byte(src),
		Grace: bound, Globals: map[string]any{"stop_and_wait": stopAndWait}}).WantStatus(t, host.ExitInterrupted)
	// stop_and_wait holds the Lua lock while it dials, so the host may say a
	// task is busy; it must not have to give up on it.
	if !refused.Load() || r.Stdout != "" || strings.Contains(r.Stderr, "did not stop") {
		r.Fatalf(t, "listener closed %v; want it closed, nothing on stdout, and no task given up", refused.Load())
	}
}
