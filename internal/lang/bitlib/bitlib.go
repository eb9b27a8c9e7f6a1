// Package bitlib gives gopher-lua (a Lua 5.1) the two bit libraries that Lua
// scripts for binary protocols use: Lua 5.2's bit32 (unsigned results) and
// LuaJIT's bit (signed 32-bit results). Both convert their arguments exactly
// as the reference interpreters on x86-64 Linux do (Debian's lua5.2 and
// luajit), including strings, fractions, huge numbers, nan and inf, and
// raise the same error messages.
package bitlib

import (
	"math"

	"github.com/luasock/luasock/internal/lang/luaarg"
	lua "github.com/yuin/gopher-lua"
)

// Open sets the globals bit32 and bit and registers them in package.loaded,
// so require("bit32") and require("bit") return them.
func Open(L *lua.LState) {
	loaded, ok := L.FindTable(L.Get(lua.RegistryIndex).(*lua.LTable), "_LOADED", 2).(*lua.LTable)
	for _, lib := range []struct {
		name  string
		funcs map[string]lua.LGFunction
	}{{"bit32", bit32Funcs}, {"bit", bitFuncs}} {
		mod := L.SetFuncs(L.CreateTable(0, len(lib.funcs)), lib.funcs)
		L.SetGlobal(lib.name, mod)
		if ok {
			loaded.RawSetString(lib.name, mod)
		}
	}
}

// tobitMagic is 2^52+2^51: adding it to a double leaves the number rounded to
// an integer (ties to even) in the low mantissa bits. LuaJIT's lj_num2bit and
// Debian's Lua 5.2 (LUA_IEEE754TRICK) both convert numbers to 32 bits so.
const tobitMagic = 6755399441055744.0

// tobit is the low 32 bits of f's mantissa after adding tobitMagic: f modulo
// 2^32 rounded to even for |f| < 2^51, mantissa bits beyond (1e300 -> 2281731484).
func tobit(f float64) uint32 {
	if math.IsNaN(f) { // C's NaNs have zero low bits; Go's math.NaN() does not
		return 0
	}
	return uint32(math.Float64bits(f + tobitMagic))
}

// truncInt32 is C's (int)(long)f on x86-64, Lua 5.2's luaL_checkint:
// truncation, then the low 32 bits; NaN and |f| >= 2^63 give the
// "integer indefinite" 0x8000000000000000, whose low bits are 0.
func truncInt32(f float64) int32 {
	if math.IsNaN(f) || f >= 0x1p63 || f < -0x1p63 {
		return 0
	}
	return int32(int64(f))
}

// raise is luaL_error (luaarg.Raise): the message gets the "source:line: "
// of the caller only when the caller is a Lua function.
func raise(L *lua.LState, format string, args ...any) {
	luaarg.Raise(L, format, args...)
}

// argError raises `bad argument #n to 'name' (msg)` through luaarg, the
// one checker: the call site's name, else what unknown says (Lua 5.2 and
// LuaJIT name an unnamed function differently).
func argError(L *lua.LState, n int, unknown func(*lua.LState) string, msg string) {
	luaarg.Error(L, n, unknown(L), msg)
}

// typeError raises `bad argument #n to 'name' (number expected, got T)`.
func typeError(L *lua.LState, n int, unknown func(*lua.LState) string) {
	luaarg.TypeError(L, n, unknown(L), "number")
}
