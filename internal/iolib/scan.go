package iolib

import (
	"bufio"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
)

// scanNumber reads a number as glibc's fscanf "%lf" does (Lua 5.1's "*n"):
// skip white space, take the longest run of characters that can start a
// number (one character of look-ahead, given back), then convert the longest
// prefix strtod accepts. Characters taken but not converted are lost, as in C.
func scanNumber(r *bufio.Reader) (float64, bool, error) {
	var buf []byte
	// getc returns -1 at end of file.
	getc := func() (int, error) {
		c, err := r.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return -1, nil
			}
			return -1, err
		}
		return int(c), nil
	}
	c, err := getc()
	for err == nil && isSpace(c) {
		c, err = getc()
	}
	if err != nil || c < 0 {
		return 0, false, err
	}
	gotSign := 0
	if c == '-' || c == '+' {
		gotSign = 1
		buf = append(buf, byte(c))
		if c, err = getc(); err != nil || c < 0 {
			return 0, false, err
		}
	}
	// word matches the letters of "nan", "inf" or "infinity" one by one;
	// a mismatch ends the conversion with the mismatching character taken.
	word := func(w string) (bool, error) {
		for i := 0; i < len(w); i++ {
			if i > 0 {
				if c, err = getc(); err != nil || c < 0 {
					return false, err
				}
			}
			if lower(c) != int(w[i]) {
				return false, nil
			}
			buf = append(buf, byte(c))
		}
		return true, nil
	}
	switch lower(c) {
	case 'n':
		if ok, err := word("nan"); !ok {
			return 0, false, err
		}
		return convert(buf)
	case 'i':
		if ok, err := word("inf"); !ok {
			return 0, false, err
		}
		if c, err = getc(); err != nil {
			return 0, false, err
		}
		if c < 0 {
			return convert(buf)
		}
		if lower(c) != 'i' {
			_ = r.UnreadByte()
			return convert(buf)
		}
		if ok, err := word("inity"); !ok {
			return 0, false, err
		}
		return convert(buf)
	}
	hex := false
	gotDigit, gotDot, gotE := false, false, false
	expChar := 'e'
	if c == '0' {
		buf = append(buf, '0')
		if c, err = getc(); err != nil {
			return 0, false, err
		}
		if lower(c) == 'x' {
			buf = append(buf, byte(c))
			hex, expChar = true, 'p'
			if c, err = getc(); err != nil {
				return 0, false, err
			}
		} else {
			gotDigit = true
		}
	}
	for c >= 0 {
		switch {
		case c >= '0' && c <= '9':
			buf = append(buf, byte(c))
			gotDigit = true
		case !gotE && hex && isXDigit(c):
			buf = append(buf, byte(c))
			gotDigit = true
		case gotE && int(buf[len(buf)-1]) == int(expChar) && (c == '-' || c == '+'):
			buf = append(buf, byte(c))
		case gotDigit && !gotE && lower(c) == int(expChar):
			buf = append(buf, byte(expChar))
			gotE, gotDot = true, true
		case !gotDot && c == '.':
			buf = append(buf, '.')
			gotDot = true
		default:
			_ = r.UnreadByte()
			c = -1
			continue
		}
		if c, err = getc(); err != nil {
			return 0, false, err
		}
	}
	if len(buf) == gotSign || (hex && len(buf) == 2+gotSign) {
		return 0, false, nil
	}
	return convert(buf)
}

// convert is strtod on what scanNumber collected: ok when some prefix is a
// number.
func convert(buf []byte) (float64, bool, error) {
	f, n := strtod(string(buf))
	return f, n > 0, nil
}

// strtod converts the longest prefix of s that is a number (glibc's
// strtod in the C locale, without leading white space) and returns how many
// bytes it used (0: none).
func strtod(s string) (float64, int) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
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
		if j := strings.IndexByte(rest[3:], ')'); len(rest) > 3 && rest[3] == '(' && j > 0 && isNanChars(rest[4:3+j]) {
			n += j + 1
		}
		return sign(math.NaN()), n
	}
	if strings.HasPrefix(rest, "0x") {
		j, digits := scanDigits(s, i+2, isXDigit, 'p')
		if digits > 0 {
			text := s[i:j]
			if !strings.ContainsAny(text, "pP") {
				text += "p0"
			}
			f, _ := strconv.ParseFloat(text, 64)
			return sign(f), j
		}
		// "0x" alone is the number 0 followed by "x"
		return sign(0), i + 1
	}
	j, digits := scanDigits(s, i, isDigit, 'e')
	if digits == 0 {
		return 0, 0
	}
	f, err := strconv.ParseFloat(s[i:j], 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, 0
	}
	return sign(f), j
}

// scanDigits scans digits[.digits][exp[sign]digits] from s[i:] and returns
// the end of the longest valid number and how many mantissa digits it has.
func scanDigits(s string, i int, digit func(int) bool, exp byte) (int, int) {
	digits := 0
	for i < len(s) && digit(int(s[i])) {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && digit(int(s[i])) {
			i++
			digits++
		}
	}
	if digits == 0 {
		return i, 0
	}
	if i < len(s) && lower(int(s[i])) == int(exp) {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(int(s[j])) {
			for j < len(s) && isDigit(int(s[j])) {
				j++
			}
			i = j
		}
	}
	return i, digits
}

func isNanChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := int(s[i])
		if !(isDigit(c) || (c >= 'a' && c <= 'z') || c == '_') {
			return false
		}
	}
	return true
}

// isSpace is C's isspace in the C locale.
func isSpace(c int) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

func isDigit(c int) bool { return c >= '0' && c <= '9' }

func isXDigit(c int) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func lower(c int) int {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// luaStrToNumber is Lua 5.1's luaO_str2d on glibc: strtod takes the whole
// string (spaces around allowed; hexadecimal too).
func luaStrToNumber(s string) (float64, bool) {
	t := strings.Trim(s, " \t\n\v\f\r")
	if t == "" {
		return 0, false
	}
	f, n := strtod(t)
	return f, n == len(t)
}
