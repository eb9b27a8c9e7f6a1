package codec

import (
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/luasock/luasock/internal/luaarg"
	lua "github.com/yuin/gopher-lua"
)

// luaJSONDecode is `json_decode(s [, assoc [, depth [, flags]]])` → value |
// `nil, errstr, 0`, PHP's json_decode with assoc = true: objects and arrays
// become tables (object keys stay strings, arrays are sequences 1..n),
// null inside them becomes json_null, a top-level null is nil alone.
// errstr is PHP's json_last_error_msg() text ("Syntax error", "Maximum
// stack depth exceeded" when arrays nest depth (512) deep, ...). assoc is
// accepted for PHP's signature and changes nothing. A depth below 1
// raises, as PHP's ValueError; one above 10000 counts as 10000, the limit
// of Go's decoder.
func (lib *library) luaJSONDecode(L *lua.LState) int {
	s := luaarg.CheckString(L, 1, "json_decode")
	if L.Get(2) != lua.LNil {
		luaarg.CheckBool(L, 2, "json_decode")
	}
	depth := luaarg.OptInt(L, 3, "json_decode", defaultJSONDepth)
	if depth < 1 {
		luaarg.Error(L, 3, "json_decode", "must be greater than 0")
	}
	d := &decoder{
		L:        L,
		src:      s,
		dec:      json.NewDecoder(strings.NewReader(s)),
		flags:    luaarg.OptInt(L, 4, "json_decode", 0),
		maxDepth: min(depth, goMaxNesting),
		null:     lib.null,
	}
	d.dec.UseNumber() // keeps each number's text: big integers as PHP reads them
	v, err := d.document()
	if err != nil {
		return pushFailure(L, err.Error())
	}
	L.Push(v)
	return 1
}

// decoder builds Lua values from encoding/json's tokens, and checks what
// Go accepts but PHP refuses: invalid UTF-8 and lone surrogate escapes in
// strings, nesting deeper than the depth argument.
type decoder struct {
	L        *lua.LState
	src      string
	dec      *json.Decoder
	flags    int
	maxDepth int
	depth    int // open arrays and objects
	null     lua.LValue
	start    int64 // where the last token's text may start (its separator first)
}

// document decodes the one value s must hold.
func (d *decoder) document() (lua.LValue, error) {
	tok, err := d.next()
	if err != nil {
		return nil, err
	}
	v, err := d.value(tok)
	if err != nil {
		return nil, err
	}
	if _, err := d.dec.Token(); err != io.EOF {
		return nil, d.syntaxError() // something follows the value
	}
	if v == d.null {
		return lua.LNil, nil // a top-level null is nil; json_null only marks it inside tables
	}
	return v, nil
}

// next reads a token; a syntax error or the end of the input is classified
// as PHP would report it.
func (d *decoder) next() (json.Token, error) {
	d.start = d.dec.InputOffset()
	tok, err := d.dec.Token()
	if err != nil {
		return nil, d.syntaxError()
	}
	return tok, nil
}

func (d *decoder) value(tok json.Token) (lua.LValue, error) {
	switch t := tok.(type) {
	case json.Delim:
		if t != '[' && t != '{' {
			return nil, d.syntaxError()
		}
		d.depth++
		if d.depth >= d.maxDepth { // PHP: depth 1 allows no array at all
			return nil, jsonError(jsonErrDepth)
		}
		var v lua.LValue
		var err error
		if t == '[' {
			v, err = d.array()
		} else {
			v, err = d.object()
		}
		d.depth--
		return v, err
	case string:
		return d.string(t)
	case json.Number:
		return d.number(string(t)), nil
	case bool:
		return lua.LBool(t), nil
	case nil:
		return d.null, nil
	}
	return nil, d.syntaxError()
}

// array reads the elements after "[" and the closing "]".
func (d *decoder) array() (lua.LValue, error) {
	t := d.L.NewTable()
	for d.dec.More() {
		tok, err := d.next()
		if err != nil {
			return nil, err
		}
		v, err := d.value(tok)
		if err != nil {
			return nil, err
		}
		t.Append(v)
	}
	return t, d.closing(']')
}

// object reads the members after "{" and the closing "}"; a repeated key
// keeps its last value, as PHP does.
func (d *decoder) object() (lua.LValue, error) {
	t := d.L.NewTable()
	for d.dec.More() {
		tok, err := d.next()
		if err != nil {
			return nil, err
		}
		key, err := d.value(tok) // encoding/json gives only strings here
		if err != nil {
			return nil, err
		}
		if tok, err = d.next(); err != nil {
			return nil, err
		}
		v, err := d.value(tok)
		if err != nil {
			return nil, err
		}
		t.RawSet(key, v)
	}
	return t, d.closing('}')
}

func (d *decoder) closing(want json.Delim) error {
	tok, err := d.next()
	if err != nil {
		return err
	}
	if tok != want {
		return d.syntaxError()
	}
	return nil
}

// string checks what encoding/json turned into U+FFFD: invalid UTF-8
// fails unless a JSON_INVALID_UTF8_* flag says otherwise (Go's per-byte
// U+FFFD is PHP's SUBSTITUTE; IGNORE decodes the text without the bad
// bytes), and a lone surrogate escape fails.
func (d *decoder) string(s string) (lua.LValue, error) {
	if !strings.ContainsRune(s, utf8.RuneError) {
		return lua.LString(s), nil
	}
	raw := strings.TrimLeft(d.src[d.start:d.dec.InputOffset()], " \t\r\n,:")
	if hasLoneSurrogate(raw) {
		return nil, jsonError(jsonErrLoneSurrogate)
	}
	if !utf8.ValidString(raw) {
		switch {
		case d.flags&jsonInvalidUTF8Ignore != 0:
			if err := json.Unmarshal([]byte(strings.ToValidUTF8(raw, "")), &s); err != nil {
				return nil, jsonError(jsonErrSyntax) // cannot happen: only bytes >= 0x80 went
			}
		case d.flags&jsonInvalidUTF8Substitute == 0:
			return nil, jsonError(jsonErrUTF8)
		}
	}
	return lua.LString(s), nil
}

// hasLoneSurrogate reports whether the JSON string literal raw has a \u
// escape of a surrogate that is not a high one followed by a low one.
func hasLoneSurrogate(raw string) bool {
	unit := func(i int) rune { // the code unit of the \uXXXX at i, or -1
		if i+6 > len(raw) || raw[i] != '\\' || raw[i+1] != 'u' {
			return -1
		}
		v, err := strconv.ParseUint(raw[i+2:i+6], 16, 16)
		if err != nil {
			return -1
		}
		return rune(v)
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		u := unit(i)
		switch {
		case u < 0: // another escape: skip its character
			i++
		case !utf16.IsSurrogate(u):
			i += 5
		case u < 0xdc00 && utf16.DecodeRune(u, unit(i+6)) != utf8.RuneError:
			i += 11 // a pair
		default:
			return true
		}
	}
	return false
}

// number is a JSON number as PHP reads it, made a Lua number: an integer
// beyond int64 is a float; with JSON_BIGINT_AS_STRING an integer a Lua
// number cannot hold exactly (beyond ±2^53) stays its text.
func (d *decoder) number(s string) lua.LValue {
	if !strings.ContainsAny(s, ".eE") {
		i, err := strconv.ParseInt(s, 10, 64)
		exact := err == nil && i >= -maxExact && i <= maxExact
		if !exact && d.flags&jsonBigintAsString != 0 {
			return lua.LString(s)
		}
		if err == nil {
			return lua.LNumber(i) // "-0" is the integer 0
		}
	}
	f, _ := strconv.ParseFloat(s, 64) // too large is ±inf, as PHP's
	return lua.LNumber(f)
}

// syntaxError names the first error in d.src as PHP's parser does. The
// first bad byte is where the shortest failing prefix ends (encoding/json's
// offsets are not that precise); PHP calls it a UTF-8 error if it starts
// no valid UTF-8 character, a control character error if it is one, a
// state mismatch if it is "]" or "}" where the other bracket would have
// been fine. Input that merely ends too soon is a syntax error, or a
// control character error inside a string (PHP reads the end as a NUL).
func (d *decoder) syntaxError() error {
	s := d.src
	if ok, inString := scanJSON(s); ok {
		if inString {
			return jsonError(jsonErrCtrlChar)
		}
		return jsonError(jsonErrSyntax)
	}
	lo, hi := 0, len(s) // scanJSON(s[:lo]) holds, scanJSON(s[:hi]) does not
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if ok, _ := scanJSON(s[:mid]); ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	switch c := s[lo]; {
	case c >= utf8.RuneSelf:
		if r, size := utf8.DecodeRuneInString(s[lo:]); r == utf8.RuneError && size == 1 {
			return jsonError(jsonErrUTF8)
		}
	case c < 0x20:
		return jsonError(jsonErrCtrlChar)
	case c == ']' || c == '}':
		other := "]"
		if c == ']' {
			other = "}"
		}
		if ok, _ := scanJSON(s[:lo] + other); ok {
			return jsonError(jsonErrStateMismatch)
		}
	}
	return jsonError(jsonErrSyntax)
}

// scanJSON reports whether s has no syntax error as one JSON value, though
// it may end too soon; inString says it ends inside a string.
func scanJSON(s string) (ok, inString bool) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	depth, values := 0, 0
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			rest := strings.TrimLeft(s[start:], " \t\r\n,:")
			return true, strings.HasPrefix(rest, `"`)
		}
		if err != nil || (depth == 0 && values > 0) {
			return false, false
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
