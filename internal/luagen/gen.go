// Package luagen generates small, valid, deterministic Lua 5.1 programs that
// print their observable state, for differential tests against lua5.1.
//
// Every program ends in bounded time (loops have literal bounds, recursion
// is shallow or a tail call), never prints a table or function address, never
// iterates pairs() over hash keys without sorting them, and never reads a
// result that Lua 5.1 leaves implementation-defined: # of a table with holes,
// the order of assignments to the same target in one multiple assignment,
// table.sort of distinguishable elements that compare equal. Errors caught by
// pcall print only whether the call failed, plus the message when it is a
// user's error(msg, 0) (or the error value when it is not a string), since
// engines word their own messages and positions differently.
package luagen

import (
	"fmt"
	"math/rand"
	"strings"
)

// Feature selects one kind of construct the generated programs exercise.
type Feature uint32

const (
	Assign        Feature = 1 << iota // locals, globals, upvalues, nested table fields
	MultiAssign                       // a, b = b, a; t[i], i = i, t[i]; x, y = x + 1, x + y
	Varargs                           // ..., select('#', ...), select(-n, ...), {...}, pass-through
	LoopClosures                      // closures made in for/while/repeat capturing loop and outer locals
	Recursion                         // recursive, mutually recursive and tail-calling functions
	AndOr                             // and/or/not chains over nil, false, 0, "", ...
	Numbers                           // 2^53, -0, inf, nan, %, ^ with negatives, math.*
	Concat                            // .. of strings and numbers
	Length                            // # of strings and of sequences (never of tables with holes)
	PcallUpvalues                     // pcall/error in closures that write enclosing locals
	Errors                            // nested pcall, xpcall, error values that are tables, numbers, nil
	Strings                           // string library: rep, sub, byte, format, find, gsub
	Tonumber                          // tonumber and string-to-number coercion
	Compare                           // comparisons, mixed types, nan, strings
	Tables                            // table library, sorted pairs
	Modulo                            // % with fractions, negatives, inf (Lua: a - floor(a/b)*b)
	NumberErrors                      // error(42) at level 1: the number becomes a string with the position
	CQuirks                           // lua5.1's C library showing: print stops at "\0", %x of negatives, %c of 300, tonumber("-1", 16)
	ConcatNumbers                     // .. of a number straight (else through tostring): the engine formats it
	Libm                              // ^ with any operands, math.pow/exp/log/log10/sin: Go's math against glibc's, last bits
	NegativeZero                      // -0 in arithmetic: the engine stores a -0 result in a register as 0
	featureEnd
)

// AllFeatures is every feature.
const AllFeatures = featureEnd - 1

// KnownDifferences are the features whose differences from lua5.1 are
// known and listed in docs/lua.md: inside the engine (.. on a number, %),
// or lua5.1's C library that luasock does not copy. DefaultFeatures, the
// rest, must match lua5.1 exactly.
const (
	KnownDifferences = ConcatNumbers | Modulo | CQuirks | Libm | NegativeZero
	DefaultFeatures  = AllFeatures &^ KnownDifferences
)

var featureNames = []struct {
	name string
	f    Feature
}{
	{"assign", Assign}, {"multiassign", MultiAssign}, {"varargs", Varargs},
	{"loopclosures", LoopClosures}, {"recursion", Recursion}, {"andor", AndOr},
	{"numbers", Numbers}, {"concat", Concat}, {"length", Length},
	{"pcallupvalues", PcallUpvalues}, {"errors", Errors}, {"strings", Strings},
	{"tonumber", Tonumber}, {"compare", Compare}, {"tables", Tables},
	{"modulo", Modulo}, {"numbererrors", NumberErrors}, {"cquirks", CQuirks},
	{"concatnumbers", ConcatNumbers}, {"libm", Libm}, {"negativezero", NegativeZero},
}

// String names the features joined by commas.
func (f Feature) String() string {
	var names []string
	for _, n := range featureNames {
		if f&n.f != 0 {
			names = append(names, n.name)
		}
	}
	return strings.Join(names, ",")
}

// ParseFeatures reads a comma-separated list such as "all,-numbers,-concat"
// or "varargs,andor": names add features, "-name" removes one, "all" adds
// every feature, "default" DefaultFeatures. An empty string is
// DefaultFeatures.
func ParseFeatures(s string) (Feature, error) {
	if strings.TrimSpace(s) == "" {
		return DefaultFeatures, nil
	}
	var f Feature
	for _, word := range strings.Split(s, ",") {
		word = strings.TrimSpace(word)
		remove := strings.HasPrefix(word, "-")
		word = strings.TrimPrefix(word, "-")
		var bit Feature
		if word == "all" {
			bit = AllFeatures
		} else if word == "default" {
			bit = DefaultFeatures
		} else {
			for _, n := range featureNames {
				if n.name == word {
					bit = n.f
				}
			}
		}
		if bit == 0 {
			return 0, fmt.Errorf("luagen: unknown feature %q (known: all,%s)", word, AllFeatures)
		}
		if remove {
			f &^= bit
		} else {
			f |= bit
		}
	}
	return f, nil
}

// Options tune Generate.
type Options struct {
	Features Feature // 0: AllFeatures
	Snippets int     // snippets per program; 0: 3 to 7
}

// Program returns one program using every feature.
func Program(r *rand.Rand) string { return Generate(r, Options{}) }

// Generate returns one program: shared locals, globals and a table, then
// snippets of the enabled features (at top level, in a do block, in a local
// function or in a pcall'd closure, so the shared names are upvalues), then
// a print of the shared state.
func Generate(r *rand.Rand, o Options) string {
	if o.Features == 0 {
		o.Features = AllFeatures
	}
	g := &gen{r: r, vararg: true, f: o.Features}
	var enabled []snippet
	for _, s := range snippets {
		if o.Features&s.f != 0 {
			enabled = append(enabled, s)
		}
	}
	g.prelude()
	n := o.Snippets
	if n == 0 {
		n = 3 + r.Intn(5)
	}
	for i := 0; i < n && len(enabled) > 0; i++ {
		s := enabled[r.Intn(len(enabled))]
		g.wrapped(s.emit)
	}
	g.printState()
	return g.b.String()
}

type snippet struct {
	f    Feature
	emit func(g *gen)
}

// lvalue is an assignable numeric or string place; key identifies it so a
// multiple assignment never assigns one place twice.
type lvalue struct {
	text []string // spellings: T.x, T["x"]
	key  string
}

func (l lvalue) spell(g *gen) string { return l.text[g.r.Intn(len(l.text))] }

type gen struct {
	r      *rand.Rand
	f      Feature
	b      strings.Builder
	ind    int
	n      int
	vararg bool     // ... is allowed here (the main chunk, not a wrapping function)
	nums   []lvalue // numeric places of the shared state
	strs   []lvalue // string places of the shared state
}

func (g *gen) line(format string, args ...any) {
	g.b.WriteString(strings.Repeat("  ", g.ind))
	fmt.Fprintf(&g.b, format, args...)
	g.b.WriteByte('\n')
}

func (g *gen) open(format string, args ...any) { g.line(format, args...); g.ind++ }
func (g *gen) close(text string)               { g.ind--; g.line("%s", text) }

// name returns a fresh identifier starting with prefix.
func (g *gen) name(prefix string) string { g.n++; return fmt.Sprintf("%s_%d", prefix, g.n) }

func (g *gen) pick(xs ...string) string { return xs[g.r.Intn(len(xs))] }
func (g *gen) chance(pct int) bool      { return g.r.Intn(100) < pct }

// between returns an int in [lo, hi].
func (g *gen) between(lo, hi int) int { return lo + g.r.Intn(hi-lo+1) }

func (g *gen) prelude() {
	g.line("local a1, a2, a3 = %s, %s, %s", g.niceNum(), g.niceNum(), g.niceNum())
	g.line("local s1, s2 = %s, %s", g.strLit(), g.strLit())
	g.line("G1, GS1 = %s, %s", g.niceNum(), g.strLit())
	g.line("local T = {%s, %s, %s, x = %s, y = %s, sub = {z = %s}}",
		g.niceNum(), g.niceNum(), g.niceNum(), g.niceNum(), g.niceNum(), g.niceNum())
	g.nums = []lvalue{
		{[]string{"a1"}, "a1"}, {[]string{"a2"}, "a2"}, {[]string{"a3"}, "a3"},
		{[]string{"G1"}, "G1"},
		{[]string{"T[1]"}, "T1"}, {[]string{"T[2]"}, "T2"}, {[]string{"T[3]"}, "T3"},
		{[]string{"T.x", `T["x"]`}, "Tx"}, {[]string{"T.y", `T["y"]`}, "Ty"},
		{[]string{"T.sub.z", `T["sub"].z`, `T.sub["z"]`}, "Tsz"},
	}
	g.strs = []lvalue{{[]string{"s1"}, "s1"}, {[]string{"s2"}, "s2"}, {[]string{"GS1"}, "GS1"}}
}

// wrapped emits a snippet at top level, in a do block, in a local function
// that is called, or (with PcallUpvalues) in a closure called through pcall
// (whose result is printed: the snippets never raise).
func (g *gen) wrapped(emit func(g *gen)) {
	n := 4
	if g.f&PcallUpvalues != 0 {
		n = 5
	}
	switch g.r.Intn(n) {
	case 0:
		emit(g)
	case 1, 2:
		g.open("do")
		emit(g)
		g.close("end")
	case 3:
		f := g.name("f")
		g.inFunction("local function %s()", f, emit)
		g.line("%s()", f)
		if g.chance(30) {
			g.line("%s()", f)
		}
	default:
		f := g.name("f")
		g.inFunction("local %s = function()", f, emit)
		g.line("print(pcall(%s))", f)
	}
}

// inFunction emits emit's code as the body of the function named f that
// the format head opens; "..." is out of scope there.
func (g *gen) inFunction(head, f string, emit func(g *gen)) {
	g.open(head, f)
	g.vararg = false
	emit(g)
	g.vararg = true
	g.close("end")
}

func (g *gen) printState() {
	g.line("print(a1, a2, a3, s1, s2, G1, GS1)")
	g.line("print(T[1], T[2], T[3], T.x, T.y, T.sub.z, #T)")
	g.line(`print(string.format("%%.17g %%.17g %%.17g %%.17g", a1, a2, a3, G1))`)
}

// printNum prints a numeric expression, sometimes also with %.17g.
func (g *gen) printNum(expr string) {
	g.line("print(%s)", expr)
	if g.chance(40) {
		g.line(`print(string.format("%%.17g", %s))`, expr)
	}
}

var niceNums = []string{"0", "1", "2", "3", "-1", "-2", "5", "7", "10", "0.5", "1.25", "-2.75", "0.1", "100", "42", "3.5", "-7", "1000"}

// negZero is -0 made at run time: lua5.1 gives the literals 0 and -0 one
// constant slot, so a -0 literal turns every later 0 literal of the
// function into -0 (1/0 becomes -inf); its constant folding does the same
// for -0 results such as 0 * -1.
const negZero = "math.ceil(-0.5)"

var edgeNums = []string{
	"0", negZero, "-" + negZero, "0.1", "1/3", "2^53", "2^53 + 1", "2^53 - 1", "-2^53", "9007199254740993",
	"2^63", "2^31", "-2^31", "2^32 + 0.5", "1e15", "1e16", "1e14", "123456789012", "1e100",
	"1e308 * 10", "-1e308 * 10", "1/0", "-1/0", "0/0", "-(0/0)", "5e-324", "1e-10", "3.14159",
	"math.huge", "-math.huge", "math.pi", "0x10", "0xff", "1e2", ".5", "3.", "255", "-7.5",
	"100000000000000", "99999999999999.9", "0.30000000000000004", "1e-5", "123.456e2",
}

func (g *gen) niceNum() string {
	if g.chance(10) {
		return "(" + edgeNums[g.r.Intn(len(edgeNums))] + ")"
	}
	return niceNums[g.r.Intn(len(niceNums))]
}

func (g *gen) edgeNum() string {
	for {
		n := edgeNums[g.r.Intn(len(edgeNums))]
		if g.f&NegativeZero != 0 || !strings.Contains(n, negZero) {
			return n
		}
	}
}

// ops picks an arithmetic operator among ops, leaving out those whose
// differences are known (% without Modulo, ^ without Libm).
func (g *gen) op(ops ...string) string {
	var keep []string
	for _, o := range ops {
		if (o == "%" && g.f&Modulo == 0) || (o == "^" && g.f&Libm == 0) {
			continue
		}
		keep = append(keep, o)
	}
	return g.pick(keep...)
}

var strLits = []string{`""`, `"a"`, `"b"`, `"abc"`, `"hello"`, `"A"`, `"10"`, `"x y"`, `"0"`, `"\t"`, `"Zz"`, `"1e2"`, `"-3.5"`}

func (g *gen) strLit() string { return strLits[g.r.Intn(len(strLits))] }

func (g *gen) numVar() string { l := g.nums[g.r.Intn(len(g.nums))]; return l.spell(g) }
func (g *gen) strVar() string { l := g.strs[g.r.Intn(len(g.strs))]; return l.spell(g) }

// numExpr is a numeric expression over the shared state; it may be inf or
// nan but never raises.
func (g *gen) numExpr(depth int) string {
	if depth <= 0 || g.chance(35) {
		if g.chance(60) {
			return g.numVar()
		}
		return g.niceNum()
	}
	// Without NegativeZero a product, quotient or negation that may be -0
	// gets + 0, which makes it 0 in both (-0 + 0 is 0): the engine would
	// store it as 0, and the lost sign flips a later x / 0.
	unsigned := ""
	if g.f&NegativeZero == 0 {
		unsigned = " + 0"
	}
	switch g.r.Intn(9) {
	case 0:
		return "(-(" + g.numExpr(depth-1) + ")" + unsigned + ")"
	case 1:
		return "(#" + g.strExpr(depth-1) + ")" // # binds looser than ^
	case 2:
		return fmt.Sprintf("math.floor(%s)", g.numExpr(depth-1))
	case 3:
		return fmt.Sprintf("math.max(%s, %s)", g.numExpr(depth-1), g.numExpr(depth-1))
	}
	op := g.op("+", "-", "*", "/", "^", "+", "-", "*")
	if g.f&Modulo != 0 && g.chance(12) {
		op = "%"
	}
	if op == "*" || op == "/" {
		return fmt.Sprintf("(%s %s %s%s)", g.numExpr(depth-1), op, g.numExpr(depth-1), unsigned)
	}
	return fmt.Sprintf("(%s %s %s)", g.numExpr(depth-1), op, g.numExpr(depth-1))
}

// strExpr is a string expression over the shared state; its length stays
// small (no repeated doubling).
func (g *gen) strExpr(depth int) string {
	if depth <= 0 || g.chance(40) {
		if g.chance(50) {
			return g.strVar()
		}
		return g.strLit()
	}
	switch g.r.Intn(6) {
	case 0:
		return fmt.Sprintf("string.sub(%s, %d, %d)", g.strExpr(depth-1), g.between(-4, 4), g.between(-4, 6))
	case 1:
		return fmt.Sprintf("string.upper(%s)", g.strExpr(depth-1))
	case 2:
		return g.numText(g.numExpr(depth - 1))
	case 3:
		return fmt.Sprintf("string.rep(%s, %d)", g.strLit(), g.between(-1, 3))
	}
	return fmt.Sprintf("(%s .. %s)", g.strVar(), g.pick(g.strLit(), "\"-\"", g.strVar()))
}

// concatNum is a number as an operand of .. : straight with ConcatNumbers,
// else through tostring (the engine's own formatting is a known difference).
func (g *gen) concatNum(num string) string {
	if g.f&ConcatNumbers != 0 {
		return num
	}
	return g.numText(num)
}

// numText is tostring(num) inside a string; without NegativeZero a -0
// becomes 0 first (-0 + 0 is 0), since the comparison cannot tell a
// "-0" inside a longer string.
func (g *gen) numText(num string) string {
	if g.f&NegativeZero != 0 {
		return "tostring(" + num + ")"
	}
	return "tostring((" + num + ") + 0)"
}
