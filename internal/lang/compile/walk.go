package compile

import "github.com/yuin/gopher-lua/ast"

// A pass changes a chunk's tree before gopher-lua compiles it. It walks
// every statement of a block, of the blocks nested in it and of the
// bodies of the functions inside it, innermost first: stmt may replace a
// statement once its parts are walked, and body a function's body (the
// chunk's own included) once its statements are.
type pass struct {
	stmt func(ast.Stmt) ast.Stmt
	body func([]ast.Stmt) []ast.Stmt
}

// chunk runs the pass over a whole chunk and returns its new body.
func (p pass) chunk(stmts []ast.Stmt) []ast.Stmt {
	return p.function(stmts)
}

func (p pass) function(stmts []ast.Stmt) []ast.Stmt {
	p.block(stmts)
	if p.body != nil {
		return p.body(stmts)
	}
	return stmts
}

func (p pass) block(stmts []ast.Stmt) {
	for i, s := range stmts {
		p.parts(s)
		if p.stmt != nil {
			stmts[i] = p.stmt(s)
		}
	}
}

// parts walks what a statement holds: its blocks and expressions.
func (p pass) parts(s ast.Stmt) {
	switch st := s.(type) {
	case *ast.AssignStmt:
		p.exprs(st.Lhs)
		p.exprs(st.Rhs)
	case *ast.LocalAssignStmt:
		p.exprs(st.Exprs)
	case *ast.FuncCallStmt:
		p.expr(st.Expr)
	case *ast.DoBlockStmt:
		p.block(st.Stmts)
	case *ast.WhileStmt:
		p.expr(st.Condition)
		p.block(st.Stmts)
	case *ast.RepeatStmt:
		p.block(st.Stmts)
		p.expr(st.Condition)
	case *ast.IfStmt:
		p.expr(st.Condition)
		p.block(st.Then)
		p.block(st.Else)
	case *ast.NumberForStmt:
		p.expr(st.Init)
		p.expr(st.Limit)
		p.expr(st.Step)
		p.block(st.Stmts)
	case *ast.GenericForStmt:
		p.exprs(st.Exprs)
		p.block(st.Stmts)
	case *ast.FuncDefStmt:
		p.expr(st.Name.Func)
		p.expr(st.Name.Receiver)
		p.expr(st.Func)
	case *ast.ReturnStmt:
		p.exprs(st.Exprs)
	}
}

func (p pass) exprs(es []ast.Expr) {
	for _, e := range es {
		p.expr(e)
	}
}

// expr finds the function bodies inside an expression.
func (p pass) expr(e ast.Expr) {
	switch ex := e.(type) {
	case *ast.FunctionExpr:
		ex.Stmts = p.function(ex.Stmts)
	case *ast.AttrGetExpr:
		p.expr(ex.Object)
		p.expr(ex.Key)
	case *ast.TableExpr:
		for _, f := range ex.Fields {
			p.expr(f.Key)
			p.expr(f.Value)
		}
	case *ast.FuncCallExpr:
		p.expr(ex.Func)
		p.expr(ex.Receiver)
		p.exprs(ex.Args)
	case *ast.LogicalOpExpr:
		p.expr(ex.Lhs)
		p.expr(ex.Rhs)
	case *ast.RelationalOpExpr:
		p.expr(ex.Lhs)
		p.expr(ex.Rhs)
	case *ast.StringConcatOpExpr:
		p.expr(ex.Lhs)
		p.expr(ex.Rhs)
	case *ast.ArithmeticOpExpr:
		p.expr(ex.Lhs)
		p.expr(ex.Rhs)
	case *ast.UnaryMinusOpExpr:
		p.expr(ex.Expr)
	case *ast.UnaryNotOpExpr:
		p.expr(ex.Expr)
	case *ast.UnaryLenOpExpr:
		p.expr(ex.Expr)
	}
}
