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
//	i, t[i] = e1, e2   ->   do local k2 = i; local v1, v2 = e1, e2; t[k2] = v2; i = v1 end
//
// A table or key that no target names is read at the store, as Lua 5.1
// reads a local there; a copy would cost a local (a function has 200).
//
// The temporaries' names contain a space, so no script can name them.

// orderAssignments is the pass that rewrites every hazardous assignment.
var orderAssignments = pass{stmt: func(s ast.Stmt) ast.Stmt {
	if st, ok := s.(*ast.AssignStmt); ok && needsOrder(st) {
		return orderedAssign(st)
	}
	return s
}}

// needsOrder reports whether the compiler may store a value before the
// statement's last value is computed: with more than one target or more
// values than targets. (A local target is written in place, and a table
// target may store straight from a local's register, which a later value
// can change through a closure.)
func needsOrder(st *ast.AssignStmt) bool {
	return len(st.Lhs) > 1 || len(st.Rhs) > len(st.Lhs)
}

// assignedNames are the plain names among a statement's targets.
func assignedNames(lhs []ast.Expr) map[string]bool {
	names := map[string]bool{}
	for _, e := range lhs {
		if id, ok := e.(*ast.IdentExpr); ok {
			names[id.Value] = true
		}
	}
	return names
}

// stable reports whether a target's table or key can be read when the
// value is stored: a constant, or a name that the statement does not
// assign (Lua 5.1 copies only those that conflict, as check_conflict does).
func stable(e ast.Expr, assigned map[string]bool) bool {
	switch x := e.(type) {
	case ast.ConstExpr:
		return true
	case *ast.IdentExpr:
		return !assigned[x.Value]
	}
	return false
}

// manyTargets is where a statement's values go into a table instead of
// a local each.
const manyTargets = 32

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

	// 1. The targets' tables and keys that a store could see change, left
	// to right.
	assigned := assignedNames(st.Lhs)
	targets := make([]ast.Expr, len(st.Lhs))
	for i, e := range st.Lhs {
		get, ok := e.(*ast.AttrGetExpr)
		if !ok {
			targets[i] = e
			continue
		}
		var obj, key ast.Expr = get.Object, get.Key
		var names []string
		var exprs []ast.Expr
		if !stable(obj, assigned) {
			id := temp("table", i+1)
			obj, names, exprs = id, append(names, id.Value), append(exprs, get.Object)
		}
		if !stable(key, assigned) {
			id := temp("key", i+1)
			key, names, exprs = id, append(names, id.Value), append(exprs, get.Key)
		}
		if len(names) > 0 {
			local(names, exprs)
		}
		t := &ast.AttrGetExpr{Object: obj, Key: key}
		t.SetLine(get.Line())
		t.SetLastLine(get.LastLine())
		targets[i] = t
	}

	// 2. Every value; the last one expands or is cut as in the original.
	// A long statement keeps them in one table: a local each would pass the
	// limit of locals in a function.
	values := make([]ast.Expr, len(st.Lhs))
	if len(st.Lhs) > manyTargets {
		list := temp("values", 0)
		fields := make([]*ast.Field, len(st.Rhs))
		for i, e := range st.Rhs {
			fields[i] = &ast.Field{Value: e}
		}
		table := &ast.TableExpr{Fields: fields}
		table.SetLine(line)
		table.SetLastLine(last)
		local([]string{list.Value}, []ast.Expr{table})
		for i := range values {
			index := &ast.NumberExpr{Value: strconv.Itoa(i + 1)}
			index.SetLine(line)
			get := &ast.AttrGetExpr{Object: list, Key: index}
			get.SetLine(line)
			get.SetLastLine(last)
			values[i] = get
		}
	} else {
		names := make([]string, max(len(st.Lhs), len(st.Rhs)))
		for i := range names {
			id := temp("value", i+1)
			names[i] = id.Value
			if i < len(values) {
				values[i] = id
			}
		}
		local(names, st.Rhs)
	}

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

// padForExprs gives a generic for its three values (generator, state,
// control) in full when fewer are written and the last cannot expand:
// gopher-lua compiles `for k, v in next, {"a", "b"}` so that the missing
// control value's nil lands on the table, and the loop runs zero times.
// An explicit nil is what Lua 5.1 adjusts the list to anyway.
var padForExprs = pass{stmt: func(s ast.Stmt) ast.Stmt {
	st, ok := s.(*ast.GenericForStmt)
	if !ok || len(st.Exprs) >= 3 || expands(st.Exprs[len(st.Exprs)-1]) {
		return s
	}
	for len(st.Exprs) < 3 {
		n := &ast.NilExpr{}
		n.SetLine(st.Exprs[len(st.Exprs)-1].Line())
		st.Exprs = append(st.Exprs, n)
	}
	return s
}}

// expands tells an expression that gives all its values at the end of a
// list: a call or ... not in parentheses.
func expands(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.FuncCallExpr:
		return !x.AdjustRet
	case *ast.Comma3Expr:
		return !x.AdjustRet
	}
	return false
}
