package stdlib

import (
	"math"
	"strconv"
	"strings"

	"github.com/luasock/luasock/internal/lang/luaarg"
	lua "github.com/yuin/gopher-lua"
)

// fmtSpec is one parsed "%..." item of a string.format template.
type fmtSpec struct {
	minus, plus, space, hash, zero bool
	width, prec                    int // -1: not given
	verb                           byte
}

// strFormat: string.format(fmt, ...) -> string, as Lua 5.1 does it with C's
// sprintf; raises "invalid option '%y' to 'format'", "invalid format (...)",
// and "bad argument" for a missing or mistyped argument.
func strFormat(L *lua.LState) int {
	top := L.GetTop()
	arg := 1
	f := checkString(L, arg)
	var b strings.Builder
	for i := 0; i < len(f); {
		if f[i] != '%' {
			b.WriteByte(f[i])
			i++
			continue
		}
		i++
		if i < len(f) && f[i] == '%' {
			b.WriteByte('%')
			i++
			continue
		}
		arg++
		if arg > top {
			argError(L, arg, "no value")
		}
		var sp fmtSpec
		i = scanFormat(L, f, i, &sp)
		switch sp.verb {
		case 'c':
			c := byte(toInt32(checkNumber(L, arg)))
			s := pad(&sp, "", string([]byte{c}), false)
			if k := strings.IndexByte(s, 0); k >= 0 {
				s = s[:k] // sprintf's result is read up to its NUL
			}
			b.WriteString(s)
		case 'd', 'i':
			b.WriteString(formatInt(&sp, luaarg.CInteger(checkNumber(L, arg))))
		case 'o', 'u', 'x', 'X':
			b.WriteString(formatUint(&sp, toUnsigned(checkNumber(L, arg))))
		case 'e', 'E', 'f', 'g', 'G':
			b.WriteString(formatFloat(&sp, checkNumber(L, arg)))
		case 'q':
			addQuoted(&b, checkString(L, arg))
		case 's':
			s := checkString(L, arg)
			if sp.prec < 0 && len(s) >= 100 {
				b.WriteString(s) // Lua keeps a long string whole
				break
			}
			if k := strings.IndexByte(s, 0); k >= 0 {
				s = s[:k]
			}
			if sp.prec >= 0 && len(s) > sp.prec {
				s = s[:sp.prec]
			}
			b.WriteString(pad(&sp, "", s, false))
		default:
			verb := ""
			if sp.verb != 0 {
				verb = string([]byte{sp.verb})
			}
			raise(L, "invalid option '%%%s' to 'format'", verb)
		}
		i++
	}
	L.Push(lua.LString(b.String()))
	return 1
}

// scanFormat reads flags, a width and a precision of at most two digits
// each from f[i:], as Lua 5.1's scanformat; it returns the index of the
// conversion letter (len(f) when the template ends).
func scanFormat(L *lua.LState, f string, i int, sp *fmtSpec) int {
	sp.width, sp.prec = -1, -1
	start := i
	for ; i < len(f) && strings.IndexByte("-+ #0", f[i]) >= 0; i++ {
		switch f[i] {
		case '-':
			sp.minus = true
		case '+':
			sp.plus = true
		case ' ':
			sp.space = true
		case '#':
			sp.hash = true
		case '0':
			sp.zero = true
		}
	}
	if i-start >= 6 {
		raise(L, "invalid format (repeated flags)")
	}
	digit := func() bool { return i < len(f) && f[i] >= '0' && f[i] <= '9' }
	readNum := func() int {
		n := 0
		for k := 0; k < 2 && digit(); k++ {
			n = n*10 + int(f[i]-'0')
			i++
		}
		return n
	}
	if digit() {
		sp.width = readNum()
	}
	if i < len(f) && f[i] == '.' {
		i++
		sp.prec = readNum()
	}
	if digit() {
		raise(L, "invalid format (width or precision too long)")
	}
	if i < len(f) {
		sp.verb = f[i]
	}
	return i
}

// toInt32 is C's (int)d on x86-64: out of range and NaN give INT_MIN.
func toInt32(f float64) int32 {
	if math.IsNaN(f) || f >= 2147483648 || f <= -2147483649 {
		return math.MinInt32
	}
	return int32(f)
}

// toUnsigned is C's (unsigned long)d as gcc compiles it for x86-64.
func toUnsigned(f float64) uint64 {
	const two63 = 9223372036854775808.0
	if math.IsNaN(f) || f < two63 {
		return uint64(luaarg.CInteger(f))
	}
	return uint64(luaarg.CInteger(f-two63)) ^ (1 << 63)
}

// pad applies the width: spaces on the left (right with '-'), or zeros
// between sign and digits when zeros is set.
func pad(sp *fmtSpec, sign, body string, zeros bool) string {
	n := sp.width - len(sign) - len(body)
	if n <= 0 {
		return sign + body
	}
	switch {
	case sp.minus:
		return sign + body + strings.Repeat(" ", n)
	case zeros:
		return sign + strings.Repeat("0", n) + body
	}
	return strings.Repeat(" ", n) + sign + body
}

func formatInt(sp *fmtSpec, v int64) string {
	sign := ""
	switch {
	case v < 0:
		sign = "-"
	case sp.plus:
		sign = "+"
	case sp.space:
		sign = " "
	}
	mag := uint64(v)
	if v < 0 {
		mag = -mag
	}
	return pad(sp, sign, intDigits(sp, strconv.FormatUint(mag, 10), mag == 0), sp.zero && sp.prec < 0)
}

func formatUint(sp *fmtSpec, v uint64) string {
	var digits, prefix string
	switch sp.verb {
	case 'o':
		digits = strconv.FormatUint(v, 8)
	case 'u':
		digits = strconv.FormatUint(v, 10)
	case 'x', 'X':
		digits = strconv.FormatUint(v, 16)
		if sp.hash && v != 0 {
			prefix = "0x"
		}
	}
	digits = intDigits(sp, digits, v == 0)
	if sp.verb == 'o' && sp.hash && !strings.HasPrefix(digits, "0") {
		digits = "0" + digits
	}
	s := pad(sp, prefix, digits, sp.zero && sp.prec < 0)
	if sp.verb == 'X' {
		s = strings.ToUpper(s)
	}
	return s
}

// intDigits applies an integer conversion's precision (a minimum count of
// digits; "%.0d" of 0 prints nothing).
func intDigits(sp *fmtSpec, digits string, zero bool) string {
	if sp.prec == 0 && zero {
		return ""
	}
	if sp.prec > len(digits) {
		digits = strings.Repeat("0", sp.prec-len(digits)) + digits
	}
	return digits
}

func formatFloat(sp *fmtSpec, f float64) string {
	sign := ""
	switch {
	case math.Signbit(f):
		sign = "-"
	case sp.plus:
		sign = "+"
	case sp.space:
		sign = " "
	}
	upper := sp.verb == 'E' || sp.verb == 'G'
	var body string
	if math.IsInf(f, 0) || math.IsNaN(f) {
		body = "inf"
		if math.IsNaN(f) {
			body = "nan"
		}
		if upper {
			body = strings.ToUpper(body)
		}
		return pad(sp, sign, body, false)
	}
	a := math.Abs(f)
	prec := sp.prec
	if prec < 0 {
		prec = 6
	}
	switch sp.verb {
	case 'e', 'E':
		body = expForm(a, prec, sp.hash)
	case 'f':
		body = strconv.FormatFloat(a, 'f', prec, 64)
		if sp.hash && prec == 0 {
			body += "."
		}
	default: // g, G
		if prec == 0 {
			prec = 1
		}
		e := strconv.FormatFloat(a, 'e', prec-1, 64)
		x, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
		if x < prec && x >= -4 {
			body = strconv.FormatFloat(a, 'f', prec-1-x, 64)
			if sp.hash && !strings.Contains(body, ".") {
				body += "."
			}
			if !sp.hash {
				body = trimZeros(body)
			}
		} else {
			body = expForm(a, prec-1, sp.hash)
			if !sp.hash {
				k := strings.IndexByte(body, 'e')
				body = trimZeros(body[:k]) + body[k:]
			}
		}
	}
	if upper {
		body = strings.ToUpper(body)
	}
	return pad(sp, sign, body, sp.zero)
}

// expForm is C's "%.*e" of a non-negative finite number.
func expForm(a float64, prec int, hash bool) string {
	s := strconv.FormatFloat(a, 'e', prec, 64)
	if hash && prec == 0 {
		k := strings.IndexByte(s, 'e')
		s = s[:k] + "." + s[k:]
	}
	return s
}

// trimZeros drops a fraction's trailing zeros and a point left bare.
func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// addQuoted is Lua 5.1's %q: only '"', '\\', newline, CR and NUL escaped.
func addQuoted(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\', '\n':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\r':
			b.WriteString("\\r")
		case 0:
			b.WriteString("\\000")
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}
