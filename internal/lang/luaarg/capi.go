package luaarg

import (
	"math"

	"github.com/luasock/luasock/internal/lang/luanum"
	lua "github.com/yuin/gopher-lua"
)

// The checks of Lua 5.1's own libraries, as its C API has them (lauxlib.c):
// a number argument is cast to an integer as C casts a double (no error
// for a fraction), where luasock's functions (CheckInt, CheckInteger) are
// stricter. Each raises through Error, so a function is named alike
// everywhere.

// TypeName is luaL_typename: argument n's type, "no value" past the last.
func TypeName(L *lua.LState, n int) string {
	if n > L.GetTop() {
		return "no value"
	}
	return L.Get(n).Type().String()
}

// ToString is lua_tolstring: strings, and numbers as "%.14g".
func ToString(v lua.LValue) (string, bool) {
	switch x := v.(type) {
	case lua.LString:
		return string(x), true
	case lua.LNumber:
		return luanum.Format(float64(x)), true
	}
	return "", false
}

// CInteger is C's (long)d on x86-64: truncation, and the "integer
// indefinite" value (the minimum) for NaN and out-of-range numbers.
func CInteger(f float64) int64 {
	if math.IsNaN(f) || f >= 0x1p63 || f < -0x1p63 {
		return math.MinInt64
	}
	return int64(f)
}

// CheckAny is luaL_checkany: any value, nil included, but not none.
func CheckAny(L *lua.LState, n int, fname string) lua.LValue {
	if n > L.GetTop() {
		Error(L, n, fname, "value expected")
	}
	return L.Get(n)
}

// CheckTable is luaL_checktype(L, n, LUA_TTABLE).
func CheckTable(L *lua.LState, n int, fname string) *lua.LTable {
	t, ok := L.Get(n).(*lua.LTable)
	if !ok {
		TypeError(L, n, fname, "table")
	}
	return t
}

// CheckCInteger is luaL_checkinteger: a number (or numeric string) cast
// to a 64-bit integer.
func CheckCInteger(L *lua.LState, n int, fname string) int64 {
	return CInteger(CheckNumber(L, n, fname))
}

// OptCInteger is luaL_optinteger: CheckCInteger, def for nil or none.
func OptCInteger(L *lua.LState, n int, fname string, def int64) int64 {
	if L.Get(n) == lua.LNil {
		return def
	}
	return CheckCInteger(L, n, fname)
}

// CheckCInt is luaL_checkint: CheckCInteger cut to C's 32-bit int.
func CheckCInt(L *lua.LState, n int, fname string) int {
	return int(int32(CheckCInteger(L, n, fname)))
}

// OptCInt is luaL_optint: CheckCInt, def for nil or none.
func OptCInt(L *lua.LState, n int, fname string, def int) int {
	if L.Get(n) == lua.LNil {
		return def
	}
	return CheckCInt(L, n, fname)
}

// CheckOption is luaL_checkoption: the index in options of argument n, a
// string, or of def when n is nil or none and def is not "" (no default).
func CheckOption(L *lua.LState, n int, fname, def string, options []string) int {
	name := def
	if def == "" || L.Get(n) != lua.LNil {
		name = CheckString(L, n, fname)
	}
	return OptionIndex(L, n, fname, name, options)
}

// OptionIndex is the index of name in options; one that is not there
// raises "invalid option" for argument n.
func OptionIndex(L *lua.LState, n int, fname, name string, options []string) int {
	for i, o := range options {
		if o == name {
			return i
		}
	}
	Error(L, n, fname, "invalid option '"+name+"'")
	return 0
}
