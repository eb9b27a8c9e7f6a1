package host

import (
	"math"
	"runtime"
	"time"

	"github.com/luasock/luasock/internal/lang/luaarg"
	"github.com/luasock/luasock/internal/lang/luanum"
	lua "github.com/yuin/gopher-lua"
)

// spawn is `spawn(fn, ...)`: it starts fn(...) as a new task and returns at
// once. The task runs when the caller blocks or ends. An error in a task is
// reported on stderr with its traceback and ends that task only; the handles
// it opened stay open until closed or until the run ends.
func (rt *scriptRun) spawn(L *lua.LState) int {
	fn, ok := L.Get(1).(*lua.LFunction)
	if !ok {
		luaarg.TypeError(L, 1, "spawn", "function")
	}
	args := make([]lua.LValue, 0, L.GetTop()-1)
	for i := 2; i <= L.GetTop(); i++ {
		args = append(args, L.Get(i))
	}
	thread := rt.taskThread(L) // shares the globals
	rt.handOn(rt.protector.Thread(L), args)
	rt.owned[thread] = args // its handles are closed when it ends (releaseOwned)
	rt.startTask(thread, fn, args)
	return 0
}

// keptTaskThreads bounds the threads kept for reuse after a burst of tasks.
const keptTaskThreads = 64

// taskThread is a thread for a new task: one a finished task left, or a
// new one. gopher-lua's NewThread builds a whole global state only to
// replace it with the shared one: for a task per connection it was most of
// spawn's cost (docs/benchmarks.md).
func (rt *scriptRun) taskThread(L *lua.LState) *lua.LState {
	if n := len(rt.freeThreads); n > 0 {
		th := rt.freeThreads[n-1]
		rt.freeThreads[n-1] = nil
		rt.freeThreads = rt.freeThreads[:n-1]
		th.Env = L.Env // as NewThread sets it
		return th
	}
	th, _ := L.NewThread()
	return th
}

// keepThread takes back the thread of a task that returned and that Lua
// never held as a value (protect's Unseen): nothing can tell it from a new
// one.
func (rt *scriptRun) keepThread(th *lua.LState) {
	th.SetTop(0) // drop the references its results held
	if len(rt.freeThreads) < keptTaskThreads {
		rt.freeThreads = append(rt.freeThreads, th)
	}
}

// sleep is `sleep(seconds)`: it blocks only the calling task. A negative
// duration raises, and one that is not a number (or a string tonumber
// reads); sleep(0) lets the other tasks run.
func (rt *scriptRun) sleep(L *lua.LState) int {
	n := luaarg.CheckNumber(L, 1, "sleep")
	if math.IsNaN(n) || n < 0 {
		luaarg.Error(L, 1, "sleep", "must be greater than or equal to 0")
	}
	d := luanum.Duration(float64(n)) // sleep(math.huge) waits until the run stops
	if d == 0 {
		// A yield: the lock goes to the tasks waiting for it, and Gosched
		// lets a task spawned just now reach the lock first; it would
		// otherwise wait behind this goroutine for its processor.
		rt.Block(L, runtime.Gosched)
		return 0
	}
	done := rt.ctx.Done()
	if ctx := rt.Interrupted(L); ctx != nil { // at the prompt: Ctrl-C ends the sleep
		done = ctx.Done()
	}
	rt.Block(L, func() {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-done:
		}
	})
	return 0
}

// runMain is the main task: the prelude's chunks, the script with args, then
// the prompt, if any. An error ends the run with status 1 (the prompt's
// errors are reported and it goes on). It ends in Block, like any task,
// if the run stops meanwhile.
func (rt *scriptRun) runMain(prog program, args []lua.LValue) {
	defer rt.tasks.Done()
	L := rt.L
	if !rt.enter(L) {
		return
	}
	if rt.live != nil {
		rt.live.main()
	}
	rt.protector.AddTask(L)
	e := &taskError{}
	fns := make([]*lua.LFunction, 0, len(prog.prelude)+1)
	for _, p := range prog.prelude {
		fns = append(fns, L.NewFunctionFromProto(p))
	}
	if prog.script != nil {
		fns = append(fns, L.NewFunctionFromProto(prog.script))
	}
	failed := false
	var mainErr error // the live view's: the main task failed
	for i, fn := range fns {
		e.prepare(rt, L)
		L.Push(fn)
		n := 0
		if i == len(fns)-1 && prog.script != nil {
			for _, a := range args {
				L.Push(a)
			}
			n = len(args)
		}
		if err := L.PCall(n, lua.MultRet, e.handler); err != nil {
			mainErr = err
			rt.report(err, e.traceback, e.hint)
			rt.stop(ExitError)
			failed = true
			break
		}
		L.SetTop(0)
	}
	if !failed && rt.prompt != nil {
		rt.interact(L, e)
	}
	if rt.live != nil {
		rt.live.ended(mainErr)
	}
	rt.protector.RemoveTask(L)
	rt.releaseOwned(L)
	rt.lock.Unlock()
}

// taskStart is what a task runs: fn(args...) on the thread L.
type taskStart struct {
	L    *lua.LState
	fn   *lua.LFunction
	args []lua.LValue
	turn *turn // the lock's turn reserved for it (fairLock.reserve)
}

// runTasks runs t and then, while the run goes on, the tasks handed to it
// (startTask), at most keptTaskThreads goroutines waiting at a time. A
// goroutine that ran a task keeps the stack gopher-lua's calls grew; a new
// one grows it again, copying it at each doubling, which was a tenth of the
// CPU of a server with a task per connection (docs/benchmarks.md).
func (rt *scriptRun) runTasks(t taskStart) {
	// One frame for the whole loop: a task blocked in a call holds this
	// goroutine's stack, and a frame more took it past 4 KiB, doubling what
	// an idle connection costs (TestIdleTaskStack).
	e := &taskError{}
	running := true
	defer func() {
		if running { // the task ended in Block (Goexit): the run is over
			rt.tasks.Done()
		}
	}()
	for {
		L := t.L
		if rt.enterOnTurn(L, t.turn) {
			if rt.live != nil {
				rt.live.started(L)
			}
			rt.protector.AddTask(L)
			e.prepare(rt, L)
			L.Push(t.fn)
			for _, a := range t.args {
				L.Push(a)
			}
			err := L.PCall(len(t.args), lua.MultRet, e.handler)
			if rt.live != nil {
				rt.live.ended(err)
			}
			if err != nil {
				rt.report(err, e.traceback, e.hint)
				rt.releaseFailed(L)
			}
			reusable := err == nil && rt.protector.Unseen(L)
			rt.protector.RemoveTask(L) // (a task that ends in Block leaves its entry: the run is over)
			rt.releaseOwned(L)
			if reusable {
				rt.keepThread(L)
			}
			rt.lock.Unlock()
		}
		rt.tasks.Done()
		var ok bool
		if t, ok = rt.nextTask(); !ok {
			running = false
			return
		}
	}
}

// nextTask waits, as an idle goroutine, for the next task; false when there
// are enough idle already or the run has stopped. (Apart from runTasks, so
// that a task's stack, which 10,000 idle connections each hold, is not
// deepened by the select's frame.)
//
//go:noinline
func (rt *scriptRun) nextTask() (taskStart, bool) {
	defer rt.idle.Add(-1)
	if rt.idle.Add(1) > keptTaskThreads {
		return taskStart{}, false
	}
	select {
	case t := <-rt.idleRunners:
		return t, true
	case <-rt.stopped:
		return taskStart{}, false
	}
}
