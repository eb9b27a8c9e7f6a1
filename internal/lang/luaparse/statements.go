package luaparse

import "github.com/yuin/gopher-lua/ast"

// statement parses one statement; last says it must end its block
// (return, break). Positions are those gopher-lua's parser gives.
func (p *parser) statement() (ast.Stmt, bool) {
	line := p.lx.line // where messages say a structure opened
	start := p.lx.t.line
	var s ast.Stmt
	switch tok := p.lx.t.tok; tok {
	case tkIf, tkWhile, tkDo, tkFor, tkRepeat:
		p.open = append(p.open, opener{tok, line})
	}
	switch p.lx.t.tok {
	case tkIf:
		s = p.ifStat(line)
	case tkWhile:
		p.lx.advance()
		cond := p.expr()
		p.enterBlock(true)
		p.checkNext(tkDo)
		body := p.block()
		end := p.checkMatch(tkEnd, tkWhile, line)
		p.leaveBlock()
		s = &ast.WhileStmt{Condition: cond, Stmts: body}
		s.SetLastLine(end)
	case tkDo:
		p.lx.advance()
		body := p.block()
		end := p.checkMatch(tkEnd, tkDo, line)
		s = &ast.DoBlockStmt{Stmts: body}
		s.SetLastLine(end)
	case tkFor:
		s = p.forStat(line)
	case tkRepeat:
		p.enterBlock(true)
		p.enterBlock(false)
		p.lx.advance()
		body := p.chunk()
		p.checkMatch(tkUntil, tkRepeat, line)
		cond := p.expr() // inside the scope: the body's locals are visible
		p.leaveBlock()
		p.leaveBlock()
		s = &ast.RepeatStmt{Condition: cond, Stmts: body}
		s.SetLastLine(cond.Line())
	case tkFunction:
		p.lx.advance()
		name, self := p.funcName()
		fn := p.body(self, line)
		s = &ast.FuncDefStmt{Name: name, Func: fn}
		s.SetLastLine(fn.LastLine())
	case tkLocal:
		p.lx.advance()
		if p.testNext(tkFunction) {
			s = p.localFunc()
		} else {
			s = p.localStat()
		}
	case tkReturn:
		p.lx.advance()
		var exprs []ast.Expr
		if !blockFollow(p.lx.t.tok) && p.lx.t.tok != ';' {
			exprs, _ = p.exprList()
		}
		s = &ast.ReturnStmt{Exprs: exprs}
		s.SetLine(start)
		return s, true
	case tkBreak:
		p.lx.advance()
		bl := p.fs.block
		for bl != nil && !bl.breakable {
			bl = bl.prev
		}
		if bl == nil {
			p.lx.syntaxError("no loop to break")
		}
		s = &ast.BreakStmt{}
		s.SetLine(start)
		return s, true
	default:
		return p.exprStat(), false
	}
	s.SetLine(start)
	return s, false
}

// ifStat: IF cond THEN block {ELSEIF cond THEN block} [ELSE block] END;
// each elseif is an if in the else part of the one before.
func (p *parser) ifStat(line int) ast.Stmt {
	top := p.testThenBlock()
	cur := top
	for p.lx.t.tok == tkElseif {
		next := p.testThenBlock()
		cur.Else = []ast.Stmt{next}
		cur = next
	}
	if p.lx.t.tok == tkElse {
		elseLine := p.lx.line
		p.lx.advance()
		if p.lx.t.tok == tkIf && p.lx.line == elseLine && p.elseIf == 0 {
			p.elseIf = elseLine
		}
		cur.Else = p.block()
	}
	top.SetLastLine(p.checkMatch(tkEnd, tkIf, line))
	return top
}

// testThenBlock: [IF | ELSEIF] cond THEN block.
func (p *parser) testThenBlock() *ast.IfStmt {
	line := p.lx.t.line
	p.lx.advance()
	cond := p.expr()
	p.checkNext(tkThen)
	s := &ast.IfStmt{Condition: cond, Then: p.block()}
	s.SetLine(line)
	return s
}

func (p *parser) forStat(line int) ast.Stmt {
	p.enterBlock(true) // the loop's scope; break leaves it
	p.lx.advance()
	name := p.checkName().str
	var s ast.Stmt
	switch p.lx.t.tok {
	case '=':
		for _, n := range []string{"(for index)", "(for limit)", "(for step)", name} {
			p.newLocal(n)
		}
		p.checkNext('=')
		f := &ast.NumberForStmt{Name: name, Init: p.expr()}
		p.checkNext(',')
		f.Limit = p.expr()
		if p.testNext(',') {
			f.Step = p.expr()
		}
		f.Stmts = p.forBody(1)
		s = f
	case ',', tkIn:
		for _, n := range []string{"(for generator)", "(for state)", "(for control)", name} {
			p.newLocal(n)
		}
		names := []string{name}
		for p.testNext(',') {
			n := p.checkName().str
			p.newLocal(n)
			names = append(names, n)
		}
		p.checkNext(tkIn)
		exprs, _ := p.exprList()
		s = &ast.GenericForStmt{Names: names, Exprs: exprs, Stmts: p.forBody(len(names))}
	default:
		p.lx.syntaxError("'=' or 'in' expected")
	}
	s.SetLastLine(p.checkMatch(tkEnd, tkFor, line))
	p.leaveBlock()
	return s
}

// forBody: DO block, with the loop's hidden variables and then its own
// active.
func (p *parser) forBody(nvars int) []ast.Stmt {
	p.adjustLocals(3)
	p.checkNext(tkDo)
	p.enterBlock(false)
	p.adjustLocals(nvars)
	body := p.block()
	p.leaveBlock()
	return body
}

// funcName: NAME {'.' NAME} [':' NAME]; self says a method.
func (p *parser) funcName() (*ast.FuncName, bool) {
	t := p.lx.t
	p.singleVar()
	var fn ast.Expr = &ast.IdentExpr{Value: t.str}
	fn.SetLine(t.line)
	for p.lx.t.tok == '.' {
		p.lx.advance()
		k := p.checkName()
		key := &ast.StringExpr{Value: k.str}
		key.SetLine(k.line)
		fn = &ast.AttrGetExpr{Object: fn, Key: key}
		fn.SetLine(k.line)
	}
	if p.lx.t.tok == ':' {
		p.lx.advance()
		m := p.checkName()
		return &ast.FuncName{Receiver: fn, Method: m.str}, true
	}
	return &ast.FuncName{Func: fn}, false
}

func (p *parser) localFunc() ast.Stmt {
	name := p.checkName().str
	p.newLocal(name)
	p.adjustLocals(1)
	fn := p.body(false, p.lx.line)
	s := &ast.LocalAssignStmt{Names: []string{name}, Exprs: []ast.Expr{fn}}
	s.SetLastLine(fn.LastLine())
	return s
}

func (p *parser) localStat() ast.Stmt {
	var names []string
	for {
		n := p.checkName().str
		p.newLocal(n)
		names = append(names, n)
		if !p.testNext(',') {
			break
		}
	}
	exprs := []ast.Expr{}
	if p.testNext('=') {
		exprs, _ = p.exprList()
	}
	p.adjustLocals(len(names))
	return &ast.LocalAssignStmt{Names: names, Exprs: exprs}
}

// exprStat: a call, or an assignment to one or more variables.
func (p *parser) exprStat() ast.Stmt {
	p.stmtName = ""
	if p.lx.t.tok == tkName {
		p.stmtName = p.lx.t.str
	}
	e, kind := p.primaryExp()
	if kind == kCall {
		s := &ast.FuncCallStmt{Expr: e}
		s.SetLine(e.Line())
		return s
	}
	lhs := []ast.Expr{e}
	for {
		if kind < kLocal {
			p.lx.syntaxError("syntax error")
		}
		if !p.testNext(',') {
			break
		}
		e, kind = p.primaryExp()
		p.checkLimit(len(lhs), maxCCalls-p.level, "variables in assignment")
		lhs = append(lhs, e)
	}
	p.checkNext('=')
	rhs, _ := p.exprList()
	s := &ast.AssignStmt{Lhs: lhs, Rhs: rhs}
	s.SetLine(lhs[0].Line())
	return s
}
