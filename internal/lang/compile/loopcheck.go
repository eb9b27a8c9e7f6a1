package compile

import (
	"strconv"

	"github.com/yuin/gopher-lua/ast"
)

// A task that loops without ever calling anything that waits holds the
// Lua lock: no other task runs. gopher-lua checks nothing while Lua code
// runs (its context check, made at every instruction, costs as much as
// this on loops and more on calls: docs/benchmarks.md), so every loop body
// counts its passes down, and every CheckEvery passes calls the host's
// check, which may raise (a task that ran too long, a prompt's Ctrl-C):
//
//	while c do body end   ->   while c do
//	                             (loops) = (loops) - 1
//	                             if (loops) < 0 then (loops) = ("")[CheckKey]() end
//	                             body
//	                           end
//
// (loops) is a local of the function the loop is in, set at its start.
// The check is found through the strings' metatable (the string library),
// which no function environment (setfenv) can hide. A function that calls
// itself forever in a tail call has no loop, and is not checked.

// CheckKey is the key of the host's check in the string library: a name
// no script can write as a name, as Lua's own "(for index)".
const CheckKey = "(luasock check)"

// CheckEvery is how many passes of a loop go between two checks; the
// check returns it, the countdown's next start.
const CheckEvery = 1000

// countdown is the name of a function's pass counter.
const countdown = "(loops)"

// checkLoops is the pass that puts a countdown in every loop; each
// function that has a loop of its own starts its counter.
var checkLoops = pass{
	stmt: func(s ast.Stmt) ast.Stmt {
		switch st := s.(type) {
		case *ast.WhileStmt:
			st.Stmts = countDown(st.Stmts, st.Line())
		case *ast.RepeatStmt:
			st.Stmts = countDown(st.Stmts, st.Line())
		case *ast.NumberForStmt:
			st.Stmts = countDown(st.Stmts, st.Line())
		case *ast.GenericForStmt:
			st.Stmts = countDown(st.Stmts, st.Line())
		}
		return s
	},
	body: func(stmts []ast.Stmt) []ast.Stmt {
		if !hasLoop(stmts) {
			return stmts
		}
		line := 0
		if len(stmts) > 0 {
			line = stmts[0].Line()
		}
		start := &ast.LocalAssignStmt{Names: []string{countdown}, Exprs: []ast.Expr{number(CheckEvery, line)}}
		start.SetLine(line)
		start.SetLastLine(line)
		return append([]ast.Stmt{start}, stmts...)
	},
}

// hasLoop reports whether a block has a loop outside nested functions.
func hasLoop(stmts []ast.Stmt) bool {
	for _, s := range stmts {
		switch st := s.(type) {
		case *ast.WhileStmt, *ast.RepeatStmt, *ast.NumberForStmt, *ast.GenericForStmt:
			return true
		case *ast.DoBlockStmt:
			if hasLoop(st.Stmts) {
				return true
			}
		case *ast.IfStmt:
			if hasLoop(st.Then) || hasLoop(st.Else) {
				return true
			}
		}
	}
	return false
}

// countDown prepends a loop body's countdown, on the loop's line.
func countDown(body []ast.Stmt, line int) []ast.Stmt {
	counter := func() *ast.IdentExpr {
		id := &ast.IdentExpr{Value: countdown}
		id.SetLine(line)
		id.SetLastLine(line)
		return id
	}
	minus := &ast.ArithmeticOpExpr{Operator: "-", Lhs: counter(), Rhs: number(1, line)}
	minus.SetLine(line)
	minus.SetLastLine(line)
	dec := &ast.AssignStmt{Lhs: []ast.Expr{counter()}, Rhs: []ast.Expr{minus}}
	dec.SetLine(line)
	dec.SetLastLine(line)

	strs := &ast.StringExpr{Value: ""}
	strs.SetLine(line)
	key := &ast.StringExpr{Value: CheckKey}
	key.SetLine(line)
	get := &ast.AttrGetExpr{Object: strs, Key: key}
	get.SetLine(line)
	get.SetLastLine(line)
	call := &ast.FuncCallExpr{Func: get}
	call.SetLine(line)
	call.SetLastLine(line)
	reset := &ast.AssignStmt{Lhs: []ast.Expr{counter()}, Rhs: []ast.Expr{call}}
	reset.SetLine(line)
	reset.SetLastLine(line)
	below := &ast.RelationalOpExpr{Operator: "<", Lhs: counter(), Rhs: number(0, line)}
	below.SetLine(line)
	below.SetLastLine(line)
	check := &ast.IfStmt{Condition: below, Then: []ast.Stmt{reset}}
	check.SetLine(line)
	check.SetLastLine(line)
	return append([]ast.Stmt{dec, check}, body...)
}

func number(n, line int) *ast.NumberExpr {
	e := &ast.NumberExpr{Value: strconv.Itoa(n)}
	e.SetLine(line)
	e.SetLastLine(line)
	return e
}
