package bitlib

import (
	"math"
	"strconv"
	"strings"
)

// Strings passed where a number is expected are converted as each reference
// converts them. Both round correctly, as strconv does, so only the accepted
// syntax differs:
//   - Lua 5.2 (luaO_str2d: glibc strtod, anything containing n or N refused):
//     decimal and hexadecimal numbers, hex fractions and p exponents.
//   - LuaJIT (lj_strscan): the same plus "0b" binary integers, "inf", "infinity" and
//     "nan" in any case; C suffixes (1LL, 1i) are refused.
// Both allow surrounding whitespace (C's isspace) and a sign, nothing else.

func isCSpace(c byte) bool { return c == ' ' || c >= '\t' && c <= '\r' }

func trimCSpace(s string) string {
	i, j := 0, len(s)
	for i < j && isCSpace(s[i]) {
		i++
	}
	for j > i && isCSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHexDigit(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// scanMantissa returns the length of the digits-with-one-dot prefix of s
// and how many digits it holds.
func scanMantissa(s string, digit func(byte) bool) (n, digits int) {
	dot := false
	for n < len(s) {
		switch c := s[n]; {
		case digit(c):
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return n, digits
		}
		n++
	}
	return n, digits
}

// scanExponent returns the length of an exponent ([+-]digits) at the start of s,
// 0 when there is none.
func scanExponent(s string) int {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == start {
		return 0
	}
	return i
}

// parseFloatSyntax parses s (a sign already split off, no spaces) as a decimal
// or 0x hexadecimal number with an optional fraction and exponent.
func parseFloatSyntax(s string) (float64, bool) {
	digit, expChar, body := isDigit, byte('e'), s
	if len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		digit, expChar, body = isHexDigit, 'p', s[2:]
	}
	n, digits := scanMantissa(body, digit)
	if digits == 0 {
		return 0, false
	}
	rest := body[n:]
	hasExp := false
	if len(rest) > 0 && rest[0]|0x20 == expChar {
		e := scanExponent(rest[1:])
		if e == 0 {
			return 0, false
		}
		rest, hasExp = rest[1+e:], true
	}
	if rest != "" {
		return 0, false
	}
	if expChar == 'p' && !hasExp {
		s += "p0" // strconv wants an exponent on hex numbers
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !isRangeErr(err) { // out of range gives ±Inf or 0, as strtod does
		return 0, false
	}
	return f, true
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func splitSign(s string) (string, bool) {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		return s[1:], s[0] == '-'
	}
	return s, false
}

// parseLua52 is Lua 5.2's string-to-number conversion.
func parseLua52(s string) (float64, bool) {
	if strings.ContainsAny(s, "nN\x00") {
		return 0, false
	}
	body, neg := splitSign(trimCSpace(s))
	f, ok := parseFloatSyntax(body)
	if neg {
		f = -f
	}
	return f, ok
}

// parseLuaJIT is LuaJIT's string-to-number conversion (lj_strscan_num).
func parseLuaJIT(s string) (float64, bool) {
	if strings.IndexByte(s, 0) >= 0 {
		return 0, false
	}
	body, neg := splitSign(trimCSpace(s))
	sign := 1.0
	if neg {
		sign = -1
	}
	if body != "" && body[0] >= 'A' { // LuaJIT reads any letter here as inf or nan
		switch strings.ToLower(body) {
		case "inf", "infinity":
			return math.Inf(int(sign)), true
		case "nan":
			return math.NaN(), true
		}
		return 0, false
	}
	if len(body) >= 2 && body[0] == '0' && (body[1] == 'b' || body[1] == 'B') {
		f, ok := parseBinary(body[2:])
		return sign * f, ok
	}
	f, ok := parseFloatSyntax(body)
	return sign * f, ok
}

// parseBinary reads the digits after LuaJIT's "0b": at least one, at most
// 64 after the leading zeros, and no dot (LuaJIT 2.1.0-beta3 refuses one).
func parseBinary(s string) (float64, bool) {
	t := strings.TrimLeft(s, "0")
	if s == "" || len(t) > 64 {
		return 0, false
	}
	if t == "" {
		return 0, true
	}
	v, err := strconv.ParseUint(t, 2, 64)
	if err != nil {
		return 0, false
	}
	return float64(v), true
}
