package host_test

import (
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/testutil"
)

// runBounded runs src, interrupting it after hangBound so that a deadlock
// fails the test instead of hanging it.
func runBounded(t *testing.T, src string) testutil.Result {
	t.Helper()
	signals := make(chan os.Signal, 2)
	timer := time.AfterFunc(hangBound(t), func() { signals <- syscall.SIGINT; signals <- syscall.SIGINT })
	defer timer.Stop()
	return testutil.RunOptions(host.Options{Script: "test.lua", Source: []byte(src), Signals: signals})
}

// TestBlockingInEveryPosition: a task blocked in accept, wherever the call
// stands, lets the main chunk run and connect to it.
func TestBlockingInEveryPosition(t *testing.T) {
	src := `
local s = assert(stream_socket_server("tcp://127.0.0.1:0"))
local function accept() local c = assert(stream_socket_accept(s)) fclose(c) return "ok" end
local positions = {
  direct = function() local r = accept() return r end,
  pcall = function() return select(2, pcall(accept)) end,
  xpcall = function() return select(2, xpcall(accept, debug.traceback)) end,
  metamethod = function() return setmetatable({}, {__index = function() return accept() end}).x end,
  iterator = function()
    local got
    for v in function() if not got then got = accept() return got end end do end
    return got
  end,
  sort = function()
    local first, r = true, nil
    table.sort({2, 1}, function(a, b) if first then first = false r = accept() end return a < b end)
    return r
  end,
  gsub = function() return (string.gsub("x", "x", function() return accept() end)) end,
  tailcall = function() return accept() end,
  wrap = function() return coroutine.wrap(accept)() end,
  resume = function() return select(2, coroutine.resume(coroutine.create(accept))) end,
}
local count, waiting = 0, 0
for name, fn in pairs(positions) do
  count = count + 1
  -- A task holds the Lua lock from counting itself until accept lets go of it,
  -- so once main sees every task counted, every one is blocked in accept.
  spawn(function() waiting = waiting + 1 print(name .. "=" .. tostring(fn())) end)
end
while waiting < count do sleep(0) end
for i = 1, count do fclose(assert(stream_socket_client("tcp://" .. s:name()))) end
`
	r := runBounded(t, src)
	lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
	sort.Strings(lines)
	want := "direct=ok gsub=ok iterator=ok metamethod=ok pcall=ok resume=ok sort=ok tailcall=ok wrap=ok xpcall=ok"
	if r.Code != 0 || strings.Join(lines, " ") != want {
		r.Fatalf(t, "want these lines in any order: %s", want)
	}
}

// TestTasks: tasks interleave at blocking calls, share tables, keep a
// truthful coroutine.running(), and a task's error ends only that task.
func TestTasks(t *testing.T) {
	src := `
local log, go_on, finished = {}, channel.make(), channel.make()
local function worker(name, n)
  local me = coroutine.running()
  for i = 1, n do
    log[#log + 1] = name .. i
    if i == 1 then go_on:receive() else sleep(0.02) end -- first, until main has looked
    assert(coroutine.running() == me and coroutine.status(me) == "running")
  end
  finished:send(name)
end
print(coroutine.running())
spawn(worker, "a", 3)
spawn(worker, "b", 3)
spawn(function() error("boom") end)
sleep(0)
print(table.concat(log, " ")) -- each task ran to its first wait, in order, before main went on
spawn(function()
  finished:receive()
  finished:receive()
  table.sort(log)
  print(table.concat(log, " "))
end)
print(pcall(spawn, 1))
print(pcall(sleep, "x"))
print(pcall(sleep, -1))
print(require("luasock").spawn == spawn)
go_on:send(true)
go_on:send(true)
`
	r := runBounded(t, src)
	// A Go function that pcall calls itself has no position to give, as a C
	// function in Lua 5.1.
	want := "nil\na1 b1\n" +
		"false\tbad argument #1 to 'spawn' (function expected, got number)\n" +
		"false\tbad argument #1 to 'sleep' (number expected, got string)\n" +
		"false\tbad argument #1 to 'sleep' (must be greater than or equal to 0)\n" +
		"true\na1 a2 a3 b1 b2 b3\n"
	// The task's own function is named by where it is defined, as Lua does.
	wantErr := "test.lua:15: boom\nstack traceback:\n\t[C]: in function 'error'\n" +
		"\ttest.lua:15: in function <test.lua:15>\n\t[C]: ?\n"
	if r.Code != 0 || r.Stdout != want || r.Stderr != wantErr {
		r.Fatalf(t, "stdout: %s\nstderr: %s", testutil.Diff(want, r.Stdout), testutil.Diff(wantErr, r.Stderr))
	}
}

// TestSignalWakesSleepingTasks: a signal ends tasks that sleep or wait.
func TestSignalWakesSleepingTasks(t *testing.T) {
	src := `
local s = assert(stream_socket_server("tcp://127.0.0.1:0"))
spawn(function() sleep(3600) end)
spawn(function() stream_socket_accept(s) end)
sleep(0) -- the tasks run to their waits before main goes on
print("ready")
sleep(3600)
`
	signals := make(chan os.Signal, 1)
	ready := make(chan struct{})
	out := &notifyWriter{want: "ready\n", seen: ready}
	done := make(chan testutil.Result, 1)
	go func() {
		done <- testutil.RunOptions(host.Options{Script: "test.lua", Source: []byte(src), Stdout: out, Signals: signals})
	}()
	<-ready
	signals <- syscall.SIGINT // (SIGTERM lets them finish: TestDrain)
	wantExit(t, done, host.ExitInterrupted)
}

// TestTenThousandTasksLeaveNothing: after 10,000 tasks that each used a
// socket pair, fds and goroutines are back where they were.
func TestTenThousandTasksLeaveNothing(t *testing.T) {
	src := `
local done = 0
for i = 1, 10000 do
  spawn(function()
    sleep(0) -- every task waits once; then it uses its pair without waiting
    local a, b = assert(stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0))
    fwrite(a, "x")
    assert(fread(b, 1) == "x")
    fclose(a)
    if i % 10 ~= 0 then fclose(b) end -- the rest the host closes at the end
    done = done + 1
  end)
  if i % 1000 == 0 then sleep(0) end -- under the busy limit on a slow machine (qemu, loaded)
end
spawn(function()
  while done < 10000 do sleep(0.01) end
  print(done)
end)
`
	fds, goroutines := baseline(t)
	r := runBounded(t, src)
	if r.Code != 0 || r.Stdout != "10000\n" {
		r.Fatalf(t, "want 10000")
	}
	checkBaseline(t, fds, goroutines)
}

// TestCallDepth: recursion 900 deep works, in the main chunk and in a
// task; deeper than 1,000 is a Lua error, and uncaught it says why.
func TestCallDepth(t *testing.T) {
	src := `
local function f(n) if n == 0 then return 0 end return 1 + f(n - 1) end
print(f(900))
print(pcall(f, 1100))
local done = false
spawn(function() print(f(900)) print(pcall(f, 1100)) done = true end)
while not done do sleep(0) end
f(1100)
`
	r := runBounded(t, src)
	want := "900\nfalse\tstack overflow\n900\nfalse\tstack overflow\n"
	if r.Code != host.ExitError || r.Stdout != want || !strings.Contains(r.Stderr, "stack overflow\nhint: more than 1,000 calls were nested") {
		r.Fatalf(t, "want %q, then the overflow raised with its hint", want)
	}
}

// TestCloseWhileAnotherTaskWaits: a task blocked on a handle that another
// task closes gets `nil, "Bad file descriptor", 9`.
func TestCloseWhileAnotherTaskWaits(t *testing.T) {
	src := `
local r, w = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0)
local waiting = false
spawn(function() waiting = true print(fread(r, 10)) end)
while not waiting do sleep(0) end
fclose(r)
`
	r := runBounded(t, src)
	if r.Code != 0 || r.Stdout != "nil\tBad file descriptor\t9\n" {
		r.Fatalf(t, "want EBADF")
	}
}

// TestTaskThreadsReused: spawn reuses the threads of finished tasks, but
// never one that Lua holds (coroutine.running), and a reused thread starts
// with the spawner's environment whatever its last task set (setfenv(0, ...)).
func TestTaskThreadsReused(t *testing.T) {
	r := runBounded(t, `
local done, held, seen = channel.make(), nil, {}
spawn(function() held = coroutine.running() done:send(true) end)
done:receive()
for i = 1, 20 do
  spawn(function() seen[#seen + 1] = tostring(coroutine.running()) done:send(true) end)
  spawn(function() setfenv(0, {}) done:send(true) end)
  done:receive()
  done:receive()
  sleep(0)
end
for _, name in ipairs(seen) do assert(name ~= tostring(held), "a held thread ran another task") end
assert(coroutine.status(held) ~= "running")
spawn(function() loadstring("probe = 1")() done:send(true) end)
done:receive()
print(probe)`).WantStatus(t, 0)
	if r.Stdout != "1\n" {
		r.Fatalf(t, "want 1: the reused thread has the spawner's environment")
	}
}

// TestIdleTaskGoroutinesBounded: the goroutines that finished tasks and wait
// for the next are at most 64 however many tasks ended at once, and none
// outlives the run. runners() counts the goroutines that run tasks, so
// other goroutines that come and go do not count.
func TestIdleTaskGoroutinesBounded(t *testing.T) {
	awaitNoTaskRunners(t, "before the run") // an earlier run's would count
	before := runtime.NumGoroutine()
	end := time.Now().Add(hangBound(t))
	src := `
local done = channel.make()
for round = 1, 3 do
  for i = 1, 300 do spawn(function() done:send(true) end) end
  for i = 1, 300 do done:receive() end
end
-- The runners past the bound end on their own; none starts from here on,
-- so their count only falls, to the idle ones.
local idle = runners() - 1 -- all but the main task's
while idle > 64 and not expired() do
  sleep(0.01)
  idle = runners() - 1
end
print(idle)`
	r := testutil.RunOptions(host.Options{Script: "test.lua", Source: []byte(src),
		Globals: map[string]any{"runners": taskRunners, "expired": func() bool { return time.Now().After(end) }}}).WantStatus(t, 0)
	if idle, err := strconv.Atoi(strings.TrimSpace(r.Stdout)); err != nil || idle < 1 || idle > 64 {
		r.Fatalf(t, "want the idle task runners, 1 to 64")
	}
	awaitNoTaskRunners(t, "after the run")
	if !settle(t, func() bool { return runtime.NumGoroutine() <= before }) {
		t.Errorf("goroutines: %d before the run, %d after", before, runtime.NumGoroutine())
	}
}

// TestIdleTaskStack: a task blocked in fread or fgets holds a 4 KiB stack
// once the GC has shrunk it. Every frame between gopher-lua and the wait
// counts (an idle connection costs its task's stack); one frame more once
// doubled it, and fgets's chain was 8 KiB until its frames were trimmed.
func TestIdleTaskStack(t *testing.T) {
	for name, read := range map[string]string{"fread": "fread(conn, 1)", "fgets": "fgets(conn, 8193)"} {
		t.Run(name, func(t *testing.T) { idleTaskStack(t, read) })
	}
}

// idleTaskStack measures the stack of 1,000 tasks blocked in read.
func idleTaskStack(t *testing.T, read string) {
	const tasks = 1000
	stacks := func() int {
		runtime.GC()
		runtime.GC() // the second cycle shrinks what the first found grown
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return int(m.StackInuse)
	}
	awaitNoTaskRunners(t, "before the run") // an earlier run's would weigh in the average
	end := time.Now().Add(hangBound(t))
	src := `
local n = tonumber(...)
local server = assert(stream_socket_server("tcp://127.0.0.1:0"))
local clients, reading = {}, 0
local before = stacks()
for i = 1, n do
  clients[i] = assert(stream_socket_client("tcp://" .. server:name()))
  local conn = assert(stream_socket_accept(server))
  spawn(function() reading = reading + 1 ` + read + ` fclose(conn) end)
end
-- Each task holds the Lua lock from counting itself until fread lets go of
-- it. (The fair lock runs them all at main's first turn: TestSpawnOrder.)
while reading < n and not expired() do sleep(0) end
assert(reading == n, reading .. " tasks reading")
print((stacks() - before) / n)
for _, c in ipairs(clients) do fclose(c) end`
	r := testutil.RunOptions(host.Options{Script: "test.lua", Source: []byte(src), Args: []string{strconv.Itoa(tasks)},
		Globals: map[string]any{"stacks": stacks, "expired": func() bool { return time.Now().After(end) }}}).WantStatus(t, 0)
	perTask, err := strconv.ParseFloat(strings.TrimSpace(r.Stdout), 64)
	if err != nil {
		r.Fatalf(t, "want the bytes of stack per task: %v", err)
	}
	t.Logf("%.0f bytes of stack per idle task", perTask)
	if perTask > 5000*raceFrames {
		t.Errorf("%.0f bytes of stack per idle task, want %d", perTask, 4096*raceFrames)
	}
}

// TestSpawnOrder: tasks spawned in a row run in that order at the spawner's
// next wait, before it goes on.
func TestSpawnOrder(t *testing.T) {
	for range 20 {
		r := runBounded(t, `
for i = 1, 5 do spawn(function() io.write(i, " ") end) end
sleep(0)
print("main")`).WantStatus(t, 0)
		if r.Stdout != "1 2 3 4 5 main\n" {
			r.Fatalf(t, "want the tasks in the order spawned, then main")
		}
	}
}
