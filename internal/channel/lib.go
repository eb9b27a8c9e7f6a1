package channel

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"syscall"
	"time"

	"github.com/luasock/luasock/internal/lang/luaarg"
	"github.com/luasock/luasock/internal/lang/luanum"
	lua "github.com/yuin/gopher-lua"
)

// Host is what the library needs from the runtime; luasock's host (and
// luabind.Host) provide it. Every method is called with the Lua lock held.
type Host interface {
	// Block releases the Lua lock around wait, which must not touch Lua
	// values; it does not return if the run stops meanwhile.
	Block(L *lua.LState, wait func())
	// Context is cancelled when the run stops.
	Context() context.Context
	// Turn lets the waiting tasks run when the caller has held the lock
	// for its time slice.
	Turn(L *lua.LState)
	// Interrupted is, for a task at luasock's prompt, the context Ctrl-C
	// cancels; nil for every other task.
	Interrupted(L *lua.LState) context.Context
}

// TypeName is the metatable name of channel handles.
const TypeName = "luasock.channel"

type library struct{ host Host }

// Open installs the library as the global `channel` and as
// require("channel"), replacing gopher-lua's.
func Open(L *lua.LState, host Host) {
	lib := &library{host: host}
	mt := L.NewTypeMetatable(TypeName)
	mt.RawSetString("__index", L.SetFuncs(L.NewTable(), map[string]lua.LGFunction{
		"send":    lib.send,
		"receive": lib.receive,
		"close":   lib.close,
	}))
	mt.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(fmt.Sprintf("channel: %p", check(L, 1, "tostring"))))
		return 1
	}))
	mod := L.SetFuncs(L.NewTable(), map[string]lua.LGFunction{
		"make":   lib.make,
		"select": lib.selectCase,
	})
	L.SetGlobal("channel", mod)
	if loaded, ok := L.GetField(L.Get(lua.RegistryIndex), "_LOADED").(*lua.LTable); ok {
		loaded.RawSetString("channel", mod)
	}
}

// FromLua returns the channel v is, if it is one.
func FromLua(v lua.LValue) (*Chan, bool) {
	ud, ok := v.(*lua.LUserData)
	if !ok {
		return nil, false
	}
	c, ok := ud.Value.(*Chan)
	return c, ok
}

func check(L *lua.LState, n int, fname string) *Chan {
	c, ok := FromLua(L.Get(n))
	if !ok {
		luaarg.TypeError(L, n, fname, "channel")
	}
	return c
}

// optTimeout reads an optional timeout in seconds: < 0 (absent) waits
// without end, 0 does not wait.
func optTimeout(L *lua.LState, n int, fname string) time.Duration {
	if L.Get(n) == lua.LNil {
		return -1
	}
	t := luaarg.CheckNumber(L, n, fname)
	if t < 0 || math.IsNaN(t) {
		luaarg.Error(L, n, fname, "must be greater than or equal to 0")
	}
	return luanum.Duration(t)
}

// channel.make([capacity]) -> channel; raises on a negative capacity.
// Capacity 0 (the default) makes an unbuffered channel: a send waits for a
// receiver.
func (l *library) make(L *lua.LState) int {
	n := luaarg.OptInt(L, 1, "make", 0)
	if n < 0 {
		luaarg.Error(L, 1, "make", "must be greater than or equal to 0")
	}
	ud := L.NewUserData()
	ud.Value = &Chan{capacity: n}
	L.SetMetatable(ud, L.GetTypeMetatable(TypeName))
	L.Push(ud)
	return 1
}

// ch:receive([timeout]) -> true, value | nil once the channel is closed and
// drained | nil, errstr, ETIMEDOUT. Only the calling task waits.
func (l *library) receive(L *lua.LState) int {
	c := check(L, 1, "receive")
	timeout := optTimeout(L, 2, "receive")
	mu.Lock()
	v, ok, ready := c.tryRecv()
	if !ready && timeout != 0 {
		g := newGroup()
		c.wait(g, 0, false, nil)
		mu.Unlock()
		ready = l.awaitLocked(L, g, timeout, c)
		v, ok = g.value, g.ok
	}
	mu.Unlock()
	l.host.Turn(L)
	switch {
	case !ready:
		return luaarg.Failure(L, syscall.ETIMEDOUT)
	case !ok:
		L.Push(lua.LNil)
		return 1
	}
	L.Push(lua.LTrue)
	L.Push(v)
	return 2
}

// awaitLocked waits, with the Lua lock released, until g fires, timeout
// passes (< 0: never) or the run stops (then it does not return). It
// reports whether g fired (if not, g is void from then on), and returns
// with mu held and g's waiters gone from chans.
func (l *library) awaitLocked(L *lua.LState, g *group, timeout time.Duration, chans ...*Chan) bool {
	ctx := l.host.Interrupted(L) // the prompt's evaluation's, which Ctrl-C cancels
	if ctx == nil {
		ctx = l.host.Context()
	}
	done := ctx.Done()
	l.host.Block(L, func() {
		var timer <-chan time.Time
		if timeout >= 0 {
			t := time.NewTimer(timeout)
			defer t.Stop()
			timer = t.C
		}
		select {
		case <-g.wake:
		case <-timer:
		case <-done:
		}
	})
	mu.Lock()
	fired := g.fired
	g.fired = true
	for _, c := range chans {
		c.leave(g)
	}
	return fired
}

// ch:send(value [, timeout]) -> true | nil, errstr, EPIPE when the channel
// is closed | nil, errstr, ETIMEDOUT. Any Lua value passes. Only the calling
// task waits.
func (l *library) send(L *lua.LState) int {
	c := check(L, 1, "send")
	if L.GetTop() < 2 {
		luaarg.Error(L, 2, "send", "value expected")
	}
	v := L.Get(2)
	timeout := optTimeout(L, 3, "send")
	mu.Lock()
	ok, ready := c.trySend(v)
	if !ready && timeout != 0 {
		g := newGroup()
		c.wait(g, 0, true, v)
		mu.Unlock()
		ready = l.awaitLocked(L, g, timeout, c)
		ok = g.ok
	}
	mu.Unlock()
	l.host.Turn(L)
	switch {
	case !ready:
		return luaarg.Failure(L, syscall.ETIMEDOUT)
	case !ok:
		return luaarg.Failure(L, syscall.EPIPE)
	}
	L.Push(lua.LTrue)
	return 1
}

// ch:close() -> true. Waiting receivers get nil, waiting senders fail;
// values already sent can still be received. Closing again does nothing.
func (l *library) close(L *lua.LState) int {
	c := check(L, 1, "close")
	mu.Lock()
	c.close()
	mu.Unlock()
	L.Push(lua.LTrue)
	return 1
}

// selectCase is one case of channel.select.
type selectCase struct {
	recv, send, dflt bool
	c                *Chan
	value            lua.LValue
	fn               *lua.LFunction // called with the outcome, if given
}

// channel.select(case, ...) -> index, value, ok (after the case's fn ran). Each case is a table:
// {"|<-", ch [, fn]} receives (fn(ok, value)), {"<-|", ch, value [, fn]}
// sends (fn(value)), {"default" [, fn]} is taken when no other case is
// ready. Of the ready cases one is taken at random; with none and no
// default, only the calling task waits. ok is false when the case's
// channel is closed. Raises on a malformed case.
func (l *library) selectCase(L *lua.LState) int {
	cases := make([]selectCase, L.GetTop())
	dflt := -1
	for i := range cases {
		cases[i] = checkCase(L, i+1)
		if cases[i].dflt {
			dflt = i
		}
	}
	mu.Lock()
	index, v, ok := -1, lua.LValue(lua.LNil), false
	start := 0
	if len(cases) > 0 {
		start = rand.IntN(len(cases))
	}
	for k := range cases {
		i := (start + k) % len(cases)
		var ready bool
		switch cs := cases[i]; {
		case cs.recv:
			v, ok, ready = cs.c.tryRecv()
		case cs.send:
			ok, ready = cs.c.trySend(cs.value)
		}
		if ready {
			index = i
			break
		}
	}
	if index < 0 && dflt >= 0 {
		index, v, ok = dflt, lua.LNil, true
	}
	if index < 0 {
		g := newGroup()
		var chans []*Chan
		for i, cs := range cases {
			if !cs.dflt {
				cs.c.wait(g, i, cs.send, cs.value)
				chans = append(chans, cs.c)
			}
		}
		mu.Unlock()
		l.awaitLocked(L, g, -1, chans...)
		index, v, ok = g.index, g.value, g.ok
	}
	mu.Unlock()
	if v == nil || cases[index].send {
		v = lua.LNil
	}
	if cs := cases[index]; cs.fn != nil {
		L.Push(cs.fn)
		switch {
		case cs.recv:
			L.Push(lua.LBool(ok))
			L.Push(v)
			L.Call(2, 0)
		case cs.send:
			L.Push(cs.value)
			L.Call(1, 0)
		default:
			L.Call(0, 0)
		}
	}
	l.host.Turn(L)
	L.Push(lua.LNumber(index + 1))
	L.Push(v)
	L.Push(lua.LBool(ok))
	return 3
}

// checkCase reads argument n of channel.select.
func checkCase(L *lua.LState, n int) selectCase {
	t, ok := L.Get(n).(*lua.LTable)
	if !ok {
		luaarg.TypeError(L, n, "select", "table")
	}
	dir, _ := t.RawGetInt(1).(lua.LString)
	var cs selectCase
	next := 2
	switch dir {
	case "|<-":
		cs.recv = true
	case "<-|":
		cs.send = true
	case "default":
		cs.dflt = true
	default:
		luaarg.Error(L, n, "select", `a case starts with "|<-", "<-|" or "default"`)
	}
	if !cs.dflt {
		c, ok := FromLua(t.RawGetInt(2))
		if !ok {
			luaarg.Error(L, n, "select", "a channel expected as the case's second element")
		}
		cs.c = c
		next = 3
	}
	if cs.send {
		cs.value = t.RawGetInt(3)
		next = 4
	}
	switch f := t.RawGetInt(next).(type) {
	case *lua.LFunction:
		cs.fn = f
	case *lua.LNilType:
	default:
		luaarg.Error(L, n, "select", "the case's last element must be a function")
	}
	return cs
}
