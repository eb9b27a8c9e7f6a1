package luagen

import (
	"fmt"
	"strings"
)

// snippets are the program parts, one or more per feature. Each leaves the
// shared state valid (numbers stay numbers, strings stay short strings) and
// never raises outside a pcall.
var snippets = []snippet{
	{Assign, (*gen).assign},
	{Assign, (*gen).nestedFields},
	{MultiAssign, (*gen).multiAssignShared},
	{MultiAssign, (*gen).multiAssignPattern},
	{Varargs, (*gen).varargs},
	{LoopClosures, (*gen).loopClosures},
	{Recursion, (*gen).recursion},
	{AndOr, (*gen).andOr},
	{Numbers, (*gen).numbers},
	{Concat, (*gen).concat},
	{Length, (*gen).length},
	{PcallUpvalues, (*gen).pcallUpvalues},
	{Errors, (*gen).errors},
	{Strings, (*gen).stringLib},
	{Tonumber, (*gen).tonumber},
	{Compare, (*gen).compare},
	{Tables, (*gen).tables},
	{Modulo, (*gen).modulo},
	{NumberErrors, (*gen).numberErrors},
	{CQuirks, (*gen).cQuirks},
}

// assign writes shared places (locals, upvalues, globals, fields) and
// prints them.
func (g *gen) assign() {
	var shown []string
	for i := g.between(1, 3); i > 0; i-- {
		if g.chance(70) {
			l := g.nums[g.r.Intn(len(g.nums))].spell(g)
			g.line("%s = %s", l, g.numExpr(2))
			shown = append(shown, l)
		} else {
			l := g.strs[g.r.Intn(len(g.strs))].spell(g)
			g.line("%s = %s", l, g.strExpr(2))
			shown = append(shown, l)
		}
	}
	if g.chance(40) {
		v := g.name("v")
		g.line("local %s = %s", v, g.numExpr(2))
		g.line("%s = %s + %s", g.numVar(), v, g.numVar())
	}
	if g.chance(30) {
		gl := g.name("GF")
		g.open("function %s(p)", gl)
		g.line("%s = %s + p", g.nums[0].spell(g), g.nums[0].spell(g))
		g.line("return p * 2")
		g.close("end")
		g.line("print(%s(%s), %s)", gl, g.niceNum(), g.nums[0].spell(g))
	}
	g.line("print(%s)", strings.Join(shown, ", "))
}

// nestedFields reads and writes fields of nested tables through several
// spellings and computed keys.
func (g *gen) nestedFields() {
	t, k := g.name("t"), g.name("k")
	g.line(`local %s = {a = {b = {c = %s}}, [%d] = {%s}}`, t, g.niceNum(), g.between(1, 3), g.niceNum())
	g.line(`local %s = "c"`, k)
	g.line("%s.a.b.c = %s.a.b.c + %s", t, t, g.niceNum())
	g.line(`%s.a["b"].d = %s.a.b[%s] * 2`, t, t, k)
	g.line(`%s["e" .. %d] = %s`, t, g.between(1, 3), g.numExpr(1))
	g.line(`T.sub.z = T.sub.z + %s.a.b.c`, t)
	g.line(`print(%s.a.b.c, %s.a.b.d, %s.e1, %s.e2, %s.e3, T.sub.z)`, t, t, t, t, t)
}

// multiAssignShared assigns 2 or 3 distinct shared places at once from
// expressions that read those places.
func (g *gen) multiAssignShared() {
	n := g.between(2, 3)
	perm := g.r.Perm(len(g.nums))[:n]
	var lhs, rhs, shown []string
	for _, i := range perm {
		lhs = append(lhs, g.nums[i].spell(g))
		shown = append(shown, g.nums[i].text[0])
	}
	for i := range n {
		switch g.r.Intn(3) {
		case 0: // a permutation of the targets
			rhs = append(rhs, g.nums[perm[(i+1)%n]].spell(g))
		case 1: // an expression reading a target
			rhs = append(rhs, fmt.Sprintf("%s %s %s", g.nums[perm[g.r.Intn(n)]].spell(g), g.pick("+", "-", "*"), g.niceNum()))
		default:
			rhs = append(rhs, g.numExpr(2))
		}
	}
	if g.chance(20) {
		rhs = append(rhs, g.numExpr(1)) // evaluated, then dropped
	}
	g.line("%s = %s", strings.Join(lhs, ", "), strings.Join(rhs, ", "))
	g.line("print(%s)", strings.Join(shown, ", "))
}

// multiAssignPattern is one of the classic multiple-assignment shapes on
// fresh locals, upvalues, fields or globals.
func (g *gen) multiAssignPattern() {
	a, b, c, t, i := g.name("a"), g.name("b"), g.name("c"), g.name("t"), g.name("i")
	x, y := g.niceNum(), g.niceNum()
	switch g.r.Intn(13) {
	case 0:
		g.line("local %s, %s = %s, %s", a, b, x, y)
		g.line("%s, %s = %s, %s", a, b, b, a)
		g.line("print(%s, %s)", a, b)
	case 1:
		g.line("local %s, %s, %s = %s, %s, %s", a, b, c, x, y, g.niceNum())
		g.line("%s, %s, %s = %s, %s, %s", a, b, c, c, a, b)
		g.line("print(%s, %s, %s)", a, b, c)
	case 2:
		g.line("local %s, %s = %s, %s", a, b, x, y)
		g.line("%s, %s = %s + 1, %s + %s", a, b, a, a, b)
		g.line("print(%s, %s)", a, b)
	case 3:
		g.line("local %s, %s = {10, 20, 30}, %d", t, i, g.between(1, 3))
		g.line("%s[%s], %s = %s, %s[%s]", t, i, i, i, t, i)
		g.line("print(%s, %s[1], %s[2], %s[3])", i, t, t, t)
	case 4:
		g.line("local %s, %s = {1, 2, 3, 4}, %d", t, i, g.between(1, 3))
		g.line("%s, %s[%s] = %s + 1, %s", i, t, i, i, y)
		g.line("print(%s, %s[1], %s[2], %s[3], %s[4])", i, t, t, t, t)
	case 5:
		g.line("local %s, %s = %s, {x = %s}", a, t, x, y)
		g.line("%s, %s.x = %s.x, %s", a, t, t, a)
		g.line("print(%s, %s.x)", a, t)
	case 6:
		g.line("local %s = {%s, %s}", t, x, y)
		g.line("%s[1], %s[2] = %s[2], %s[1]", t, t, t, t)
		g.line("print(%s[1], %s[2])", t, t)
	case 7:
		g.line("local %s, %s = %s, %s", a, b, x, y)
		g.open("local function %s()", c)
		g.line("%s, %s = %s, %s", a, b, b, a)
		g.close("end")
		g.line("%s()", c)
		g.line("print(%s, %s)", a, b)
		g.line("%s()", c)
		g.line("print(%s, %s)", a, b)
	case 8:
		g.line("local %s, %s = {v = %s}, {v = %s}", a, b, x, y)
		g.line("%s.v, %s.v = %s.v, %s.v", a, b, b, a)
		g.line("print(%s.v, %s.v)", a, b)
	case 9:
		g.line("local %s = {a = {b = %s}, c = %s}", t, x, y)
		g.line("%s.a.b, %s.c = %s.c, %s.a.b", t, t, t, t)
		g.line("print(%s.a.b, %s.c)", t, t)
	case 10:
		g.line("G1, GS1 = %s, tostring(G1)", g.numExpr(1))
		g.line("print(G1, GS1)")
	case 11:
		g.open("local function %s()", c)
		g.line("return %s, %s", x, y)
		g.close("end")
		g.line("local %s, %s = 1, 2", a, b)
		g.line("%s, %s = %s()", a, b, c)
		g.line("print(%s, %s)", a, b)
		g.line("%s, %s = %s(), 5", a, b, c)
		g.line("print(%s, %s)", a, b)
		g.line("%s, %s = %s", a, b, x)
		g.line("print(%s, %s)", a, b)
	default:
		g.line("local %s, %s = %s, %s", a, b, x, y)
		g.line("local %s, %s = %s, %s", b, a, a, b)
		g.line("print(%s, %s)", a, b)
	}
}

// varargs defines a vararg function and calls it with argument lists that
// hold nils, calls and unpack.
func (g *gen) varargs() {
	f, h := g.name("va"), g.name("h")
	g.open("local function %s(...)", h)
	g.line("return select('#', ...), ...")
	g.close("end")
	g.open("local function %s(...)", f)
	switch g.r.Intn(8) {
	case 0:
		g.line("return select('#', ...)")
	case 1:
		g.line("return ...")
	case 2:
		g.line("local t = {...}")
		g.line("return select('#', ...), t[1], t[2], t[3]")
	case 3:
		k := g.between(1, 3)
		g.line("if select('#', ...) < %d then return select('#', ...) end", k)
		g.line("return select(%s, ...)", g.pick(fmt.Sprint(k), fmt.Sprint(-k)))
	case 4:
		g.line("return %s(...)", h)
	case 5:
		g.line("local a, b = ...")
		g.line("return b, a")
	case 6:
		g.line("return (...)")
	default:
		g.line("local n = select('#', ...)")
		g.line("local t = {n = n, ...}")
		g.line("return t.n, unpack(t, 1, t.n)")
	}
	g.close("end")
	args := []string{"", "nil", "nil, nil", "1, nil", "nil, 2", "1, 2, 3", "1, nil, 3, nil", "false, nil",
		"unpack({1, 2, 3})", "unpack({1, 2, 3}), 10", h + "(1, 2)", h + "(nil, nil), 7", "(" + h + "(1, 2))",
		"unpack({4, 5, 6}, 2)", "unpack({4, 5, 6}, 2, 5)", g.numVar() + ", " + g.strVar()}
	for k := g.between(1, 3); k > 0; k-- {
		a := args[g.r.Intn(len(args))]
		if g.chance(50) {
			g.line("print(%s(%s))", f, a)
		} else {
			g.line("print(select('#', %s(%s)))", f, a)
		}
	}
	if g.chance(30) {
		g.line("print(select(%s, 'a', 'b', 'c'))", g.pick("-1", "-2", "-3", "2", "3", "4", "'#'"))
	}
	if g.chance(20) && g.vararg {
		g.line("print(select('#', ...), ...)") // the main chunk gets no arguments
	}
}

// loopClosures makes closures in a loop that capture the loop variable, a
// per-iteration local and an outer local, then calls them (twice: writes
// through one closure are seen by the next call).
func (g *gen) loopClosures() {
	fs, o := g.name("fs"), g.name("o")
	g.line("local %s = {}", fs)
	g.line("local %s = %s", o, g.niceNum())
	body := func(v string) {
		c := g.name("c")
		g.line("local %s = %s * 2", c, v)
		switch g.r.Intn(4) {
		case 0:
			g.line("%s[#%s + 1] = function() return %s, %s, %s end", fs, fs, v, c, o)
		case 1:
			g.line("%s[#%s + 1] = function() %s = %s + 1; %s = %s + %s; return %s, %s end", fs, fs, c, c, o, o, v, c, o)
		case 2:
			g.line("%s[#%s + 1] = function() %s = %s + 10; return %s end", fs, fs, v, v, v)
		default:
			g.line("%s[#%s + 1] = function() %s = %s + %s; return %s, %s end", fs, fs, g.nums[0].text[0], g.nums[0].text[0], c, c, g.nums[0].text[0])
		}
		if g.chance(25) {
			g.line("if %s == %d then break end", v, g.between(1, 3))
		}
	}
	n := g.between(0, 4)
	switch g.r.Intn(5) {
	case 0:
		i := g.name("i")
		g.open("for %s = %d, %d, %s do", i, g.between(-1, 2), n, g.pick("1", "1", "2", "0.5"))
		body(i)
		g.close("end")
	case 1:
		i := g.name("i")
		g.open("for %s = %d, 1, -1 do", i, n)
		body(i)
		g.close("end")
	case 2:
		k, v := g.name("k"), g.name("v")
		g.open("for %s, %s in ipairs({%s}) do", k, v, strings.Repeat("3, ", n)+"7")
		body(k)
		g.close("end")
	case 3:
		i := g.name("i")
		g.line("local %s = 0", i)
		g.open("while %s < %d do", i, n)
		g.line("%s = %s + 1", i, i)
		j := g.name("j")
		g.line("local %s = %s", j, i)
		body(j)
		g.close("end")
	default:
		i, j := g.name("i"), g.name("j")
		g.line("local %s = 0", i)
		g.open("repeat")
		g.line("local %s = %s", j, i)
		g.line("%s = %s + 1", i, i)
		body(j)
		g.close(fmt.Sprintf("until %s >= %d", j, n))
	}
	g.line("%s = %s + 100", o, o)
	g.open("for k = 1, #%s do", fs)
	g.line("print(k, %s[k]())", fs)
	g.close("end")
	if g.chance(50) {
		g.open("for k = #%s, 1, -1 do", fs)
		g.line("print(k, %s[k]())", fs)
		g.close("end")
	}
	g.line("print(#%s, %s)", fs, o)
}

// recursion runs a recursive, mutually recursive or tail-calling function.
func (g *gen) recursion() {
	f, h := g.name("r"), g.name("r")
	switch g.r.Intn(6) {
	case 0:
		g.open("local function %s(n)", f)
		g.line("if n <= 1 then return 1 end")
		g.line("return n * %s(n - 1)", f)
		g.close("end")
		g.line("print(%s(%d))", f, g.between(0, 30))
	case 1:
		g.line("local %s", f)
		g.open("%s = function(n)", f)
		g.line("if n < 2 then return n end")
		g.line("return %s(n - 1) + %s(n - 2)", f, f)
		g.close("end")
		g.line("print(%s(%d))", f, g.between(0, 15))
	case 2:
		g.line("local %s, %s", f, h)
		g.line("function %s(n) if n == 0 then return true end return %s(n - 1) end", f, h)
		g.line("function %s(n) if n == 0 then return false end return %s(n - 1) end", h, f)
		g.line("print(%s(%d), %s(%d))", f, g.between(0, 20), h, g.between(0, 20))
	case 3:
		g.open("local function %s(n, acc)", f)
		g.line("if n == 0 then return acc end")
		g.line("return %s(n - 1, acc + n)", f)
		g.close("end")
		g.line("print(%s(%d, 0))", f, g.between(0, 5000))
	case 4:
		calls := g.name("calls")
		g.line("local %s = 0", calls)
		g.open("local function %s(t, d)", f)
		g.line("%s = %s + 1", calls, calls)
		g.line("if d == 0 then return {v = d} end")
		g.line("t.l, t.r = %s({}, d - 1), %s({}, d - 1)", f, f)
		g.line("t.v = t.l.v + t.r.v + d")
		g.line("return t")
		g.close("end")
		g.line("print(%s({}, %d).v, %s)", f, g.between(0, 6), calls)
	default:
		g.open("function %s(n)", strings.ToUpper(f))
		g.line("if n <= 0 then return %s end", g.numVar())
		g.line("return %s(n - 1) + 1", strings.ToUpper(f))
		g.close("end")
		g.line("print(%s(%d))", strings.ToUpper(f), g.between(0, 100))
	}
}

var andOrOperands = []string{"nil", "false", "true", "0", `""`, "1", `"a"`, "(0/0)"}

func (g *gen) andOrExpr(depth int) string {
	if depth <= 0 || g.chance(30) {
		switch g.r.Intn(6) {
		case 0:
			return g.numVar()
		case 1:
			return g.strVar()
		}
		return andOrOperands[g.r.Intn(len(andOrOperands))]
	}
	switch g.r.Intn(5) {
	case 0:
		return "not " + g.andOrExpr(depth-1)
	case 1, 2:
		return fmt.Sprintf("(%s and %s)", g.andOrExpr(depth-1), g.andOrExpr(depth-1))
	}
	return fmt.Sprintf("(%s or %s)", g.andOrExpr(depth-1), g.andOrExpr(depth-1))
}

// andOr prints and/or/not chains, as values, as conditions and as the
// a and b or c idiom with a false b.
func (g *gen) andOr() {
	for k := g.between(1, 3); k > 0; k-- {
		switch g.r.Intn(4) {
		case 0:
			g.open("if %s then", g.andOrExpr(3))
			g.line(`print("then")`)
			g.close(`else print("else") end`)
		case 1:
			v := g.name("v")
			g.line("local %s = %s", v, g.andOrExpr(3))
			g.line("print(%s, type(%s))", v, v)
		case 2:
			g.line("print(%s and %s or %s)", g.andOrExpr(1), g.pick("false", "nil", "0", `""`), g.andOrExpr(1))
		default:
			g.line("print(%s, %s)", g.andOrExpr(3), g.andOrExpr(2))
		}
	}
}

// numbers prints edge-case arithmetic with print and %.17g.
func (g *gen) numbers() {
	for k := g.between(1, 4); k > 0; k-- {
		switch g.r.Intn(7) {
		case 0:
			g.printNum(g.edgeNum())
		case 1, 2:
			// 1e16 / -inf is -0 at run time; + 0 as in numExpr
			unsigned := ""
			if g.f&NegativeZero == 0 {
				unsigned = " + 0"
			}
			g.printNum(fmt.Sprintf("(%s) %s (%s)%s", g.edgeNum(), g.op("+", "-", "*", "/", "^"), g.edgeNum(), unsigned))
		case 3:
			exps := []string{"3", "-3", "2", "-2", "0", "-1"} // exact: both agree
			if g.f&Libm != 0 {
				exps = append(exps, "0.5", "-0.5", "1/3", "1.5")
			}
			g.printNum(fmt.Sprintf("(%s) ^ (%s)", g.pick("7", "-7", "7.5", "-7.5", "5", "-5", "0", "2", "-2", "-8", "0.5"), g.pick(exps...)))
		case 4:
			fns := []string{"math.floor", "math.ceil", "math.abs", "math.sqrt", "math.deg", "math.rad"}
			if g.f&Libm != 0 {
				fns = append(fns, "math.exp", "math.log", "math.log10", "math.sin")
			}
			g.printNum(fmt.Sprintf("%s(%s)", g.pick(fns...), g.edgeNum()))
		case 5:
			fns := []string{"math.fmod", "math.max", "math.min", "math.ldexp"}
			if g.f&Libm != 0 {
				fns = append(fns, "math.pow")
			}
			fn := g.pick(fns...)
			if fn == "math.ldexp" {
				g.printNum(fmt.Sprintf("math.ldexp(%s, %d)", g.pick("1", "0.5", "-3", "3"), g.between(-3, 60)))
			} else {
				g.printNum(fmt.Sprintf("%s(%s, %s)", fn, g.edgeNum(), g.edgeNum()))
			}
		default:
			g.line("print(math.modf(%s))", g.edgeNum())
			g.line("print(math.frexp(%s))", g.edgeNum())
		}
	}
	v := g.nums[g.r.Intn(len(g.nums))].spell(g)
	g.line("%s = %s", v, g.numExpr(3))
	g.printNum(v)
}

// concat prints .. chains of strings and numbers.
func (g *gen) concat() {
	operand := func() string {
		switch g.r.Intn(5) {
		case 0:
			return g.concatNum("(" + g.edgeNum() + ")")
		case 1:
			return g.concatNum(g.numVar())
		case 2:
			return g.strVar()
		case 3:
			return g.concatNum(g.niceNum())
		}
		return g.strLit()
	}
	for k := g.between(1, 3); k > 0; k-- {
		parts := []string{operand()}
		for j := g.between(1, 3); j > 0; j-- {
			parts = append(parts, operand())
		}
		g.line("print(%s)", strings.Join(parts, " .. "))
	}
	if g.chance(40) {
		s := g.strs[g.r.Intn(len(g.strs))].spell(g)
		g.line("%s = string.sub(%s .. %s, 1, 12)", s, operand(), operand())
		g.line("print(%s)", s)
	}
	if g.chance(30) {
		g.line("print((pcall(function() return %s .. %s end)))", operand(), g.pick("nil", "{}", "true"))
	}
}

// length prints # of strings and of sequences built in several ways.
func (g *gen) length() {
	t := g.name("t")
	n := g.between(0, 6)
	var items []string
	for i := 0; i < n; i++ {
		items = append(items, g.niceNum())
	}
	g.line("local %s = {%s}", t, strings.Join(items, ", "))
	switch g.r.Intn(5) {
	case 0:
		g.line("%s[#%s + 1] = %s", t, t, g.niceNum())
	case 1:
		g.line("table.insert(%s, %s)", t, g.niceNum())
	case 2:
		g.line("table.insert(%s, 1, %s)", t, g.niceNum())
	case 3:
		g.line("if #%s > 0 then print(table.remove(%s)) end", t, t)
	default:
		g.line("if #%s > 0 then %s[#%s] = nil end", t, t, t)
	}
	g.line("print(#%s, %s[#%s], #%s, #\"\", #%s)", t, t, t, g.strExpr(2), g.strLit())
	g.line("print(#{%s}, #{n = 1}, #\"a\\0b\")", strings.Join(items, ", "))
}

// pcallUpvalues runs pcall/error inside closures that write the enclosing
// function's locals before, inside and after the protected call.
func (g *gen) pcallUpvalues() {
	n, f := g.name("n"), g.name("pf")
	g.line("local %s = %s", n, g.niceNum())
	switch g.r.Intn(7) {
	case 0:
		g.open("local function %s()", f)
		g.line(`pcall(error, "x")`)
		g.line("%s = %s + 1", n, n)
		g.close("end")
	case 1:
		g.open("local function %s()", f)
		g.line(`local ok = pcall(function() %s = %s + 1; error("boom", 0) end)`, n, n)
		g.line("%s = %s * 2", n, n)
		g.line("print(ok, %s)", n)
		g.close("end")
	case 2:
		g.open("local function %s()", f)
		g.line("local ok, e = pcall(function() %s = %s + 10; return %s end)", n, n, n)
		g.line("%s = %s + 1", n, n)
		g.line("print(ok, e, %s)", n)
		g.close("end")
	case 3:
		g.open("local function %s()", f)
		g.line("local inner = %s", g.niceNum())
		g.line(`local ok, e = pcall(function() inner = inner + 1; %s = %s + inner; error({v = inner}) end)`, n, n)
		g.line("%s = %s + e.v", n, n)
		g.line("print(ok, type(e), e.v, inner, %s)", n)
		g.close("end")
	case 4:
		g.open("local function %s()", f)
		g.open("for i = 1, %d do", g.between(1, 3))
		g.line(`pcall(error, "x")`)
		g.line("%s = %s + i", n, n)
		g.line(`local ok = pcall(function() %s = %s * 2; if i %% 2 == 0 then error("even", 0) end end)`, n, n)
		g.line("print(i, ok, %s)", n)
		g.close("end")
		g.close("end")
	case 5:
		g.open("local function %s()", f)
		g.line("local a, b = %s, %s", g.niceNum(), g.niceNum())
		g.line(`pcall(function() a, b = b, a; error("swap", 0) end)`)
		g.line("%s = %s + a - b", n, n)
		g.line("print(a, b)")
		g.close("end")
	default:
		g.open("local function %s()", f)
		g.line("local ok, e = pcall(pcall, error, %s)", g.pick(`"x"`, "nil", "{}", "7"))
		g.line("%s = %s + 1", n, n)
		g.line("%s = %s + 1", g.nums[0].text[0], g.nums[0].text[0])
		g.line("print(ok, e)")
		g.close("end")
	}
	for k := g.between(1, 2); k > 0; k-- {
		g.line("%s()", f)
		g.line("print(%s)", n)
	}
}

// errors catches error values of every type, through nested pcall and
// xpcall, and rethrows them.
func (g *gen) errors() {
	switch g.r.Intn(9) {
	case 0:
		g.line("local ok, e = pcall(error, {code = %d})", g.between(0, 99))
		g.line("print(ok, type(e), e.code)")
	case 1:
		g.line(`print(pcall(error, %s, 0))`, g.pick(`"msg"`, `""`, `"a b"`))
	case 2:
		g.line("print(pcall(error))")
		g.line("print(pcall(error, nil))")
	case 3:
		g.line("local ok, e = pcall(error, %s, 0)", g.pick("42", "1.5", negZero, "true", "false"))
		g.line("print(ok, type(e), e)")

	case 4:
		g.line(`print(pcall(pcall, error, "x", 0))`)
		g.line(`print(pcall(function() local ok, e = pcall(error, "a", 0); error(e .. "b", 0) end))`)
	case 5:
		g.line("local obj = {n = %d}", g.between(0, 9))
		g.line("local ok, e = pcall(function() local ok2, e2 = pcall(error, obj); error(e2) end)")
		g.line("print(ok, e == obj, e.n)")
	case 6:
		g.line(`print(xpcall(function() error("inner", 0) end, function(m) return "handled: " .. m end))`)
		g.line(`print(xpcall(function() return 1, 2 end, function(m) return m end))`)
	case 7:
		g.line("local ok, e = pcall(function() error(setmetatable({}, {__index = function(t, k) return k .. \"!\" end})) end)")
		g.line("print(ok, e.hello)")
	default:
		d := g.name("depth")
		g.line("local %s = 0", d)
		g.open("local function nest(k)")
		g.line("%s = %s + 1", d, d)
		g.line(`if k == 0 then error("bottom", 0) end`)
		g.line("local ok, e = pcall(nest, k - 1)")
		g.line(`error(e .. k, 0)`)
		g.close("end")
		g.line("print(pcall(nest, %d))", g.between(0, 6))
		g.line("print(%s)", d)
	}
	if g.chance(30) {
		g.line("print((pcall(function() local x = nil; return x.field end)))")
	}
}
