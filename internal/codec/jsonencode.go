package codec

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/luasock/luasock/internal/lang/luaarg"
	lua "github.com/yuin/gopher-lua"
)

// PHP's JSON_* flags that json_encode and json_decode honour, with PHP's
// values (JSON_OBJECT_AS_ARRAY is accepted and changes nothing: objects are
// tables either way).
const (
	jsonHexTag                = 1
	jsonHexAmp                = 2
	jsonHexApos               = 4
	jsonHexQuot               = 8
	jsonForceObject           = 16
	jsonUnescapedSlashes      = 64
	jsonPrettyPrint           = 128
	jsonUnescapedUnicode      = 256
	jsonUnescapedLineTerms    = 2048
	jsonObjectAsArray         = 1
	jsonBigintAsString        = 2
	jsonInvalidUTF8Ignore     = 1048576
	jsonInvalidUTF8Substitute = 2097152
)

const (
	defaultJSONDepth = 512
	goMaxNesting     = 10000  // encoding/json refuses deeper input
	jsonIndent       = "    " // PHP's JSON_PRETTY_PRINT
)

// PHP's json_last_error_msg() texts.
const (
	jsonErrDepth         = "Maximum stack depth exceeded"
	jsonErrUTF8          = "Malformed UTF-8 characters, possibly incorrectly encoded"
	jsonErrInfNaN        = "Inf and NaN cannot be JSON encoded"
	jsonErrRecursion     = "Recursion detected"
	jsonErrUnsupported   = "Type is not supported"
	jsonErrSyntax        = "Syntax error"
	jsonErrCtrlChar      = "Control character error, possibly incorrectly encoded"
	jsonErrStateMismatch = "State mismatch (invalid or malformed JSON)"
	jsonErrLoneSurrogate = "Single unpaired UTF-16 surrogate in unicode escape"
)

var jsonFlags = map[string]int{
	"JSON_HEX_TAG":                    jsonHexTag,
	"JSON_HEX_AMP":                    jsonHexAmp,
	"JSON_HEX_APOS":                   jsonHexApos,
	"JSON_HEX_QUOT":                   jsonHexQuot,
	"JSON_FORCE_OBJECT":               jsonForceObject,
	"JSON_UNESCAPED_SLASHES":          jsonUnescapedSlashes,
	"JSON_PRETTY_PRINT":               jsonPrettyPrint,
	"JSON_UNESCAPED_UNICODE":          jsonUnescapedUnicode,
	"JSON_UNESCAPED_LINE_TERMINATORS": jsonUnescapedLineTerms,
	"JSON_OBJECT_AS_ARRAY":            jsonObjectAsArray,
	"JSON_BIGINT_AS_STRING":           jsonBigintAsString,
	"JSON_INVALID_UTF8_IGNORE":        jsonInvalidUTF8Ignore,
	"JSON_INVALID_UTF8_SUBSTITUTE":    jsonInvalidUTF8Substitute,
}

// jsonError is a failure with PHP's json_last_error_msg() text.
type jsonError string

func (e jsonError) Error() string { return string(e) }

// luaJSONEncode is `json_encode(value [, flags [, depth]])` → string |
// `nil, errstr, 0`, PHP's json_encode: errstr is what PHP's
// json_last_error_msg() says (NaN or inf, invalid UTF-8, a table nested
// deeper than depth (512), a table inside itself, a function or other
// value JSON has no form for). A table is an array when its keys are
// exactly 1..n (the empty table too), else an object; json_null is null.
// A missing value or a non-number flags or depth raises.
func (lib *library) luaJSONEncode(L *lua.LState) int {
	if L.GetTop() < 1 {
		luaarg.Error(L, 1, "json_encode", "value expected")
	}
	e := &encoder{
		flags:    luaarg.OptInt(L, 2, "json_encode", 0),
		maxDepth: luaarg.OptInt(L, 3, "json_encode", defaultJSONDepth),
		null:     lib.null,
		open:     map[*lua.LTable]bool{},
	}
	err := e.value(L.Get(1), 0)
	if err == nil {
		err = e.later
	}
	if err != nil {
		return pushFailure(L, err.Error())
	}
	out := e.buf.Bytes()
	if e.flags&jsonPrettyPrint != 0 {
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, out, "", jsonIndent); err != nil {
			panic(err) // cannot happen: the encoder writes valid JSON
		}
		out = pretty.Bytes()
	}
	L.Push(lua.LString(out))
	return 1
}

// encoder writes one value as compact JSON; pretty printing is
// encoding/json's Indent over the result.
type encoder struct {
	buf      bytes.Buffer
	flags    int
	maxDepth int
	null     *lua.LUserData
	open     map[*lua.LTable]bool // the tables being written, to catch a cycle

	// later is the last failure that, in PHP, does not stop the encoder (a
	// NaN or infinity, a key that is not UTF-8): the call fails with it
	// unless a failure that stops the encoder comes after it.
	later error
}

// value writes v, inside depth open tables.
func (e *encoder) value(v lua.LValue, depth int) error {
	switch x := v.(type) {
	case *lua.LNilType:
		e.buf.WriteString("null")
	case lua.LBool:
		e.buf.WriteString(strconv.FormatBool(bool(x)))
	case lua.LNumber:
		return e.number(float64(x))
	case lua.LString:
		return e.string(string(x))
	case *lua.LTable:
		return e.table(x, depth+1)
	default:
		if v == e.null {
			e.buf.WriteString("null")
			return nil
		}
		return jsonError(jsonErrUnsupported)
	}
	return nil
}

// number writes f as PHP writes a float with serialize_precision -1. NaN
// and the infinities fail the call, but not at once (see encoder.later).
func (e *encoder) number(f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		e.later = jsonError(jsonErrInfNaN)
		e.buf.WriteByte('0')
		return nil
	}
	e.buf.WriteString(phpFloat(f))
	return nil
}

// phpFloat is PHP's text for a float at serialize_precision -1 (php_gcvt
// with the shortest round-trip digits, which strconv finds): plain
// notation for decimal exponents -4 .. 16 ("0.0001", "1.5",
// "10000000000000000"), else "1.0e+25", "1.5e-7".
func phpFloat(f float64) string {
	sign := ""
	if math.Signbit(f) {
		sign, f = "-", -f
	}
	mant, exp, _ := strings.Cut(strconv.FormatFloat(f, 'e', -1, 64), "e")
	digits := strings.Replace(mant, ".", "", 1)
	e, _ := strconv.Atoi(exp)
	point := e + 1 // digits before the decimal point
	switch {
	case point < -3 || point > 17:
		frac := digits[1:]
		if frac == "" {
			frac = "0"
		}
		esign := "+"
		if e < 0 {
			esign, e = "-", -e
		}
		return sign + digits[:1] + "." + frac + "e" + esign + strconv.Itoa(e)
	case point <= 0:
		return sign + "0." + strings.Repeat("0", -point) + digits
	case point >= len(digits):
		return sign + digits + strings.Repeat("0", point-len(digits))
	default:
		return sign + digits[:point] + "." + digits[point:]
	}
}

// table writes t as an array when its keys are exactly 1..n (or it is
// empty) and JSON_FORCE_OBJECT is unset; else as an object whose number
// keys come first, ascending, then the string keys in byte order. As
// PHP's, the depth is checked once the contents are written, so that their
// errors come first.
func (e *encoder) table(t *lua.LTable, depth int) error {
	if e.open[t] {
		return jsonError(jsonErrRecursion)
	}
	e.open[t] = true
	defer delete(e.open, t)

	var nums []float64
	var strs []string
	unsupported := false
	t.ForEach(func(k, _ lua.LValue) {
		switch key := k.(type) {
		case lua.LNumber:
			nums = append(nums, float64(key))
		case lua.LString:
			strs = append(strs, string(key))
		default:
			unsupported = true
		}
	})
	if unsupported {
		return jsonError(jsonErrUnsupported)
	}
	sort.Float64s(nums)
	sort.Strings(strs)
	var err error
	if e.flags&jsonForceObject == 0 && len(strs) == 0 && isSequence(nums) {
		err = e.array(t, len(nums), depth)
	} else {
		err = e.object(t, nums, strs, depth)
	}
	if err == nil && depth > e.maxDepth {
		err = jsonError(jsonErrDepth)
	}
	return err
}

// array writes t[1] .. t[n].
func (e *encoder) array(t *lua.LTable, n, depth int) error {
	e.buf.WriteByte('[')
	for i := 1; i <= n; i++ {
		if i > 1 {
			e.buf.WriteByte(',')
		}
		if err := e.value(t.RawGetInt(i), depth); err != nil {
			return err
		}
	}
	e.buf.WriteByte(']')
	return nil
}

// object writes t's members, number keys as json_encode writes numbers. A
// key that is not UTF-8, or an infinite one, fails the call but not at
// once (see encoder.later).
func (e *encoder) object(t *lua.LTable, nums []float64, strs []string, depth int) error {
	e.buf.WriteByte('{')
	first := true
	member := func(key string, v lua.LValue) error {
		if !first {
			e.buf.WriteByte(',')
		}
		first = false
		if err := e.string(key); err != nil {
			e.later = err
		}
		e.buf.WriteByte(':')
		return e.value(v, depth)
	}
	for _, k := range nums {
		key := "INF"
		if math.IsInf(k, 0) {
			e.later = jsonError(jsonErrInfNaN)
		} else {
			key = phpFloat(k)
		}
		if err := member(key, t.RawGet(lua.LNumber(k))); err != nil {
			return err
		}
	}
	for _, k := range strs {
		if err := member(k, t.RawGetString(k)); err != nil {
			return err
		}
	}
	e.buf.WriteByte('}')
	return nil
}

// isSequence reports whether sorted holds exactly 1, 2, ..., n.
func isSequence(sorted []float64) bool {
	for i, k := range sorted {
		if k != float64(i+1) {
			return false
		}
	}
	return true
}

// string writes s as a JSON string with PHP's escapes: "\/" unless
// JSON_UNESCAPED_SLASHES, non-ASCII as \uXXXX (UTF-16 pairs beyond the
// BMP) unless JSON_UNESCAPED_UNICODE, U+2028 and U+2029 escaped unless
// JSON_UNESCAPED_LINE_TERMINATORS too, the JSON_HEX_* characters as
// PHP's upper-case \u003C etc. Invalid UTF-8 fails unless
// JSON_INVALID_UTF8_IGNORE drops it or JSON_INVALID_UTF8_SUBSTITUTE writes
// U+FFFD for each bad sequence (as badSequenceLen counts them).
func (e *encoder) string(s string) error {
	b := &e.buf
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == '"' && e.flags&jsonHexQuot != 0:
				b.WriteString(`\u0022`)
			case c == '"':
				b.WriteString(`\"`)
			case c == '\\':
				b.WriteString(`\\`)
			case c == '/' && e.flags&jsonUnescapedSlashes == 0:
				b.WriteString(`\/`)
			case c == '\b':
				b.WriteString(`\b`)
			case c == '\f':
				b.WriteString(`\f`)
			case c == '\n':
				b.WriteString(`\n`)
			case c == '\r':
				b.WriteString(`\r`)
			case c == '\t':
				b.WriteString(`\t`)
			case c < 0x20:
				writeUTF16Escape(b, rune(c))
			case c == '<' && e.flags&jsonHexTag != 0:
				b.WriteString(`\u003C`)
			case c == '>' && e.flags&jsonHexTag != 0:
				b.WriteString(`\u003E`)
			case c == '&' && e.flags&jsonHexAmp != 0:
				b.WriteString(`\u0026`)
			case c == '\'' && e.flags&jsonHexApos != 0:
				b.WriteString(`\u0027`)
			default:
				b.WriteByte(c)
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		bad := r == utf8.RuneError && size == 1
		if bad {
			size = badSequenceLen(s[i:])
		}
		i += size
		if bad {
			switch {
			case e.flags&jsonInvalidUTF8Ignore != 0:
				continue
			case e.flags&jsonInvalidUTF8Substitute == 0:
				return jsonError(jsonErrUTF8)
			}
		}
		raw := e.flags&jsonUnescapedUnicode != 0
		if r == '\u2028' || r == '\u2029' { // JavaScript's line terminators
			raw = raw && e.flags&jsonUnescapedLineTerms != 0
		}
		if raw {
			b.WriteRune(r)
		} else {
			writeUTF16Escape(b, r)
		}
	}
	b.WriteByte('"')
	return nil
}

// badSequenceLen is how many bytes at the start of s, which begins with no
// valid UTF-8 character, PHP's encoder replaces by one U+FFFD (UTR #36's
// second strategy, which Go's per-byte decoding does not follow): a lead
// byte with the bytes after it that cannot start a character, up to the
// length the lead byte announces.
func badSequenceLen(s string) int {
	want := 1
	switch c := s[0]; {
	case c >= 0xc2 && c < 0xe0:
		want = 2
	case c >= 0xe0 && c < 0xf0:
		want = 3
	case c >= 0xf0 && c < 0xf5:
		want = 4
	}
	n := 1
	for n < want && n < len(s) && !startsChar(s[n]) {
		n++
	}
	return n
}

// startsChar reports whether b can begin a UTF-8 character.
func startsChar(b byte) bool { return b < 0x80 || b >= 0xc2 && b < 0xf5 }

// writeUTF16Escape writes r as \uXXXX in lower-case hex, a surrogate pair
// beyond the BMP.
func writeUTF16Escape(b *bytes.Buffer, r rune) {
	const hexDigits = "0123456789abcdef"
	for _, u := range utf16.AppendRune(nil, r) {
		b.WriteString(`\u`)
		b.WriteByte(hexDigits[u>>12&0xf])
		b.WriteByte(hexDigits[u>>8&0xf])
		b.WriteByte(hexDigits[u>>4&0xf])
		b.WriteByte(hexDigits[u&0xf])
	}
}
