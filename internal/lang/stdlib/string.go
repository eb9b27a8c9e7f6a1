package stdlib

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// maxStringSize bounds string.rep's result: past it Lua 5.1 would run out
// of memory, and so would luasock, less politely.
const maxStringSize = 1 << 31

func openString(L *lua.LState) {
	register(L, "string", map[string]lua.LGFunction{
		"byte":    strByte,
		"char":    strChar,
		"format":  strFormat,
		"len":     strLen,
		"lower":   strLower,
		"rep":     strRep,
		"reverse": strReverse,
		"sub":     strSub,
		"upper":   strUpper,
	})
	openPatterns(L)
}

// posrelat turns a negative string position into one from the start.
func posrelat(pos int64, n int) int64 {
	if pos < 0 {
		pos += int64(n) + 1
	}
	if pos < 0 {
		return 0
	}
	return pos
}

// strLen: string.len(s) -> number; raises on a non-string.
func strLen(L *lua.LState) int {
	L.Push(lua.LNumber(len(checkString(L, 1))))
	return 1
}

// strSub: string.sub(s, i [, j]) -> string; raises on a non-string or a
// non-number position.
func strSub(L *lua.LState) int {
	s := checkString(L, 1)
	start := posrelat(checkInteger(L, 2), len(s))
	end := posrelat(optInteger(L, 3, -1), len(s))
	if start < 1 {
		start = 1
	}
	if end > int64(len(s)) {
		end = int64(len(s))
	}
	if start <= end {
		L.Push(lua.LString(s[start-1 : end]))
	} else {
		L.Push(lua.LString(""))
	}
	return 1
}

// strByte: string.byte(s [, i [, j]]) -> numbers; raises on a non-string
// and on more than Lua 5.1's 8000 results.
func strByte(L *lua.LState) int {
	s := checkString(L, 1)
	posi := posrelat(optInteger(L, 2, 1), len(s))
	pose := posrelat(optInteger(L, 3, posi), len(s))
	if posi <= 0 {
		posi = 1
	}
	if pose > int64(len(s)) {
		pose = int64(len(s))
	}
	if posi > pose {
		return 0
	}
	n := pose - posi + 1
	if int64(L.GetTop())+n > maxCStack {
		raise(L, "stack overflow (string slice too long)")
	}
	for i := posi; i <= pose; i++ {
		L.Push(lua.LNumber(s[i-1]))
	}
	return int(n)
}

// strChar: string.char(...) -> string; raises on a non-number or a value
// outside 0..255.
func strChar(L *lua.LState) int {
	n := L.GetTop()
	b := make([]byte, n)
	for i := 1; i <= n; i++ {
		c := checkInt(L, i)
		if c < 0 || c > 255 {
			argError(L, i, "invalid value")
		}
		b[i-1] = byte(c)
	}
	L.Push(lua.LString(b))
	return 1
}

// strRep: string.rep(s, n) -> string; raises on a non-string or non-number.
func strRep(L *lua.LState) int {
	s := checkString(L, 1)
	n := checkInt(L, 2)
	if n <= 0 || s == "" {
		L.Push(lua.LString(""))
		return 1
	}
	if int64(len(s))*int64(n) >= maxStringSize {
		raise(L, "not enough memory")
	}
	L.Push(lua.LString(strings.Repeat(s, n)))
	return 1
}

// strReverse: string.reverse(s) -> string; raises on a non-string.
func strReverse(L *lua.LState) int {
	s := checkString(L, 1)
	b := make([]byte, len(s))
	for i := range b {
		b[i] = s[len(s)-1-i]
	}
	L.Push(lua.LString(b))
	return 1
}

// strLower: string.lower(s) -> string (ASCII letters only, as the C
// locale); raises on a non-string.
func strLower(L *lua.LState) int {
	L.Push(lua.LString(mapBytes(checkString(L, 1), 'A', 'Z', 'a')))
	return 1
}

// strUpper: string.upper(s) -> string (ASCII letters only); raises on a
// non-string.
func strUpper(L *lua.LState) int {
	L.Push(lua.LString(mapBytes(checkString(L, 1), 'a', 'z', 'A')))
	return 1
}

// mapBytes moves the bytes in lo..hi to start at to.
func mapBytes(s string, lo, hi, to byte) string {
	b := []byte(s)
	for i, c := range b {
		if c >= lo && c <= hi {
			b[i] = c - lo + to
		}
	}
	return string(b)
}
