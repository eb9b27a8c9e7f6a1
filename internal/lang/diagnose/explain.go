// Package diagnose turns gopher-lua's runtime error messages into Lua 5.1's
// ("attempt to call global 'x' (a nil value)") and adds a hint for a person
// ("did you mean 'stream_socket_accept'?"). It reads the raising frame from
// inside an error handler and the chunk's syntax tree; it runs only when an
// error has happened.
package diagnose

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/ast"
)

// Sources returns the source text of a chunk by its chunk name (what the
// compiler was given: a script path, or a loadstring chunk name).
type Sources func(chunkname string) ([]byte, bool)

// gopher-lua v1.1.1's texts (vm.go, state.go), after the "chunk:line: "
// prefix; and the wider forms raiserFor matches the whole message with.
// Compiled on the first error, not at start-up, where they took a tenth of
// an empty script's run.
var patterns = sync.OnceValue(func() *messagePatterns {
	return &messagePatterns{
		call:    regexp.MustCompile(`^attempt to call a non-function object$`),
		index:   regexp.MustCompile(`(?s)^attempt to index a non-table object\((\w+)\) with key '(.*)'$`),
		arith:   regexp.MustCompile(`^cannot perform (\w+) operation between (\w+) and (\w+)$`),
		compare: regexp.MustCompile(`^attempt to compare (\w+) with (\w+)$`),
		// gopher-lua's own libraries leave out the quotes around the name.
		badArg:   regexp.MustCompile(`(?s)^bad argument #(\d+) to '?([^' ]*)'? \((.*)\)$`),
		expected: regexp.MustCompile(`^(.*) expected, got (.*)$`),
		arithAny: regexp.MustCompile(`cannot perform (\w+) operation between \w+ and \w+$`),
		indexAny: regexp.MustCompile(`(?s)attempt to index a non-table object\(\w+\) with key '(.*)'$`),
	}
})

type messagePatterns struct {
	call, index, arith, compare, badArg, expected, arithAny, indexAny *regexp.Regexp
}

var arithSymbols = map[string]string{"add": "+", "sub": "-", "mul": "*", "div": "/", "mod": "%", "pow": "^"}

var forTexts = map[string]string{
	"for statement init must be a number":  "'for' initial value must be a number",
	"for statement limit must be a number": "'for' limit must be a number",
	"for statement step must be a number":  "'for' step must be a number",
}

// Explain is called from an error handler — a Go function passed as the
// errfunc of L.PCall — while the frames that raised the error are still on
// L's call stack. It returns Lua 5.1's text for an engine error (msg unchanged
// for anything else, e.g. a user's error("...") or a Go function's "bad
// argument"), and a hint for a person ("" when it has none).
func Explain(L *lua.LState, msg lua.LValue, src Sources) (lua.LValue, string) {
	s, ok := msg.(lua.LString)
	if !ok {
		return msg, ""
	}
	if strings.Contains(string(s), "in table for concat") || strings.Contains(string(s), "in table for 'concat'") {
		return msg, concatHint
	}
	can := raiserFor(string(s))
	if can == nil {
		return msg, ""
	}
	d := raising(L, src, can)
	if d == nil {
		return msg, ""
	}
	prefix := fmt.Sprintf("%s:%d: ", d.source, d.line)
	if !strings.HasPrefix(string(s), prefix) {
		return msg, ""
	}
	body := string(s)[len(prefix):]
	text, hint := d.explain(body)
	if text == "" {
		return msg, hint
	}
	return lua.LString(prefix + text), hint
}

const concatHint = "table.concat needs a string or number at every index from 1 to #t: a nil leaves a hole (append with t[#t + 1] = v, and never store nil)"

// diag is what is known about one error: the raising Lua frame, its line and
// the sites on that line.
type diag struct {
	L      *lua.LState
	fr     *frame
	source string
	line   int
	inGo   bool         // raised by a Go function called from this frame
	chunk  []ast.Stmt   // nil when the source is unknown or does not parse
	bodies [][]ast.Stmt // the raising function's statements
	sites  []site
}

// raising finds the Lua frame that raised: level 0 is the handler itself,
// level 1 the raiser (a Go function, whose Lua caller is next).
func raising(L *lua.LState, src Sources, can raiser) *diag {
	inGo := false
	for level := 1; level < 64; level++ {
		dbg, ok := L.GetStack(level)
		if !ok {
			return nil
		}
		fv, err := L.GetInfo("Slf", dbg, lua.LNil)
		if err != nil {
			return nil
		}
		fn, ok := fv.(*lua.LFunction)
		if !ok {
			return nil
		}
		if fn.IsG {
			inGo = true
			continue
		}
		d := &diag{L: L, fr: newFrame(L, dbg, fn, dbg.CurrentLine, can), source: dbg.Source, line: dbg.CurrentLine, inGo: inGo}
		if src != nil {
			d.chunk = parsed(dbg.Source, src)
		}
		d.bodies = functionBodies(d.chunk, dbg.LineDefined, dbg.LastLineDefined)
		for _, body := range d.bodies {
			d.sites = append(d.sites, sitesOnLine(body, d.line)...)
		}
		return d
	}
	return nil
}

var (
	callOps  = []int{lua.OP_CALL, lua.OP_TAILCALL, lua.OP_TFORLOOP}
	indexOps = []int{lua.OP_GETTABLE, lua.OP_GETTABLEKS, lua.OP_SETTABLE, lua.OP_SETTABLEKS, lua.OP_SELF}
	anyOps   = append(append([]int{lua.OP_CONCAT, lua.OP_LEN, lua.OP_LT, lua.OP_LE, lua.OP_EQ, lua.OP_FORPREP, lua.OP_UNM,
		lua.OP_ADD, lua.OP_SUB, lua.OP_MUL, lua.OP_DIV, lua.OP_MOD, lua.OP_POW}, callOps...), indexOps...)
	arithOpcodes = map[string]int{"add": lua.OP_ADD, "sub": lua.OP_SUB, "mul": lua.OP_MUL, "div": lua.OP_DIV,
		"mod": lua.OP_MOD, "pow": lua.OP_POW, "concat": lua.OP_CONCAT}
)

// raiserFor says which instructions can raise msg, nil when msg is none of
// the errors Explain works on (so a user's error costs a few matches).
func raiserFor(msg string) raiser {
	switch {
	case strings.HasSuffix(msg, "attempt to call a non-function object"):
		return opcodes(callOps...)
	case strings.HasSuffix(msg, "__len undefined"):
		return opcodes(lua.OP_LEN)
	case strings.HasSuffix(msg, "__unm undefined"):
		return opcodes(lua.OP_UNM)
	case strings.Contains(msg, "attempt to compare "):
		return opcodes(lua.OP_LT, lua.OP_LE)
	case strings.Contains(msg, "for statement "):
		return opcodes(lua.OP_FORPREP)
	case strings.Contains(msg, "bad argument #"):
		return opcodes(anyOps...)
	}
	if m := patterns().indexAny.FindStringSubmatch(msg); m != nil {
		return indexing(m[1])
	}
	if m := patterns().arithAny.FindStringSubmatch(msg); m != nil {
		if op, ok := arithOpcodes[m[1]]; ok {
			return opcodes(op)
		}
	}
	return nil
}

// explain returns Lua 5.1's text for body ("" to keep it) and a hint.
func (d *diag) explain(body string) (string, string) {
	if t, ok := forTexts[body]; ok {
		return t, "a numeric for needs numbers: convert a string with tonumber() first"
	}
	if m := patterns().badArg.FindStringSubmatch(body); m != nil {
		n, _ := strconv.Atoi(m[1])
		return "", d.badArgHint(n, m[2], m[3])
	}
	if m := patterns().compare.FindStringSubmatch(body); m != nil {
		return d.compare(m[1], m[2]) // names nothing: right from Go too (table.sort)
	}
	if d.inGo {
		// Raised inside a Go function: the culprit is not on the Lua line.
		return "", ""
	}
	switch {
	case patterns().call.MatchString(body):
		return d.call()
	case body == "__len undefined":
		return d.unary("len", "get length of")
	case body == "__unm undefined":
		return d.unary("unm", "perform arithmetic on")
	}
	if m := patterns().index.FindStringSubmatch(body); m != nil {
		return d.index(m[1], m[2])
	}
	if m := patterns().arith.FindStringSubmatch(body); m != nil {
		if m[1] == "concat" {
			return d.concat(m[2], m[3])
		}
		if op, ok := arithSymbols[m[1]]; ok {
			return d.arith(op, m[2], m[3])
		}
		return "", ""
	}
	return "", ""
}

// candidate is one possible culprit: named operand, and whether its value
// is known to explain the error (or known not to).
type candidate struct {
	operand
	explains bool
	forIn    bool   // the iterator of a generic for
	strPair  bool   // arithmetic: the other operand is a string too
	typ      string // the culprit's type when known
}

// pick returns the culprit: the first candidate whose value explains the
// error; else the only one whose value is unknown; else none (ok false).
func pick(cands []candidate) (candidate, bool) {
	var unknown []candidate
	for _, c := range cands {
		if c.known && c.explains {
			return c, true
		}
		if !c.known {
			unknown = append(unknown, c)
		}
	}
	if len(unknown) == 1 {
		return unknown[0], true
	}
	return candidate{}, false
}

// typeError is Lua 5.1's luaG_typeerror text.
func typeError(op, name, typ string) string {
	if name != "" {
		return fmt.Sprintf("attempt to %s %s (a %s value)", op, name, typ)
	}
	return fmt.Sprintf("attempt to %s a %s value", op, typ)
}

// blame is the message naming c, the culprit of a typ value that pick
// found (ok), or no one when it found none, and the hint of kind for c.
func (d *diag) blame(c candidate, ok bool, verb, typ, kind string) (string, string) {
	if !ok {
		return typeError(verb, "", typ), ""
	}
	c.typ = typ
	return typeError(verb, c.name, typ), d.hint(c, kind)
}

func (d *diag) call() (string, string) {
	var cands []candidate
	for _, s := range d.sites {
		if _, ok := s.node.(*ast.FuncCallExpr); !ok && !s.forIn {
			continue
		}
		var c candidate
		switch {
		case s.method != "":
			c.expr = s.node
			c.name = "method '" + s.method + "'"
			if recv, ok := d.fr.eval(s.target, 0); ok {
				c.value, c.known = d.fr.index(recv, lua.LString(s.method))
			}
		case s.forIn:
			c.operand = d.fr.operand(s.target)
			c.name, c.forIn = "", true
		default:
			c.operand = d.fr.operand(s.target)
		}
		c.explains = c.known && !callable(d.L, c.value)
		cands = append(cands, c)
	}
	c, ok := pick(cands)
	typ := "nil" // unknown value: nil is by far the commonest
	if ok && c.known {
		typ = c.value.Type().String()
	} else if t, found := d.fr.registerType(argA, func(v lua.LValue) bool { return !callable(d.L, v) }); found {
		typ = t
	}
	if !ok {
		return typeError("call", "", typ), ""
	}
	return typeError("call", c.name, typ), d.hint(c, "call")
}

func (d *diag) index(typ, key string) (string, string) {
	var cands []candidate
	for _, s := range d.sites {
		var k lua.LValue
		switch {
		case s.method != "":
			k = lua.LString(s.method)
		case s.key != nil:
			v, ok := d.fr.eval(s.key, 0)
			if ok {
				k = v
			}
		default:
			continue
		}
		if k != nil && k.String() != key {
			continue
		}
		c := candidate{operand: d.fr.operand(s.target)}
		meta := "__index"
		if s.store {
			meta = "__newindex"
		}
		c.explains = c.known && c.value.Type().String() == typ && d.L.GetMetaField(c.value, meta) == lua.LNil
		cands = append(cands, c)
	}
	c, ok := pick(cands)
	return d.blame(c, ok, "index", typ, "index")
}

// arith blames, as Lua 5.1's luaG_aritherror does, the left operand unless
// it is a number, else the right one.
func (d *diag) arith(op, t1, t2 string) (string, string) {
	blame, typ := 0, t1
	if t1 == "number" {
		blame, typ = 1, t2
	}
	var cands []candidate
	for _, s := range d.sites {
		if s.op != op || len(s.operands) != 2 {
			continue
		}
		c := candidate{operand: d.fr.operand(s.operands[blame])}
		other := d.fr.operand(s.operands[1-blame])
		c.explains = c.known && arithType(c.value) == typ
		_, c.strPair = other.value.(lua.LString)
		if other.known && arithType(other.value) != []string{t1, t2}[1-blame] {
			c.known, c.explains = true, false
		}
		cands = append(cands, c)
	}
	c, ok := pick(cands)
	if _, isStr := c.value.(lua.LString); ok && op == "+" && c.known && isStr && c.strPair {
		return typeError("perform arithmetic on", c.name, typ), "'+' adds numbers: to join strings use '..' (\"a\" .. \"b\")"
	}
	return d.blame(c, ok, "perform arithmetic on", typ, "arith")
}

// unary handles # and unary minus, whose gopher-lua texts give no type.
func (d *diag) unary(op, verb string) (string, string) {
	var cands []candidate
	for _, s := range d.sites {
		if s.op != op {
			continue
		}
		c := candidate{operand: d.fr.operand(s.operands[0])}
		if op == "len" {
			t := c.value.Type()
			c.explains = c.known && t != lua.LTString && t != lua.LTTable
		} else {
			c.explains = c.known && arithType(c.value) != "number"
		}
		cands = append(cands, c)
	}
	c, ok := pick(cands)
	typ := "nil"
	if ok && c.known {
		typ = c.value.Type().String()
	} else if t, found := d.fr.registerType(argB, func(v lua.LValue) bool {
		if op == "len" {
			return v.Type() != lua.LTString && v.Type() != lua.LTTable
		}
		return arithType(v) != "number"
	}); found {
		typ = t
	}
	return d.blame(c, ok, verb, typ, op)
}

// argA and argB decode an instruction's A and B (B may be a constant: RK).
func argA(inst uint32) int { return int(inst>>18) & 0xff }
func argB(inst uint32) int { return int(inst & 0x1ff) }

func isStrNum(v lua.LValue) bool {
	t := v.Type()
	return t == lua.LTString || t == lua.LTNumber
}

// concat blames as Lua 5.1's luaG_concaterror: of the failing pair, the left
// one unless it is a string or number. Pairs are taken from the right.
func (d *diag) concat(t1, t2 string) (string, string) {
	typ := t1
	if t1 == "string" || t1 == "number" {
		typ = t2
	}
	var cands []candidate
	for _, s := range d.sites {
		if s.op != "concat" {
			continue
		}
		ops := make([]operand, len(s.operands))
		for i, e := range s.operands {
			ops[i] = d.fr.operand(e)
		}
		i := len(ops) - 1
		for i >= 0 && ops[i].known && isStrNum(ops[i].value) {
			i--
		}
		var c candidate
		switch {
		case i < 0:
			c.known = true // every operand concatenates: not this site
		case !ops[i].known:
		case i == len(ops)-1 && i > 0 && !ops[i-1].known:
		case i == len(ops)-1 && i > 0 && !isStrNum(ops[i-1].value):
			c.operand, c.explains = ops[i-1], ops[i-1].value.Type().String() == typ
		default:
			c.operand, c.explains = ops[i], ops[i].value.Type().String() == typ
		}
		cands = append(cands, c)
	}
	c, ok := pick(cands)
	return d.blame(c, ok, "concatenate", typ, "concat")
}

// compare: Lua 5.1 names no variable here, only the types.
func (d *diag) compare(t1, t2 string) (string, string) {
	text := fmt.Sprintf("attempt to compare %s with %s", t1, t2)
	if t1 == t2 {
		text = fmt.Sprintf("attempt to compare two %s values", t1)
	}
	return text, d.compareHint(t1, t2)
}
