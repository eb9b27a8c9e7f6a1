// Package stdlib replaces the parts of gopher-lua's standard library that
// differ from Lua 5.1 on valid input: number text (tostring, tonumber,
// string.format, table.concat), argument coercion and Lua 5.1's error texts.
// Open installs the replacements over an LState whose base, string, math,
// table and os libraries are already open.
package stdlib

import (
	"fmt"
	"math"

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

// typeName is the type of argument n, "no value" past the last argument.
func typeName(L *lua.LState, n int) string {
	if n > L.GetTop() {
		return "no value"
	}
	return L.Get(n).Type().String()
}

func typeError(L *lua.LState, n int, want string) {
	argError(L, n, want+" expected, got "+typeName(L, n))
}

// toNumber is lua_tonumber: numbers, and strings that read as numbers.
func toNumber(v lua.LValue) (float64, bool) {
	switch x := v.(type) {
	case lua.LNumber:
		return float64(x), true
	case lua.LString:
		return luanum.Parse(string(x))
	}
	return 0, false
}

// toStringValue is lua_tolstring: strings, and numbers as "%.14g".
func toStringValue(v lua.LValue) (string, bool) {
	switch x := v.(type) {
	case lua.LString:
		return string(x), true
	case lua.LNumber:
		return luanum.Format(float64(x)), true
	}
	return "", false
}

// toInteger is C's (long)d on x86-64: truncation, and the "integer
// indefinite" value for NaN and out-of-range numbers.
func toInteger(f float64) int64 {
	if math.IsNaN(f) || f >= 9223372036854775807 || f < -9223372036854775808 {
		return math.MinInt64
	}
	return int64(f)
}

func checkAny(L *lua.LState, n int) lua.LValue {
	if n > L.GetTop() {
		argError(L, n, "value expected")
	}
	return L.Get(n)
}

func checkNumber(L *lua.LState, n int) float64 {
	f, ok := toNumber(L.Get(n))
	if !ok {
		typeError(L, n, "number")
	}
	return f
}

// checkInteger is luaL_checkinteger (a ptrdiff_t).
func checkInteger(L *lua.LState, n int) int64 {
	return toInteger(checkNumber(L, n))
}

func optInteger(L *lua.LState, n int, def int64) int64 {
	if L.Get(n) == lua.LNil {
		return def
	}
	return checkInteger(L, n)
}

// checkInt is luaL_checkint: the integer cut to C's 32-bit int.
func checkInt(L *lua.LState, n int) int {
	return int(int32(checkInteger(L, n)))
}

func optInt(L *lua.LState, n int, def int) int {
	if L.Get(n) == lua.LNil {
		return def
	}
	return checkInt(L, n)
}

func checkString(L *lua.LState, n int) string {
	s, ok := toStringValue(L.Get(n))
	if !ok {
		typeError(L, n, "string")
	}
	return s
}

func optString(L *lua.LState, n int, def string) string {
	if L.Get(n) == lua.LNil {
		return def
	}
	return checkString(L, n)
}

// rawGetInt is t[k] without metamethods. gopher-lua's RawGetInt reads
// only the array part: t[2^31-1] lives in the hash part and came back nil.
func rawGetInt(t *lua.LTable, k int) lua.LValue {
	if v := t.RawGetInt(k); v != lua.LNil {
		return v
	}
	return t.RawGetH(lua.LNumber(k))
}

func checkTable(L *lua.LState, n int) *lua.LTable {
	t, ok := L.Get(n).(*lua.LTable)
	if !ok {
		typeError(L, n, "table")
	}
	return t
}

// checkOption is luaL_checkoption: the index of argument n in options.
func checkOption(L *lua.LState, n int, def string, options []string) int {
	name := optString(L, n, def)
	for i, o := range options {
		if o == name {
			return i
		}
	}
	argError(L, n, fmt.Sprintf("invalid option '%s'", name))
	return 0
}

// ToString is Lua 5.1's tostring(v): the __tostring metamethod's result,
// numbers as "%.14g", others as gopher-lua names them ("table: 0x...").
// Raises "'__tostring' must return a string" when the metamethod returns
// something that is neither a string nor a number.
func ToString(L *lua.LState, v lua.LValue) string {
	r := toStringMeta(L, v)
	if s, ok := toStringValue(r); ok {
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
