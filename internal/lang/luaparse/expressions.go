package luaparse

import (
	"math"
	"strconv"

	"github.com/yuin/gopher-lua/ast"
)

// expKind is what lparser.c's expdesc kind tells the grammar: whether an
// expression is a call (a statement of its own), a vararg, or a variable
// (which can be assigned).
type expKind int

const (
	kOther expKind = iota
	kCall
	kVararg
	kLocal // kLocal and above can be assigned
	kUpval
	kGlobal
	kIndexed
)

// singleVar reads a name and resolves it (which counts upvalues).
func (p *parser) singleVar() (ast.Expr, expKind) {
	t := p.checkName()
	kind, _ := p.singleVarAux(p.fs, t.str)
	e := &ast.IdentExpr{Value: t.str}
	e.SetLine(t.line)
	return e, kind
}

// exprList: expr {',' expr}; the kind of the last comes back.
func (p *parser) exprList() ([]ast.Expr, expKind) {
	e, kind := p.subExpr(0)
	list := []ast.Expr{e}
	for p.testNext(',') {
		e, kind = p.subExpr(0)
		list = append(list, e)
	}
	return list, kind
}

func (p *parser) expr() ast.Expr {
	e, _ := p.subExpr(0)
	return e
}

// body: '(' parlist ')' chunk END, a function defined at line.
func (p *parser) body(self bool, line int) *ast.FunctionExpr {
	p.openFunc(line)
	p.open = append(p.open, opener{tkFunction, line})
	open := p.lx.t.line
	p.checkNext('(')
	if self {
		p.newLocal("self")
		p.adjustLocals(1)
	}
	params := p.parList()
	p.checkNext(')')
	stmts := p.chunk()
	end := p.checkMatch(tkEnd, tkFunction, line)
	p.closeFunc()
	fn := &ast.FunctionExpr{ParList: params, Stmts: stmts}
	fn.SetLine(open)
	fn.SetLastLine(end)
	return fn
}

// parList: [ NAME {',' NAME} [',' '...'] | '...' ]. A vararg function
// also has Lua 5.1's compatibility local 'arg' (it counts to the limit).
func (p *parser) parList() *ast.ParList {
	pl := &ast.ParList{Names: []string{}}
	n := 0
	if p.lx.t.tok != ')' {
		for {
			switch p.lx.t.tok {
			case tkName:
				name := p.checkName().str
				p.newLocal(name)
				pl.Names = append(pl.Names, name)
				n++
			case tkDots:
				p.lx.advance()
				p.newLocal("arg")
				n++
				pl.HasVargs = true
			default:
				p.lx.syntaxError("<name> or '...' expected")
			}
			if pl.HasVargs || !p.testNext(',') {
				break
			}
		}
	}
	p.fs.vararg = pl.HasVargs
	p.adjustLocals(n)
	return pl
}

// funcArgs: '(' [exprlist] ')' | constructor | STRING, after the function
// f; line is where f's expression starts.
func (p *parser) funcArgs() []ast.Expr {
	line := p.lx.line
	switch p.lx.t.tok {
	case '(':
		if line != p.lx.lastline {
			p.lx.syntaxError("ambiguous syntax (function call x new statement)")
		}
		p.lx.advance()
		args := []ast.Expr{}
		if p.lx.t.tok != ')' {
			args, _ = p.exprList()
		}
		p.checkMatch(')', '(', line)
		return args
	case '{':
		return []ast.Expr{p.constructor()}
	case tkString:
		s := &ast.StringExpr{Value: p.lx.t.str}
		s.SetLine(p.lx.t.line)
		p.lx.advance()
		return []ast.Expr{s}
	}
	p.lx.syntaxError("function arguments expected")
	return nil
}

// prefixExp: NAME | '(' expr ')'.
func (p *parser) prefixExp() (ast.Expr, expKind) {
	switch p.lx.t.tok {
	case '(':
		line, open := p.lx.line, p.lx.t.line
		p.lx.advance()
		e, _ := p.subExpr(0)
		p.checkMatch(')', '(', line)
		switch x := e.(type) {
		case *ast.FuncCallExpr:
			x.AdjustRet = true // one value
		case *ast.Comma3Expr:
			x.AdjustRet = true
			x.SetLine(open)
		default:
			e.SetLine(open)
		}
		return e, kOther // a value now: neither a call nor a variable
	case tkName:
		return p.singleVar()
	}
	p.lx.syntaxError("unexpected symbol")
	return nil, kOther
}

// primaryExp: prefixexp { '.' NAME | '[' exp ']' | ':' NAME funcargs | funcargs }.
func (p *parser) primaryExp() (ast.Expr, expKind) {
	e, kind := p.prefixExp()
	for {
		switch p.lx.t.tok {
		case '.':
			p.lx.advance()
			k := p.checkName()
			key := &ast.StringExpr{Value: k.str}
			key.SetLine(k.line)
			e, kind = p.indexed(e, key), kIndexed
		case '[':
			e, kind = p.indexed(e, p.yindex()), kIndexed
		case ':':
			p.lx.advance()
			m := p.checkName()
			call := &ast.FuncCallExpr{Receiver: e, Method: m.str, Args: p.funcArgs()}
			call.SetLine(e.Line())
			e, kind = call, kCall
		case '(', tkString, '{':
			call := &ast.FuncCallExpr{Func: e, Args: p.funcArgs()}
			call.SetLine(e.Line())
			e, kind = call, kCall
		default:
			return e, kind
		}
	}
}

func (p *parser) indexed(obj, key ast.Expr) ast.Expr {
	e := &ast.AttrGetExpr{Object: obj, Key: key}
	e.SetLine(obj.Line())
	return e
}

// yindex: '[' expr ']'.
func (p *parser) yindex() ast.Expr {
	p.lx.advance()
	e := p.expr()
	p.checkNext(']')
	return e
}

// constructor: '{' [ field { sep field } [sep] ] '}'.
func (p *parser) constructor() ast.Expr {
	line, open := p.lx.line, p.lx.t.line
	t := &ast.TableExpr{Fields: []*ast.Field{}}
	t.SetLine(open)
	p.checkNext('{')
	for p.lx.t.tok != '}' {
		switch p.lx.t.tok {
		case tkName: // a list item, or a record field name = value
			p.lx.lookahead()
			if p.lx.ahead.tok != '=' {
				t.Fields = append(t.Fields, &ast.Field{Value: p.expr()})
			} else {
				t.Fields = append(t.Fields, p.recField())
			}
		case '[':
			t.Fields = append(t.Fields, p.recField())
		default:
			t.Fields = append(t.Fields, &ast.Field{Value: p.expr()})
		}
		if !p.testNext(',') && !p.testNext(';') {
			break
		}
	}
	p.checkMatch('}', '{', line)
	return t
}

// recField: (NAME | '[' exp ']') '=' exp.
func (p *parser) recField() *ast.Field {
	var key ast.Expr
	if p.lx.t.tok == tkName {
		k := p.checkName()
		s := &ast.StringExpr{Value: k.str}
		s.SetLine(k.line)
		key = s
	} else {
		key = p.yindex()
	}
	p.checkNext('=')
	return &ast.Field{Key: key, Value: p.expr()}
}

// simpleExp: NUMBER | STRING | NIL | true | false | ... | constructor |
// FUNCTION body | primaryexp.
func (p *parser) simpleExp() (ast.Expr, expKind) {
	t := p.lx.t
	var e ast.Expr
	kind := kOther
	switch t.tok {
	case tkNumber:
		e = &ast.NumberExpr{Value: numberText(t.num)}
	case tkString:
		e = &ast.StringExpr{Value: t.str}
	case tkNil:
		e = &ast.NilExpr{}
	case tkTrue:
		e = &ast.TrueExpr{}
	case tkFalse:
		e = &ast.FalseExpr{}
	case tkDots:
		if !p.fs.vararg {
			p.lx.syntaxError("cannot use '...' outside a vararg function")
		}
		e, kind = &ast.Comma3Expr{}, kVararg
	case '{':
		return p.constructor(), kOther
	case tkFunction:
		p.lx.advance()
		fn := p.body(false, p.lx.line)
		f := &ast.FunctionExpr{ParList: fn.ParList, Stmts: fn.Stmts}
		f.SetLine(t.line)
		f.SetLastLine(fn.LastLine())
		return f, kOther
	default:
		return p.primaryExp()
	}
	e.SetLine(t.line)
	p.lx.advance()
	return e, kind
}

// numberText spells a value so that gopher-lua's compiler reads it back
// exactly (it would read "010" as octal and "1e999" as NaN).
func numberText(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// Binary operators: left and right priority (lparser.c's priority table),
// by token.
var binaryPriority = map[int][2]int{
	'+': {6, 6}, '-': {6, 6}, '*': {7, 7}, '/': {7, 7}, '%': {7, 7},
	'^': {10, 9}, tkConcat: {5, 4},
	tkEq: {3, 3}, tkNe: {3, 3}, '<': {3, 3}, tkLe: {3, 3}, '>': {3, 3}, tkGe: {3, 3},
	tkAnd: {2, 2}, tkOr: {1, 1},
}

const unaryPriority = 8

// subExpr: (simpleexp | unop subexpr) { binop subexpr }, where the binary
// operators bind tighter than limit.
func (p *parser) subExpr(limit int) (ast.Expr, expKind) {
	p.enterLevel()
	var e ast.Expr
	kind := kOther
	switch op := p.lx.t.tok; op {
	case tkNot, '-', '#':
		p.lx.advance()
		operand, _ := p.subExpr(unaryPriority)
		switch op {
		case tkNot:
			e = &ast.UnaryNotOpExpr{Expr: operand}
		case '-':
			e = &ast.UnaryMinusOpExpr{Expr: operand}
		default:
			e = &ast.UnaryLenOpExpr{Expr: operand}
		}
		e.SetLine(operand.Line())
	default:
		e, kind = p.simpleExp()
	}
	for {
		op := p.lx.t.tok
		prio, ok := binaryPriority[op]
		if !ok || prio[0] <= limit {
			break
		}
		p.lx.advance()
		rhs, _ := p.subExpr(prio[1])
		e, kind = binary(op, e, rhs), kOther
	}
	p.leaveLevel()
	return e, kind
}

func binary(op int, lhs, rhs ast.Expr) ast.Expr {
	var e ast.Expr
	switch op {
	case '+', '-', '*', '/', '%', '^':
		e = &ast.ArithmeticOpExpr{Operator: string(rune(op)), Lhs: lhs, Rhs: rhs}
	case tkConcat:
		e = &ast.StringConcatOpExpr{Lhs: lhs, Rhs: rhs}
	case tkAnd, tkOr:
		e = &ast.LogicalOpExpr{Operator: token2str(op), Lhs: lhs, Rhs: rhs}
	default:
		e = &ast.RelationalOpExpr{Operator: token2str(op), Lhs: lhs, Rhs: rhs}
	}
	e.SetLine(lhs.Line())
	return e
}
