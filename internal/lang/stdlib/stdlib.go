// Package stdlib replaces the parts of gopher-lua's standard library that
// differ from Lua 5.1 on valid input: number text (tostring, tonumber,
// string.format, table.concat), argument coercion and Lua 5.1's error texts.
// Open installs the replacements over an LState whose base, string, math,
// table and os libraries are already open.
package stdlib

import (
	"github.com/luasock/luasock/internal/lang/luaarg"
	"github.com/luasock/luasock/internal/lang/luanum"
	lua "github.com/yuin/gopher-lua"
)

// maxCStack is Lua 5.1's LUAI_MAXCSTACK: the most values a C function may
// push (unpack and string.byte fail past it).
const maxCStack = 8000

// Open installs luasock's base, string, math, table and os functions.
func Open(L *lua.LState) {
	openBase(L)
	openMath(L)
	openString(L)
	openTable(L)
	openOS(L)
	openCompat(L)
}

// register sets each function of funcs as a field of the global table lib
// ("_G" for the globals); a missing library is created.
func register(L *lua.LState, lib string, funcs map[string]lua.LGFunction) *lua.LTable {
	var tb *lua.LTable
	if lib == "_G" {
		tb = L.G.Global
	} else if t, ok := L.GetGlobal(lib).(*lua.LTable); ok {
		tb = t
	} else {
		tb = L.NewTable()
		L.SetGlobal(lib, tb)
	}
	for name, fn := range funcs {
		tb.RawSetString(name, L.NewFunction(fn))
	}
	return tb
}

// argError raises Lua 5.1's "bad argument #n to 'name' (msg)".
func argError(L *lua.LState, n int, msg string) {
	luaarg.Error(L, n, "?", msg)
}

// raise is luaL_error (luaarg.Raise).
func raise(L *lua.LState, format string, args ...any) {
	luaarg.Raise(L, format, args...)
}

// The argument checks are luaarg's, as Lua 5.1's C API has them, for
// functions that Lua 5.1 names '?' where no call site names them.
func typeError(L *lua.LState, n int, want string)      { luaarg.TypeError(L, n, "?", want) }
func checkAny(L *lua.LState, n int) lua.LValue         { return luaarg.CheckAny(L, n, "?") }
func checkNumber(L *lua.LState, n int) float64         { return luaarg.CheckNumber(L, n, "?") }
func checkInteger(L *lua.LState, n int) int64          { return luaarg.CheckCInteger(L, n, "?") }
func checkInt(L *lua.LState, n int) int                { return luaarg.CheckCInt(L, n, "?") }
func checkString(L *lua.LState, n int) string          { return luaarg.CheckString(L, n, "?") }
func checkTable(L *lua.LState, n int) *lua.LTable      { return luaarg.CheckTable(L, n, "?") }
func optInteger(L *lua.LState, n int, def int64) int64 { return luaarg.OptCInteger(L, n, "?", def) }
func optInt(L *lua.LState, n int, def int) int         { return luaarg.OptCInt(L, n, "?", def) }
func optString(L *lua.LState, n int, def string) string {
	return luaarg.OptString(L, n, "?", def)
}

// checkOption is luaL_checkoption: the index of argument n in options.
func checkOption(L *lua.LState, n int, def string, options []string) int {
	return luaarg.CheckOption(L, n, "?", def, options)
}

// rawGetInt is t[k] without metamethods. gopher-lua's RawGetInt reads
// only the array part: t[2^31-1] lives in the hash part and came back nil.
func rawGetInt(t *lua.LTable, k int) lua.LValue {
	if v := t.RawGetInt(k); v != lua.LNil {
		return v
	}
	return t.RawGetH(lua.LNumber(k))
}

// ToString is Lua 5.1's tostring(v): the __tostring metamethod's result,
// numbers as "%.14g", others as gopher-lua names them ("table: 0x...").
// Raises "'__tostring' must return a string" when the metamethod returns
// something that is neither a string nor a number.
func ToString(L *lua.LState, v lua.LValue) string {
	r := toStringMeta(L, v)
	if s, ok := luaarg.ToString(r); ok {
		return s
	}
	L.RaiseError("'__tostring' must return a string")
	return ""
}

// toStringMeta is luaB_tostring: the metamethod's result is returned as it is.
func toStringMeta(L *lua.LState, v lua.LValue) lua.LValue {
	if mm := L.GetMetaField(v, "__tostring"); mm != lua.LNil {
		L.Push(mm)
		L.Push(v)
		L.Call(1, 1)
		r := L.Get(-1)
		L.Pop(1)
		return r
	}
	switch x := v.(type) {
	case lua.LNumber:
		return lua.LString(luanum.Format(float64(x)))
	case lua.LString:
		return x
	}
	return lua.LString(v.String())
}
