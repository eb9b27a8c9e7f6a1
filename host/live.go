package host

import (
	"runtime"
	"strconv"
	"strings"

	"github.com/luasock/luasock/internal/lang/luaarg"
	"github.com/luasock/luasock/internal/liveview"
	lua "github.com/yuin/gopher-lua"
)

// liveTasks tells the live view (Options.Live, luasock run --ui) what the
// run's tasks do: spawned, running, waiting (for what, called where), ended.
// It exists only when the view does: without it, spawn, Block and the task
// loops pay one nil comparison. Every method runs with the Lua lock held,
// on the goroutine of the task that holds it.
type liveTasks struct {
	view    *liveview.View
	worker  int
	script  string // Options.Script: where the main task's code is
	current uint64 // the task that holds the Lua lock (0: none reported)
	yield   bool   // Turn is handing the lock over: the next Block is no wait
	// next are the numbers of the tasks spawned and not started yet, by
	// the thread each will run on. (Apart from taskStart: a task's first
	// frame, which an idle connection holds, must not grow.)
	next map[*lua.LState]uint64
}

func newLiveTasks(view *liveview.View, worker int, script string) *liveTasks {
	return &liveTasks{view: view, worker: worker, script: sourceName(chunkName(script)), next: map[*lua.LState]uint64{}}
}

// main numbers the worker's main task, which runs now.
func (lt *liveTasks) main() {
	lt.current = lt.view.NewTask()
	lt.view.ObserveTask(liveview.Task{Worker: lt.worker, ID: lt.current, Main: true,
		State: liveview.TaskRunning, Func: lt.script})
}

// spawned numbers the task that spawn makes to run fn on the thread L.
func (lt *liveTasks) spawned(L *lua.LState, fn *lua.LFunction) {
	id := lt.view.NewTask()
	t := liveview.Task{Worker: lt.worker, ID: id, State: liveview.TaskReady}
	_, t.At = callSite(L)
	if !fn.IsG {
		t.Func = sourceName(fn.Proto.SourceName) + ":" + strconv.Itoa(fn.Proto.LineDefined)
	}
	lt.view.ObserveTask(t)
	lt.next[L] = id
}

// started: the task spawned to run on th took the Lua lock for the first time.
func (lt *liveTasks) started(th *lua.LState) {
	id := lt.next[th]
	delete(lt.next, th)
	lt.runs(id)
}

// runs: the task numbered id took the Lua lock.
func (lt *liveTasks) runs(id uint64) {
	lt.current = id
	lt.view.ObserveTask(liveview.Task{Worker: lt.worker, ID: id, State: liveview.TaskRunning})
}

// ended: the task that holds the lock returned (err: with an error).
func (lt *liveTasks) ended(err error) {
	t := liveview.Task{Worker: lt.worker, ID: lt.current, State: liveview.TaskEnded}
	if err != nil {
		t.State = liveview.TaskFailed
		t.Err, _, _ = strings.Cut(err.Error(), "\n")
		if len(t.Err) > 200 {
			t.Err = t.Err[:200] + "…"
		}
	}
	lt.view.ObserveTask(t)
	lt.current = 0
}

// wait is Resolving told to the view: the task waits in the call that L
// is in (what for, and the script's line), then runs again.
func (lt *liveTasks) wait(rt *scriptRun, L *lua.LState, wait func()) {
	id := lt.current // the lock's next holders change current meanwhile
	t := liveview.Task{Worker: lt.worker, ID: id, State: liveview.TaskWaiting}
	t.Call, t.At = callSite(L)
	t.Wait = waitKind(t.Call)
	if lt.yield { // not a wait: queued for the lock behind the tasks that wait for it
		lt.yield = false
		t.State, t.Wait = liveview.TaskReady, ""
	}
	if rt.prompt != nil && t.Call == "" && t.At == "" {
		t.Wait = "input" // the prompt reads a line
	}
	lt.view.ObserveTask(t)
	rt.lock.Unlock()
	wait()
	if !rt.enter(L) { // the run stopped, or a reload's old state drained: the task ends here
		lt.view.ObserveTask(liveview.Task{Worker: lt.worker, ID: id, State: liveview.TaskEnded})
		runtime.Goexit() // enter released the lock
	}
	lt.runs(id)
}

// callSite is the Go function L is in (its name at the call site: fgets,
// receive) and the file:line of the nearest Lua code up the stack.
func callSite(L *lua.LState) (call, at string) {
	if call = luaarg.CalleeName(L); call == "?" {
		call = ""
	}
	for level := 1; level < 16; level++ { // a wait is rarely more than a frame or two below Lua
		dbg, ok := L.GetStack(level)
		if !ok {
			break
		}
		if _, err := L.GetInfo("Sl", dbg, lua.LNil); err == nil && dbg.CurrentLine > 0 {
			return call, sourceName(dbg.Source) + ":" + strconv.Itoa(dbg.CurrentLine)
		}
	}
	return call, ""
}

// sourceName is a chunk's name as the user wrote its file's: without
// Lua's "@" (a file) or "=" (a name as it is).
func sourceName(s string) string {
	return strings.TrimLeft(s, "@=")
}

// waitKinds are what the calls that wait wait for, by their names in Lua
// (PHP's, the stream methods', channel's, the host's).
var waitKinds = map[string]string{
	"stream_socket_accept": "accept", "accept": "accept",
	"fread": "read", "fgets": "read", "stream_get_line": "read", "stream_get_contents": "read",
	"stream_socket_recvfrom": "read", "read": "read", "gets": "read", "getline": "read",
	"contents": "read", "recvfrom": "read", "lines": "read",
	"fwrite": "write", "fputs": "write", "stream_socket_sendto": "write", "write": "write", "sendto": "write",
	"stream_socket_client":        "connect",
	"stream_socket_enable_crypto": "tls", "enablecrypto": "tls",
	"sleep":   "sleep",
	"receive": "channel", "send": "channel",
	"stream_select": "select", "select": "select",
}

// waitKind is what a call named call waits for; its own name when it is
// none of the known ones.
func waitKind(call string) string {
	if k, ok := waitKinds[call]; ok {
		return k
	}
	return call
}
