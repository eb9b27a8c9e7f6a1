package luagen

import (
	"fmt"
	"strings"
)

// This file holds the snippets that call the standard library or show
// number semantics: string, table, tonumber, comparisons, %, and the
// places where lua5.1's C library shows through.

// stringLib calls string functions with in-range and out-of-range
// arguments.
func (g *gen) stringLib() {
	s := g.pick(`"hello world"`, `"abc"`, `""`, `"a,b,,c"`, `"x1y22z333"`, `"  pad  "`, `"two\nlines\r"`)
	for k := g.between(1, 4); k > 0; k-- {
		switch g.r.Intn(10) {
		case 0:
			g.line("print(string.rep(%s, %d))", g.strLit(), g.between(-1, 4))
		case 1:
			g.line("print(string.sub(%s, %d, %d), (%s):sub(%d))", s, g.between(-12, 12), g.between(-12, 12), s, g.between(-12, 12))
		case 2:
			g.line("print(string.byte(%s, %d, %d))", s, g.between(-3, 3), g.between(-3, 5))
		case 3:
			g.line("print(string.char(%d, %d, %d), string.len(%s), string.reverse(%s))", g.between(65, 90), g.between(97, 122), g.between(48, 57), s, s)
		case 4:
			if g.chance(30) { // unsigned conversions of non-negative numbers only (see cQuirks)
				g.line("print(string.format(%s, %s))", g.pick(`"%x"`, `"%X"`, `"%o"`, `"%c"`, `"%5x|"`), g.pick("1", "42", "255", "3.7", "65", "200", "127.9"))
			} else {
				g.line("print(string.format(%s, %s))", g.pick(`"%d"`, `"%5.2f"`, `"%e"`, `"%g"`, `"%.3f"`, `"%5d|"`, `"%-5d|"`, `"%+d"`, `"%05.1f"`, `"%.0f"`),
					g.pick("0", "1", "42", "255", "-3", "3.7", "-3.7", "65", "1e10", "0.5", "2.5", "-0.5"))
			}
		case 5:
			g.line("print(string.format(\"%%s|%%q|%%s\", %s, %s, %s))", g.pick("1.5", "10", "1e15", negZero, `"s"`, "2^63"), s, g.pick("2^53", "0.1", "100"))
		case 6:
			g.line("print(string.find(%s, %s, %d, true))", s, g.pick(`"o"`, `"b"`, `","`, `""`, `"zz"`, `"2"`), g.between(-5, 5))
		case 7:
			g.line("print(string.find(%s, %s))", s, g.pick(`"%a+"`, `"%d+"`, `"(%a)(%d)"`, `"^%s*"`, `"l+"`, `"[,]"`, `".-"`))
		case 8:
			g.line("print(string.gsub(%s, %s, %s))", s, g.pick(`"%d"`, `"o"`, `"%a+"`, `","`, `""`, `"(%w)"`), g.pick(`"#"`, `"%1%1"`, `"<%0>"`, `string.upper`, `{a = "A", abc = 1}`))
		default:
			g.line("print(string.upper(%s), string.lower(%s), (%s):len())", s, `"MiXeD"`, s)
		}
	}
	if g.chance(30) {
		g.line("print((pcall(string.rep)))") // failure only
	}
}

var tonumberArgs = []string{
	`"10"`, `"  10  "`, `"1e2"`, `"0x1A"`, `"0X1a"`, `""`, `" "`, `"abc"`, `"1e"`, `"5."`, `".5"`, `"-0"`, `"- 1"`,
	`"1.5e+3"`, `"0x"`, `"1 2"`, `"\t7\n"`, `"3.0"`, `"-.5"`, `"+5"`, `"1e400"`, `"00012"`, `"0.1"`,
	"10", "1.5", "nil", "true", "{}",
}

// tonumber converts strings with and without a base, and coerces strings
// in arithmetic.
func (g *gen) tonumber() {
	for k := g.between(1, 4); k > 0; k-- {
		switch g.r.Intn(4) {
		case 0, 1:
			g.line("print(tonumber(%s))", tonumberArgs[g.r.Intn(len(tonumberArgs))])
		case 2:
			g.line("print(tonumber(%s, %s))", g.pick(`"ff"`, `"FF"`, `"z"`, `"777"`, `"8"`, `"10"`, `" 11 "`, `"1x"`, `""`, `"Zz"`, `"7fffffff"`),
				g.pick("16", "36", "8", "2", "10", "7"))
		default:
			g.line("print(%s %s %s)", g.pick(`"10"`, `"0x10"`, `" 5 "`, `"1e1"`, `"-2"`, `"2.5"`), g.op("+", "-", "*", "/", "%", "^"), g.pick("1", "2", `"3"`, "0.5"))
		}
	}
	if g.chance(30) {
		g.line(`print((pcall(function() return "abc" + 1 end)))`)
	}
}

// compare compares numbers (with nan, -0, inf), strings, and mixed types.
func (g *gen) compare() {
	for k := g.between(1, 4); k > 0; k-- {
		switch g.r.Intn(5) {
		case 0, 1:
			a, b := g.edgeNum(), g.edgeNum()
			g.line("print((%s) < (%s), (%s) <= (%s), (%s) == (%s), (%s) ~= (%s))", a, b, a, b, a, b, a, b)
		case 2:
			a, b := g.strLit(), g.strLit()
			g.line("print(%s < %s, %s <= %s, %s == %s, %s > %s)", a, b, a, b, a, b, a, b)
		case 3:
			g.line("print(%s == %s, %s ~= %s)", g.pick("1", `"1"`, "nil", "false", "0", "{}", "print"), g.pick("1", `"1"`, "nil", "false", "0", "{}", "print"),
				g.numVar(), g.strVar())
		default:
			g.line("local ok, v = pcall(function() return %s %s %s end)", g.pick("1", `"1"`, "nil", "{}", "true"), g.pick("<", "<=", ">", ">="), g.pick("1", `"2"`, "nil", "{}", "false"))
			g.line("print(ok, ok and v)")
		}
	}
	g.line("print(%s < %s, %s >= %s)", g.numVar(), g.numVar(), g.strVar(), g.strVar())
}

// tables uses the table library and prints pairs() in sorted key order.
func (g *gen) tables() {
	t := g.name("t")
	// distinct plain numbers: sort never sees nan, -0 beside 0, or ties
	var items []string
	for _, i := range g.r.Perm(len(sortableNums))[:4] {
		items = append(items, sortableNums[i])
	}
	g.line("local %s = {%s}", t, strings.Join(items, ", "))
	switch g.r.Intn(6) {
	case 0:
		g.line("table.sort(%s)", t)
	case 1:
		g.line("table.sort(%s, function(a, b) return a > b end)", t)
	case 2:
		g.line("table.insert(%s, %d, %s)", t, g.between(1, 5), "11.5")
	case 3:
		g.line("print(table.remove(%s, %d))", t, g.between(1, 4))
		g.line("print(select('#', table.remove({})))")
	case 4:
		g.line("print(unpack(%s, %d, %d))", t, g.between(1, 3), g.between(2, 6))
	default:
		g.line("print(table.maxn(%s), select('#', unpack(%s)))", t, t)
	}
	g.line("print(table.concat(%s, %s))", t, g.pick(`","`, `" "`, `", "`))
	g.line("print(table.concat(%s, \"-\", %d, %d))", t, g.between(1, 3), g.between(2, 3))
	h := g.name("h")
	g.line(`local %s = {zeta = 1, alpha = %s, [3] = "three", [1.5] = "x", beta = %s}`, h, g.numVar(), g.strVar())
	g.line("local keys = {}")
	g.line("for k in pairs(%s) do keys[#keys + 1] = tostring(k) end", h)
	g.line("table.sort(keys)")
	g.line("print(table.concat(keys, \" \"))")
	g.line("local sum = 0")
	g.line("for i, v in ipairs(%s) do sum = sum + i * v end", t)
	g.printNum("sum")
}

var sortableNums = []string{"1", "2", "3", "-1", "0", "10", "0.5", "-2.75", "100", "1e15", "7", "2^53"}

// modulo prints % of negatives, fractions, huge and inf operands: Lua
// defines a % b as a - floor(a/b)*b, which differs from fmod in sign and in
// rounding (5 % 0.1 is 0, not 0.09999999999999973).
func (g *gen) modulo() {
	for k := g.between(1, 4); k > 0; k-- {
		a := g.pick("7", "-7", "7.5", "-7.5", "5", "-2", "0", "1e15", "2^53 - 1", "1/0", "-1/0", "100", "1000", negZero)
		b := g.pick("3", "-3", "2", "-2.75", "0.5", "0.1", "1/3", "0", "1e-5", "1/0", "-1/0", "1.5", "255")
		g.printNum(fmt.Sprintf("(%s) %% (%s)", a, b))
	}
	v := g.nums[g.r.Intn(len(g.nums))].spell(g)
	g.line("%s = %s %% %s", v, g.numExpr(1), g.pick("3", "-2.75", "0.1", "7"))
	g.printNum(v)
}

// numberErrors raises numbers at level 1: Lua 5.1 turns them into strings
// with the position prepended (none when error is called from pcall).
func (g *gen) numberErrors() {
	g.line("local ok, e = pcall(error, %s)", g.pick("42", "1.5", "-7"))
	g.line("print(ok, type(e), e)")
	g.line("ok, e = pcall(function() error(%s) end)", g.pick("42", "1.5", "-7"))
	g.line("print(ok, type(e))")
}

// cQuirks prints what lua5.1 takes from its C library: print writes with
// fputs, which stops at a zero byte; %c, %x, %X and %o cast to C types, so
// negatives print as 64-bit two's complement and %c keeps the low byte;
// %c of 0 adds nothing (sprintf then strlen); tonumber with a base uses
// strtoul, which negates "-10" modulo 2^64.
func (g *gen) cQuirks() {
	switch g.r.Intn(4) {
	case 0:
		z := g.name("z")
		g.line(`local %s = "a\0b" .. %s`, z, g.strVar())
		g.line(`print(%s, #%s, string.byte(%s, 2))`, z, z, z)
		g.line(`print(string.format("%%q", %s))`, z)
	case 1:
		g.line("print(string.format(%s, %s))", g.pick(`"%x"`, `"%X"`, `"%o"`), g.pick("-3", "-3.7", "-1", "2^63", "-2^63"))
	case 2:
		g.line("local s = string.format(\"%%c\", %s)", g.pick("0", "-3", "300", "1e10", "0.5"))
		g.line("print(#s, string.byte(s))")
	default:
		g.line("print(tonumber(%s, %s))", g.pick(`"-10"`, `"-1"`, `"-ff"`, `"ffffffffffffffffff"`), g.pick("16", "2", "36"))
	}
}
