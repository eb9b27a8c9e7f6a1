// Package luaarg checks the arguments of Go functions that Lua calls: a
// wrong one raises Lua 5.x's `bad argument #n to 'f' (...)`, with the
// function's name given by the caller. Numbers and strings coerce as the
// C API's luaL_check* do; CheckBool and CheckLength read PHP's arguments.
package luaarg

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Error raises `bad argument #n to 'fname' (msg)`, Lua 5.x's wording.
// gopher-lua's own ArgError leaves the quotes off the name.
func Error(L *lua.LState, n int, fname, msg string) {
	L.RaiseError("bad argument #%d to '%s' (%s)", n, fname, msg)
}

// TypeError raises `bad argument #n to 'fname' (want expected, got T)`,
// T being "no value" past the last argument.
func TypeError(L *lua.LState, n int, fname, want string) {
	got := L.Get(n).Type().String()
	if n > L.GetTop() {
		got = "no value"
	}
	Error(L, n, fname, fmt.Sprintf("%s expected, got %s", want, got))
}

// ToNumber is Lua's string-to-number coercion for arguments.
func ToNumber(v lua.LValue) (float64, bool) {
	switch x := v.(type) {
	case lua.LNumber:
		return float64(x), true
	case lua.LString:
		return parseNumber(string(x))
	}
	return 0, false
}

func parseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		v, err := strconv.ParseUint(s[2:], 16, 64)
		return float64(v), err == nil
	}
	v, err := strconv.ParseFloat(s, 64)
	return v, err == nil
}

// CheckNumber reads a number, or a string that converts to one.
func CheckNumber(L *lua.LState, n int, fname string) float64 {
	f, ok := ToNumber(L.Get(n))
	if !ok {
		TypeError(L, n, fname, "number")
	}
	return f
}

// OptNumber is CheckNumber with def for nil or a missing argument.
func OptNumber(L *lua.LState, n int, fname string, def float64) float64 {
	if L.Get(n) == lua.LNil {
		return def
	}
	return CheckNumber(L, n, fname)
}

// CheckInt reads a number as an int, truncating a fraction; one that an
// int cannot hold raises.
func CheckInt(L *lua.LState, n int, fname string) int {
	f := CheckNumber(L, n, fname)
	if math.IsNaN(f) || f >= 0x1p63 || f < -0x1p63 { // int(f) would wrap
		Error(L, n, fname, "number has no integer representation")
	}
	return int(f)
}

// OptInt is CheckInt with def for nil or a missing argument.
func OptInt(L *lua.LState, n int, fname string, def int) int {
	if L.Get(n) == lua.LNil {
		return def
	}
	return CheckInt(L, n, fname)
}

// CheckInteger is luaL_checkinteger: a number (or numeric string) with an
// exact integer value.
func CheckInteger(L *lua.LState, n int, fname string) int64 {
	x := CheckNumber(L, n, fname)
	if x != math.Trunc(x) || x < math.MinInt64 || x >= math.MaxInt64 {
		Error(L, n, fname, "number has no integer representation")
	}
	return int64(x)
}

// CheckString accepts strings and numbers, as luaL_checkstring does.
func CheckString(L *lua.LState, n int, fname string) string {
	switch v := L.Get(n).(type) {
	case lua.LString:
		return string(v)
	case lua.LNumber:
		return v.String()
	}
	TypeError(L, n, fname, "string")
	return ""
}

// OptString is CheckString with def for nil or a missing argument.
func OptString(L *lua.LState, n int, fname, def string) string {
	if L.Get(n) == lua.LNil {
		return def
	}
	return CheckString(L, n, fname)
}

// CheckBool reads a PHP bool argument: a boolean, or a number as PHP
// converts one (0 is false, anything else true), since ported code passes
// 0 and 1 where Lua would take 0 as true. An explicit nil is false, as PHP's
// null; a missing argument, a string or a table raises.
func CheckBool(L *lua.LState, n int, fname string) bool {
	if n <= L.GetTop() {
		switch v := L.Get(n).(type) {
		case lua.LBool:
			return bool(v)
		case lua.LNumber:
			return v != 0
		case *lua.LNilType:
			return false
		}
	}
	TypeError(L, n, fname, "boolean")
	return false
}

// CheckLength reads a PHP length argument, which must be greater than 0.
func CheckLength(L *lua.LState, n int, fname string) int {
	length := CheckInt(L, n, fname)
	if length <= 0 {
		Error(L, n, fname, "must be greater than 0")
	}
	return length
}
