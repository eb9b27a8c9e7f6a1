package bitlib

import (
	"math/bits"

	lua "github.com/yuin/gopher-lua"
)

// bit32 is Lua 5.2's lbitlib.c: arguments become unsigned 32-bit integers
// (luaL_checkunsigned), shift counts and fields C ints (luaL_checkint), and
// results are numbers in [0, 2^32).
var bit32Funcs = map[string]lua.LGFunction{
	"arshift": bit32Arshift,
	"band":    bit32Band,
	"bnot":    bit32Bnot,
	"bor":     bit32Bor,
	"btest":   bit32Btest,
	"bxor":    bit32Bxor,
	"extract": bit32Extract,
	"lrotate": bit32Lrotate,
	"lshift":  bit32Lshift,
	"replace": bit32Replace,
	"rrotate": bit32Rrotate,
	"rshift":  bit32Rshift,
}

// bit32Unknown names a function whose call site has no name the way Lua
// 5.2's luaL_argerror does: by where it is found among the globals.
func bit32Unknown(L *lua.LState) string {
	dbg, ok := L.GetStack(0)
	if !ok {
		return "?"
	}
	fn, err := L.GetInfo("f", dbg, nil)
	if err != nil {
		return "?"
	}
	name := ""
	L.G.Global.ForEach(func(k, v lua.LValue) {
		if s, ok := k.(lua.LString); ok && name == "" && v == fn {
			name = string(s)
		}
	})
	if name == "" {
		L.G.Global.ForEach(func(k, v lua.LValue) {
			s, ok := k.(lua.LString)
			t, isTable := v.(*lua.LTable)
			if !ok || !isTable || name != "" {
				return
			}
			t.ForEach(func(k2, v2 lua.LValue) {
				if s2, ok := k2.(lua.LString); ok && name == "" && v2 == fn {
					name = string(s) + "." + string(s2)
				}
			})
		})
	}
	if name == "" {
		return "?"
	}
	return name
}

func bit32Number(L *lua.LState, n int) (float64, bool) {
	switch v := L.Get(n).(type) {
	case lua.LNumber:
		return float64(v), true
	case lua.LString:
		return parseLua52(string(v))
	}
	return 0, false
}

// checkUnsigned is luaL_checkunsigned: the number (or numeric string) at n
// as Debian's Lua 5.2 converts it, or a "number expected" error.
func checkUnsigned(L *lua.LState, n int) uint32 {
	f, ok := bit32Number(L, n)
	if !ok {
		typeError(L, n, bit32Unknown)
	}
	return tobit(f)
}

// checkInt is luaL_checkint: the number at n truncated to a C int.
func checkInt(L *lua.LState, n int) int32 {
	f, ok := bit32Number(L, n)
	if !ok {
		typeError(L, n, bit32Unknown)
	}
	return truncInt32(f)
}

func pushUnsigned(L *lua.LState, r uint32) int {
	L.Push(lua.LNumber(r))
	return 1
}

func andArgs(L *lua.LState) uint32 {
	r := ^uint32(0)
	for i := 1; i <= L.GetTop(); i++ {
		r &= checkUnsigned(L, i)
	}
	return r
}

// bit32Band is bit32.band(...) -> number (0xFFFFFFFF for no arguments); raises on a non-number.
func bit32Band(L *lua.LState) int { return pushUnsigned(L, andArgs(L)) }

// bit32Btest is bit32.btest(...) -> boolean, band(...) ~= 0; raises on a non-number.
func bit32Btest(L *lua.LState) int {
	L.Push(lua.LBool(andArgs(L) != 0))
	return 1
}

// bit32Bor is bit32.bor(...) -> number (0 for no arguments); raises on a non-number.
func bit32Bor(L *lua.LState) int {
	var r uint32
	for i := 1; i <= L.GetTop(); i++ {
		r |= checkUnsigned(L, i)
	}
	return pushUnsigned(L, r)
}

// bit32Bxor is bit32.bxor(...) -> number (0 for no arguments); raises on a non-number.
func bit32Bxor(L *lua.LState) int {
	var r uint32
	for i := 1; i <= L.GetTop(); i++ {
		r ^= checkUnsigned(L, i)
	}
	return pushUnsigned(L, r)
}

// bit32Bnot is bit32.bnot(x) -> number; raises on a non-number.
func bit32Bnot(L *lua.LState) int { return pushUnsigned(L, ^checkUnsigned(L, 1)) }

// shift is lbitlib's b_shift: left for i >= 0, right for i < 0, 0 from 32 on.
// i is 64-bit so that negating C's INT_MIN gives what the compiled C gives.
func shift(r uint32, i int64) uint32 {
	if i < 0 {
		if -i >= 32 {
			return 0
		}
		return r >> uint(-i)
	}
	if i >= 32 {
		return 0
	}
	return r << uint(i)
}

// bit32Lshift is bit32.lshift(x, disp) -> number (negative disp shifts right); raises on a non-number.
func bit32Lshift(L *lua.LState) int {
	i := checkInt(L, 2) // the compiled C checks disp before x
	return pushUnsigned(L, shift(checkUnsigned(L, 1), int64(i)))
}

// bit32Rshift is bit32.rshift(x, disp) -> number (negative disp shifts left); raises on a non-number.
func bit32Rshift(L *lua.LState) int {
	i := checkInt(L, 2) // the compiled C checks disp before x
	return pushUnsigned(L, shift(checkUnsigned(L, 1), -int64(i)))
}

// bit32Arshift is bit32.arshift(x, disp) -> number, copying bit 31 in from the
// left (negative disp shifts left); raises on a non-number.
func bit32Arshift(L *lua.LState) int {
	r := checkUnsigned(L, 1)
	i := int64(checkInt(L, 2))
	if i < 0 || r&0x80000000 == 0 {
		return pushUnsigned(L, shift(r, -i))
	}
	if i >= 32 {
		return pushUnsigned(L, 0xFFFFFFFF)
	}
	return pushUnsigned(L, r>>uint(i)|^(0xFFFFFFFF>>uint(i)))
}

// bit32Lrotate is bit32.lrotate(x, disp) -> number; raises on a non-number.
func bit32Lrotate(L *lua.LState) int {
	i := checkInt(L, 2) // the compiled C checks disp before x
	return pushUnsigned(L, bits.RotateLeft32(checkUnsigned(L, 1), int(i&31)))
}

// bit32Rrotate is bit32.rrotate(x, disp) -> number; raises on a non-number.
func bit32Rrotate(L *lua.LState) int {
	i := checkInt(L, 2) // the compiled C checks disp before x
	return pushUnsigned(L, bits.RotateLeft32(checkUnsigned(L, 1), int(-i&31)))
}

// fieldArgs is lbitlib's fieldargs: field f at farg, width w (default 1)
// after it. f+w wraps as the int sum does in the compiled C, so a field near
// 2^31 passes the check there too.
func fieldArgs(L *lua.LState, farg int) (f, w int32) {
	f = checkInt(L, farg)
	w = 1
	if v := L.Get(farg + 1); v != lua.LNil {
		w = checkInt(L, farg+1)
	}
	if f < 0 {
		argError(L, farg, bit32Unknown, "field cannot be negative")
	}
	if w <= 0 {
		argError(L, farg+1, bit32Unknown, "width must be positive")
	}
	if f+w > 32 {
		raise(L, "trying to access non-existent bits")
	}
	return f, w
}

// mask is lbitlib's mask(w): w low bits set. The shift count is taken
// modulo 32 as x86's shl does, which only matters past the checked range.
func mask(w int32) uint32 { return ^(0xFFFFFFFE << (uint32(w-1) & 31)) }

// bit32Extract is bit32.extract(n, field [, width]) -> number, bits
// field..field+width-1 of n; raises on a non-number, a negative field, a
// width below 1, or field+width > 32.
func bit32Extract(L *lua.LState) int {
	r := checkUnsigned(L, 1)
	f, w := fieldArgs(L, 2)
	return pushUnsigned(L, r>>(uint32(f)&31)&mask(w))
}

// bit32Replace is bit32.replace(n, v, field [, width]) -> number, n with bits
// field..field+width-1 replaced by v; raises as bit32.extract does.
func bit32Replace(L *lua.LState) int {
	r := checkUnsigned(L, 1)
	v := checkUnsigned(L, 2)
	f, w := fieldArgs(L, 3)
	m := mask(w)
	sh := uint32(f) & 31
	return pushUnsigned(L, r&^(m<<sh)|(v&m)<<sh)
}
