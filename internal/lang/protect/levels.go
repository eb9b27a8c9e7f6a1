package protect

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/luasock/luasock/internal/lang/luaarg"
	"github.com/luasock/luasock/internal/lang/luanum"
	lua "github.com/yuin/gopher-lua"
)

// A Lua 5.1 level counts the frames of every function running, from the
// current one (level 0) down to the main chunk; a protected call's frames
// continue in the thread that called pcall, whose level 0 is pcall itself.
// gopher-lua's error counts one level short (error("x", 2) blames the
// function that called error) and its traceback stops at the pool thread.

// frameAt finds the frame at a level, across pool threads.
func (p *Protector) frameAt(L *lua.LState, level int) (*lua.LState, *lua.Debug, bool) {
	for th := L; ; {
		if dbg, ok := th.GetStack(level); ok {
			return th, dbg, true
		}
		level -= frameCount(th)
		owner, ok := p.owner[th]
		if !ok || level < 0 {
			return nil, nil, false
		}
		th = owner
	}
}

func frameCount(th *lua.LState) int {
	n := 0
	for {
		if _, ok := th.GetStack(n); !ok {
			return n
		}
		n++
	}
}

// Where is Lua's luaL_where: "chunk:line: " of the function at level, or ""
// when that is a Go function or there is none.
func (p *Protector) Where(L *lua.LState, level int) string {
	th, dbg, ok := p.frameAt(L, level)
	if !ok {
		return ""
	}
	if _, err := th.GetInfo("Sl", dbg, lua.LNil); err != nil || dbg.What == "G" || dbg.CurrentLine <= 0 {
		return ""
	}
	return dbg.Source + ":" + strconv.Itoa(dbg.CurrentLine) + ": "
}

// error(message [, level]) raises message; a string (or a number) gets the
// position of the function at level (1, the default: the caller of error;
// 0: none).
func (p *Protector) error(L *lua.LState) int {
	obj := L.Get(1)
	level := 1
	if L.GetTop() >= 2 {
		n, ok := luaarg.ToNumber(L.Get(2))
		if !ok && L.Get(2) != lua.LNil {
			luaarg.TypeError(L, 2, "?", "number")
		}
		if ok {
			level = int(n)
		}
	}
	// A number is a string here, as lua_isstring says: it gets the
	// position too, and becomes a string.
	if n, ok := obj.(lua.LNumber); ok && level > 0 {
		obj = lua.LString(luanum.Format(float64(n)))
	}
	if s, ok := obj.(lua.LString); ok && level > 0 {
		obj = lua.LString(p.Where(L, level) + string(s))
	}
	L.Error(obj, 0)
	return 0
}

// Traceback lines Lua 5.1 shows of a deep stack: the first 11 and the last
// 10, once there are more than 22.
const (
	tracebackHead = 11
	tracebackTail = 10
)

// Traceback is Lua 5.1's debug.traceback text of L's stack from level on,
// across pool threads, with msg (if not "") as its first line.
func (p *Protector) Traceback(L *lua.LState, msg string, level int) string {
	return p.tracebackOf(L, msg, level, false)
}

// tracebackOf is Traceback; yielded says L is a coroutine suspended in
// coroutine.yield, whose frame gopher-lua has already popped.
func (p *Protector) tracebackOf(L *lua.LState, msg string, level int, yielded bool) string {
	var lines []string
	if yielded {
		if level == 0 {
			lines = append(lines, "[C]: in function 'yield'")
		} else {
			level--
		}
	}
	bottom := L
	for th := L; th != nil; {
		for i := 0; ; i++ {
			dbg, ok := th.GetStack(i)
			if !ok {
				break
			}
			if level > 0 {
				level--
				continue
			}
			fn, _ := th.GetInfo("f", dbg, lua.LNil)
			if fn == p.raise {
				continue // the pool's own handler: Lua calls the script's directly
			}
			_, called := th.GetStack(i + 1)
			lines = append(lines, frameLine(th, dbg, fn, !called))
		}
		bottom = th
		th = p.owner[th]
	}
	if p.tasks[bottom] || bottom == L.G.MainThread {
		lines = append(lines, "[C]: ?") // the host called the task; a coroutine's stack ends with it
	}
	if len(lines) > tracebackHead+tracebackTail+1 {
		lines = append(append(lines[:tracebackHead:tracebackHead], "..."), lines[len(lines)-tracebackTail:]...)
	}
	var b strings.Builder
	if msg != "" {
		b.WriteString(msg + "\n")
	}
	b.WriteString("stack traceback:")
	for _, l := range lines {
		b.WriteString("\n\t" + l)
	}
	return b.String()
}

// frameLine is one line of a traceback, as Lua 5.1 writes it. A bottom
// frame was called by pcall or the host: it has no name to give.
func frameLine(th *lua.LState, dbg *lua.Debug, fn lua.LValue, bottom bool) string {
	if _, err := th.GetInfo("nSl", dbg, lua.LNil); err != nil {
		return "?"
	}
	name := dbg.Name
	if f, ok := fn.(*lua.LFunction); ok && f.IsG {
		if bottom || name == "" || name == "?" || strings.HasPrefix(name, "(") || strings.HasPrefix(name, "<") {
			return "[C]: ?"
		}
		return "[C]: in function '" + name + "'"
	}
	where := fmt.Sprintf("%s:%d:", dbg.Source, dbg.CurrentLine)
	switch {
	case dbg.LineDefined == 0:
		return where + " in main chunk"
	case bottom || name == "" || strings.HasPrefix(name, "(") || strings.HasPrefix(name, "<") || name == "main chunk":
		return fmt.Sprintf("%s in function <%s:%d>", where, dbg.Source, dbg.LineDefined)
	}
	return where + " in function '" + name + "'"
}

// traceback([thread,] [msg [, level]]) -> msg and the stack from level
// (default 1, the caller; 0 for another thread). A msg that is given and
// is not a string (nil included) is returned as it is.
func (p *Protector) traceback(L *lua.LState) int {
	th, arg := L, 1
	if t, ok := L.Get(1).(*lua.LState); ok {
		th, arg = t, 2
	}
	level := 1
	if th != L {
		level = 0
	}
	if n, ok := luaarg.ToNumber(L.Get(arg + 1)); ok {
		level = int(n)
	}
	msg := ""
	if L.GetTop() >= arg {
		v := L.Get(arg)
		if v.Type() != lua.LTString && v.Type() != lua.LTNumber {
			L.Push(v)
			return 1
		}
		msg = lua.LVAsString(v)
	}
	_, started := th.GetStack(0)
	yielded := th != L && started && p.status(L, th) == "suspended"
	L.Push(lua.LString(p.tracebackOf(th, msg, level, yielded)))
	return 1
}
