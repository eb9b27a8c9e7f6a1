package luanum

import (
	"math"
	"strconv"
	"strings"
)

// Parse is Lua 5.1's string-to-number conversion (luaO_str2d): C's strtod
// on the text up to its first NUL byte (leading and trailing white space,
// hexadecimal "0x10" and "0x1p4", "inf", "nan", "1e5"), nothing else after
// it. ok is false where Lua's tonumber gives nil.
func Parse(s string) (f float64, ok bool) {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i] // Lua hands the C library a NUL-terminated string
	}
	f, n := Strtod(s)
	if n == 0 {
		return 0, false
	}
	for _, c := range []byte(s[n:]) {
		if !IsSpace(c) {
			return 0, false
		}
	}
	return f, true
}

// IsSpace is C's isspace in the "C" locale.
func IsSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

// Strtod is glibc's strtod: the value of the longest prefix of s that reads
// as a number and that prefix's length (0 when none does). Out-of-range
// values become ±inf or 0, as strtod returns them.
func Strtod(s string) (float64, int) {
	i, neg := skipSpaceAndSign(s)
	sign := func(f float64) float64 {
		if neg {
			return -f
		}
		return f
	}
	rest := strings.ToLower(s[i:])
	switch {
	case strings.HasPrefix(rest, "infinity"):
		return sign(math.Inf(1)), i + 8
	case strings.HasPrefix(rest, "inf"):
		return sign(math.Inf(1)), i + 3
	case strings.HasPrefix(rest, "nan"):
		n := i + 3
		if n < len(s) && s[n] == '(' { // nan(n-char-sequence)
			j := n + 1
			for j < len(s) && (isAlnum(s[j]) || s[j] == '_') {
				j++
			}
			if j < len(s) && s[j] == ')' {
				n = j + 1
			}
		}
		return sign(math.NaN()), n
	case strings.HasPrefix(rest, "0x"):
		if f, n := hexFloat(s[i+2:]); n > 0 {
			return sign(f), i + 2 + n
		}
		return sign(0), i + 1 // just the "0"
	}
	start := i
	i, digits := skipMantissa(s, i, isDigit)
	if digits == 0 {
		return 0, 0
	}
	i = skipExponent(s, i, 'e')
	f, err := strconv.ParseFloat(s[start:i], 64)
	if err != nil && !isRangeErr(err) {
		return 0, 0
	}
	return sign(f), i
}

// hexFloat reads the hexadecimal digits, point and "p" exponent after "0x";
// n is 0 when no digit follows.
func hexFloat(s string) (float64, int) {
	i, digits := skipMantissa(s, 0, isHex)
	if digits == 0 {
		return 0, 0
	}
	mant := s[:i]
	exp := "p0"
	if j := skipExponent(s, i, 'p'); j > i {
		exp = s[i:j]
		i = j
	}
	f, err := strconv.ParseFloat("0x"+mant+exp, 64)
	if err != nil && !isRangeErr(err) {
		return 0, 0
	}
	return f, i
}

// skipSpaceAndSign passes the white space and the one sign strtod and
// strtoul accept before a number; neg says the sign was '-'.
func skipSpaceAndSign(s string) (i int, neg bool) {
	for i < len(s) && IsSpace(s[i]) {
		i++
	}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	return i, neg
}

// skipMantissa passes the digits, point and digits from s[i]; digits
// counts the digits on both sides of the point.
func skipMantissa(s string, i int, isDig func(byte) bool) (end, digits int) {
	for i < len(s) && isDig(s[i]) {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDig(s[i]) {
			i++
			digits++
		}
	}
	return i, digits
}

// skipExponent passes an exponent at s[i] marked by the lower-case letter
// mark (or its upper case), a sign and decimal digits. Without a digit it
// is no exponent and i comes back unchanged.
func skipExponent(s string, i int, mark byte) int {
	if i >= len(s) || (s[i] != mark && s[i] != mark-'a'+'A') {
		return i
	}
	j := i + 1
	if j < len(s) && (s[j] == '+' || s[j] == '-') {
		j++
	}
	if j >= len(s) || !isDigit(s[j]) {
		return i
	}
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	return j
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}
func isAlnum(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// Strtoul is C's strtoul(s, &end, base) for base 2..36: the value (wrapped
// to 64 bits as C does for a minus sign, ULONG_MAX on overflow) and the
// length of the prefix read (0 when no digit was read).
func Strtoul(s string, base int) (uint64, int) {
	i, neg := skipSpaceAndSign(s)
	if base == 16 && i+1 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') {
		if i+2 < len(s) && digitVal(s[i+2]) < 16 {
			i += 2
		}
	}
	start := i
	var v uint64
	overflow := false
	for i < len(s) {
		d := digitVal(s[i])
		if d >= base {
			break
		}
		if v > (math.MaxUint64-uint64(d))/uint64(base) {
			overflow = true
		}
		v = v*uint64(base) + uint64(d)
		i++
	}
	if i == start {
		return 0, 0
	}
	if overflow {
		return math.MaxUint64, i
	}
	if neg {
		v = -v
	}
	return v, i
}

func digitVal(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return 99
}
