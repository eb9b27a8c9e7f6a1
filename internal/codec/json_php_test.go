package codec

import (
	"encoding/hex"
	"fmt"
	"math"
	"math/rand"
	"sort"
	"strconv"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// A generated value for json_encode is written twice, as a Lua expression
// and as the PHP expression of the value PHP would see: nil, bool, float64
// and string are themselves; these types are the rest.
type (
	jsonNullValue    struct{} // json_null in Lua, null in PHP
	unsupportedValue struct{} // a function in Lua, a resource in PHP
	sequence         []any    // {a, b} in Lua, a PHP list
	object           []member // a table that is no sequence, keys in json_encode's order
	member           struct {
		key   any // float64 (an integer) or string
		value any
	}
)

// luaExpr writes v as a Lua expression.
func luaExpr(v any) string {
	switch x := v.(type) {
	case nil:
		return "nil"
	case bool:
		return strconv.FormatBool(x)
	case float64:
		switch {
		case math.IsNaN(x):
			return "(0/0)"
		case math.IsInf(x, 1):
			return "(1/0)"
		case math.IsInf(x, -1):
			return "(-1/0)"
		case x == 0 && math.Signbit(x):
			return "negzero" // a global: a -0 constant would share the slot of a 0
		}
		return "(" + strconv.FormatFloat(x, 'g', 17, 64) + ")"
	case string:
		var b strings.Builder
		b.WriteByte('"')
		for i := 0; i < len(x); i++ {
			fmt.Fprintf(&b, "\\%d", x[i])
		}
		b.WriteByte('"')
		return b.String()
	case jsonNullValue:
		return "json_null"
	case unsupportedValue:
		return "print"
	case sequence:
		items := make([]string, len(x))
		for i, item := range x {
			items[i] = luaExpr(item)
		}
		return "{" + strings.Join(items, ", ") + "}"
	case object:
		items := make([]string, len(x))
		for i, m := range x {
			items[i] = "[" + luaExpr(m.key) + "] = " + luaExpr(m.value)
		}
		return "{" + strings.Join(items, ", ") + "}"
	}
	panic(fmt.Sprintf("luaExpr(%T)", v))
}

// phpExpr writes v as a PHP expression. Numbers are PHP floats (what a Lua
// number is); a sequence is seq(...), which the script defines to give
// keys 1..n under JSON_FORCE_OBJECT (Lua's keys) and a list otherwise; an
// object is a cast array, so that keys like "0" stay strings.
func phpExpr(v any) string {
	switch x := v.(type) {
	case nil, jsonNullValue:
		return "null"
	case bool:
		return strconv.FormatBool(x)
	case float64:
		switch {
		case math.IsNaN(x):
			return "NAN"
		case math.IsInf(x, 1):
			return "INF"
		case math.IsInf(x, -1):
			return "-INF"
		}
		s := strconv.FormatFloat(x, 'g', 17, 64)
		if !strings.ContainsAny(s, ".e") {
			s += ".0"
		}
		return "(" + s + ")"
	case string:
		return `hex2bin("` + hex.EncodeToString([]byte(x)) + `")`
	case unsupportedValue:
		return "STDIN"
	case sequence:
		items := make([]string, len(x))
		for i, item := range x {
			items[i] = phpExpr(item)
		}
		return "seq(" + strings.Join(items, ", ") + ")"
	case object:
		items := make([]string, len(x))
		for i, m := range x {
			key := phpExpr(m.key)
			if f, ok := m.key.(float64); ok {
				key = strconv.FormatFloat(f, 'f', -1, 64)
			}
			items[i] = key + " => " + phpExpr(m.value)
		}
		return "(object)[" + strings.Join(items, ", ") + "]"
	}
	panic(fmt.Sprintf("phpExpr(%T)", v))
}

// genNumber draws the floats whose printing differs most: integers, random
// bit patterns, decimals of every magnitude, PHP's switch points between
// plain and exponent notation, and now and then NaN or an infinity.
func genNumber(r *rand.Rand) float64 {
	switch r.Intn(7) {
	case 0:
		return float64(r.Intn(2001) - 1000)
	case 1:
		for {
			if f := math.Float64frombits(r.Uint64()); !math.IsNaN(f) && !math.IsInf(f, 0) {
				return f
			}
		}
	case 2:
		return float64(r.Int63n(1000000)-500000) * math.Pow10(r.Intn(50)-25)
	case 3:
		specials := []float64{0, math.Copysign(0, -1), 0.1, 1e-4, 1e-5, 1.5e-7, 1e15, 1e16, 1e17, 1 << 53,
			1<<53 + 2, 1e25, 5e-324, math.MaxFloat64, math.SmallestNonzeroFloat64 * 3, 123456789012345678}
		return specials[r.Intn(len(specials))]
	case 4:
		if r.Intn(8) == 0 {
			return []float64{math.NaN(), math.Inf(1), math.Inf(-1)}[r.Intn(3)]
		}
		return r.NormFloat64()
	case 5:
		return float64(r.Int63() >> uint(r.Intn(63)))
	}
	return r.Float64() * math.Pow10(r.Intn(40)-20)
}

// genString mixes ASCII, the characters PHP escapes, control characters,
// valid UTF-8 of 2 to 4 bytes (U+2028 and U+FFFD among them) and, now and
// then, bytes that are no UTF-8.
func genString(r *rand.Rand) string {
	var b strings.Builder
	invalid := r.Intn(4) == 0
	for n := r.Intn(12); n > 0; n-- {
		switch k := r.Intn(20); {
		case k < 6:
			b.WriteByte(byte(' ' + r.Intn(95)))
		case k < 9:
			b.WriteByte(`"\/<>&'`[r.Intn(7)])
		case k < 11:
			b.WriteByte(byte(r.Intn(32)))
		case k < 13:
			b.WriteRune([]rune{'é', '€', '😀', '\u2028', '\u2029', '\ufffd', '\u007f', '\u0080', '\U0010ffff'}[r.Intn(9)])
		case k < 16:
			b.WriteRune(rune(0x80 + r.Intn(0x10ff80)))
		case invalid:
			b.WriteString([]string{"\xff", "\x80", "\xc3", "\xe2\x82", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf"}[r.Intn(7)])
		default:
			b.WriteByte(byte('a' + r.Intn(26)))
		}
	}
	return b.String()
}

// genValue draws a value nested at most depth tables deep.
func genValue(r *rand.Rand, depth int, top bool) any {
	k := r.Intn(20)
	if depth == 0 {
		k %= 12
	}
	switch {
	case k == 0 && top:
		return nil
	case k == 0:
		return jsonNullValue{}
	case k == 1:
		return r.Intn(2) == 0
	case k < 5:
		return genNumber(r)
	case k < 11:
		return genString(r)
	case k == 11:
		if r.Intn(10) == 0 {
			return unsupportedValue{}
		}
		return jsonNullValue{}
	case k < 16:
		seq := sequence{}
		for n := r.Intn(5); n > 0; n-- {
			seq = append(seq, genValue(r, depth-1, false))
		}
		return seq
	}
	return genObject(r, depth)
}

// genObject draws a table with keys that make it an object: strings, and
// integers that are not exactly 1..n.
func genObject(r *rand.Rand, depth int) object {
	nums, strs := map[float64]bool{}, map[string]bool{}
	for n := 1 + r.Intn(5); n > 0; n-- {
		if r.Intn(3) == 0 {
			nums[float64(r.Intn(12)-2)] = true
		} else if r.Intn(2) == 0 {
			strs[strconv.Itoa(10+r.Intn(12))] = true // numeric text stays a string key
		} else if k := genString(r); !strings.HasPrefix(k, "\x00") { // PHP's objects hide such keys
			strs[k] = true
		}
	}
	var numKeys []float64
	for k := range nums {
		numKeys = append(numKeys, k)
		delete(strs, strconv.FormatFloat(k, 'f', -1, 64)) // PHP would merge the two keys
	}
	sort.Float64s(numKeys)
	if len(strs) == 0 && isSequence(numKeys) {
		strs["x"] = true
	}
	var strKeys []string
	for k := range strs {
		strKeys = append(strKeys, k)
	}
	sort.Strings(strKeys)
	var obj object
	for _, k := range numKeys {
		obj = append(obj, member{k, genValue(r, depth-1, false)})
	}
	for _, k := range strKeys {
		obj = append(obj, member{k, genValue(r, depth-1, false)})
	}
	return obj
}

var encodeFlagSets = []int{
	0, jsonPrettyPrint, jsonUnescapedSlashes, jsonUnescapedUnicode,
	jsonUnescapedUnicode | jsonUnescapedLineTerms, jsonUnescapedLineTerms,
	jsonHexTag | jsonHexAmp | jsonHexApos | jsonHexQuot, jsonHexTag | jsonHexQuot | jsonUnescapedSlashes,
	jsonForceObject, jsonForceObject | jsonPrettyPrint,
	jsonInvalidUTF8Ignore, jsonInvalidUTF8Substitute, jsonInvalidUTF8Substitute | jsonUnescapedUnicode,
	jsonInvalidUTF8Ignore | jsonInvalidUTF8Substitute, jsonPrettyPrint | jsonUnescapedUnicode | jsonUnescapedSlashes,
}

const phpEncodePrelude = `
function seq(...$a) {
	global $F;
	return ($F & JSON_FORCE_OBJECT) && $a ? array_combine(range(1, count($a)), $a) : $a;
}
function out($i, $r) {
	echo $i, " ", $r === false ? "false " . json_last_error_msg() : "ok " . bin2hex($r), "\n";
}
`

// encodeCase is one json_encode call to compare.
type encodeCase struct {
	value        any
	flags, depth int
}

// fixedEncodeCases are the documented examples and edges; each is encoded
// under every flag set.
var fixedEncodeCases = []any{
	nil, true, false, 0.0, 1.0, -1.0, 0.1, 1e25, 1.5e-7, 1e20, 100000000000000000000.0, math.NaN(), math.Inf(1),
	"", "abc", "a/b", `q"b\`, "\x00\x01\x1f\x7f", "\b\f\n\r\t", "é€😀", "\u2028\u2029", `<>&'"`, "\xff", "a\xe2\x82b",
	sequence{}, sequence{1.0, 2.0, 3.0}, sequence{sequence{}, object{{"a", sequence{}}}},
	sequence{jsonNullValue{}, 1.0, object{{"a", jsonNullValue{}}}},
	object{{1.0, "a"}, {2.0, "b"}, {4.0, "d"}}, object{{0.0, "a"}, {1.0, "b"}},
	object{{1.0, 1.0}, {2.0, 2.0}, {"x", 3.0}}, object{{"0", "zero"}, {"1", "one"}},
	object{{"", 1.0}, {"B", 2.0}, {"a", sequence{1.0, sequence{2.0, sequence{3.0}}}}},
	object{{"k\xff", 1.0}}, sequence{unsupportedValue{}}, unsupportedValue{},
}

// TestJSONEncodeAgainstPHP compares json_encode's output, or its failure
// text, with PHP's: the fixed cases under every flag set, generated values
// (nested tables, numbers, strings) under a random one, and depth limits.
func TestJSONEncodeAgainstPHP(t *testing.T) {
	r, n := seeded(t, 2000)
	var cases []encodeCase
	for _, v := range fixedEncodeCases {
		for _, f := range encodeFlagSets {
			cases = append(cases, encodeCase{v, f, defaultJSONDepth})
		}
	}
	nested := sequence{sequence{sequence{1.0}}}
	for _, d := range []int{0, 1, 2, 3, 4} {
		cases = append(cases, encodeCase{nested, 0, d}, encodeCase{sequence{}, 0, d}, encodeCase{1.0, 0, d})
	}
	for i := 0; i < n; i++ {
		depth := defaultJSONDepth
		if r.Intn(10) == 0 {
			depth = r.Intn(4)
		}
		cases = append(cases, encodeCase{genValue(r, 4, true), encodeFlagSets[r.Intn(len(encodeFlagSets))], depth})
	}

	L := newState(t)
	L.SetGlobal("negzero", lua.LNumber(math.Copysign(0, -1)))
	var script, got strings.Builder
	script.WriteString(phpEncodePrelude)
	inputs := make([]string, len(cases))
	for i, c := range cases {
		expr := luaExpr(c.value)
		inputs[i] = fmt.Sprintf("json_encode(%s, %d, %d)", expr, c.flags, c.depth)
		fmt.Fprintf(&script, "$F = %d; out(%d, json_encode(%s, $F, %d));\n", c.flags, i, phpExpr(c.value), c.depth)
		fn, err := L.LoadString("return json_encode(" + expr + ", ...)")
		if err != nil {
			t.Fatalf("%s: %v", inputs[i], err)
		}
		res := callValue(t, L, fn, lua.LNumber(c.flags), lua.LNumber(c.depth))
		if s, ok := res[0].(lua.LString); ok {
			fmt.Fprintf(&got, "%d ok %s\n", i, hex.EncodeToString([]byte(s)))
		} else {
			fmt.Fprintf(&got, "%d false %s\n", i, res[1])
		}
	}
	compareLines(t, inputs, runPHP(t, script.String(), ""), got.String())
}

// genJSONText draws a JSON text: nested arrays and objects, numbers of
// every form (integers beyond int64, exponents, -0, 1e400), strings with
// every escape, surrogate pairs, raw UTF-8 and, now and then, a lone
// surrogate, a bad byte or a raw control character. bigints says whether
// 16 to 19 digit integers may appear (PHP keeps them as int64s, which
// JSON_BIGINT_AS_STRING separates from Lua's exact range).
func genJSONText(r *rand.Rand, depth int, bigints bool) string {
	ws := func() string {
		if r.Intn(4) == 0 {
			return []string{" ", "\n", "\t ", "\r\n"}[r.Intn(4)]
		}
		return ""
	}
	k := r.Intn(10)
	if depth == 0 {
		k %= 6
	}
	switch k {
	case 0:
		return []string{"null", "true", "false"}[r.Intn(3)]
	case 1, 2:
		return genJSONNumber(r, bigints)
	case 3, 4, 5:
		return genJSONString(r)
	case 6, 7:
		items := make([]string, r.Intn(5))
		for i := range items {
			items[i] = ws() + genJSONText(r, depth-1, bigints) + ws()
		}
		return "[" + strings.Join(items, ",") + "]"
	}
	items := make([]string, r.Intn(5))
	for i := range items {
		items[i] = ws() + genJSONString(r) + ws() + ":" + ws() + genJSONText(r, depth-1, bigints)
	}
	return "{" + strings.Join(items, ",") + "}"
}

func genJSONNumber(r *rand.Rand, bigints bool) string {
	digits := func(n int) string {
		b := []byte(strconv.Itoa(1 + r.Intn(9)))
		for len(b) < n {
			b = append(b, byte('0'+r.Intn(10)))
		}
		return string(b)
	}
	sign := ""
	if r.Intn(3) == 0 {
		sign = "-"
	}
	switch r.Intn(8) {
	case 0:
		return sign + strconv.Itoa(r.Intn(1000))
	case 1:
		if bigints {
			return sign + digits(16+r.Intn(4))
		}
		return sign + digits(1+r.Intn(15))
	case 2:
		return sign + digits(20+r.Intn(10))
	case 3:
		return sign + digits(1+r.Intn(5)) + "." + digits(1+r.Intn(20))
	case 4:
		return sign + digits(1+r.Intn(3)) + []string{"e", "E", "e+", "e-", "E-"}[r.Intn(5)] + strconv.Itoa(r.Intn(400))
	case 5:
		if bigints && r.Intn(4) == 0 {
			return sign + "9007199254740993"
		}
		return sign + []string{"0", "0.0", "1e400", "0.1", "1.0", "1e-400", "0e0"}[r.Intn(7)]
	}
	return sign + "0." + digits(1+r.Intn(25)) + "e" + strconv.Itoa(r.Intn(40)-20)
}

func genJSONString(r *rand.Rand) string {
	var b strings.Builder
	b.WriteByte('"')
	for n := r.Intn(8); n > 0; n-- {
		switch k := r.Intn(30); {
		case k < 10:
			const plain = "abcXYZ019 #'<>&/"
			b.WriteByte(plain[r.Intn(len(plain))])
		case k < 14:
			b.WriteString([]string{`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`}[r.Intn(8)])
		case k < 17:
			fmt.Fprintf(&b, `\u%04x`, []int{0, 0x1f, 0xe9, 0x20ac, 0x2028, 0xfffd, r.Intn(0xd800)}[r.Intn(7)])
		case k < 19:
			hi, lo := 0xd800+r.Intn(0x400), 0xdc00+r.Intn(0x400)
			fmt.Fprintf(&b, `\u%04x\u%04X`, hi, lo)
		case k < 23:
			b.WriteString([]string{"é", "€", "😀", "\u2028", "\ufffd", "\U0010ffff"}[r.Intn(6)])
		case k == 23:
			fmt.Fprintf(&b, `\u%04x`, 0xd800+r.Intn(0x800)) // lone surrogate
		case k == 24:
			b.WriteString([]string{"\xff", "\x80", "\xe2\x82", "\xed\xa0\x80", "\xc0\xaf", "\xf4\x90\x80\x80"}[r.Intn(6)])
		case k == 25:
			b.WriteByte(byte(r.Intn(32)))
		default:
			b.WriteByte(byte('a' + r.Intn(26)))
		}
	}
	b.WriteByte('"')
	return b.String()
}

// mutate breaks a JSON text the ways typing does: a byte deleted, doubled,
// replaced or inserted, or the text cut short.
func mutate(r *rand.Rand, s string) string {
	const pool = "[]{}:,\"\\ 0a-e.+\x01\xff\xc3tfn"
	for n := 1 + r.Intn(2); n > 0 && len(s) > 0; n-- {
		i := r.Intn(len(s))
		switch r.Intn(5) {
		case 0:
			s = s[:i] + s[i+1:]
		case 1:
			s = s[:i] + s[i:i+1] + s[i:]
		case 2:
			s = s[:i] + string(pool[r.Intn(len(pool))]) + s[i+1:]
		case 3:
			s = s[:i] + string(pool[r.Intn(len(pool))]) + s[i:]
		default:
			s = s[:i]
		}
	}
	return s
}

const phpDecode = `
function d($v) {
	if ($v === null) return "null";
	if (is_bool($v)) return $v ? "true" : "false";
	if (is_int($v) || is_float($v)) return "n:" . bin2hex(pack("E", (float)$v));
	if (is_string($v)) return "s:" . bin2hex($v);
	if (is_array($v)) return "[" . implode(",", array_map("d", $v)) . "]";
	$m = [];
	foreach ($v as $k => $x) $m[bin2hex((string)$k)] = bin2hex((string)$k) . "=" . d($x);
	if (!$m) return "[]";
	ksort($m, SORT_STRING);
	return "{" . implode(",", $m) . "}";
}
$i = 0;
while (($line = fgets(STDIN)) !== false) {
	[$s, $depth, $flags] = explode(" ", rtrim($line, "\n"));
	$s = hex2bin($s);
	$r = json_decode($s, true, (int)$depth, (int)$flags);
	if (json_last_error() != JSON_ERROR_NONE) {
		echo "$i error ", json_last_error_msg(), "\n";
	} elseif ($r === null) {
		echo "$i nil\n";
	} else {
		$o = json_decode($s, false, (int)$depth, (int)$flags);
		echo "$i ", json_last_error() == JSON_ERROR_NONE ? d($o) : "skip", "\n";
	}
	$i++;
}`

// dumpDecoded writes a decoded value as phpDecode's d() does, with empty
// tables as "[]" (an empty PHP object is one too) and json_null as null.
func dumpDecoded(v, null lua.LValue) string {
	switch x := v.(type) {
	case lua.LBool:
		return strconv.FormatBool(bool(x))
	case lua.LNumber:
		return fmt.Sprintf("n:%016x", math.Float64bits(float64(x)))
	case lua.LString:
		return "s:" + hex.EncodeToString([]byte(x))
	case *lua.LTable:
		n := x.Len()
		var keys []string
		members := map[string]string{}
		x.ForEach(func(k, v lua.LValue) {
			key := hex.EncodeToString([]byte(k.String()))
			keys = append(keys, key)
			members[key] = key + "=" + dumpDecoded(v, null)
		})
		if len(keys) == n { // 1..n: an array
			items := make([]string, n)
			for i := range items {
				items[i] = dumpDecoded(x.RawGetInt(i+1), null)
			}
			return "[" + strings.Join(items, ",") + "]"
		}
		sort.Strings(keys)
		items := make([]string, len(keys))
		for i, k := range keys {
			items[i] = members[k]
		}
		return "{" + strings.Join(items, ",") + "}"
	}
	if v == null {
		return "null"
	}
	return "?" + v.String()
}

var decodeFlagSets = []int{0, 0, jsonInvalidUTF8Ignore, jsonInvalidUTF8Substitute, jsonBigintAsString, jsonObjectAsArray}

// TestJSONDecodeAgainstPHP compares json_decode's result (a dump of the
// tables) or its failure text with PHP's, on generated JSON texts, half
// of them broken, under random flags and depths.
func TestJSONDecodeAgainstPHP(t *testing.T) {
	r, n := seeded(t, 3000)
	L := newState(t)
	null := L.GetGlobal("json_null")
	var input, got strings.Builder
	inputs := make([]string, n)
	for i := 0; i < n; i++ {
		flags := decodeFlagSets[r.Intn(len(decodeFlagSets))]
		bigString := flags&jsonBigintAsString != 0
		s := genJSONText(r, 4, !bigString)
		if !bigString && r.Intn(2) == 0 { // a broken text could join digits into a 16-digit integer
			s = mutate(r, s)
		}
		depth := defaultJSONDepth
		if r.Intn(8) == 0 {
			depth = 1 + r.Intn(5)
		}
		inputs[i] = fmt.Sprintf("json_decode(%q, true, %d, %d)", s, depth, flags)
		fmt.Fprintf(&input, "%s %d %d\n", hex.EncodeToString([]byte(s)), depth, flags)
		res := call(t, L, "json_decode", lua.LString(s), lua.LTrue, lua.LNumber(depth), lua.LNumber(flags))
		switch {
		case len(res) == 3:
			fmt.Fprintf(&got, "%d error %s\n", i, res[1])
		case res[0] == lua.LNil:
			fmt.Fprintf(&got, "%d nil\n", i)
		default:
			fmt.Fprintf(&got, "%d %s\n", i, dumpDecoded(res[0], null))
		}
	}
	want := runPHP(t, phpDecode, input.String())
	// PHP's objects refuse some keys its arrays take; those cases are skipped
	wl, gl := strings.Split(want, "\n"), strings.Split(got.String(), "\n")
	for i := range wl {
		if strings.HasSuffix(wl[i], " skip") && i < len(gl) {
			wl[i] = gl[i]
		}
	}
	compareLines(t, inputs, strings.Join(wl, "\n"), got.String())
}
