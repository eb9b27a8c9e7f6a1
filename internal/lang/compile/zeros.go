package compile

import (
	"math"

	"github.com/luasock/luasock/internal/lang/luanum"
	"github.com/yuin/gopher-lua/ast"
)

// Lua 5.1 keeps one constant per value in a function, and 0 and -0 are one
// value there, so every zero constant of a function is the first one made,
// sign and all: after `local z = -0`, `print(1/0)` divides by -0 and
// prints -inf. gopher-lua also keeps one constant per value, but it folds
// x/0 (and x%0) at compile time, with the zero as written, where Lua 5.1
// leaves the division to run time with the constant it holds. So before
// gopher-lua compiles a function, every zero-valued constant in it takes
// the sign of its first, in the order Lua 5.1's code generator makes them.
// A division by zero whose dividend gopher-lua would fold is left to run
// time as Lua 5.1 leaves it: folded, 1e16/(-1/0) would be a -0 constant
// that Lua 5.1 never makes, and every later 0 of the function would be it.

// zeroSigns walks one function's body.
type zeroSigns struct {
	seen     bool // a zero constant was made
	negative bool // and it was -0
}

// signZeros gives every zero constant of the function with body stmts,
// and of the functions inside it (each on its own), the first one's sign.
func signZeros(stmts []ast.Stmt) {
	z := &zeroSigns{}
	z.block(stmts)
}

func (z *zeroSigns) block(stmts []ast.Stmt) {
	for _, s := range stmts {
		z.stmt(s)
	}
}

func (z *zeroSigns) stmt(s ast.Stmt) {
	switch st := s.(type) {
	case *ast.AssignStmt: // the targets' tables and keys are read first
		z.exprs(st.Lhs)
		z.exprs(st.Rhs)
	case *ast.LocalAssignStmt:
		z.exprs(st.Exprs)
	case *ast.FuncCallStmt:
		z.expr(&st.Expr)
	case *ast.DoBlockStmt:
		z.block(st.Stmts)
	case *ast.WhileStmt:
		z.expr(&st.Condition)
		z.block(st.Stmts)
	case *ast.RepeatStmt:
		z.block(st.Stmts)
		z.expr(&st.Condition)
	case *ast.IfStmt:
		z.expr(&st.Condition)
		z.block(st.Then)
		z.block(st.Else)
	case *ast.NumberForStmt:
		z.expr(&st.Init)
		z.expr(&st.Limit)
		z.expr(&st.Step)
		z.block(st.Stmts)
	case *ast.GenericForStmt:
		z.exprs(st.Exprs)
		z.block(st.Stmts)
	case *ast.FuncDefStmt:
		z.expr(&st.Name.Func)
		z.expr(&st.Name.Receiver)
		signZeros(st.Func.Stmts)
	case *ast.ReturnStmt:
		z.exprs(st.Exprs)
	}
}

func (z *zeroSigns) exprs(es []ast.Expr) {
	for i := range es {
		z.expr(&es[i])
	}
}

// expr visits the constants of *p in the order Lua 5.1 makes them.
func (z *zeroSigns) expr(p *ast.Expr) {
	if *p == nil {
		return
	}
	if v, ok := folded(*p); ok {
		if v == 0 {
			z.zero(p, math.Signbit(v))
		}
		return
	}
	switch ex := (*p).(type) {
	case *ast.FunctionExpr:
		signZeros(ex.Stmts)
	case *ast.AttrGetExpr:
		z.expr(&ex.Object)
		z.expr(&ex.Key)
	case *ast.TableExpr:
		for _, f := range ex.Fields {
			z.expr(&f.Key)
			z.expr(&f.Value)
		}
	case *ast.FuncCallExpr:
		z.expr(&ex.Func)
		z.expr(&ex.Receiver)
		z.exprs(ex.Args)
	case *ast.LogicalOpExpr:
		z.expr(&ex.Lhs)
		z.expr(&ex.Rhs)
	case *ast.RelationalOpExpr:
		z.expr(&ex.Lhs)
		z.expr(&ex.Rhs)
	case *ast.StringConcatOpExpr:
		z.expr(&ex.Lhs)
		z.expr(&ex.Rhs)
	case *ast.ArithmeticOpExpr:
		// A numeral left operand stays unmade until the right one is
		// made (lcode.c: luaK_infix keeps numerals for folding).
		if _, numeral := folded(ex.Lhs); numeral {
			z.expr(&ex.Rhs)
			z.expr(&ex.Lhs)
		} else {
			z.expr(&ex.Lhs)
			z.expr(&ex.Rhs)
		}
		unfoldByZero(ex)
	case *ast.UnaryMinusOpExpr:
		z.expr(&ex.Expr)
	case *ast.UnaryNotOpExpr:
		z.expr(&ex.Expr)
	case *ast.UnaryLenOpExpr:
		z.expr(&ex.Expr)
	}
}

// zero records the zero constant at *p, or gives it the first one's sign.
func (z *zeroSigns) zero(p *ast.Expr, negative bool) {
	if !z.seen {
		z.seen, z.negative = true, negative
		return
	}
	if negative == z.negative {
		return
	}
	n := &ast.NumberExpr{Value: "0"}
	if z.negative {
		n.Value = "-0.0" // gopher-lua reads "-0" as the integer 0
	}
	n.SetLine((*p).Line())
	n.SetLastLine((*p).LastLine())
	*p = n
}

// unfoldByZero keeps gopher-lua from folding ex when ex divides (or takes
// the modulo) by a zero and its dividend is all numerals: the divisor
// becomes `0 or 0`, the same zero constant loaded at run time.
func unfoldByZero(ex *ast.ArithmeticOpExpr) {
	if ex.Operator != "/" && ex.Operator != "%" {
		return
	}
	if v, ok := folded(ex.Rhs); !ok || v != 0 || !numerals(ex.Lhs) {
		return
	}
	or := &ast.LogicalOpExpr{Operator: "or", Lhs: ex.Rhs, Rhs: ex.Rhs}
	or.SetLine(ex.Rhs.Line())
	or.SetLastLine(ex.Rhs.LastLine())
	ex.Rhs = or
}

// numerals reports whether gopher-lua folds e into one constant (its
// constFold): numerals under arithmetic and unary minus, whatever the value.
func numerals(e ast.Expr) bool {
	switch ex := e.(type) {
	case *ast.NumberExpr:
		return true
	case *ast.UnaryMinusOpExpr:
		return numerals(ex.Expr)
	case *ast.ArithmeticOpExpr:
		return numerals(ex.Lhs) && numerals(ex.Rhs)
	}
	return false
}

// folded is e's value when Lua 5.1 folds e into one numeric constant
// (lcode.c constfolding): numerals under + - * / % ^ and unary minus, but
// never a division or modulo by zero, nor a NaN.
func folded(e ast.Expr) (float64, bool) {
	switch ex := e.(type) {
	case *ast.NumberExpr:
		return luanum.Parse(ex.Value)
	case *ast.UnaryMinusOpExpr:
		v, ok := folded(ex.Expr)
		return -v, ok
	case *ast.ArithmeticOpExpr:
		a, ok := folded(ex.Lhs)
		if !ok {
			return 0, false
		}
		b, ok := folded(ex.Rhs)
		if !ok {
			return 0, false
		}
		var r float64
		switch ex.Operator {
		case "+":
			r = a + b
		case "-":
			r = a - b
		case "*":
			r = a * b
		case "/":
			if b == 0 {
				return 0, false
			}
			r = a / b
		case "%":
			if b == 0 {
				return 0, false
			}
			r = a - math.Floor(a/b)*b
		case "^":
			r = math.Pow(a, b)
		default:
			return 0, false
		}
		return r, !math.IsNaN(r)
	}
	return 0, false
}
