// Package luapack is Lua 5.4's string.pack, string.unpack and
// string.packsize (lstrlib.c: the format language and the messages) for
// gopher-lua, which is Lua 5.1. Numbers are float64 here: integers are exact
// up to 2^53, and an 8-byte unsigned value past 2^63 unpacks as Lua 5.4's
// wrapped negative integer.
package luapack

import (
	"math"
	"strings"

	"github.com/luasock/luasock/internal/lang/luaarg"
	lua "github.com/yuin/gopher-lua"
)

const (
	packMaxIntSize = 16 // MAXINTSIZE: the largest i[n]/I[n]
	packMaxAlign   = 8  // the native maximum alignment, for '!'
	packIntSize    = 8  // lua_Integer
	// Lua's stack limit (LUAI_MAXSTACK), which unpack's results must fit;
	// gopher-lua's registry would grow until it fails less gracefully.
	packMaxResults = 1000000
)

// Open adds pack, unpack and packsize to the string table, where Lua 5.3
// and later have them (so ("<I2"):pack(n) works too).
func Open(L *lua.LState) {
	if str, ok := L.GetGlobal("string").(*lua.LTable); ok {
		str.RawSetString("pack", L.NewFunction(pack))
		str.RawSetString("unpack", L.NewFunction(unpack))
		str.RawSetString("packsize", L.NewFunction(packsize))
	}
}

type packKind int

const (
	kInt packKind = iota
	kUint
	kFloat
	kDouble
	kChar     // c[n]: a fixed-size string
	kString   // s[n]: a string after its length
	kZstr     // z: a zero-terminated string
	kPadding  // x
	kPadAlign // X
	kNop      // endianness, alignment, spaces
)

// packFormat walks a format string, keeping endianness and maximum alignment.
type packFormat struct {
	L        *lua.LState
	fname    string
	fmt      string
	i        int
	little   bool
	maxAlign int
}

func newPackFormat(L *lua.LState, fname, format string) *packFormat {
	return &packFormat{L: L, fname: fname, fmt: format, little: true, maxAlign: 1}
}

func (f *packFormat) more() bool { return f.i < len(f.fmt) }

// num reads an optional decimal size, df when there is none.
func (f *packFormat) num(df int) int {
	if !f.more() || !isDigit(f.fmt[f.i]) {
		return df
	}
	a := 0
	for f.more() && isDigit(f.fmt[f.i]) && a <= (math.MaxInt32-9)/10 {
		a = a*10 + int(f.fmt[f.i]-'0')
		f.i++
	}
	return a
}

func (f *packFormat) numLimit(df int) int {
	n := f.num(df)
	if n > packMaxIntSize || n <= 0 {
		f.L.RaiseError("integral size (%d) out of limits [1,%d]", n, packMaxIntSize)
	}
	return n
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// option reads one option and its size.
func (f *packFormat) option() (packKind, int) {
	c := f.fmt[f.i]
	f.i++
	switch c {
	case 'b':
		return kInt, 1
	case 'B':
		return kUint, 1
	case 'h':
		return kInt, 2
	case 'H':
		return kUint, 2
	case 'i':
		return kInt, f.numLimit(4)
	case 'I':
		return kUint, f.numLimit(4)
	case 'l', 'j':
		return kInt, 8
	case 'L', 'J', 'T':
		return kUint, 8
	case 'f':
		return kFloat, 4
	case 'd', 'n':
		return kDouble, 8
	case 's':
		return kString, f.numLimit(8)
	case 'c':
		n := f.num(-1)
		if n == -1 {
			f.L.RaiseError("missing size for format option 'c'")
		}
		return kChar, n
	case 'z':
		return kZstr, 0
	case 'x':
		return kPadding, 1
	case 'X':
		return kPadAlign, 0
	case ' ':
	case '<', '=':
		f.little = true // amd64 and arm64 are little-endian
	case '>':
		f.little = false
	case '!':
		f.maxAlign = f.numLimit(packMaxAlign)
	default:
		f.L.RaiseError("invalid format option '%c'", c)
	}
	return kNop, 0
}

// details reads the next option and the padding that aligns it at offset.
func (f *packFormat) details(offset int) (kind packKind, size, pad int) {
	kind, size = f.option()
	align := size
	if kind == kPadAlign { // X aligns to the next option's size
		next := kChar
		if f.more() {
			next, align = f.option()
		}
		if next == kChar || align == 0 {
			luaarg.Error(f.L, 1, f.fname, "invalid next option for option 'X'")
		}
	}
	if align <= 1 || kind == kChar {
		return kind, size, 0
	}
	align = min(align, f.maxAlign)
	if align&(align-1) != 0 {
		luaarg.Error(f.L, 1, f.fname, "format asks for alignment not power of 2")
	}
	return kind, size, (align - offset&(align-1)) & (align - 1)
}

// putInt appends size bytes of v; past 8 bytes a negative value extends
// with 0xff.
func putInt(b []byte, v uint64, little bool, size int, negative bool) []byte {
	out := make([]byte, size)
	for i := range size {
		byteVal := byte(0)
		switch {
		case i < 8:
			byteVal = byte(v >> (8 * i))
		case negative:
			byteVal = 0xff
		}
		if little {
			out[i] = byteVal
		} else {
			out[size-1-i] = byteVal
		}
	}
	return append(b, out...)
}

// pack is `string.pack(fmt, v1, v2, ...)` → binary string. Bad formats and
// values raise Lua 5.4's errors.
func pack(L *lua.LState) int {
	const fname = "pack"
	f := newPackFormat(L, fname, luaarg.CheckString(L, 1, fname))
	L.Push(lua.LNil) // as Lua's mark: a first missing value is "got nil"
	var out []byte
	arg := 1
	for f.more() {
		kind, size, pad := f.details(len(out))
		for range pad {
			out = append(out, 0)
		}
		arg++
		switch kind {
		case kInt:
			n := luaarg.CheckInteger(L, arg, fname)
			if size < packIntSize {
				lim := int64(1) << (size*8 - 1)
				if n < -lim || n >= lim {
					luaarg.Error(L, arg, fname, "integer overflow")
				}
			}
			out = putInt(out, uint64(n), f.little, size, n < 0)
		case kUint:
			n := luaarg.CheckInteger(L, arg, fname)
			if size < packIntSize && uint64(n) >= uint64(1)<<(size*8) {
				luaarg.Error(L, arg, fname, "unsigned overflow")
			}
			out = putInt(out, uint64(n), f.little, size, false)
		case kFloat:
			out = putInt(out, uint64(math.Float32bits(float32(luaarg.CheckNumber(L, arg, fname)))), f.little, 4, false)
		case kDouble:
			out = putInt(out, math.Float64bits(luaarg.CheckNumber(L, arg, fname)), f.little, 8, false)
		case kChar:
			s := luaarg.CheckString(L, arg, fname)
			if len(s) > size {
				luaarg.Error(L, arg, fname, "string longer than given size")
			}
			out = append(out, s...)
			out = append(out, make([]byte, size-len(s))...)
		case kString:
			s := luaarg.CheckString(L, arg, fname)
			if size < 8 && uint64(len(s)) >= uint64(1)<<(size*8) {
				luaarg.Error(L, arg, fname, "string length does not fit in given size")
			}
			out = putInt(out, uint64(len(s)), f.little, size, false)
			out = append(out, s...)
		case kZstr:
			s := luaarg.CheckString(L, arg, fname)
			if strings.IndexByte(s, 0) >= 0 {
				luaarg.Error(L, arg, fname, "string contains zeros")
			}
			out = append(append(out, s...), 0)
		case kPadding:
			out = append(out, 0)
			arg--
		default:
			arg--
		}
	}
	L.Push(lua.LString(out))
	return 1
}

// packsize is `string.packsize(fmt)` → bytes. Variable-length options raise.
func packsize(L *lua.LState) int {
	const fname = "packsize"
	f := newPackFormat(L, fname, luaarg.CheckString(L, 1, fname))
	total := 0
	for f.more() {
		kind, size, pad := f.details(total)
		if kind == kString || kind == kZstr {
			luaarg.Error(L, 1, fname, "variable-length format")
		}
		if total > math.MaxInt32-(size+pad) {
			luaarg.Error(L, 1, fname, "format result too large")
		}
		total += size + pad
	}
	L.Push(lua.LNumber(total))
	return 1
}

// getInt reads size bytes as an integer, as Lua 5.4's unpackint does.
func getInt(L *lua.LState, b []byte, little bool, size int, signed bool) int64 {
	at := func(i int) byte {
		if little {
			return b[i]
		}
		return b[size-1-i]
	}
	var v uint64
	for i := min(size, packIntSize) - 1; i >= 0; i-- {
		v = v<<8 | uint64(at(i))
	}
	switch {
	case size < packIntSize && signed:
		mask := uint64(1) << (size*8 - 1)
		v = (v ^ mask) - mask
	case size > packIntSize:
		ext := byte(0)
		if signed && int64(v) < 0 {
			ext = 0xff
		}
		for i := packIntSize; i < size; i++ {
			if at(i) != ext {
				L.RaiseError("%d-byte integer does not fit into Lua Integer", size)
			}
		}
	}
	return int64(v)
}

// unpack is `string.unpack(fmt, s [, pos])` → values..., next position.
// Short data and bad formats raise Lua 5.4's errors.
func unpack(L *lua.LState) int {
	const fname = "unpack"
	f := newPackFormat(L, fname, luaarg.CheckString(L, 1, fname))
	data := []byte(luaarg.CheckString(L, 2, fname))
	pos := 1
	if L.Get(3) != lua.LNil {
		pos = int(luaarg.CheckInteger(L, 3, fname))
	}
	switch { // posrelatI
	case pos > 0:
	case pos == 0 || pos < -len(data):
		pos = 1
	default:
		pos = len(data) + pos + 1
	}
	pos--
	if pos > len(data) {
		luaarg.Error(L, 3, fname, "initial position out of string")
	}
	results := 0
	for f.more() {
		kind, size, pad := f.details(pos)
		if pad+size > len(data)-pos {
			luaarg.Error(L, 2, fname, "data string too short")
		}
		pos += pad
		at := data[pos:]
		results++
		if results >= packMaxResults {
			L.RaiseError("stack overflow (too many results)")
		}
		switch kind {
		case kInt, kUint:
			L.Push(lua.LNumber(getInt(L, at, f.little, size, kind == kInt)))
		case kFloat:
			L.Push(lua.LNumber(math.Float32frombits(uint32(getInt(L, at, f.little, 4, false)))))
		case kDouble:
			L.Push(lua.LNumber(math.Float64frombits(uint64(getInt(L, at, f.little, 8, false)))))
		case kChar:
			L.Push(lua.LString(at[:size]))
		case kString:
			n := uint64(getInt(L, at, f.little, size, false))
			if n > uint64(len(data)-pos-size) {
				luaarg.Error(L, 2, fname, "data string too short")
			}
			L.Push(lua.LString(at[size : size+int(n)]))
			pos += int(n)
		case kZstr:
			n := strings.IndexByte(string(at), 0)
			if n < 0 {
				luaarg.Error(L, 2, fname, "unfinished string for format 'z'")
			}
			L.Push(lua.LString(at[:n]))
			pos += n + 1
		default:
			results--
		}
		pos += size
	}
	L.Push(lua.LNumber(pos + 1))
	return results + 1
}
