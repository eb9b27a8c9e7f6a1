package codec

import (
	"math"
	"strconv"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// newState is a bare gopher-lua state with the library opened.
func newState(t *testing.T) *lua.LState {
	t.Helper()
	L := lua.NewState()
	t.Cleanup(L.Close)
	Open(L)
	return L
}

// eval runs `return <expr>` and shows its results as "v1, v2, ...", or the
// error it raised as "error: msg".
func eval(L *lua.LState, expr string) string {
	fn, err := L.LoadString("return " + expr)
	if err != nil {
		return "compile: " + err.Error()
	}
	top := L.GetTop()
	L.Push(fn)
	if err := L.PCall(0, lua.MultRet, nil); err != nil {
		msg := err.Error()
		if apiErr, ok := err.(*lua.ApiError); ok {
			msg = apiErr.Object.String()
		}
		return "error: " + strings.TrimPrefix(msg, "<string>:1: ")
	}
	var shown []string
	for i := top + 1; i <= L.GetTop(); i++ {
		shown = append(shown, show(L.Get(i)))
	}
	L.SetTop(top)
	return strings.Join(shown, ", ")
}

// show writes a value as a test expects it: strings quoted, numbers exact.
func show(v lua.LValue) string {
	switch x := v.(type) {
	case lua.LString:
		return strconv.Quote(string(x))
	case lua.LNumber:
		if f := float64(x); f == math.Trunc(f) && math.Abs(f) < 1e18 {
			return strconv.FormatFloat(f, 'f', -1, 64)
		}
		return strconv.FormatFloat(float64(x), 'g', -1, 64)
	}
	return v.String()
}

func TestOpenSetsGlobalsAndRequire(t *testing.T) {
	L := newState(t)
	err := L.DoString(`
		local codec = require("codec")
		assert(codec == package.loaded.codec, "require")
		for _, name in ipairs({"base64_encode", "base64_decode", "bin2hex", "hex2bin", "md5", "sha1",
				"crc32", "hash", "hash_algos", "hash_hmac", "hash_hmac_algos", "hash_equals",
				"random_bytes", "random_int", "json_encode", "json_decode", "json_null",
				"JSON_PRETTY_PRINT", "JSON_INVALID_UTF8_SUBSTITUTE"}) do
			assert(_G[name] ~= nil and codec[name] == _G[name], name)
		end
		assert(type(codec.base64url_encode) == "function" and base64url_encode == nil, "base64url_encode is codec's only")
		assert(type(codec.base64url_decode) == "function" and base64url_decode == nil, "base64url_decode is codec's only")
		assert(type(json_null) == "userdata" and tostring(json_null) == "json_null", "json_null")
		assert(getmetatable(json_null) == false, "json_null's metatable is protected")`)
	if err != nil {
		t.Fatal(err)
	}
}

func TestJSONFlagValuesArePHPs(t *testing.T) {
	// php -r 'foreach (get_defined_constants(true)["json"] as $k => $v) echo "$k=$v\n";'
	php := map[string]int{
		"JSON_HEX_TAG": 1, "JSON_HEX_AMP": 2, "JSON_HEX_APOS": 4, "JSON_HEX_QUOT": 8,
		"JSON_FORCE_OBJECT": 16, "JSON_UNESCAPED_SLASHES": 64, "JSON_PRETTY_PRINT": 128,
		"JSON_UNESCAPED_UNICODE": 256, "JSON_UNESCAPED_LINE_TERMINATORS": 2048,
		"JSON_OBJECT_AS_ARRAY": 1, "JSON_BIGINT_AS_STRING": 2,
		"JSON_INVALID_UTF8_IGNORE": 1048576, "JSON_INVALID_UTF8_SUBSTITUTE": 2097152,
	}
	if len(jsonFlags) != len(php) {
		t.Errorf("%d flags, want %d", len(jsonFlags), len(php))
	}
	for name, v := range php {
		if jsonFlags[name] != v {
			t.Errorf("%s = %d, want %d", name, jsonFlags[name], v)
		}
	}
}

// evalCase is a Lua expression and what eval shows for it.
type evalCase struct{ expr, want string }

func runCases(t *testing.T, cases []evalCase) {
	t.Helper()
	L := newState(t)
	for _, c := range cases {
		if got := eval(L, c.expr); got != c.want {
			t.Errorf("%s\n got: %s\nwant: %s", c.expr, got, c.want)
		}
	}
}

func TestBase64AndHex(t *testing.T) {
	runCases(t, []evalCase{
		{`base64_encode("")`, `""`},
		{`base64_encode("hello")`, `"aGVsbG8="`},
		{`base64_encode(12)`, `"MTI="`},
		{`base64_encode("\249\255\254")`, `"+f/+"`},
		{`base64_decode("aGVsbG8=")`, `"hello"`},
		{`base64_decode("aGVs bG8")`, `"hello"`},
		{`base64_decode("aGVs*bG8=")`, `"hello"`},
		{`base64_decode("aGVs*bG8=", true)`, `nil, "Invalid base64 data", 0`},
		{`base64_decode("aGVs\n\tbG8=", true)`, `"hello"`},
		{`base64_decode("aGVsbG8=x", true)`, `nil, "Invalid base64 data", 0`},
		{`base64_decode("aGVsbG8===", true)`, `nil, "Invalid base64 data", 0`},
		{`base64_decode("Q", true)`, `nil, "Invalid base64 data", 0`},
		{`base64_decode("Q")`, `""`},
		{`base64_decode("QR==", 1)`, `"A"`},
		{`base64_decode("+f/+")`, `"\xf9\xff\xfe"`},
		{`base64_decode("-f_-", true)`, `nil, "Invalid base64 data", 0`},
		{`base64_decode("")`, `""`},
		{`base64_decode("QQ", nil)`, `"A"`},
		{`require("codec").base64url_encode("\249\255\254\1")`, `"-f_-AQ"`},
		{`require("codec").base64url_encode("\249\255\254\1", true)`, `"-f_-AQ=="`},
		{`require("codec").base64url_decode("-f_-AQ")`, `"\xf9\xff\xfe\x01"`},
		{`require("codec").base64url_decode("-f_-AQ==", true)`, `"\xf9\xff\xfe\x01"`},
		{`require("codec").base64url_decode("+f/+", true)`, `nil, "Invalid base64 data", 0`},
		{`bin2hex("\0\1\123\255")`, `"00017bff"`},
		{`bin2hex("")`, `""`},
		{`hex2bin("00017BfF")`, `"\x00\x01{\xff"`},
		{`hex2bin("")`, `""`},
		{`hex2bin("abc")`, `nil, "Hexadecimal input string must have an even length", 0`},
		{`hex2bin("zz")`, `nil, "Input string must be hexadecimal string", 0`},
		// bad arguments
		{`base64_encode()`, `error: bad argument #1 to 'base64_encode' (string expected, got no value)`},
		{`base64_encode({})`, `error: bad argument #1 to 'base64_encode' (string expected, got table)`},
		{`base64_decode(nil)`, `error: bad argument #1 to 'base64_decode' (string expected, got nil)`},
		{`base64_decode("QQ", "yes")`, `error: bad argument #2 to 'base64_decode' (boolean expected, got string)`},
		{`require("codec").base64url_encode(true)`, `error: bad argument #1 to 'base64url_encode' (string expected, got boolean)`},
		{`require("codec").base64url_encode("", {})`, `error: bad argument #2 to 'base64url_encode' (boolean expected, got table)`},
		{`require("codec").base64url_decode()`, `error: bad argument #1 to 'base64url_decode' (string expected, got no value)`},
		{`require("codec").base64url_decode("", "x")`, `error: bad argument #2 to 'base64url_decode' (boolean expected, got string)`},
		{`bin2hex()`, `error: bad argument #1 to 'bin2hex' (string expected, got no value)`},
		{`hex2bin(print)`, `error: bad argument #1 to 'hex2bin' (string expected, got function)`},
	})
}

func TestDigests(t *testing.T) {
	runCases(t, []evalCase{
		{`md5("")`, `"d41d8cd98f00b204e9800998ecf8427e"`},
		{`#md5("", true)`, `16`},
		{`bin2hex(md5("abc", true)) == md5("abc")`, `true`},
		{`sha1("abc")`, `"a9993e364706816aba3e25717850c26c9cd0d89d"`},
		{`#sha1("abc", true)`, `20`},
		{`crc32("The quick brown fox jumped over the lazy dog.")`, `2191738434`},
		{`crc32("")`, `0`},
		{`hash("crc32b", "The quick brown fox jumped over the lazy dog.")`, `"82a34642"`},
		{`hash("SHA256", "abc")`, `"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"`},
		{`#hash("sha512", "abc", true)`, `64`},
		{`hash("crc32", "The quick brown fox jumped over the lazy dog.")`, `"413a86af"`},
		{`table.concat(hash_algos(), " ")`, `"md5 sha1 sha224 sha256 sha384 sha512/224 sha512/256 sha512 sha3-224 sha3-256 sha3-384 sha3-512 adler32 crc32 crc32b crc32c fnv132 fnv1a32 fnv164 fnv1a64"`},
		{`table.concat(hash_hmac_algos(), " ")`, `"md5 sha1 sha224 sha256 sha384 sha512/224 sha512/256 sha512 sha3-224 sha3-256 sha3-384 sha3-512"`},
		// RFC 4231, test case 2
		{`hash_hmac("sha256", "what do ya want for nothing?", "Jefe")`, `"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"`},
		{`#hash_hmac("sha1", "", "", true)`, `20`},
		{`hash_equals("abc", "abc"), hash_equals("abc", "abd"), hash_equals("abc", "ab")`, `true, false, false`},
		// bad arguments
		{`md5()`, `error: bad argument #1 to 'md5' (string expected, got no value)`},
		{`md5("", "x")`, `error: bad argument #2 to 'md5' (boolean expected, got string)`},
		{`sha1({})`, `error: bad argument #1 to 'sha1' (string expected, got table)`},
		{`sha1("", {})`, `error: bad argument #2 to 'sha1' (boolean expected, got table)`},
		{`crc32(nil)`, `error: bad argument #1 to 'crc32' (string expected, got nil)`},
		{`hash("nope", "abc")`, `error: bad argument #1 to 'hash' (must be a valid hashing algorithm)`},
		{`hash("md4", "abc")`, `error: bad argument #1 to 'hash' (must be a valid hashing algorithm)`},
		{`hash()`, `error: bad argument #1 to 'hash' (string expected, got no value)`},
		{`hash("md5")`, `error: bad argument #2 to 'hash' (string expected, got no value)`},
		{`hash("md5", "", "x")`, `error: bad argument #3 to 'hash' (boolean expected, got string)`},
		{`hash_hmac("crc32b", "a", "k")`, `error: bad argument #1 to 'hash_hmac' (must be a valid cryptographic hashing algorithm)`},
		{`hash_hmac("nope", "a", "k")`, `error: bad argument #1 to 'hash_hmac' (must be a valid cryptographic hashing algorithm)`},
		{`hash_hmac({}, "a", "k")`, `error: bad argument #1 to 'hash_hmac' (string expected, got table)`},
		{`hash_hmac("md5", nil, "k")`, `error: bad argument #2 to 'hash_hmac' (string expected, got nil)`},
		{`hash_hmac("md5", "a")`, `error: bad argument #3 to 'hash_hmac' (string expected, got no value)`},
		{`hash_hmac("md5", "a", "k", "x")`, `error: bad argument #4 to 'hash_hmac' (boolean expected, got string)`},
		{`hash_equals("a")`, `error: bad argument #2 to 'hash_equals' (string expected, got no value)`},
		{`hash_equals(nil, "a")`, `error: bad argument #1 to 'hash_equals' (string expected, got nil)`},
	})
}

func TestRandomArguments(t *testing.T) {
	runCases(t, []evalCase{
		{`#random_bytes(1), #random_bytes(1000)`, `1, 1000`},
		{`random_int(7, 7), random_int(-3, -3)`, `7, -3`},
		{`random_int(2^53, 2^53), random_int(-2^53, -2^53)`, `9007199254740992, -9007199254740992`},
		{`random_int("5", 5)`, `5`},
		{`random_bytes(0)`, `error: bad argument #1 to 'random_bytes' (must be greater than 0)`},
		{`random_bytes(-1)`, `error: bad argument #1 to 'random_bytes' (must be greater than 0)`},
		{`random_bytes()`, `error: bad argument #1 to 'random_bytes' (number expected, got no value)`},
		{`random_bytes("x")`, `error: bad argument #1 to 'random_bytes' (number expected, got string)`},
		{`random_int(2, 1)`, `error: bad argument #1 to 'random_int' (must be less than or equal to argument #2 ($max))`},
		{`random_int(1)`, `error: bad argument #2 to 'random_int' (number expected, got no value)`},
		{`random_int()`, `error: bad argument #1 to 'random_int' (number expected, got no value)`},
		{`random_int({}, 1)`, `error: bad argument #1 to 'random_int' (number expected, got table)`},
		{`random_int(1.5, 2)`, `error: bad argument #1 to 'random_int' (number has no integer representation)`},
		{`random_int(1, 2.5)`, `error: bad argument #2 to 'random_int' (number has no integer representation)`},
		{`random_int(0, 2^53 + 2)`, `error: bad argument #2 to 'random_int' (must be between -2^53 and 2^53)`},
		{`random_int(-2^53 - 2, 0)`, `error: bad argument #1 to 'random_int' (must be between -2^53 and 2^53)`},
		{`random_int(0, 1/0)`, `error: bad argument #2 to 'random_int' (number has no integer representation)`},
	})
}

// TestRandomDraws checks ranges and that small ranges are covered: each
// value of random_int(0, 1) and of random_int(-2, 2) over 10,000 draws has
// odds below 2^-3000 of never showing, so the check cannot flake.
func TestRandomDraws(t *testing.T) {
	L := newState(t)
	err := L.DoString(`
		local seen = {}
		for _ = 1, 10000 do
			local v = random_int(0, 1)
			assert(v == 0 or v == 1, v)
			seen[v] = (seen[v] or 0) + 1
		end
		assert(seen[0] and seen[1], "random_int(0, 1) gave only one value")
		local small = {}
		for _ = 1, 10000 do
			local v = random_int(-2, 2)
			assert(v >= -2 and v <= 2 and v == math.floor(v), v)
			small[v] = true
		end
		for v = -2, 2 do assert(small[v], "random_int(-2, 2) never gave " .. v) end
		for _ = 1, 1000 do
			local v = random_int(-2^53, 2^53)
			assert(v >= -2^53 and v <= 2^53 and v == math.floor(v), v)
		end
		local bytes = {}
		for _ = 1, 100 do
			local s = random_bytes(100)
			assert(#s == 100)
			for i = 1, #s do bytes[s:byte(i)] = true end
		end
		local n = 0
		for _ in pairs(bytes) do n = n + 1 end
		-- 10,000 uniform bytes miss a given value with odds (255/256)^10000 < 2^-56
		assert(n == 256, n .. " of 256 byte values in 10,000 random bytes")
		assert(random_bytes(32) ~= random_bytes(32), "two draws of 32 bytes are equal")`)
	if err != nil {
		t.Fatal(err)
	}
}

func TestPHPFloat(t *testing.T) {
	// php -r 'foreach ([...] as $f) echo json_encode($f), "\n";'
	for f, want := range map[float64]string{
		0: "0", 1: "1", -1: "-1", 0.1: "0.1", 1e25: "1.0e+25", 1.5e-7: "1.5e-7",
		1e20: "1.0e+20", 1e15: "1000000000000000", 1 << 53: "9007199254740992",
		1e16: "10000000000000000", 1e17: "1.0e+17", 0.0001: "0.0001", 0.00001: "1.0e-5",
		-1.5e300: "-1.5e+300", 5e-324: "5.0e-324", 123.456: "123.456", 1.0 / 3: "0.3333333333333333",
		math.Copysign(0, -1): "-0", 1.7976931348623157e308: "1.7976931348623157e+308",
	} {
		if got := phpFloat(f); got != want {
			t.Errorf("phpFloat(%v) = %s, want %s", f, got, want)
		}
	}
}

func TestJSONEncode(t *testing.T) {
	runCases(t, []evalCase{
		{`json_encode(nil)`, `"null"`},
		{`json_encode(true), json_encode(false)`, `"true", "false"`},
		{`json_encode({})`, `"[]"`},
		{`json_encode({}, JSON_FORCE_OBJECT)`, `"{}"`},
		{`json_encode({1, 2, 3})`, `"[1,2,3]"`},
		{`json_encode({1, 2, 3}, JSON_FORCE_OBJECT)`, `"{\"1\":1,\"2\":2,\"3\":3}"`},
		{`json_encode({[1] = 1, [2] = 2, [4] = 4})`, `"{\"1\":1,\"2\":2,\"4\":4}"`},
		{`json_encode({[0] = "a", [1] = "b"})`, `"{\"0\":\"a\",\"1\":\"b\"}"`},
		{`json_encode({[1.5] = true, [-1] = true, [10] = true, [2] = true})`, `"{\"-1\":true,\"1.5\":true,\"2\":true,\"10\":true}"`},
		{`json_encode({["1"] = 1})`, `"{\"1\":1}"`},
		{`json_encode({1, 2, x = 3})`, `"{\"1\":1,\"2\":2,\"x\":3}"`},
		{`json_encode({b = 1, a = 2, B = 3, [3] = 4})`, `"{\"3\":4,\"B\":3,\"a\":2,\"b\":1}"`},
		{`json_encode({json_null, 1, {a = json_null}})`, `"[null,1,{\"a\":null}]"`},
		{`json_encode(json_null)`, `"null"`},
		{`json_encode("a/b\"\\\0\127")`, `"\"a\\/b\\\"\\\\\\u0000\x7f\""`},
		{`json_encode("é€😀", JSON_UNESCAPED_UNICODE)`, `"\"é€😀\""`},
		{`json_encode("é€😀")`, `"\"\\u00e9\\u20ac\\ud83d\\ude00\""`},
		{`json_encode({a = {1, {}}}, JSON_PRETTY_PRINT)`, `"{\n    \"a\": [\n        1,\n        []\n    ]\n}"`},
		{`json_encode({}, JSON_PRETTY_PRINT)`, `"[]"`},
		{`json_encode("\255")`, `nil, "Malformed UTF-8 characters, possibly incorrectly encoded", 0`},
		{`json_encode({["\255"] = 1})`, `nil, "Malformed UTF-8 characters, possibly incorrectly encoded", 0`},
		{`json_encode("a\255b", JSON_INVALID_UTF8_IGNORE)`, `"\"ab\""`},
		{`json_encode("a\255b", JSON_INVALID_UTF8_SUBSTITUTE)`, `"\"a\\ufffdb\""`},
		{`json_encode(0/0)`, `nil, "Inf and NaN cannot be JSON encoded", 0`},
		{`json_encode({1, -1/0})`, `nil, "Inf and NaN cannot be JSON encoded", 0`},
		{`json_encode({[1/0] = 1})`, `nil, "Inf and NaN cannot be JSON encoded", 0`},
		{`json_encode(print)`, `nil, "Type is not supported", 0`},
		{`json_encode({coroutine.create(print)})`, `nil, "Type is not supported", 0`},
		{`json_encode({[true] = 1})`, `nil, "Type is not supported", 0`},
		{`json_encode({[{}] = 1})`, `nil, "Type is not supported", 0`},
		{`(function() local t = {} t[1] = t return json_encode(t) end)()`, `nil, "Recursion detected", 0`},
		{`(function() local t = {a = {}} t.a.b = t return json_encode(t) end)()`, `nil, "Recursion detected", 0`},
		{`(function() local s = {1} return json_encode({s, s, {s}}) end)()`, `"[[1],[1],[[1]]]"`},
		{`json_encode({{{1}}}, 0, 3)`, `"[[[1]]]"`},
		{`json_encode({{{1}}}, 0, 2)`, `nil, "Maximum stack depth exceeded", 0`},
		{`json_encode({}, 0, 0)`, `nil, "Maximum stack depth exceeded", 0`},
		{`json_encode(1, 0, 0)`, `"1"`},
		{`json_encode(setmetatable({}, {__index = function() return 1 end}))`, `"[]"`},
		// bad arguments
		{`json_encode()`, `error: bad argument #1 to 'json_encode' (value expected)`},
		{`json_encode(1, "x")`, `error: bad argument #2 to 'json_encode' (number expected, got string)`},
		{`json_encode(1, 0, {})`, `error: bad argument #3 to 'json_encode' (number expected, got table)`},
	})
}

func TestJSONDecode(t *testing.T) {
	runCases(t, []evalCase{
		{`json_decode("null")`, `nil`},
		{`select("#", json_decode("null"))`, `1`},
		{`json_decode(" true "), json_decode("false")`, `true, false`},
		{`json_decode("1.5"), json_decode("-0"), json_decode("1e400"), json_decode("-1e400")`, `1.5, 0, +Inf, -Inf`},
		{`1/json_decode("-0.0")`, `-Inf`},
		{`json_decode("12345678901234567890")`, `1.2345678901234567e+19`},
		{`json_decode("12345678901234567890", true, 512, JSON_BIGINT_AS_STRING)`, `"12345678901234567890"`},
		{`json_decode("9007199254740993", true, 512, JSON_BIGINT_AS_STRING)`, `"9007199254740993"`},
		{`json_decode("9007199254740992", true, 512, JSON_BIGINT_AS_STRING)`, `9007199254740992`},
		{`json_decode("1.5e300", true, 512, JSON_BIGINT_AS_STRING)`, `1.5e+300`},
		{`json_decode('"a\\u00e9\\ud83d\\ude00\\/"')`, `"aé😀/"`},
		{`json_decode('[1, null, "x"]')[2] == json_null`, `true`},
		{`#json_decode('[1, null, "x"]')`, `3`},
		{`json_decode('{"a": null}').a == json_null`, `true`},
		{`json_decode('{"1": 2}')["1"], json_decode('{"1": 2}')[1]`, `2, nil`},
		{`json_decode('{"a": 1, "a": 2}').a`, `2`},
		{`json_decode('{"": 1}')[""]`, `1`},
		{`next(json_decode("{}")), next(json_decode("[]"))`, `nil, nil`},
		{`json_encode(json_decode('{"b": [1, {"c": []}], "a": "x"}'))`, `"{\"a\":\"x\",\"b\":[1,{\"c\":[]}]}"`},
		{`json_decode("")`, `nil, "Syntax error", 0`},
		{`json_decode("[1,]")`, `nil, "Syntax error", 0`},
		{`json_decode("[1] 2")`, `nil, "Syntax error", 0`},
		{`json_decode("01")`, `nil, "Syntax error", 0`},
		{`json_decode("[1}")`, `nil, "State mismatch (invalid or malformed JSON)", 0`},
		{`json_decode('"abc')`, `nil, "Control character error, possibly incorrectly encoded", 0`},
		{`json_decode('["a\1"]')`, `nil, "Control character error, possibly incorrectly encoded", 0`},
		{`json_decode('"\\ud800"')`, `nil, "Single unpaired UTF-16 surrogate in unicode escape", 0`},
		{`json_decode('"\\udc00\\ud800"')`, `nil, "Single unpaired UTF-16 surrogate in unicode escape", 0`},
		{`json_decode('"\\\\ud800"')`, `"\\ud800"`},
		{`json_decode('"\\ufffd"')`, `"�"`},
		{`json_decode('"a\255b"')`, `nil, "Malformed UTF-8 characters, possibly incorrectly encoded", 0`},
		{`json_decode('"a\255b"', false, 512, JSON_INVALID_UTF8_IGNORE)`, `"ab"`},
		{`json_decode('"a\255\\ufffdb"', false, 512, JSON_INVALID_UTF8_IGNORE)`, `"a�b"`},
		{`json_decode('"a\255b"', false, 512, JSON_INVALID_UTF8_SUBSTITUTE)`, `"a�b"`},
		{`json_decode('{"a\255": 1}', false, 512, JSON_INVALID_UTF8_IGNORE).a`, `1`},
		{`json_decode('[1, \255]', false, 512, JSON_INVALID_UTF8_IGNORE)`, `nil, "Malformed UTF-8 characters, possibly incorrectly encoded", 0`},
		{`json_decode("[[1]]", true, 3)[1][1]`, `1`},
		{`json_decode("[[1]]", true, 2)`, `nil, "Maximum stack depth exceeded", 0`},
		{`json_decode("1", true, 1)`, `1`},
		{`json_decode("[]", true, 1)`, `nil, "Maximum stack depth exceeded", 0`},
		{`json_decode(string.rep("[", 20000) .. string.rep("]", 20000), true, 100000)`, `nil, "Maximum stack depth exceeded", 0`},
		{`#json_decode(string.rep("[", 9999) .. string.rep("]", 9999), true, 100000)`, `1`},
		// bad arguments
		{`json_decode()`, `error: bad argument #1 to 'json_decode' (string expected, got no value)`},
		{`json_decode({})`, `error: bad argument #1 to 'json_decode' (string expected, got table)`},
		{`json_decode("1", "x")`, `error: bad argument #2 to 'json_decode' (boolean expected, got string)`},
		{`json_decode("1", true, 0)`, `error: bad argument #3 to 'json_decode' (must be greater than 0)`},
		{`json_decode("1", true, "x")`, `error: bad argument #3 to 'json_decode' (number expected, got string)`},
		{`json_decode("1", true, 512, {})`, `error: bad argument #4 to 'json_decode' (number expected, got table)`},
	})
}

func TestEvalShowsValues(t *testing.T) {
	// the helper itself: a failing eval must not pass for a wrong reason
	L := newState(t)
	if got := eval(L, `1, "a", nil, true`); got != `1, "a", nil, true` {
		t.Fatal(got)
	}
	if got := eval(L, `error("boom", 0)`); got != "error: boom" {
		t.Fatal(got)
	}
}
