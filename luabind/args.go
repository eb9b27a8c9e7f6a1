package luabind

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// argError raises `bad argument #n to 'fname' (msg)`, Lua 5.x's wording.
// gopher-lua's own ArgError leaves the quotes off the name.
func argError(L *lua.LState, n int, fname, msg string) {
	L.RaiseError("bad argument #%d to '%s' (%s)", n, fname, msg)
}

func typeError(L *lua.LState, n int, fname, want string) {
	got := L.Get(n).Type().String()
	if n > L.GetTop() {
		got = "no value"
	}
	argError(L, n, fname, fmt.Sprintf("%s expected, got %s", want, got))
}

// toNumber is Lua's string-to-number coercion for arguments.
func toNumber(v lua.LValue) (float64, bool) {
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

func checkNumber(L *lua.LState, n int, fname string) float64 {
	f, ok := toNumber(L.Get(n))
	if !ok {
		typeError(L, n, fname, "number")
	}
	return f
}

func optNumber(L *lua.LState, n int, fname string, def float64) float64 {
	if L.Get(n) == lua.LNil {
		return def
	}
	return checkNumber(L, n, fname)
}

func checkInt(L *lua.LState, n int, fname string) int {
	f := checkNumber(L, n, fname)
	if math.IsNaN(f) || f >= 0x1p63 || f < -0x1p63 { // int(f) would wrap
		argError(L, n, fname, "number has no integer representation")
	}
	return int(f)
}

func optInt(L *lua.LState, n int, fname string, def int) int {
	if L.Get(n) == lua.LNil {
		return def
	}
	return checkInt(L, n, fname)
}

// checkString accepts strings and numbers, as luaL_checkstring does.
func checkString(L *lua.LState, n int, fname string) string {
	switch v := L.Get(n).(type) {
	case lua.LString:
		return string(v)
	case lua.LNumber:
		return v.String()
	}
	typeError(L, n, fname, "string")
	return ""
}

func optString(L *lua.LState, n int, fname, def string) string {
	if L.Get(n) == lua.LNil {
		return def
	}
	return checkString(L, n, fname)
}

// checkBool reads a PHP bool argument: a boolean, or a number as PHP
// converts one (0 is false, anything else true), since ported code passes
// 0 and 1 where Lua would take 0 as true. An explicit nil is false, as PHP's
// null; a missing argument, a string or a table raises.
func checkBool(L *lua.LState, n int, fname string) bool {
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
	typeError(L, n, fname, "boolean")
	return false
}

// checkLength checks a PHP length argument that must be greater than 0.
func checkLength(L *lua.LState, n int, fname string) int {
	length := checkInt(L, n, fname)
	if length <= 0 {
		argError(L, n, fname, "must be greater than 0")
	}
	return length
}
