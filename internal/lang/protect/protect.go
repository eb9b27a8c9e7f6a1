// Package protect is luasock's pcall and xpcall. gopher-lua's lose an
// enclosing function's locals: when an error is raised without an error
// handler, the engine closes every open upvalue of the whole thread, so a
// closure that wrote a local of a function still running writes to a copy
// from then on (yuin/gopher-lua#448). These run the protected call on a
// thread of its own, borrowed from a pool: the error can only close the
// upvalues of frames that the error really unwinds.
//
// Everything here runs with the Lua lock held, on the calling task's
// goroutine, like every Lua function.
package protect

import (
	"strings"

	"github.com/luasock/luasock/internal/lang/luaarg"
	lua "github.com/yuin/gopher-lua"
)

// maxDepth is how deep protected calls nest before pcall fails with Lua's
// "C stack overflow": as deep as a script under lua5.1 gets (its limit of
// nested C calls, 200, counts the interpreter's own).
const maxDepth = 197

// Protector owns the threads that protected calls run on, for one state.
type Protector struct {
	free    []*lua.LState
	owner   map[*lua.LState]*lua.LState // a busy pool thread -> the thread that called pcall on it
	depth   map[*lua.LState]int         // a busy pool thread -> how many protected calls it is nested in
	handler map[*lua.LState]lua.LValue  // a busy pool thread -> its xpcall's handler
	raise   *lua.LFunction              // the pool threads' error handler: raiseHandled
	explain Explainer
	tasks   map[*lua.LState]bool // the host's task threads: no coroutine resumes them
	exposed map[*lua.LState]bool // task threads coroutine.running gave to Lua
	yield   lua.LGFunction       // gopher-lua's coroutine.yield
	resume  lua.LGFunction       // gopher-lua's coroutine.resume
	create  lua.LGFunction       // gopher-lua's coroutine.create
}

// Explainer rewrites an error object where the error was raised (the
// raising frames are on L's stack): luasock's gives the engine's errors
// Lua 5.1's wording.
type Explainer func(L *lua.LState, obj lua.LValue) lua.LValue

// Open replaces pcall and xpcall in L, and the functions that must see
// through the pool's threads: error (its levels), debug.traceback,
// coroutine.running and coroutine.yield. explain (nil: none) rewrites every
// error that pcall and xpcall catch.
func Open(L *lua.LState, explain Explainer) *Protector {
	p := &Protector{
		explain: explain,
		owner:   map[*lua.LState]*lua.LState{},
		depth:   map[*lua.LState]int{},
		handler: map[*lua.LState]lua.LValue{},
		tasks:   map[*lua.LState]bool{},
		exposed: map[*lua.LState]bool{},
	}
	p.raise = L.NewFunction(p.raiseHandled)
	L.SetGlobal("pcall", L.NewFunction(p.pcall))
	L.SetGlobal("xpcall", L.NewFunction(p.xpcall))
	L.SetGlobal("error", L.NewFunction(p.error))
	if dbg, ok := L.GetGlobal("debug").(*lua.LTable); ok {
		dbg.RawSetString("traceback", L.NewFunction(p.traceback))
	}
	p.openCoroutine(L)
	return p
}

// Thread is the thread a script sees as running on L: the task or
// coroutine that called pcall when L is one of the pool's threads.
func (p *Protector) Thread(L *lua.LState) *lua.LState {
	for {
		o, ok := p.owner[L]
		if !ok {
			return L
		}
		L = o
	}
}

// pcall(f, ...) -> true, f's results | false, the error object. Raises
// when called without arguments.
func (p *Protector) pcall(L *lua.LState) int {
	if L.GetTop() == 0 {
		luaarg.Error(L, 1, "?", "value expected")
	}
	if fail := notCallable(L, L.Get(1)); fail != "" {
		L.Push(lua.LFalse)
		L.Push(lua.LString(fail))
		return 2
	}
	var raise *lua.LFunction
	if p.explain != nil {
		raise = p.raise
	}
	return p.call(L, p.get(L), L.GetTop(), raise)
}

// xpcall(f, handler) -> true, f's results | false, handler's result. The
// handler is called with the error object while f's frames are still on
// the stack (debug.traceback sees them); an error in it gives "error in
// error handling", as in Lua 5.1.
func (p *Protector) xpcall(L *lua.LState) int {
	if L.GetTop() < 2 {
		luaarg.Error(L, 2, "?", "value expected")
	}
	handler := L.Get(2)
	if fail := notCallable(L, L.Get(1)); fail != "" {
		L.Push(lua.LFalse)
		L.Push(handleError(L, handler, lua.LString(fail)))
		return 2
	}
	co := p.get(L)
	p.handler[co] = handler
	return p.call(L, co, 1, p.raise)
}

// raiseHandled is the error handler of the pool thread co, called where
// the error was raised: it explains the error, calls xpcall's handler with
// it, and raises the result again. gopher-lua keeps an error's upvalues open
// while a handler runs, and the handler's frames overwrite them; raised
// from inside the handler, the error closes every upvalue of the protected
// call's frames first.
func (p *Protector) raiseHandled(co *lua.LState) int {
	obj := co.Get(1)
	if p.explain != nil {
		obj = p.explain(co, obj)
	}
	if handler, ok := p.handler[co]; ok {
		obj = handleError(co, handler, obj)
	}
	co.Error(obj, 0)
	return 0
}

// handleError calls a script's error handler and returns its first result,
// or "error in error handling" when it fails.
func handleError(L *lua.LState, handler, obj lua.LValue) lua.LValue {
	if notCallable(L, handler) != "" {
		return lua.LString("error in error handling")
	}
	top := L.GetTop()
	L.Push(handler)
	L.Push(obj)
	if err := L.PCall(1, 1, nil); err != nil {
		L.SetTop(top)
		return lua.LString("error in error handling")
	}
	v := L.Get(-1)
	L.SetTop(top)
	return v
}

// call runs L's values 1..n (a function and its arguments) on the pool
// thread co and pushes the results as pcall returns them.
func (p *Protector) call(L *lua.LState, co *lua.LState, n int, handler *lua.LFunction) int {
	if p.depth[co] > maxDepth {
		p.put(co)
		L.Push(lua.LFalse)
		L.Push(lua.LString("C stack overflow"))
		return 2
	}
	for i := 1; i <= n; i++ {
		co.Push(L.Get(i))
	}
	co.Env = L.Env // the thread's environment (setfenv(0, t)) is the caller's
	err := co.PCall(n-1, lua.MultRet, handler)
	L.Env = co.Env
	L.G.CurrentThread = p.Thread(L) // a call that blocked or resumed inside moved it
	top := L.GetTop()
	if err != nil {
		L.Push(lua.LFalse)
		if ae, ok := err.(*lua.ApiError); ok {
			L.Push(bottomMessage(L.Get(1), ae.Object))
		} else {
			L.Push(lua.LString(err.Error()))
		}
		if ae, ok := err.(*lua.ApiError); ok && ae.Type == lua.ApiErrorPanic && IsStackOverflow(ae.Object) {
			L.Replace(-1, lua.LString("stack overflow"))
		}
		if ae, ok := err.(*lua.ApiError); !ok || ae.Type == lua.ApiErrorPanic {
			// A Go panic closed no upvalue: co's registers stay theirs.
			p.forget(co)
			return L.GetTop() - top
		}
	} else {
		L.Push(lua.LTrue)
		for i := 1; i <= co.GetTop(); i++ {
			L.Push(co.Get(i))
		}
	}
	p.put(co)
	return L.GetTop() - top
}

// get lends a pool thread to a protected call made by L.
func (p *Protector) get(L *lua.LState) *lua.LState {
	var co *lua.LState
	if n := len(p.free); n > 0 {
		co, p.free = p.free[n-1], p.free[:n-1]
	} else {
		co, _ = L.NewThread()
	}
	p.owner[co] = L
	p.depth[co] = p.depth[L] + 1
	return co
}

// keptThreads bounds the pool: a burst of nested or blocked protected calls
// does not keep its threads for the rest of the run.
const keptThreads = 64

// put takes co back into the pool.
func (p *Protector) put(co *lua.LState) {
	co.SetTop(0) // drop the references the results held
	p.forget(co)
	if len(p.free) < keptThreads {
		p.free = append(p.free, co)
	}
}

// IsStackOverflow tells gopher-lua's "lua callstack overflow" (a Go panic
// that has no position), which Lua 5.1 calls "stack overflow".
func IsStackOverflow(obj lua.LValue) bool {
	s, ok := obj.(lua.LString)
	return ok && strings.Contains(string(s), "callstack overflow")
}

func (p *Protector) forget(co *lua.LState) {
	delete(p.owner, co)
	delete(p.depth, co)
	delete(p.handler, co)
}

// notCallable is the message of a call to v that cannot be made ("" when
// it can).
func notCallable(L *lua.LState, v lua.LValue) string {
	if _, ok := v.(*lua.LFunction); ok {
		return ""
	}
	if _, ok := L.GetMetaField(v, "__call").(*lua.LFunction); ok {
		return ""
	}
	return "attempt to call a " + v.Type().String() + " value"
}

// bottomMessage mends the message of a Go function called by pcall itself:
// gopher-lua finds no position for it (and leaves the space that follows
// one) and calls it "main chunk"; Lua 5.1 has no position and no name.
func bottomMessage(fn, obj lua.LValue) lua.LValue {
	f, isFn := fn.(*lua.LFunction)
	s, isStr := obj.(lua.LString)
	if !isFn || !f.IsG || !isStr || !strings.HasPrefix(string(s), " ") {
		return obj
	}
	msg := strings.Replace(string(s[1:]), " to main chunk (", " to '?' (", 1)
	return lua.LString(msg)
}
