package bitlib

import (
	"math/bits"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// bit is LuaJIT's lib_bit.c for plain numbers: every argument, shift counts
// included, is normalised by tobit, and results are signed 32-bit numbers.
var bitFuncs = map[string]lua.LGFunction{
	"arshift": bitArshift,
	"band":    bitBand,
	"bnot":    bitBnot,
	"bor":     bitBor,
	"bswap":   bitBswap,
	"bxor":    bitBxor,
	"lshift":  bitLshift,
	"rol":     bitRol,
	"ror":     bitRor,
	"rshift":  bitRshift,
	"tobit":   bitTobit,
	"tohex":   bitTohex,
}

// bitUnknown is LuaJIT's name for a function whose call site names none.
func bitUnknown(*lua.LState) string { return "?" }

// checkBit is LuaJIT's argument check: the number (or numeric string) at n
// normalised by tobit, or a "number expected" error.
func checkBit(L *lua.LState, n int) int32 {
	var f float64
	ok := false
	switch v := L.Get(n).(type) {
	case lua.LNumber:
		f, ok = float64(v), true
	case lua.LString:
		f, ok = parseLuaJIT(string(v))
	}
	if !ok {
		typeError(L, n, bitUnknown)
	}
	return int32(tobit(f))
}

func pushBit(L *lua.LState, r int32) int {
	L.Push(lua.LNumber(r))
	return 1
}

// bitTobit is bit.tobit(x) -> number, x normalised to a signed 32-bit integer; raises on a non-number.
func bitTobit(L *lua.LState) int { return pushBit(L, checkBit(L, 1)) }

// bitBnot is bit.bnot(x) -> number; raises on a non-number.
func bitBnot(L *lua.LState) int { return pushBit(L, ^checkBit(L, 1)) }

// bitBswap is bit.bswap(x) -> number, x's four bytes reversed; raises on a non-number.
func bitBswap(L *lua.LState) int {
	return pushBit(L, int32(bits.ReverseBytes32(uint32(checkBit(L, 1)))))
}

// naryArgs is how many arguments band, bor and bxor check: all of them, and
// the first even when there is none, as LuaJIT does (bit.band() raises).
func naryArgs(L *lua.LState) int { return max(L.GetTop(), 1) }

// bitBand is bit.band(x1 [, x2...]) -> number; raises on a non-number or no argument.
func bitBand(L *lua.LState) int {
	r := int32(-1)
	for i := 1; i <= naryArgs(L); i++ {
		r &= checkBit(L, i)
	}
	return pushBit(L, r)
}

// bitBor is bit.bor(x1 [, x2...]) -> number; raises on a non-number or no argument.
func bitBor(L *lua.LState) int {
	var r int32
	for i := 1; i <= naryArgs(L); i++ {
		r |= checkBit(L, i)
	}
	return pushBit(L, r)
}

// bitBxor is bit.bxor(x1 [, x2...]) -> number; raises on a non-number or no argument.
func bitBxor(L *lua.LState) int {
	var r int32
	for i := 1; i <= naryArgs(L); i++ {
		r ^= checkBit(L, i)
	}
	return pushBit(L, r)
}

// shiftArgs returns x and the shift count modulo 32, as x86's shift
// instructions use it (bit.lshift(1, 33) == 2).
func shiftArgs(L *lua.LState) (uint32, uint) {
	x := uint32(checkBit(L, 1))
	return x, uint(checkBit(L, 2) & 31)
}

// bitLshift is bit.lshift(x, n) -> number; raises on a non-number.
func bitLshift(L *lua.LState) int {
	x, n := shiftArgs(L)
	return pushBit(L, int32(x<<n))
}

// bitRshift is bit.rshift(x, n) -> number, shifting zeros in; raises on a non-number.
func bitRshift(L *lua.LState) int {
	x, n := shiftArgs(L)
	return pushBit(L, int32(x>>n))
}

// bitArshift is bit.arshift(x, n) -> number, copying the sign bit in; raises on a non-number.
func bitArshift(L *lua.LState) int {
	x, n := shiftArgs(L)
	return pushBit(L, int32(x)>>n)
}

// bitRol is bit.rol(x, n) -> number; raises on a non-number.
func bitRol(L *lua.LState) int {
	x, n := shiftArgs(L)
	return pushBit(L, int32(bits.RotateLeft32(x, int(n))))
}

// bitRor is bit.ror(x, n) -> number; raises on a non-number.
func bitRor(L *lua.LState) int {
	x, n := shiftArgs(L)
	return pushBit(L, int32(bits.RotateLeft32(x, -int(n))))
}

// bitTohex is bit.tohex(x [, n]) -> string: the low |n| hex digits of x
// (default 8), uppercase when n < 0; raises on a non-number, nil included.
// Past 8 digits it is LuaJIT's formatting: zeros pad to n, and n wraps
// modulo 256 (tohex(1, 256) == "1", tohex(0, 256) == "").
func bitTohex(L *lua.LState) int {
	b := uint64(uint32(checkBit(L, 1)))
	n := int32(8)
	if L.GetTop() >= 2 {
		n = checkBit(L, 2)
	}
	upper := n < 0
	if upper {
		n = -n // INT_MIN stays negative, as in C
	}
	prec := int32((n+1)&255) - 1 // -1 means none
	if n < 16 {
		b &= 1<<(uint32(4*n)&63) - 1
	}
	digits := ""
	if b != 0 || prec != 0 {
		digits = strconv.FormatUint(b, 16)
	}
	if upper {
		digits = strings.ToUpper(digits)
	}
	if pad := int(prec) - len(digits); pad > 0 {
		digits = strings.Repeat("0", pad) + digits
	}
	L.Push(lua.LString(digits))
	return 1
}
