package bitlib

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/luasock/luasock/internal/testprog"
	lua "github.com/yuin/gopher-lua"
)

// The differential tests write generated calls as one Lua script, run it by
// the reference interpreter and by gopher-lua with Open, and compare what
// each call returned or raised. BITLIB_SEED replays a run, BITLIB_CASES
// changes how many calls a run makes.

// prelude prints each case as "<n> <type> <value>" or "<n> E <message>".
// out and fmtnum come from Go under gopher-lua, so its print and number
// formatting do not take part in the comparison.
const prelude = `local out = out or print
local fmtnum = fmtnum or function(x) return string.format("%.17g", x) end
local function show(v)
  if type(v) == "number" then return "N " .. fmtnum(v) end
  return type(v) .. " " .. tostring(v)
end
local function c(i, f)
  local ok, r = pcall(f)
  if ok then out(i .. " " .. show(r)) else out(i .. " E " .. tostring(r)) end
end
`

// argKind says what an argument position holds, so that shift counts and
// fields are mostly drawn from the ranges where the functions do something.
type argKind int

const (
	kValue argKind = iota
	kShift
	kField
	kWidth
	kDigits
)

type funcSpec struct {
	name     string
	args     []argKind // nil: variadic values
	optional int       // how many trailing args may be left out
}

var bit32Specs = []funcSpec{
	{"band", nil, 0}, {"bor", nil, 0}, {"bxor", nil, 0}, {"btest", nil, 0},
	{"bnot", []argKind{kValue}, 0},
	{"lshift", []argKind{kValue, kShift}, 0},
	{"rshift", []argKind{kValue, kShift}, 0},
	{"arshift", []argKind{kValue, kShift}, 0},
	{"lrotate", []argKind{kValue, kShift}, 0},
	{"rrotate", []argKind{kValue, kShift}, 0},
	{"extract", []argKind{kValue, kField, kWidth}, 1},
	{"replace", []argKind{kValue, kValue, kField, kWidth}, 1},
}

var bitSpecs = []funcSpec{
	{"tobit", []argKind{kValue}, 0},
	{"tohex", []argKind{kValue, kDigits}, 1},
	{"bnot", []argKind{kValue}, 0},
	{"bswap", []argKind{kValue}, 0},
	{"band", nil, 0}, {"bor", nil, 0}, {"bxor", nil, 0},
	{"lshift", []argKind{kValue, kShift}, 0},
	{"rshift", []argKind{kValue, kShift}, 0},
	{"arshift", []argKind{kValue, kShift}, 0},
	{"rol", []argKind{kValue, kShift}, 0},
	{"ror", []argKind{kValue, kShift}, 0},
}

func TestBit32MatchesLua52(t *testing.T) {
	runDifferential(t, "lua5.2", "lua5.2", "bit32", bit32Specs)
}

func TestBitMatchesLuaJIT(t *testing.T) {
	runDifferential(t, "luajit", "luajit", "bit", bitSpecs)
}

func runDifferential(t *testing.T, prog, pkg, lib string, specs []funcSpec) {
	ref := testprog.Need(t, prog, pkg)
	seed := testprog.EnvInt(t, "BITLIB_SEED", time.Now().UnixNano())
	n := int(testprog.EnvInt(t, "BITLIB_CASES", 3000))
	t.Logf("seed %d, %d cases (replay: BITLIB_SEED=%d go test ./internal/lang/bitlib -run %s)", seed, n, seed, t.Name())
	r := rand.New(rand.NewSource(seed))

	calls := make([]string, n)
	var script strings.Builder
	script.WriteString(prelude)
	for i := range calls {
		if i%500 == 0 { // a function per 500 cases: gopher-lua compiles one huge function in quadratic time
			if i > 0 {
				script.WriteString("end)();\n") // ";": a line starting with "(" would continue the call
			}
			script.WriteString("(function()\n")
		}
		calls[i] = genCall(r, lib, specs[r.Intn(len(specs))])
		fmt.Fprintf(&script, "c(%d, function() local v = %s return v end)\n", i, calls[i])
	}
	if n > 0 {
		script.WriteString("end)()\n")
	}
	want, got := runBoth(t, ref, "cases.lua", script.String(), map[string]lua.LGFunction{"fmtnum": fmtnum})
	compareCases(t, calls, want, got, seed)
}

// runBoth writes script to a file name in a new directory and runs it by
// the reference interpreter in that directory (so that its messages name
// the file as name) and by gopher-lua with Open and globals, as chunk name.
// It returns the lines each side passed to out.
func runBoth(t *testing.T, ref, name, script string, globals map[string]lua.LGFunction) (want, got []string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, ref, name)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", ref, name, err, out)
	}
	want = splitLines(string(out))

	L := lua.NewState()
	defer L.Close()
	Open(L)
	L.SetGlobal("out", L.NewFunction(func(L *lua.LState) int {
		got = append(got, L.CheckString(1))
		return 0
	}))
	for k, f := range globals {
		L.SetGlobal(k, L.NewFunction(f))
	}
	fn, err := L.Load(strings.NewReader(script), name)
	if err != nil {
		t.Fatal(err)
	}
	L.Push(fn)
	if err := L.PCall(0, 0, nil); err != nil {
		t.Fatalf("gopher-lua: %v", err)
	}
	return want, got
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// fmtnum formats the numbers the cases print in Go, so that gopher-lua's
// own number formatting takes no part in the comparison.
func fmtnum(L *lua.LState) int {
	L.Push(lua.LString(formatG17(float64(L.CheckNumber(1)))))
	return 1
}

// formatG17 is C's "%.17g" for the numbers the libraries return (integers
// below 2^32 in magnitude) and a close stand-in for others.
func formatG17(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e17 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', 17, 64)
}

// positionPrefix is the "file:line: " a Lua error message starts with.
var positionPrefix = regexp.MustCompile(`^(\d+ E )[^\n]*?:\d+: `)

func compareCases(t *testing.T, calls, want, got []string, seed int64) {
	t.Helper()
	if len(want) != len(calls) {
		t.Fatalf("reference printed %d lines for %d cases:\n%s", len(want), len(calls), strings.Join(want, "\n"))
	}
	if len(got) != len(calls) {
		t.Fatalf("gopher-lua printed %d lines for %d cases", len(got), len(calls))
	}
	bad, errs := 0, 0
	for i := range calls {
		w := positionPrefix.ReplaceAllString(want[i], "$1")
		g := positionPrefix.ReplaceAllString(got[i], "$1")
		if strings.Contains(w, " E ") {
			errs++
		}
		if w != g {
			if bad < 25 {
				t.Errorf("%s\n   reference: %s\n  gopher-lua: %s", calls[i], w, g)
			}
			bad++
		}
	}
	t.Logf("%d cases, %d of them errors in the reference, %d differ", len(calls), errs, bad)
	if bad > 0 {
		t.Errorf("%d of %d cases differ; replay with BITLIB_SEED=%d", bad, len(calls), seed)
	}
}

func genCall(r *rand.Rand, lib string, spec funcSpec) string {
	var args []string
	if spec.args == nil {
		for range r.Intn(6) {
			args = append(args, genArg(r, kValue))
		}
	} else {
		k := len(spec.args)
		switch p := r.Intn(20); {
		case p == 0 && k > 0:
			k-- // one missing: "got no value"
		case p == 1:
			k++ // one extra, ignored
		case p < 6 && spec.optional > 0:
			k -= spec.optional
		}
		for i := range k {
			kind := kValue
			if i < len(spec.args) {
				kind = spec.args[i]
			}
			args = append(args, genArg(r, kind))
		}
	}
	return fmt.Sprintf("%s.%s(%s)", lib, spec.name, strings.Join(args, ", "))
}

var interestingNumbers = []float64{
	0, 1, -1, 2, 3, 255, 256, 0x7fffffff, 0x80000000, -0x80000000, -0x7fffffff,
	0xffffffff, 0x100000000, 0x100000001, -0x100000000, 0x12345678, 0xdeadbeef,
	1 << 51, 1<<51 + 1, 1 << 52, 1<<52 + 1, 1 << 53, 1<<53 + 2, -(1 << 53), 1 << 63, -(1 << 63), 1 << 64,
	1e300, -1e300, math.MaxFloat64, 1e-300, 5e-324, math.Copysign(0, -1),
	0.5, -0.5, 1.5, 2.5, -1.5, -2.5, 0.49999999999999994,
	0x80000000 + 0.5, 0xffffffff + 0.5, 0x100000000 - 0.5, 1<<40 + 0.5, 4503599627370495.5, -4503599627370495.5,
	math.Inf(1), math.Inf(-1), math.NaN(),
}

var interestingStrings = []string{
	"10", " 10 ", "\t0x10\n", "-0x10", "+7", "1e2", "1E2", "0x1p4", "0x1P-1", "0x1.8", "0x.8", "0x1.", "0X1A",
	".5", "5.", "1.5", "2.5", "-1.5", "-0", "007", "0.0", "00.5", "4294967296", "4294967295", "-2147483648",
	"2147483648.5", "9007199254740993", "1e400", "-1e400", "1e-400", "1e10", "3.99999999999999999999",
	"0x1e5", "0xffffffffffffffffff", "0x1000000000000081", "0x10000000000000801", "0x8000000000000001",
	"0xFFFFFFFF", "abc", "", " ", "0x", "1e", "1e+", "0x1p", "0xp1", ".", "..5", "1..5", "1e5.5",
	"inf", "-inf", "INF", "Infinity", "-infinity", "infin", "nan", "NaN", "-nan", " nan ",
	"0b101", "0B11", "0b102", "0b1.0", "0b1.1", "0b.0", "0b", "0b1e2", "-0b11",
	"0b" + strings.Repeat("1", 64), "0b" + strings.Repeat("1", 65), "0b0" + strings.Repeat("1", 64),
	"1LL", "1ULL", "1i", "1u", "1l", "1_000", "0x_1", "++1", "- 1", "+-1", "12\x00", "1 2", "2^3",
	"00x1", "0x0x1", "\v5\f", "\xa05", "5\r\n", "0x1P+3", "0x1p-1074", "1e-5", "123456789012345678901234567890",
}

func genNumber(r *rand.Rand) float64 {
	switch r.Intn(10) {
	case 0, 1, 2:
		return interestingNumbers[r.Intn(len(interestingNumbers))]
	case 3, 4:
		return float64(r.Uint32())
	case 5:
		return float64(int32(r.Uint32()))
	case 6: // a fraction on an integer, ties included
		return float64(int32(r.Uint32())) + float64(r.Intn(8))/8
	case 7: // beyond 32 bits, where the mantissa's low bits decide
		return math.Ldexp(float64(r.Int63()), r.Intn(60)-20) * float64(1-2*r.Intn(2))
	case 8: // near a power of two
		return math.Ldexp(1, r.Intn(70)) + float64(r.Intn(5)-2)
	default: // any finite double
		return math.Float64frombits(r.Uint64()&^(0x7ff<<52) | uint64(r.Intn(0x7ff))<<52)
	}
}

func genString(r *rand.Rand) string {
	switch r.Intn(4) {
	case 0, 1:
		return interestingStrings[r.Intn(len(interestingStrings))]
	case 2: // a number written as Lua would read it
		f := genNumber(r)
		var s string
		switch r.Intn(3) {
		case 0:
			s = strconv.FormatFloat(f, 'g', -1, 64)
		case 1:
			s = strconv.FormatFloat(f, 'f', r.Intn(3), 64)
		default:
			s = "0x" + strconv.FormatUint(r.Uint64()>>uint(r.Intn(64)), 16)
		}
		spaces := []string{"", " ", "\t", "\n "}
		return spaces[r.Intn(len(spaces))] + s + spaces[r.Intn(len(spaces))]
	default: // number-like noise
		const alphabet = "0123456789abcdefxXpPeE.+- \tnNiIbBl"
		b := make([]byte, 1+r.Intn(7))
		for i := range b {
			b[i] = alphabet[r.Intn(len(alphabet))]
		}
		return string(b)
	}
}

func genArg(r *rand.Rand, kind argKind) string {
	switch kind {
	case kShift:
		switch p := r.Intn(10); {
		case p < 6:
			return luaNumber(float64(r.Intn(81) - 40))
		case p < 9:
			return luaNumber([]float64{1 << 31, -(1 << 31), 1<<31 - 1, -(1<<31 - 1), 1 << 32, 1<<32 + 5, -(1 << 32) - 1,
				1<<32 - 1, 1 << 53, 1 << 63, 1e300, math.NaN(), math.Inf(1), 1.5, -1.5, 2.5, 31.999, -31.999, 4.5}[r.Intn(19)])
		}
	case kField, kWidth:
		switch p := r.Intn(10); {
		case p < 6:
			return luaNumber(float64(r.Intn(38) - 2))
		case p < 7 && kind == kWidth:
			return "nil"
		case p < 9:
			return luaNumber([]float64{1<<31 - 1, 1 << 31, 1<<31 - 2, 1<<32 + 3, 1<<32 - 1, 1.9, -0.9, -1.5, 31.5,
				math.NaN(), math.Inf(-1), 1e300, 1 << 63}[r.Intn(13)])
		}
	case kDigits:
		switch p := r.Intn(10); {
		case p < 6:
			return luaNumber(float64(r.Intn(41) - 20))
		case p < 9:
			return luaNumber([]float64{255, 256, 257, -256, -255, 511, 1000, -1000, 1 << 31, -(1 << 31), 1<<31 - 1,
				math.NaN(), 2.5, 1.5, 1 << 32}[r.Intn(15)])
		}
	}
	switch p := r.Intn(100); {
	case p < 80:
		return luaNumber(genNumber(r))
	case p < 95:
		return luaString(genString(r))
	default:
		return []string{"nil", "true", "{}", "print", "false"}[r.Intn(5)]
	}
}

// luaNumber writes f as a Lua expression that every interpreter reads
// exactly: 17 significant digits, or a division for inf and nan.
func luaNumber(f float64) string {
	switch {
	case math.IsNaN(f):
		return "(0/0)"
	case math.IsInf(f, 1):
		return "(1/0)"
	case math.IsInf(f, -1):
		return "(-1/0)"
	}
	s := strconv.FormatFloat(f, 'g', 17, 64)
	if s[0] == '-' {
		return "(" + s + ")"
	}
	return s
}

// luaString quotes s for Lua source, every byte outside printable ASCII as \ddd.
func luaString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' || c > '~' || c == '"' || c == '\\' {
			fmt.Fprintf(&b, "\\%03d", c)
		} else {
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
