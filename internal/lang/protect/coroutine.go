package protect

import (
	"github.com/luasock/luasock/internal/lang/luaarg"
	lua "github.com/yuin/gopher-lua"
)

// gopher-lua's coroutine library trusts G.CurrentThread, which the pool
// threads (and a resume made from one) move away from the running
// coroutine; it also resumes a coroutine that is resuming another (the
// process then dies of a Go stack overflow) and nests resumes without a
// limit. These replacements keep CurrentThread on the thread the script
// sees running, refuse what Lua 5.1 refuses with its messages, and count
// resumes and protected calls together against Lua's C-call limit.

func (p *Protector) openCoroutine(L *lua.LState) {
	co, ok := L.GetGlobal("coroutine").(*lua.LTable)
	if !ok {
		return
	}
	p.yield = goFunction(co, "yield")
	p.resume = goFunction(co, "resume")
	p.create = goFunction(co, "create")
	if p.yield == nil || p.resume == nil || p.create == nil {
		return
	}
	L.SetFuncs(co, map[string]lua.LGFunction{
		"yield":   p.coYield,
		"resume":  p.coResume,
		"wrap":    p.coWrap,
		"status":  p.coStatus,
		"running": p.coRunning,
	})
}

func goFunction(t *lua.LTable, name string) lua.LGFunction {
	if f, ok := t.RawGetString(name).(*lua.LFunction); ok && f.IsG {
		return f.GFunction
	}
	return nil
}

// AddTask registers a task's thread (the host's), which is not a coroutine:
// no resume may enter it. RemoveTask forgets it when the task ends.
func (p *Protector) AddTask(th *lua.LState)    { p.tasks[th] = true }
func (p *Protector) RemoveTask(th *lua.LState) { delete(p.tasks, th); delete(p.exposed, th) }

// Unseen tells whether Lua never got th as a value (coroutine.running), so
// that the host may run another task on it once its task ended.
func (p *Protector) Unseen(th *lua.LState) bool { return !p.exposed[th] }

// status is Lua 5.1's coroutine status of th as seen from L: "running",
// "normal" (it resumed the running one, or is another task), "suspended"
// or "dead".
func (p *Protector) status(L, th *lua.LState) string {
	running := p.Thread(L)
	switch {
	case th == running:
		return "running"
	case th.Dead:
		return "dead"
	case p.tasks[th]:
		return "normal"
	}
	for t := running.Parent; t != nil; t = t.Parent {
		t = p.Thread(t)
		if t == th {
			return "normal"
		}
	}
	return "suspended"
}

// coroutine.status(co) -> "running" | "suspended" | "normal" | "dead";
// raises on a non-coroutine.
func (p *Protector) coStatus(L *lua.LState) int {
	L.Push(lua.LString(p.status(L, checkCoroutine(L))))
	return 1
}

func checkCoroutine(L *lua.LState) *lua.LState {
	th, ok := L.Get(1).(*lua.LState)
	if !ok {
		luaarg.Error(L, 1, "?", "coroutine expected")
	}
	return th
}

// coroutine.resume(co, ...) -> true, what co yields or returns | false,
// the error; raises on a non-coroutine.
func (p *Protector) coResume(L *lua.LState) int {
	th := checkCoroutine(L)
	if st := p.status(L, th); st != "suspended" {
		L.Push(lua.LFalse)
		L.Push(lua.LString("cannot resume " + st + " coroutine"))
		return 2
	}
	depth := p.depth[L] + 1
	if depth > maxDepth+1 {
		L.Push(lua.LFalse)
		L.Push(lua.LString("C stack overflow"))
		return 2
	}
	p.depth[th] = depth
	n := p.resume(L)
	delete(p.depth, th)
	L.G.CurrentThread = p.Thread(L) // a yield back to a pool thread made it current
	return n
}

// coroutine.wrap(f) -> a function that resumes a new coroutine running f
// and returns what it yields; it raises the coroutine's errors (a string
// with the caller's position), as Lua 5.1's does.
func (p *Protector) coWrap(L *lua.LState) int {
	p.create(L)
	L.Push(L.NewClosure(p.wrapped, L.Get(-1)))
	return 1
}

func (p *Protector) wrapped(L *lua.LState) int {
	L.Insert(L.Get(lua.UpvalueIndex(1)), 1)
	n := p.coResume(L)
	first := L.GetTop() - n + 1
	if L.Get(first) == lua.LFalse {
		obj := L.Get(first + 1)
		if s, ok := obj.(lua.LString); ok {
			obj = lua.LString(p.Where(L, 1) + string(s))
		}
		L.Error(obj, 0)
	}
	return n - 1
}

// coroutine.running() -> the running coroutine, or nil in the main chunk,
// as seen from inside protected calls too.
func (p *Protector) coRunning(L *lua.LState) int {
	th := p.Thread(L)
	if th == L.G.MainThread {
		L.Push(lua.LNil)
		return 1
	}
	if p.tasks[th] {
		p.exposed[th] = true
	}
	L.Push(th)
	return 1
}

// coroutine.yield(...) raises where Lua 5.1 cannot yield: inside a
// protected call (the pool thread is not the coroutine), and outside any
// coroutine (a task).
func (p *Protector) coYield(L *lua.LState) int {
	if _, inside := p.owner[L]; inside || L.Parent == nil {
		L.Error(lua.LString("attempt to yield across metamethod/C-call boundary"), 0)
	}
	return p.yield(L)
}
