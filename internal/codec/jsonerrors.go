package codec

import (
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// PHP's json_decode names the first error its scanner meets, token by
// token; encoding/json finds the same texts bad but reports other
// positions and no kinds. The functions here give the kind PHP gives: from
// the first byte at which the text stops being a JSON prefix, and, for a
// string literal, by reading it from its opening quote in PHP's order.

// syntaxError names the first error in d.src as PHP does. The first bad
// byte is where the shortest failing prefix ends. In a string literal,
// stringError decides. Just after an unfinished literal or number ("nu",
// "-", "1e"), PHP has failed on its first byte: a syntax error. Else the
// byte itself: a UTF-8 error if it starts no UTF-8 character, a control
// character error if it is one, stringError's verdict if it opens a
// string, a state mismatch if it is "]" or "}" where the other bracket
// would have closed the value. A text that merely ends
// too soon is a syntax error, or what stringError says of an unclosed
// string.
func (d *decoder) syntaxError() error {
	s := d.src
	if ok, inString, tokStart := scanJSON(s); ok {
		if inString {
			return stringError(s[tokStart:], d.flags)
		}
		return jsonError(jsonErrSyntax)
	}
	lo, hi := 0, len(s) // s[:lo] is a JSON prefix, s[:hi] is not
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if ok, _, _ := scanJSON(s[:mid]); ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	_, inString, tokStart := scanJSON(s[:lo])
	if inString {
		if err := stringError(s[tokStart:], d.flags); err != nil {
			return err
		}
		return jsonError(jsonErrSyntax)
	}
	if tok := s[tokStart:lo]; tok != "" && !json.Valid([]byte(tok)) {
		return jsonError(jsonErrSyntax) // an unfinished literal or number
	}
	switch c := s[lo]; {
	case c >= utf8.RuneSelf:
		if r, size := utf8.DecodeRuneInString(s[lo:]); r == utf8.RuneError && size == 1 {
			return jsonError(jsonErrUTF8)
		}
	case c < 0x20:
		return jsonError(jsonErrCtrlChar)
	case c == '"': // a string where none may be: PHP reads it before it sees so
		if err := stringError(s[lo:], d.flags); err != nil {
			return err
		}
	case c == ']' || c == '}':
		other := "]"
		if c == ']' {
			other = "}"
		}
		if ok, _, _ := scanJSON(s[:lo] + other); ok {
			return jsonError(jsonErrStateMismatch)
		}
	}
	return jsonError(jsonErrSyntax)
}

// scanJSON reports whether s has no syntax error as one JSON value, though
// it may end too soon. tokStart is where the token s ends in (or after)
// starts; inString says that token is an unclosed string.
func scanJSON(s string) (ok, inString bool, tokStart int) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	depth, values := 0, 0
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			rest := strings.TrimLeft(s[start:], " \t\r\n,:")
			return true, strings.HasPrefix(rest, `"`), len(s) - len(rest)
		}
		if err != nil || (depth == 0 && values > 0) {
			return false, false, 0
		}
		switch tok {
		case json.Delim('['), json.Delim('{'):
			depth++
			continue
		case json.Delim(']'), json.Delim('}'):
			depth--
		}
		if depth == 0 {
			values++
		}
	}
}

// stringError is the first error PHP's scanner finds in the string literal
// at the start of lit (its opening quote), or nil when the literal closes
// without one: a control character, an escape JSON has not (a syntax
// error), a surrogate escape that is not half of a pair, a byte that
// starts no UTF-8 character (unless a JSON_INVALID_UTF8_* flag lets it
// pass). The end of the text inside the literal is a control character
// error: PHP reads its NUL terminator there.
func stringError(lit string, flags int) error {
	for i := 1; i < len(lit); {
		switch c := lit[i]; {
		case c == '"':
			return nil
		case c < 0x20:
			return jsonError(jsonErrCtrlChar)
		case c == '\\':
			n, err := escapeLen(lit[i:])
			if err != nil {
				return err
			}
			i += n
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRuneInString(lit[i:])
			if r == utf8.RuneError && size == 1 && flags&(jsonInvalidUTF8Ignore|jsonInvalidUTF8Substitute) == 0 {
				return jsonError(jsonErrUTF8)
			}
			i += size
		}
	}
	return jsonError(jsonErrCtrlChar)
}

// escapeLen is the length of the escape at the start of s, or PHP's error
// for it.
func escapeLen(s string) (int, error) {
	if len(s) >= 2 && strings.IndexByte(`"\/bfnrt`, s[1]) >= 0 {
		return 2, nil
	}
	u := unicodeEscape(s)
	switch {
	case u < 0:
		return 0, jsonError(jsonErrSyntax)
	case !utf16.IsSurrogate(u):
		return 6, nil
	case u < 0xdc00 && utf16.DecodeRune(u, unicodeEscape(s[6:])) != utf8.RuneError:
		return 12, nil // a surrogate pair
	}
	return 0, jsonError(jsonErrLoneSurrogate)
}

// unicodeEscape is the code unit of the \uXXXX at the start of s, or -1.
func unicodeEscape(s string) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	v, err := strconv.ParseUint(s[2:6], 16, 16)
	if err != nil {
		return -1
	}
	return rune(v)
}
