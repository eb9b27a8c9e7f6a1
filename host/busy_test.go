package host_test

import (
	"bufio"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/testutil"
)

// busyServer serves "hello" to every client, each from a task of its own;
// the client that sends "loop" sets off a loop that never waits, in one
// of several shapes (arg[1]).
const busyServer = `
local shapes = {
  plain = function() local x = 0 while true do x = x + 1 end end,
  pcall = function() while true do pcall(function() local x = 0 repeat x = x + 1 until false end) end end,
  nested = function() local function spin(n) for i = 1, n do end end while true do spin(10) end end,
  coroutine = function() coroutine.wrap(function() for _ in function() return true end do end end)() end,
}
local server = assert(stream_socket_server("tcp://127.0.0.1:0"))
print(stream_socket_get_name(server, false))
while true do
  local conn = stream_socket_accept(server)
  spawn(function(client)
    local line = fgets(client.conn)
    if line == "loop\n" then shapes[arg[1]]() end
    fwrite(client.conn, "hello\n")
    fclose(client.conn)
  end, {conn = conn})
end
`

// TestBusyTaskIsEnded: a task that loops without waiting is ended after
// the busy limit, with an error at the loop's line and a hint; the
// connection in the table it was given is closed, so its client is not
// left waiting; and the server goes on serving, in every shape of loop.
func TestBusyTaskIsEnded(t *testing.T) {
	for _, shape := range []string{"plain", "pcall", "nested", "coroutine"} {
		t.Run(shape, func(t *testing.T) {
			errb := &lockedBuffer{}
			signals := make(chan os.Signal, 1)
			lines, done := startRun(t, host.Options{Script: "busy.lua", Source: []byte(busyServer), Args: []string{shape},
				Stderr: errb, BusyLimit: 200 * time.Millisecond, Signals: signals})
			addr := <-lines
			looper := testutil.Dial(t, "tcp", addr)
			if looper == nil {
				t.FailNow()
			}
			defer looper.Close()
			looper.SetDeadline(time.Now().Add(hangBound(t)))
			looper.Write([]byte("loop\n"))
			// Its task fails: the connection ends without an answer.
			if rest, err := io.ReadAll(looper); err != nil || len(rest) != 0 {
				t.Fatalf("the looping client read %q, %v; want the end of its connection", rest, err)
			}
			errb.waitFor(t, "task ran 0.2 s without waiting")
			if !strings.Contains(errb.String(), "busy.lua:") || !strings.Contains(errb.String(), "hint: this loop calls nothing that waits") {
				t.Fatalf("stderr:\n%s", errb.String())
			}
			// The server serves the next client.
			c := testutil.Dial(t, "tcp", addr)
			if c == nil {
				t.FailNow()
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(hangBound(t)))
			c.Write([]byte("hi\n"))
			if l, err := bufio.NewReader(c).ReadString('\n'); l != "hello\n" {
				t.Fatalf("next client got %q, %v", l, err)
			}
			signals <- syscall.SIGINT
			wantExit(t, done, host.ExitInterrupted)
		})
	}
}

// TestBusyLimitLine: the error names the line of the loop that never
// waits, in the function it is in.
func TestBusyLimitLine(t *testing.T) {
	r := testutil.RunOptions(host.Options{Script: "spin.lua", BusyLimit: 100 * time.Millisecond, Source: []byte(`
local function spin()
  local n = 0
  while n >= 0 do
    n = n + 1
  end
end
spin()
`)}).WantStatus(t, host.ExitError)
	if !strings.HasPrefix(r.Stderr, "spin.lua:4: task ran 0.1 s without waiting\n") {
		r.Fatalf(t, "want the busy limit's error at line 4")
	}
}

// TestNoBusyLimit: with no limit, and below the limit, a long computation
// runs to its end (its length counted in CPU time, which a loaded machine
// only makes slower to come).
func TestNoBusyLimit(t *testing.T) {
	src := `local t0 = os.clock() while os.clock() - t0 < 0.3 do end print("done")`
	for _, limit := range []time.Duration{-1, time.Hour} {
		r := testutil.RunOptions(host.Options{Script: "long.lua", Source: []byte(src), BusyLimit: limit}).WantStatus(t, host.ExitOK)
		if r.Stdout != "done\n" || r.Stderr != "" {
			r.Fatalf(t, "limit %v: want done, and nothing on stderr", limit)
		}
	}
}

// TestSocketCallsAreNotBusy: a loop that calls the socket API on every
// pass (a server whose sockets are always ready never blocks) gives the
// others their turn there, and is not ended, however long it runs; the
// same loop without the call is.
func TestSocketCallsAreNotBusy(t *testing.T) {
	const src = `
local server = assert(stream_socket_server("tcp://127.0.0.1:0"))
local t0 = os.clock()
while os.clock() - t0 < 0.5 do
  if arg[1] == "call" then stream_socket_get_name(server, false) end
end
print("done")`
	for _, c := range []struct{ arg, out, err string }{
		{"call", "done\n", ""},
		{"nocall", "", "spin.lua:4: task ran 0.1 s without waiting\n"},
	} {
		var out, errb strings.Builder
		host.Run(host.Options{Script: "spin.lua", Source: []byte(src), Args: []string{c.arg}, Stdout: &out, Stderr: &errb, BusyLimit: 100 * time.Millisecond})
		if out.String() != c.out || !strings.HasPrefix(errb.String(), c.err) || (c.err == "") != (errb.Len() == 0) {
			t.Errorf("%s: stdout %q, stderr %q", c.arg, out.String(), errb.String())
		}
	}
}

// TestTaskFailureClosesItsConnections: a task that fails closes the
// connections it was given, directly or in a table's fields, but not a
// server found there; one that returns leaves a table's fields open.
func TestTaskFailureClosesItsConnections(t *testing.T) {
	r := testutil.RunOptions(host.Options{Script: "own.lua", Source: []byte(`
local server = assert(stream_socket_server("tcp://127.0.0.1:0"))
local addr = "tcp://" .. stream_socket_get_name(server, false)
local function pair()
  local c = assert(stream_socket_client(addr))
  return c, assert(stream_socket_accept(server))
end
local a, a2 = pair()
local b, b2 = pair()
spawn(function(t) error("a bug") end, {conn = a2, server = server})
spawn(function(t) return end, {conn = b2})
sleep(0)
sleep(0)
stream_set_timeout(a, 5) -- (were it left open, the read would wait)
print("failed task's client reads", tostring(fread(a, 10)), feof(a))
stream_set_timeout(b, 0, 200000)
local data, err = fread(b, 10)
print("returned task's client", tostring(data), err)
print("server still accepts", stream_socket_client(addr) ~= nil and stream_socket_accept(server) ~= nil)
`)}).WantStatus(t, host.ExitOK)
	want := "failed task's client reads\tnil\ttrue\n" +
		"returned task's client\tnil\tConnection timed out\n" +
		"server still accepts\ttrue\n"
	if r.Stdout != want || !strings.Contains(r.Stderr, "a bug") {
		r.Fatalf(t, "want the failed task's error on stderr; stdout: %s", testutil.Diff(want, r.Stdout))
	}
}

// TestTermWithinGrace: SIGTERM ends a run whose task never waits (no busy
// limit) once the grace has passed, not after twice the grace (the drain,
// then the stop's own wait): the stop ends the loop at its next check. The
// time bound is only what tells the two apart.
func TestTermWithinGrace(t *testing.T) {
	signals := make(chan os.Signal, 1)
	errb := &lockedBuffer{}
	grace := 2 * time.Second
	lines, done := startRun(t, host.Options{Script: "spin.lua", Signals: signals, Grace: grace, BusyLimit: -1, Stderr: errb, Source: []byte(`
spawn(function() while true do end end)
print("spinning")
`)})
	<-lines
	start := time.Now()
	signals <- syscall.SIGTERM
	wantExit(t, done, host.ExitTerminated)
	if took := time.Since(start); took >= 2*grace-100*time.Millisecond {
		t.Fatalf("SIGTERM took %v with a grace of %v", took, grace)
	}
	if errb.String() != "" {
		t.Fatalf("stderr %q", errb.String())
	}
}

// TestInterruptEndsALoop: SIGINT ends a task that loops without waiting
// (no busy limit) at once, as it ends one that waits.
func TestInterruptEndsALoop(t *testing.T) {
	signals := make(chan os.Signal, 1)
	errb := &lockedBuffer{}
	lines, done := startRun(t, host.Options{Script: "spin.lua", Signals: signals, BusyLimit: -1, Stderr: errb, Source: []byte(`
spawn(function() local n = 0 repeat n = n + 1 until false end)
print("spinning")
`)})
	<-lines
	signals <- syscall.SIGINT
	wantExit(t, done, host.ExitInterrupted)
	if errb.String() != "" {
		t.Fatalf("stderr %q", errb.String())
	}
}
