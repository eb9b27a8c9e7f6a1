// Package luaarg checks the arguments of Go functions that Lua calls: a
// wrong one raises Lua 5.1's `bad argument #n to 'f' (...)`, the function
// named as Lua 5.1 names it (by its call site: 'rep' for string.rep(...),
// '?' when pcall calls it). Numbers and strings coerce as the C API's
// luaL_check* do, through Lua 5.1's own reading of a number (luanum.Parse,
// as tonumber) and "%.14g" for a number as a string; CheckBool and
// CheckLength read PHP's arguments. It is the one argument checker of
// luasock's libraries.
package luaarg

import (
	"fmt"
	"math"

	"github.com/luasock/luasock/internal/lang/luanum"
	lua "github.com/yuin/gopher-lua"
)

// Error raises `bad argument #n to 'name' (msg)`, Lua 5.1's wording, name
// being the function's name at its call site ("rep" for string.rep(s),
// "f" after local f = string.rep); where no Lua call site names it (pcall,
// a tail call, t[1](x)), fname: "?" for Lua 5.1's own functions, as Lua
// 5.1 says, and luasock's functions their own name, as Lua 5.2 and later
// find a library function's. gopher-lua's own ArgError leaves the quotes
// off the name.
func Error(L *lua.LState, n int, fname, msg string) {
	name, ok := calleeName(L)
	if !ok {
		name = fname
	}
	Raise(L, "bad argument #%d to '%s' (%s)", n, name, msg)
}

// CalleeName is the name Lua 5.1's messages give the running Go function:
// the one at its call site, or "?".
func CalleeName(L *lua.LState) string {
	if name, ok := calleeName(L); ok {
		return name
	}
	return "?"
}

func calleeName(L *lua.LState) (string, bool) {
	if dbg, ok := L.GetStack(0); ok {
		if _, err := L.GetInfo("n", dbg, nil); err == nil {
			switch n := dbg.Name; {
			case n == "", n == "(anonymous)", n == "main chunk", n == "corountine", n[0] == '<':
			default:
				return n, true
			}
		}
	}
	return "", false
}

// Raise is luaL_error: the message starts with the calling Lua code's
// "chunk:line: ", or nothing when Go called the function (pcall(f)),
// where gopher-lua's RaiseError would name the nearest Lua caller.
func Raise(L *lua.LState, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if dbg, ok := L.GetStack(1); ok {
		// the caller's function, not its "what": gopher-lua calls a frame
		// without a parent "main", a Go function pcall called included
		if fn, err := L.GetInfo("f", dbg, lua.LNil); err == nil {
			if f, isFn := fn.(*lua.LFunction); isFn && !f.IsG {
				L.RaiseError("%s", msg)
			}
		}
	}
	L.Error(lua.LString(msg), 0)
}

// TypeError raises `bad argument #n to 'fname' (want expected, got T)`,
// T being "no value" past the last argument.
func TypeError(L *lua.LState, n int, fname, want string) {
	Error(L, n, fname, want+" expected, got "+TypeName(L, n))
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

func parseNumber(s string) (float64, bool) { return luanum.Parse(s) }

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
// int cannot hold (past ±2^63, or ±2^31 on a 32-bit system) raises.
func CheckInt(L *lua.LState, n int, fname string) int {
	i := CheckInt64(L, n, fname)
	if int64(int(i)) != i { // a 32-bit int would wrap
		Error(L, n, fname, "number has no integer representation")
	}
	return int(i)
}

// CheckInt64 is CheckInt for an int64 on every system: a time in seconds
// outgrows a 32-bit int in 2038.
func CheckInt64(L *lua.LState, n int, fname string) int64 {
	f := CheckNumber(L, n, fname)
	if math.IsNaN(f) || f >= 0x1p63 || f < -0x1p63 { // int64(f) would wrap
		Error(L, n, fname, "number has no integer representation")
	}
	return int64(f)
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
	s, ok := ToString(L.Get(n))
	if !ok {
		TypeError(L, n, fname, "string")
	}
	return s
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
