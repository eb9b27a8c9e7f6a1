package compile

import (
	"strconv"

	"github.com/yuin/gopher-lua/ast"
)

// gopher-lua's compiler writes each right-hand value of a multiple
// assignment straight into its target local's register, so a later value
// that reads that local sees the new value: `a, b = b, a` leaves 2 2
// (yuin/gopher-lua#440). Lua 5.1 evaluates the targets' tables and keys,
// then every value, and only then assigns (right to left). The rewrite
// below turns such an assignment into exactly that order:
//
//	a, t[i] = e1, e2   ->   do local o1, k1 = t, i; local v1, v2 = e1, e2; o1[k1] = v2; a = v1 end
//
// The temporaries' names contain a space, so no script can name them.

// rewriteBlock rewrites every hazardous assignment in stmts, in nested
// blocks and in the bodies of nested functions.
func rewriteBlock(stmts []ast.Stmt) {
	for i, s := range stmts {
		stmts[i] = rewriteStmt(s)
	}
}

func rewriteStmt(s ast.Stmt) ast.Stmt {
	switch st := s.(type) {
	case *ast.AssignStmt:
		rewriteExprs(st.Lhs)
		rewriteExprs(st.Rhs)
		if needsOrder(st) {
			return orderedAssign(st)
		}
	case *ast.LocalAssignStmt:
		rewriteExprs(st.Exprs)
	case *ast.FuncCallStmt:
		rewriteExpr(st.Expr)
	case *ast.DoBlockStmt:
		rewriteBlock(st.Stmts)
	case *ast.WhileStmt:
		rewriteExpr(st.Condition)
		rewriteBlock(st.Stmts)
	case *ast.RepeatStmt:
		rewriteBlock(st.Stmts)
		rewriteExpr(st.Condition)
	case *ast.IfStmt:
		rewriteExpr(st.Condition)
		rewriteBlock(st.Then)
		rewriteBlock(st.Else)
	case *ast.NumberForStmt:
		rewriteExpr(st.Init)
		rewriteExpr(st.Limit)
		rewriteExpr(st.Step)
		rewriteBlock(st.Stmts)
	case *ast.GenericForStmt:
		rewriteExprs(st.Exprs)
		rewriteBlock(st.Stmts)
	case *ast.FuncDefStmt:
		rewriteExpr(st.Name.Func)
		rewriteExpr(st.Name.Receiver)
		rewriteExpr(st.Func)
	case *ast.ReturnStmt:
		rewriteExprs(st.Exprs)
	}
	return s
}

func rewriteExprs(es []ast.Expr) {
	for _, e := range es {
		rewriteExpr(e)
	}
}

// rewriteExpr finds the function bodies inside an expression.
func rewriteExpr(e ast.Expr) {
	switch ex := e.(type) {
	case *ast.FunctionExpr:
		rewriteBlock(ex.Stmts)
	case *ast.AttrGetExpr:
		rewriteExpr(ex.Object)
		rewriteExpr(ex.Key)
	case *ast.TableExpr:
		for _, f := range ex.Fields {
			rewriteExpr(f.Key)
			rewriteExpr(f.Value)
		}
	case *ast.FuncCallExpr:
		rewriteExpr(ex.Func)
		rewriteExpr(ex.Receiver)
		rewriteExprs(ex.Args)
	case *ast.LogicalOpExpr:
		rewriteExpr(ex.Lhs)
		rewriteExpr(ex.Rhs)
	case *ast.RelationalOpExpr:
		rewriteExpr(ex.Lhs)
		rewriteExpr(ex.Rhs)
	case *ast.StringConcatOpExpr:
		rewriteExpr(ex.Lhs)
		rewriteExpr(ex.Rhs)
	case *ast.ArithmeticOpExpr:
		rewriteExpr(ex.Lhs)
		rewriteExpr(ex.Rhs)
	case *ast.UnaryMinusOpExpr:
		rewriteExpr(ex.Expr)
	case *ast.UnaryNotOpExpr:
		rewriteExpr(ex.Expr)
	case *ast.UnaryLenOpExpr:
		rewriteExpr(ex.Expr)
	}
}

// needsOrder reports whether the compiler may write a target before the
// statement's last value is computed: a name among the targets (a local is
// written in place; for a global or upvalue the rewrite only costs moves),
// with more than one target or more values than targets.
func needsOrder(st *ast.AssignStmt) bool {
	if len(st.Lhs) < 2 && len(st.Rhs) <= len(st.Lhs) {
		return false
	}
	for _, e := range st.Lhs {
		if _, ok := e.(*ast.IdentExpr); ok {
			return true
		}
	}
	return false
}

// orderedAssign is the Lua 5.1 evaluation order of st spelled as plain
// statements (see the top of this file).
func orderedAssign(st *ast.AssignStmt) ast.Stmt {
	line, last := st.Line(), st.LastLine()
	var stmts []ast.Stmt
	temp := func(prefix string, n int) *ast.IdentExpr {
		id := &ast.IdentExpr{Value: "(" + prefix + " " + strconv.Itoa(n) + ")"}
		id.SetLine(line)
		id.SetLastLine(last)
		return id
	}
	local := func(names []string, exprs []ast.Expr) {
		s := &ast.LocalAssignStmt{Names: names, Exprs: exprs}
		s.SetLine(line)
		s.SetLastLine(last)
		stmts = append(stmts, s)
	}

	// 1. The targets' tables and keys, left to right.
	targets := make([]ast.Expr, len(st.Lhs))
	for i, e := range st.Lhs {
		get, ok := e.(*ast.AttrGetExpr)
		if !ok {
			targets[i] = e
			continue
		}
		obj, key := temp("table", i+1), get.Key
		names, exprs := []string{obj.Value}, []ast.Expr{get.Object}
		if _, constant := key.(ast.ConstExpr); !constant {
			key = temp("key", i+1)
			names, exprs = append(names, key.(*ast.IdentExpr).Value), append(exprs, get.Key)
		}
		local(names, exprs)
		t := &ast.AttrGetExpr{Object: obj, Key: key}
		t.SetLine(get.Line())
		t.SetLastLine(get.LastLine())
		targets[i] = t
	}

	// 2. Every value; the last one expands or is cut as in the original.
	n := max(len(st.Lhs), len(st.Rhs))
	names := make([]string, n)
	values := make([]ast.Expr, len(st.Lhs))
	for i := range names {
		id := temp("value", i+1)
		names[i] = id.Value
		if i < len(values) {
			values[i] = id
		}
	}
	local(names, st.Rhs)

	// 3. The assignments, right to left as Lua 5.1 makes them.
	for i := len(targets) - 1; i >= 0; i-- {
		a := &ast.AssignStmt{Lhs: []ast.Expr{targets[i]}, Rhs: []ast.Expr{values[i]}}
		a.SetLine(line)
		a.SetLastLine(last)
		stmts = append(stmts, a)
	}
	block := &ast.DoBlockStmt{Stmts: stmts}
	block.SetLine(line)
	block.SetLastLine(last)
	return block
}
