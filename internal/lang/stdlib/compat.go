package stdlib

import (
	"runtime"

	lua "github.com/yuin/gopher-lua"
)

// openCompat installs what Lua 5.1 has and gopher-lua lacks or checks
// otherwise: table.foreach, foreachi and setn, next, assert, getfenv and
// setfenv's level checks, debug.getregistry and the
// hook functions, and package.loaded.package.
func openCompat(L *lua.LState) {
	register(L, "table", map[string]lua.LGFunction{
		"foreach":  tabForeach,
		"foreachi": tabForeachi,
		"setn":     tabSetn,
	})
	base := L.G.Global
	// pairs returns a next of its own, as Lua 5.1's does (pairs(t) ~= next)
	base.RawSetString("next", L.NewFunction(baseNext))
	pairsNext, ipairsNext := L.NewFunction(baseNext), L.NewFunction(ipairsAux)
	register(L, "_G", map[string]lua.LGFunction{
		"assert":       baseAssert,
		"setmetatable": baseSetmetatable,
		"gcinfo": func(L *lua.LState) int { // Lua 5.1's KB in use, an integer
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			L.Push(lua.LNumber(ms.HeapAlloc / 1024))
			return 1
		},
		"rawequal": func(L *lua.LState) int {
			checkAny(L, 1)
			checkAny(L, 2)
			L.Push(lua.LBool(L.Get(1) == L.Get(2)))
			return 1
		},
		"rawget": func(L *lua.LState) int {
			t := checkTable(L, 1)
			L.Push(t.RawGet(checkAny(L, 2)))
			return 1
		},
		"rawset": func(L *lua.LState) int {
			t := checkTable(L, 1)
			k := checkAny(L, 2)
			v := checkAny(L, 3)
			if k == lua.LNil {
				raise(L, "table index is nil")
			}
			t.RawSet(k, v)
			L.SetTop(1)
			return 1
		},
		"type": func(L *lua.LState) int {
			L.Push(lua.LString(checkAny(L, 1).Type().String()))
			return 1
		},
		"getfenv": baseGetfenv,
		"setfenv": baseSetfenv,
		"pairs": func(L *lua.LState) int {
			t := checkTable(L, 1)
			L.Push(pairsNext)
			L.Push(t)
			L.Push(lua.LNil)
			return 3
		},
		"ipairs": func(L *lua.LState) int {
			t := checkTable(L, 1)
			L.Push(ipairsNext)
			L.Push(t)
			L.Push(lua.LNumber(0))
			return 3
		},
	})
	register(L, "debug", map[string]lua.LGFunction{
		"getregistry": func(L *lua.LState) int { L.Push(L.G.Registry); return 1 },
		"gethook":     dbgGethook,
		"setfenv":     dbgSetfenv(L),
		"sethook":     dbgSethook,
	})
	if str, ok := L.GetGlobal("string").(*lua.LTable); ok {
		str.RawSetString("gfind", str.RawGetString("gmatch")) // LUA_COMPAT_GFIND
	}
	register(L, "os", map[string]lua.LGFunction{"setlocale": osSetlocale})
	if dbg, ok := L.GetGlobal("debug").(*lua.LTable); ok {
		if chunk, err := L.LoadString(debugDebug); err == nil {
			L.Push(chunk)
			L.Call(0, 1)
			dbg.RawSetString("debug", L.Get(-1))
			L.Pop(1)
		}
	}
	if pkg, ok := L.GetGlobal("package").(*lua.LTable); ok {
		if loaded, ok := pkg.RawGetString("loaded").(*lua.LTable); ok {
			loaded.RawSetString("package", pkg)
		}
	}
}

// debugDebug is debug.debug() as Lua 5.1's: a prompt on stderr that runs
// each line read from stdin until "cont" or the end of the input.
const debugDebug = `return function()
  while true do
    io.stderr:write("lua_debug> ")
    local line = io.stdin:read("*l")
    if line == nil or line == "cont" then return end
    local f, err = loadstring(line, "=(debug command)")
    if f then
      local ok, e = pcall(f)
      if not ok then err = e end
    end
    if err then io.stderr:write(tostring(err), "\n") end
  end
end`

// checkFunction is luaL_checktype(L, n, LUA_TFUNCTION).
func checkFunction(L *lua.LState, n int) *lua.LFunction {
	f, ok := L.Get(n).(*lua.LFunction)
	if !ok {
		typeError(L, n, "function")
	}
	return f
}

// tabForeach: table.foreach(t, f) -> the first non-nil result of f(k, v),
// over the pairs of t in next's order; raises on a non-table or
// non-function.
func tabForeach(L *lua.LState) int {
	t := checkTable(L, 1)
	f := checkFunction(L, 2)
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		if callFound(L, f, k, v) {
			return 1
		}
	}
	return 0
}

// callFound calls f(k, v) and tells whether it returned a value other than
// nil, which it leaves on the stack.
func callFound(L *lua.LState, f *lua.LFunction, k, v lua.LValue) bool {
	L.Push(f)
	L.Push(k)
	L.Push(v)
	L.Call(2, 1)
	if L.Get(-1) != lua.LNil {
		return true
	}
	L.Pop(1)
	return false
}

// tabForeachi: table.foreachi(t, f) -> the first non-nil result of
// f(i, t[i]) for i = 1, #t; raises on a non-table or non-function.
func tabForeachi(L *lua.LState) int {
	t := checkTable(L, 1)
	n := t.Len()
	f := checkFunction(L, 2)
	for i := 1; i <= n; i++ {
		if callFound(L, f, lua.LNumber(i), rawGetInt(t, i)) {
			return 1
		}
	}
	return 0
}

// tabSetn: table.setn(t, n) always raises "'setn' is obsolete", after
// checking that t is a table, as Lua 5.1 built by default does.
func tabSetn(L *lua.LState) int {
	checkTable(L, 1)
	raise(L, "'setn' is obsolete")
	return 0
}

// baseNext: next(t [, k]) -> the pair after k (the array part first, in
// order), or nil; raises on a non-table.
func baseNext(L *lua.LState) int {
	t := checkTable(L, 1)
	k, v := t.Next(L.Get(2))
	if k == lua.LNil {
		L.Push(lua.LNil)
		return 1
	}
	L.Push(k)
	L.Push(v)
	return 2
}

// ipairsAux is ipairs' iterator: i+1, t[i+1] (raw) until a nil.
func ipairsAux(L *lua.LState) int {
	t := checkTable(L, 1)
	i := checkInt(L, 2) + 1
	v := rawGetInt(t, i)
	if v == lua.LNil {
		return 0
	}
	L.Push(lua.LNumber(i))
	L.Push(v)
	return 2
}

// baseSetmetatable: setmetatable(t, mt) -> t; raises on a non-table t
// (gopher-lua would set a string's metatable), a mt neither nil nor a
// table, and a protected metatable.
func baseSetmetatable(L *lua.LState) int {
	mt := L.Get(2)
	t := checkTable(L, 1)
	if L.GetTop() < 2 || mt.Type() != lua.LTNil && mt.Type() != lua.LTTable {
		argError(L, 2, "nil or table expected")
	}
	if L.GetMetaField(t, "__metatable") != lua.LNil {
		raise(L, "cannot change a protected metatable")
	}
	L.SetMetatable(t, mt)
	L.SetTop(1)
	return 1
}

// baseAssert: assert(v [, message]) -> all its arguments when v is true;
// raises message ("assertion failed!" without one), and without an
// argument "value expected".
func baseAssert(L *lua.LState) int {
	v := checkAny(L, 1)
	if lua.LVAsBool(v) {
		return L.GetTop()
	}
	raise(L, "%s", optString(L, 2, "assertion failed!"))
	return 0
}

// envTarget is getfenv's and setfenv's getfunc: the function given, or
// the one running at the level given (1, the caller, when optional and
// absent); nil for level 0, the thread. Raises on a bad level.
func envTarget(L *lua.LState, optional bool) *lua.LFunction {
	if f, ok := L.Get(1).(*lua.LFunction); ok {
		return f
	}
	level := 1
	if !optional || L.Get(1) != lua.LNil {
		level = checkInt(L, 1)
	}
	if level < 0 {
		argError(L, 1, "level must be non-negative")
	}
	if level == 0 {
		return nil
	}
	dbg, ok := L.GetStack(level)
	if !ok {
		if _, called := L.GetStack(1); !called {
			// Go called this function (pcall): the engine keeps no frames
			// above it, and the level is a Go function, as pcall is.
			return goCaller
		}
		argError(L, 1, "invalid level")
	}
	v, err := L.GetInfo("f", dbg, lua.LNil)
	if err != nil {
		argError(L, 1, "invalid level")
	}
	f, _ := v.(*lua.LFunction)
	return f
}

// goCaller stands for a Go function on the stack that the engine does not
// show.
var goCaller = &lua.LFunction{IsG: true}

// baseGetfenv: getfenv([f | level]) -> the environment of a Lua function,
// the thread's globals for a Go function or level 0; raises on a bad
// level.
func baseGetfenv(L *lua.LState) int {
	f := envTarget(L, true)
	if f == nil || f.IsG || f.Env == nil {
		L.Push(L.Env)
		return 1
	}
	L.Push(f.Env)
	return 1
}

// baseSetfenv: setfenv(f | level, t) -> f; level 0 sets the thread's
// globals and returns nothing. Raises on a non-table, a bad level, and a
// Go function ("'setfenv' cannot change environment of given object").
func baseSetfenv(L *lua.LState) int {
	t := checkTable(L, 2)
	f := envTarget(L, false)
	if f == nil {
		L.Env = t
		return 0
	}
	if f.IsG {
		raise(L, "'setfenv' cannot change environment of given object")
	}
	f.Env = t
	L.Push(f)
	return 1
}

var localeCategories = []string{"all", "collate", "ctype", "monetary", "numeric", "time"}

// osSetlocale: os.setlocale([locale [, category]]) -> the locale's name, or
// nil when it cannot be set: luasock runs in the C locale only, so "C",
// "POSIX" and "" (the environment's, which is C here) succeed and a query
// says "C". Raises on an unknown category.
func osSetlocale(L *lua.LState) int {
	checkOption(L, 2, "all", localeCategories)
	switch optString(L, 1, "C") {
	case "C", "POSIX", "":
		L.Push(lua.LString("C"))
	default:
		L.Push(lua.LNil)
	}
	return 1
}

// dbgSetfenv wraps debug.setfenv(o, t) with Lua 5.1's refusal of what has
// no environment (a number, a string: "'setfenv' cannot change environment
// of given object").
func dbgSetfenv(L *lua.LState) lua.LGFunction {
	dbg, _ := L.GetGlobal("debug").(*lua.LTable)
	var orig lua.LValue = lua.LNil
	if dbg != nil {
		orig = dbg.RawGetString("setfenv")
	}
	return func(L *lua.LState) int {
		t := checkTable(L, 2)
		switch L.Get(1).(type) {
		case *lua.LFunction, *lua.LUserData, *lua.LState:
		default:
			raise(L, "'setfenv' cannot change environment of given object")
		}
		L.Push(orig)
		L.Push(L.Get(1))
		L.Push(t)
		L.Call(2, 0)
		L.SetTop(1)
		return 1
	}
}

// dbgGethook: debug.gethook() -> nil, "", 0: the engine runs no hooks, so
// none is ever set.
func dbgGethook(L *lua.LState) int {
	L.Push(lua.LNil)
	L.Push(lua.LString(""))
	L.Push(lua.LNumber(0))
	return 3
}

// dbgSethook: debug.sethook() turns hooks off (there are none); setting
// one raises, as the engine cannot call it.
func dbgSethook(L *lua.LState) int {
	arg := 1
	if _, ok := L.Get(1).(*lua.LState); ok {
		arg = 2
	}
	if L.Get(arg) == lua.LNil {
		return 0
	}
	raise(L, "debug.sethook: luasock's engine cannot run hooks (gopher-lua has none)")
	return 0
}
