package codec

import (
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/luasock/luasock/internal/lang/luaarg"
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

// string checks a string that encoding/json decoded with U+FFFD in it
// (where it replaces invalid UTF-8 and lone surrogates) as PHP would:
// stringError finds PHP's failures; without them, Go's per-byte U+FFFD is
// PHP's JSON_INVALID_UTF8_SUBSTITUTE, and JSON_INVALID_UTF8_IGNORE decodes
// the literal again without its bad bytes.
func (d *decoder) string(s string) (lua.LValue, error) {
	if !strings.ContainsRune(s, utf8.RuneError) {
		return lua.LString(s), nil
	}
	raw := strings.TrimLeft(d.src[d.start:d.dec.InputOffset()], " \t\r\n,:")
	if err := stringError(raw, d.flags); err != nil {
		return nil, err
	}
	if d.flags&jsonInvalidUTF8Ignore != 0 && !utf8.ValidString(raw) {
		if err := json.Unmarshal([]byte(strings.ToValidUTF8(raw, "")), &s); err != nil {
			return nil, jsonError(jsonErrSyntax) // cannot happen: only bytes >= 0x80 went
		}
	}
	return lua.LString(s), nil
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
