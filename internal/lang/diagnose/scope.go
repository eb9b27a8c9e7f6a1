package diagnose

import (
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/ast"
)

// frame is the Lua function activation that raised: what its names mean at
// the instruction that failed.
type frame struct {
	L      *lua.LState
	fn     *lua.LFunction
	locals map[string]lua.LValue // active locals; an inner one shadows an outer one
	upvals map[string]lua.LValue
	env    *lua.LTable
	regs   []lua.LValue // the frame's registers, temporaries included
	line   int
	can    raiser
}

func newFrame(L *lua.LState, dbg *lua.Debug, fn *lua.LFunction, line int, can raiser) *frame {
	f := &frame{L: L, fn: fn, locals: map[string]lua.LValue{}, upvals: map[string]lua.LValue{}, env: fn.Env, line: line, can: can}
	var names []string
	var values []lua.LValue
	for n := 1; n <= 255; n++ {
		name, v := L.GetLocal(dbg, n)
		if name == "" {
			break
		}
		names = append(names, name)
		values = append(values, v)
	}
	// Active locals come in register order, so a shadowing local (declared
	// later, in a higher register) overwrites the one it hides.
	for i, name := range activeLocals(fn.Proto, line, can, names) {
		if i < len(values) && !strings.HasPrefix(name, "(") {
			f.locals[name] = values[i]
		}
	}
	f.regs = values
	for n := 1; n <= len(fn.Upvalues); n++ {
		name, v := L.GetUpvalue(fn, n)
		if name != "" {
			f.upvals[name] = v
		}
	}
	return f
}

// activeLocals corrects gopher-lua's local names, which miss a local on the
// first instruction of its scope and on the last (gopher-lua tests
// startpc < pc < endpc, where its startpc is Lua's and its endpc is the
// last instruction, not the one after): `local c = f(); c:close()` would
// call c a temporary. The failing pc is not public, so it tries each
// instruction on the line that can raise this error and whose names agree
// with gopher-lua's, and keeps the longest list (a later instruction on the
// line that sees a new local is the usual reason for more than one).
func activeLocals(p *lua.FunctionProto, line int, can raiser, got []string) []string {
	named := 0
	for named < len(got) && got[named] != "(*temporary)" {
		named++
	}
	if named == len(got) {
		return got
	}
	var longest []string
	for pc, l := range p.DbgSourcePositions {
		if l != line || pc >= len(p.Code) || !can(p, p.Code[pc]) {
			continue
		}
		if !equalStrings(localsAt(p, pc, false), got[:named]) {
			continue
		}
		if t := localsAt(p, pc, true); len(t) > len(longest) {
			longest = t
		}
	}
	if len(longest) > named {
		return longest
	}
	return got[:named]
}

// localsAt lists the locals active at pc, as gopher-lua finds them
// (inclusive false) or as they are (inclusive true).
func localsAt(p *lua.FunctionProto, pc int, inclusive bool) []string {
	var out []string
	for _, l := range p.DbgLocals {
		if l.StartPc > pc || (!inclusive && l.StartPc == pc) {
			break
		}
		if pc < l.EndPc || (inclusive && pc == l.EndPc) {
			out = append(out, l.Name)
		}
	}
	return out
}

// registerType guesses the type of an operand the syntax tree cannot
// evaluate (f()(), #f()) from the registers: operand gives the register or
// constant (RK) that the instruction reads, bad says which values raise. The
// guess stands only if every instruction on the line that could have raised
// holds a bad value of one same type.
func (f *frame) registerType(operand func(inst uint32) int, bad func(lua.LValue) bool) (string, bool) {
	p := f.fn.Proto
	typ := ""
	for pc, l := range p.DbgSourcePositions {
		if l != f.line || pc >= len(p.Code) || !f.can(p, p.Code[pc]) {
			continue
		}
		rk := operand(p.Code[pc])
		var v lua.LValue
		switch {
		case rk >= 256 && rk-256 < len(p.Constants):
			v = p.Constants[rk-256]
		case rk < len(f.regs):
			v = f.regs[rk]
		default:
			return "", false
		}
		if !bad(v) {
			continue
		}
		if t := v.Type().String(); typ == "" {
			typ = t
		} else if t != typ {
			return "", false
		}
	}
	return typ, typ != ""
}

// raiser says whether an instruction of p can raise the error at hand.
type raiser func(p *lua.FunctionProto, inst uint32) bool

// opcodes raise when the instruction is one of ops.
func opcodes(ops ...int) raiser {
	return func(p *lua.FunctionProto, inst uint32) bool {
		op := int(inst >> 26)
		for _, o := range ops {
			if o == op {
				return true
			}
		}
		return false
	}
}

// indexing raises for a get, set or self whose key, when a constant, is key.
func indexing(key string) raiser {
	return func(p *lua.FunctionProto, inst uint32) bool {
		var rk int
		switch int(inst >> 26) {
		case lua.OP_GETTABLE, lua.OP_GETTABLEKS, lua.OP_SELF:
			rk = int(inst>>9) & 0x1ff
		case lua.OP_SETTABLE, lua.OP_SETTABLEKS:
			rk = int(inst & 0x1ff)
		default:
			return false
		}
		if rk&256 == 0 || rk&255 >= len(p.Constants) {
			return true // key in a register: cannot tell
		}
		return p.Constants[rk&255].String() == key
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// operand is one expression that may have caused the error: its name as
// Lua 5.1 gives it ("global 'x'", "" when unnamed) and its value when it can
// be read without running anything.
type operand struct {
	expr  ast.Expr
	name  string
	value lua.LValue
	known bool
}

func (f *frame) operand(e ast.Expr) operand {
	v, ok := f.eval(e, 0)
	return operand{expr: e, name: f.describe(e), value: v, known: ok}
}

// describe names an expression the way Lua 5.1's getobjname does: statically,
// by the kind of variable, whatever its value.
func (f *frame) describe(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.IdentExpr:
		return f.kind(x.Value) + " '" + x.Value + "'"
	case *ast.AttrGetExpr:
		if k, ok := x.Key.(*ast.StringExpr); ok {
			return "field '" + k.Value + "'"
		}
		return "field '?'"
	}
	return ""
}

// kind says what a name refers to in the raising function.
func (f *frame) kind(name string) string {
	if _, ok := f.locals[name]; ok {
		return "local"
	}
	if _, ok := f.upvals[name]; ok {
		return "upvalue"
	}
	return "global"
}

// eval reads a plain name or a chain of constant (or plain-name) keys with
// raw gets only, so it runs no metamethod function and no call.
func (f *frame) eval(e ast.Expr, depth int) (lua.LValue, bool) {
	if depth > 16 {
		return lua.LNil, false
	}
	switch x := e.(type) {
	case *ast.IdentExpr:
		if v, ok := f.locals[x.Value]; ok {
			return v, true
		}
		if v, ok := f.upvals[x.Value]; ok {
			return v, true
		}
		if f.env == nil {
			return lua.LNil, false
		}
		return f.index(f.env, lua.LString(x.Value))
	case *ast.AttrGetExpr:
		obj, ok := f.eval(x.Object, depth+1)
		if !ok {
			return lua.LNil, false
		}
		key, ok := f.eval(x.Key, depth+1)
		if !ok {
			return lua.LNil, false
		}
		return f.index(obj, key)
	case *ast.StringExpr:
		return lua.LString(x.Value), true
	case *ast.NumberExpr:
		n, err := strconv.ParseFloat(x.Value, 64)
		if err != nil {
			if i, err2 := strconv.ParseInt(strings.TrimPrefix(strings.ToLower(x.Value), "0x"), 16, 64); err2 == nil {
				return lua.LNumber(i), true
			}
			return lua.LNil, false
		}
		return lua.LNumber(n), true
	case *ast.NilExpr:
		return lua.LNil, true
	case *ast.TableExpr:
		if depth == 0 { // only its type matters: nothing reads its fields
			return f.L.NewTable(), true
		}
	case *ast.FunctionExpr:
		if depth == 0 {
			return f.fn, true
		}
	case *ast.TrueExpr:
		return lua.LTrue, true
	case *ast.FalseExpr:
		return lua.LFalse, true
	}
	return lua.LNil, false
}

// index is obj[key] without side effects: a raw get, then an __index table
// (followed a few times); an __index function makes the value unknown.
func (f *frame) index(obj, key lua.LValue) (lua.LValue, bool) {
	for i := 0; i < 8; i++ {
		if t, ok := obj.(*lua.LTable); ok {
			if v := t.RawGet(key); v != lua.LNil {
				return v, true
			}
		} else if !hasMeta(f.L, obj) {
			// Indexing it raises; the chain has no value past here.
			return lua.LNil, false
		}
		h := f.L.GetMetaField(obj, "__index")
		switch h.(type) {
		case *lua.LNilType:
			if _, ok := obj.(*lua.LTable); ok {
				return lua.LNil, true
			}
			return lua.LNil, false
		case *lua.LTable:
			obj = h
		default:
			return lua.LNil, false
		}
	}
	return lua.LNil, false
}

func hasMeta(L *lua.LState, v lua.LValue) bool {
	_, ok := L.GetMetatable(v).(*lua.LTable)
	return ok
}

// callable says whether calling v works: a function, or a value whose
// metatable has __call.
func callable(L *lua.LState, v lua.LValue) bool {
	if v.Type() == lua.LTFunction {
		return true
	}
	return L.GetMetaField(v, "__call") != lua.LNil
}

// arithType is the type gopher-lua reports for an arithmetic operand: a
// string that reads as a number counts as a number.
func arithType(v lua.LValue) string {
	if s, ok := v.(lua.LString); ok {
		if _, err := strconv.ParseFloat(strings.TrimSpace(string(s)), 64); err == nil {
			return "number"
		}
		if isHex(strings.TrimSpace(string(s))) {
			return "number"
		}
	}
	return v.Type().String()
}

func isHex(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	if len(s) < 3 || (s[:2] != "0x" && s[:2] != "0X") {
		return false
	}
	_, err := strconv.ParseUint(s[2:], 16, 64)
	return err == nil
}
