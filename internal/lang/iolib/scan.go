package iolib

import (
	"bufio"
	"errors"
	"io"

	"github.com/luasock/luasock/internal/lang/luanum"
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
	f, n := luanum.Strtod(string(buf))
	return f, n > 0, nil
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
