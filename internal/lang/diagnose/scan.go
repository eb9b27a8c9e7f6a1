package diagnose

import (
	"github.com/yuin/gopher-lua/ast"
)

// site is an expression on the failing line that can raise the error, with
// the expression(s) the error would be about.
type site struct {
	node ast.Expr // the call, index, operator expression
	// For a call: the called expression (nil for a method call, whose callee
	// is method). For an index: the indexed object. For an operator: the
	// operands, left to right (a concat chain is flattened).
	target   ast.Expr
	method   string // method call: the method name (callee is target[method])
	operands []ast.Expr
	key      ast.Expr // index: the key
	op       string   // arithmetic: "+", "-", ...; "unm", "len", "concat"
	store    bool     // index: an assignment target (t.k = v)
	forIn    bool     // the call is a generic for's iterator
}

// functionBodies finds the statement lists of the functions whose lines are
// [first, last] (first 0: the main chunk). Two one-line functions on the same
// line both match; their sites are merged.
func functionBodies(chunk []ast.Stmt, first, last int) [][]ast.Stmt {
	if first == 0 {
		return [][]ast.Stmt{chunk}
	}
	var out [][]ast.Stmt
	var w walker
	w.fn = func(fe *ast.FunctionExpr) {
		fl := fe.LastLine()
		if fl == 0 {
			fl = fe.Line()
		}
		if fe.Line() == first && fl == last {
			out = append(out, fe.Stmts)
		}
	}
	w.stmts(chunk)
	return out
}

// sitesOnLine lists, in the order Lua raises them (operands before the
// operation), the sites on line in body, not looking into nested functions.
func sitesOnLine(body []ast.Stmt, line int) []site {
	var out []site
	var w walker
	w.noNested = true
	w.expr = func(e ast.Expr) {
		if e.Line() != line {
			return
		}
		switch x := e.(type) {
		case *ast.FuncCallExpr:
			if x.Receiver != nil {
				out = append(out, site{node: x, target: x.Receiver, method: x.Method})
			} else {
				out = append(out, site{node: x, target: x.Func})
			}
		case *ast.AttrGetExpr:
			out = append(out, site{node: x, target: x.Object, key: x.Key})
		case *ast.ArithmeticOpExpr:
			out = append(out, site{node: x, op: x.Operator, operands: []ast.Expr{x.Lhs, x.Rhs}})
		case *ast.UnaryMinusOpExpr:
			out = append(out, site{node: x, op: "unm", operands: []ast.Expr{x.Expr}})
		case *ast.UnaryLenOpExpr:
			out = append(out, site{node: x, op: "len", operands: []ast.Expr{x.Expr}})
		case *ast.StringConcatOpExpr:
			out = append(out, site{node: x, op: "concat", operands: concatOperands(x, nil)})
		case *ast.RelationalOpExpr:
			out = append(out, site{node: x, op: x.Operator, operands: []ast.Expr{x.Lhs, x.Rhs}})
		}
	}
	w.store = func(a *ast.AttrGetExpr) {
		if a.Line() == line {
			out = append(out, site{node: a, target: a.Object, key: a.Key, store: true})
		}
	}
	w.stmt = func(s ast.Stmt) {
		if g, ok := s.(*ast.GenericForStmt); ok && s.Line() == line && len(g.Exprs) > 0 {
			out = append(out, site{node: g.Exprs[0], target: g.Exprs[0], forIn: true})
		}
	}
	w.stmts(body)
	return out
}

// concatOperands flattens a..b..c (parsed a..(b..c)) as the compiler does:
// along the right operands only, so (a..b)..c is two concatenations.
func concatOperands(e ast.Expr, out []ast.Expr) []ast.Expr {
	for {
		c, ok := e.(*ast.StringConcatOpExpr)
		if !ok {
			return append(out, e)
		}
		out = append(out, c.Lhs)
		e = c.Rhs
	}
}

// walker visits a syntax tree in evaluation order, children first.
type walker struct {
	expr     func(ast.Expr)          // after its operands
	store    func(*ast.AttrGetExpr)  // an assignment target, after the values
	stmt     func(ast.Stmt)          // after its expressions, before its body
	fn       func(*ast.FunctionExpr) // every function expression
	noNested bool                    // do not enter function bodies
	depth    int                     // how many function bodies deep the walk is
}

func (w *walker) stmts(list []ast.Stmt) {
	for _, s := range list {
		w.statement(s)
	}
}

func (w *walker) statement(s ast.Stmt) {
	switch x := s.(type) {
	case *ast.AssignStmt:
		// Targets' objects and keys first, then the values, then the stores.
		for _, l := range x.Lhs {
			if a, ok := l.(*ast.AttrGetExpr); ok {
				w.exprs(a.Object, a.Key)
			}
		}
		w.exprs(x.Rhs...)
		for _, l := range x.Lhs {
			if a, ok := l.(*ast.AttrGetExpr); ok && w.store != nil {
				w.store(a)
			}
		}
	case *ast.LocalAssignStmt:
		w.exprs(x.Exprs...)
	case *ast.FuncCallStmt:
		w.exprs(x.Expr)
	case *ast.DoBlockStmt:
		w.stmts(x.Stmts)
	case *ast.WhileStmt:
		w.exprs(x.Condition)
		w.stmts(x.Stmts)
	case *ast.RepeatStmt:
		w.stmts(x.Stmts)
		w.exprs(x.Condition)
	case *ast.IfStmt:
		w.exprs(x.Condition)
		w.stmts(x.Then)
		w.stmts(x.Else)
	case *ast.NumberForStmt:
		w.exprs(x.Init, x.Limit, x.Step)
		w.stmts(x.Stmts)
	case *ast.GenericForStmt:
		w.exprs(x.Exprs...)
		if w.stmt != nil {
			w.stmt(x)
		}
		w.stmts(x.Stmts)
		return
	case *ast.FuncDefStmt:
		if x.Name != nil {
			if x.Name.Func != nil {
				w.funcName(x.Name.Func)
			}
			if x.Name.Receiver != nil {
				w.exprs(x.Name.Receiver)
			}
		}
		w.exprs(x.Func)
	case *ast.ReturnStmt:
		w.exprs(x.Exprs...)
	}
	if w.stmt != nil {
		w.stmt(s)
	}
}

// funcName visits `function a.b.c()`: a.b is read, .c is stored.
func (w *walker) funcName(e ast.Expr) {
	if a, ok := e.(*ast.AttrGetExpr); ok {
		w.exprs(a.Object)
		if w.store != nil {
			w.store(a)
		}
	}
}

func (w *walker) exprs(list ...ast.Expr) {
	for _, e := range list {
		if e != nil {
			w.visit(e)
		}
	}
}

func (w *walker) visit(e ast.Expr) {
	switch x := e.(type) {
	case *ast.AttrGetExpr:
		w.exprs(x.Object, x.Key)
	case *ast.TableExpr:
		for _, f := range x.Fields {
			w.exprs(f.Key, f.Value)
		}
	case *ast.FuncCallExpr:
		w.exprs(x.Func, x.Receiver)
		w.exprs(x.Args...)
	case *ast.LogicalOpExpr:
		w.exprs(x.Lhs, x.Rhs)
	case *ast.RelationalOpExpr:
		w.exprs(x.Lhs, x.Rhs)
	case *ast.StringConcatOpExpr:
		// One CONCAT for the whole chain: its leaves, then the chain.
		w.exprs(concatOperands(x, nil)...)
	case *ast.ArithmeticOpExpr:
		w.exprs(x.Lhs, x.Rhs)
	case *ast.UnaryMinusOpExpr:
		w.exprs(x.Expr)
	case *ast.UnaryNotOpExpr:
		w.exprs(x.Expr)
	case *ast.UnaryLenOpExpr:
		w.exprs(x.Expr)
	case *ast.FunctionExpr:
		if w.fn != nil {
			w.fn(x)
		}
		if !w.noNested {
			w.depth++
			w.stmts(x.Stmts)
			w.depth--
		}
		return
	}
	if w.expr != nil {
		w.expr(e)
	}
}
