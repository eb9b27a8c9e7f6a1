package diagnose

import (
	"fmt"
	"sort"
	"strings"

	"github.com/luasock/luasock/internal/failures"
	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/ast"
)

// hint explains the chosen culprit c of an error of kind ("call", "index",
// "arith", "concat", "len", "unm").
func (d *diag) hint(c candidate, kind string) string {
	typ := c.typ
	if c.known {
		typ = c.value.Type().String()
	}
	if c.forIn {
		t := orValue(exprText(c.expr))
		return fmt.Sprintf("a generic for calls what follows 'in': to walk a table write for k, v in pairs(%s) do (ipairs(%s) for a list)", t, t)
	}
	if typ == "nil" {
		return d.nilHint(c, kind)
	}
	what := d.text(c)
	switch kind {
	case "call":
		return fmt.Sprintf("%s is a %s, not a function: was the name given another value?", what, typ)
	case "index":
		if typ == "function" {
			return fmt.Sprintf("%s is a function: call it first, %s(...), and index what it returns", what, what)
		}
		return fmt.Sprintf("%s is a %s: only tables can be indexed (and strings, for their methods: s:upper())", what, typ)
	case "arith", "unm":
		if s, ok := c.value.(lua.LString); ok && c.known {
			return fmt.Sprintf("%s is the string %q, which is not a number: convert it with tonumber() and check the result (data read from a socket is always a string)", what, clip(string(s)))
		}
		return fmt.Sprintf("arithmetic needs numbers, and %s is a %s", what, typ)
	case "concat":
		return fmt.Sprintf("'..' joins only strings and numbers, and %s is a %s: use tostring(%s)", what, typ, orValue(exprText(c.expr)))
	case "len":
		return fmt.Sprintf("'#' needs a table or a string, and %s is a %s", what, typ)
	}
	return ""
}

// text is how a hint refers to the culprit: its source text when it has a
// name, else "the value".
func (d *diag) text(c candidate) string {
	if s := exprText(c.expr); s != "" {
		return "'" + s + "'"
	}
	return "the value"
}

// exprText renders names, constant-key chains and calls of them as source.
func exprText(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.IdentExpr:
		return x.Value
	case *ast.AttrGetExpr:
		obj := exprText(x.Object)
		if obj == "" {
			return ""
		}
		if k, ok := x.Key.(*ast.StringExpr); ok {
			return obj + "." + k.Value
		}
		if k := exprText(x.Key); k != "" {
			return obj + "[" + k + "]"
		}
		if k, ok := x.Key.(*ast.NumberExpr); ok {
			return obj + "[" + k.Value + "]"
		}
	case *ast.FuncCallExpr:
		if x.Receiver != nil {
			if r := exprText(x.Receiver); r != "" {
				return r + ":" + x.Method + "(...)"
			}
			return ""
		}
		if f := exprText(x.Func); f != "" {
			return f + "(...)"
		}
	}
	return ""
}

// nilHint says why a value is nil and what to do.
func (d *diag) nilHint(c candidate, kind string) string {
	what := d.text(c)
	tail := ""
	if kind == "concat" {
		tail = fmt.Sprintf("; to print a value that may be nil, use tostring(%s)", orValue(exprText(c.expr)))
	}
	switch x := c.expr.(type) {
	case *ast.IdentExpr:
		if h := d.fromCallHint(x.Value); h != "" {
			return h
		}
		if start := d.selfUpdate(x.Value); start != "" {
			return fmt.Sprintf("%s has no value before this line: give it a starting value first (%s = %s)", what, x.Value, start)
		}
		switch d.fr.kind(x.Value) {
		case "local":
			return fmt.Sprintf("local %s is nil here: give it a value before this line%s", what, tail)
		case "upvalue":
			return fmt.Sprintf("%s is a local of an enclosing function and is nil when this function runs: assign it before the function is called%s", what, tail)
		}
		if line := d.localElsewhere(x.Value); line > 0 {
			return fmt.Sprintf("%s is declared 'local' on line %d, but that local is not visible here: a local is visible only from its declaration to the end of its block", what, line)
		}
		if line := d.assignedAfter(x.Value); line > 0 {
			return fmt.Sprintf("%s gets its value on line %d, which has not run yet: define it before the code that uses it", what, line)
		}
		if s := nearest(x.Value, d.visibleNames()); s != "" {
			return fmt.Sprintf("did you mean '%s'?", s)
		}
		return fmt.Sprintf("no global %s has a value here: check the spelling, or assign it before this line%s", what, tail)
	case *ast.AttrGetExpr:
		k, ok := x.Key.(*ast.StringExpr)
		if !ok {
			if kv, ok := d.fr.eval(x.Key, 0); ok && exprText(x.Object) != "" {
				return fmt.Sprintf("'%s' has no field %s%s", exprText(x.Object), luaQuote(kv), tail)
			}
			return fmt.Sprintf("%s is nil%s", what, tail)
		}
		if obj, ok := d.fr.eval(x.Object, 0); ok {
			if s := nearest(k.Value, tableKeys(d.L, obj)); s != "" {
				return fmt.Sprintf("did you mean '%s'?", s)
			}
		}
		return fmt.Sprintf("'%s' has no field '%s'%s", exprText(x.Object), k.Value, tail)
	case *ast.FuncCallExpr:
		if x.Receiver != nil && c.name != "" && strings.HasPrefix(c.name, "method") {
			return d.methodHint(x)
		}
		if h := d.failedCall(x, "", 0, true); h != "" {
			return h
		}
	}
	return ""
}

// visibleNames lists the names with a value here: the frame's locals and
// upvalues, and the globals.
func (d *diag) visibleNames() []string {
	names := tableKeys(d.L, d.fr.env)
	for _, m := range []map[string]lua.LValue{d.fr.locals, d.fr.upvals} {
		for n, v := range m {
			if v != lua.LNil {
				names = append(names, n)
			}
		}
	}
	sort.Strings(names)
	return names
}

// methodHint: obj:m() where obj has no method m.
func (d *diag) methodHint(call *ast.FuncCallExpr) string {
	recv, ok := d.fr.eval(call.Receiver, 0)
	if !ok {
		return ""
	}
	if s := nearest(call.Method, tableKeys(d.L, recv)); s != "" {
		return fmt.Sprintf("did you mean '%s'?", s)
	}
	if lib, ok := d.fr.env.RawGetString("table").(*lua.LTable); ok && recv.Type() == lua.LTTable && lib.RawGetString(call.Method) != lua.LNil {
		r := exprText(call.Receiver)
		return fmt.Sprintf("a table has no methods of its own: call table.%s(%s, ...)", call.Method, r)
	}
	return fmt.Sprintf("a %s has no method '%s'", recv.Type().String(), call.Method)
}

// fromCallHint: name was last assigned (before this line) from a call.
// A local's assignment is looked for in the raising function; a global's
// or an upvalue's anywhere in the chunk.
func (d *diag) fromCallHint(name string) string {
	kind := d.fr.kind(name)
	a := d.lastAssignment(name, d.bodies, false)
	if a.line == 0 && kind != "local" {
		a = d.lastAssignment(name, [][]ast.Stmt{d.chunk}, true)
	}
	if a.call == nil {
		return ""
	}
	h := d.failedCall(a.call, name, a.line, a.first)
	if a.inFunction && kind == "global" {
		return fmt.Sprintf("'%s' is set on line %d inside a function: has that function run yet? If it has, %s", name, a.line, h)
	}
	return h
}

// failedCall explains a nil that a call returned (into name, on line; name
// "" for a call on the failing line): a Lua function of this chunk that
// returns nothing, or a function that failed, with what it returned when
// first (the value is the call's first result) and the call was noted
// (package failures).
func (d *diag) failedCall(call *ast.FuncCallExpr, name string, line int, first bool) string {
	callee := exprText(call)
	if callee == "" {
		return ""
	}
	subject, v := "its result", "r"
	where := ""
	if name != "" {
		subject, v = "'"+name+"'", name
		where = fmt.Sprintf(" on line %d", line)
	} else {
		line = d.line
	}
	if first {
		if f, ok := failures.Find(d.L, d.source, line, calleeName(call)); ok {
			if h := returnedNil(f, subject, callee+where, v, callee); h != "" {
				return h
			}
		}
	}
	if id, ok := call.Func.(*ast.IdentExpr); ok && call.Receiver == nil {
		if fe := d.functionNamed(id.Value); fe != nil && !returnsValue(fe.Stmts) {
			return fmt.Sprintf("%s returns nothing, so %s is nil: end %s with 'return <value>'", id.Value, subject, id.Value)
		}
	}
	if id, ok := call.Func.(*ast.IdentExpr); ok && id.Value == "tonumber" {
		return fmt.Sprintf("%s is nil because tonumber%s got a string that is not a number; check it: if not %s then ... end", subject, where, v)
	}
	return fmt.Sprintf("%s is nil because %s%s failed: a function that can fail returns nil and an error message. Check it: local %s, err = %s; if not %s then print(err) end", subject, callee, where, v, callee, v)
}

// returnedNil is failedCall's hint for a nil the call was seen to return:
// its errstr and errno (and the address, which a system's errstr never
// names), or the end of a stream; "" for a nil with no reason.
func returnedNil(f failures.Failure, subject, call, v, callee string) string {
	if f.End {
		return fmt.Sprintf("%s is nil because %s reached the end of the stream: the peer closed the connection. A read returns nil there; check it: local %s = %s; if not %s then ... end", subject, call, v, callee, v)
	}
	if f.Errstr == "" {
		return ""
	}
	reason := ": " + f.Errstr
	if f.Errno != 0 {
		reason += fmt.Sprintf(" (%d)", f.Errno)
		if f.Address != "" {
			reason = " for " + f.Address + reason
		}
	}
	reason += "."
	if f.Advice != "" {
		reason += " " + f.Advice
	}
	return fmt.Sprintf("%s is nil because %s failed%s A function that can fail returns nil and an error message. Check it: local %s, err = %s; if not %s then print(err) end", subject, call, reason, v, callee, v)
}

// selfUpdate finds `name = name + ...` (or `name = name .. ...`) on the
// failing line and returns the starting value it needs: "0" or `""`.
func (d *diag) selfUpdate(name string) string {
	start := ""
	var w walker
	w.noNested = true
	w.stmt = func(s ast.Stmt) {
		a, ok := s.(*ast.AssignStmt)
		if !ok || a.Line() != d.line {
			return
		}
		for i, l := range a.Lhs {
			if id, ok := l.(*ast.IdentExpr); !ok || id.Value != name || i >= len(a.Rhs) {
				continue
			}
			switch r := a.Rhs[i].(type) {
			case *ast.ArithmeticOpExpr:
				if isName(r.Lhs, name) || isName(r.Rhs, name) {
					start = "0"
				}
			case *ast.StringConcatOpExpr:
				for _, o := range concatOperands(r, nil) {
					if isName(o, name) {
						start = `""`
					}
				}
			}
		}
	}
	for _, b := range d.bodies {
		w.stmts(b)
	}
	return start
}

func isName(e ast.Expr, name string) bool {
	id, ok := e.(*ast.IdentExpr)
	return ok && id.Value == name
}

type assignment struct {
	line       int
	call       *ast.FuncCallExpr // the value came from this call (nil: some other value)
	first      bool              // the call's first result (not `local c, err = f()`'s err)
	inFunction bool              // inside a function nested in the bodies searched
}

// lastAssignment finds the latest assignment to name on or before the
// failing line in bodies, in functions nested in them too when nested.
func (d *diag) lastAssignment(name string, bodies [][]ast.Stmt, nested bool) assignment {
	var best assignment
	var w walker
	w.noNested = !nested
	note := func(line int, names []string, exprs []ast.Expr) {
		if line > d.line || line < best.line {
			return
		}
		for i, n := range names {
			if n != name {
				continue
			}
			a := assignment{line: line, inFunction: w.depth > 0}
			if i < len(exprs) {
				a.call, _ = exprs[i].(*ast.FuncCallExpr)
				a.first = true
			} else if len(exprs) > 0 {
				a.call, _ = exprs[len(exprs)-1].(*ast.FuncCallExpr)
			}
			best = a
		}
	}
	w.stmt = func(s ast.Stmt) {
		switch x := s.(type) {
		case *ast.LocalAssignStmt:
			note(x.Line(), x.Names, x.Exprs)
		case *ast.AssignStmt:
			names := make([]string, len(x.Lhs))
			for i, l := range x.Lhs {
				if id, ok := l.(*ast.IdentExpr); ok {
					names[i] = id.Value
				}
			}
			note(x.Line(), names, x.Rhs)
		}
	}
	for _, b := range bodies {
		w.stmts(b)
	}
	return best
}

// localElsewhere is the line of a `local name` in the chunk, 0 if none.
func (d *diag) localElsewhere(name string) int {
	line := 0
	var w walker
	w.stmt = func(s ast.Stmt) {
		if x, ok := s.(*ast.LocalAssignStmt); ok && line == 0 {
			for _, n := range x.Names {
				if n == name {
					line = x.Line()
				}
			}
		}
	}
	w.stmts(d.chunk)
	return line
}

// assignedAfter is the first line after the failing one that assigns the
// global name (name = ..., function name()), 0 if none.
func (d *diag) assignedAfter(name string) int {
	line := 0
	first := func(l int) {
		if l > d.line && (line == 0 || l < line) {
			line = l
		}
	}
	var w walker
	w.stmt = func(s ast.Stmt) {
		switch x := s.(type) {
		case *ast.AssignStmt:
			for _, l := range x.Lhs {
				if id, ok := l.(*ast.IdentExpr); ok && id.Value == name {
					first(x.Line())
				}
			}
		case *ast.FuncDefStmt:
			if id, ok := x.Name.Func.(*ast.IdentExpr); ok && id.Value == name {
				first(x.Line())
			}
		}
	}
	w.stmts(d.chunk)
	return line
}

// functionNamed finds `function name()`, `local function name()` or
// `name = function() ... end` in the chunk.
func (d *diag) functionNamed(name string) *ast.FunctionExpr {
	var found *ast.FunctionExpr
	var w walker
	w.stmt = func(s ast.Stmt) {
		switch x := s.(type) {
		case *ast.FuncDefStmt:
			if id, ok := x.Name.Func.(*ast.IdentExpr); ok && id.Value == name {
				found = x.Func
			}
		case *ast.LocalAssignStmt:
			for i, n := range x.Names {
				if fe, ok := at(x.Exprs, i).(*ast.FunctionExpr); ok && n == name {
					found = fe
				}
			}
		case *ast.AssignStmt:
			for i, l := range x.Lhs {
				if id, ok := l.(*ast.IdentExpr); ok && id.Value == name {
					if fe, ok := at(x.Rhs, i).(*ast.FunctionExpr); ok {
						found = fe
					}
				}
			}
		}
	}
	w.stmts(d.chunk)
	return found
}

func at(list []ast.Expr, i int) ast.Expr {
	if i < len(list) {
		return list[i]
	}
	return nil
}

// returnsValue: the body has a `return <expr>` (not counting nested functions).
func returnsValue(body []ast.Stmt) bool {
	found := false
	var w walker
	w.noNested = true
	w.stmt = func(s ast.Stmt) {
		if r, ok := s.(*ast.ReturnStmt); ok && len(r.Exprs) > 0 {
			found = true
		}
	}
	w.stmts(body)
	return found
}

// badArgHint explains "bad argument #n to 'fname' (detail)" raised by a Go
// function called on the failing line.
func (d *diag) badArgHint(n int, fname, detail string) string {
	m := patterns().expected.FindStringSubmatch(detail)
	if m == nil {
		return ""
	}
	want, got := m[1], m[2]
	for _, s := range d.sites {
		call, ok := s.node.(*ast.FuncCallExpr)
		if !ok || calleeName(call) != fname {
			continue
		}
		if h := d.dotForColon(call, n); h != "" {
			return h
		}
		args := call.Args
		if call.Receiver != nil {
			args = append([]ast.Expr{call.Receiver}, args...)
		}
		if n < 1 || n > len(args) {
			return ""
		}
		arg := d.fr.operand(args[n-1])
		if got == "nil" && arg.known && arg.value == lua.LNil {
			return d.nilHint(candidate{operand: arg}, "arg")
		}
		for i, other := range args {
			if i == n-1 {
				continue
			}
			if v, ok := d.fr.eval(other, 0); ok && isType(d.L, v, want) {
				return fmt.Sprintf("argument #%d is the %s: are the arguments in the wrong order?", i+1, want)
			}
		}
		if got == "string" && (want == "number" || want == "integer") {
			return "convert the string with tonumber() first"
		}
		return ""
	}
	return ""
}

// dotForColon: obj.m(...) where obj's methods include m: the call passes no
// self, so argument #1 is wrong.
func (d *diag) dotForColon(call *ast.FuncCallExpr, n int) string {
	a, ok := call.Func.(*ast.AttrGetExpr)
	if !ok || n != 1 {
		return ""
	}
	k, ok := a.Key.(*ast.StringExpr)
	if !ok {
		return ""
	}
	obj, ok := d.fr.eval(a.Object, 0)
	if !ok || obj.Type() == lua.LTTable && !hasMeta(d.L, obj) || obj.Type() == lua.LTNil {
		return ""
	}
	o := exprText(a.Object)
	return fmt.Sprintf("call it as a method, %s:%s(...): with ':' the object %s is passed as argument #1", o, k.Value, o)
}

func calleeName(call *ast.FuncCallExpr) string {
	if call.Receiver != nil {
		return call.Method
	}
	switch f := call.Func.(type) {
	case *ast.IdentExpr:
		return f.Value
	case *ast.AttrGetExpr:
		if k, ok := f.Key.(*ast.StringExpr); ok {
			return k.Value
		}
	}
	return ""
}

// isType says whether v is what "want expected" asks for: its Lua type, or
// its metatable's __name ("luasock.stream" is a "stream").
func isType(L *lua.LState, v lua.LValue, want string) bool {
	if n, ok := L.GetMetaField(v, "__name").(lua.LString); ok {
		return string(n) == want || strings.HasSuffix(string(n), "."+want)
	}
	return v.Type().String() == want
}

func (d *diag) compareHint(t1, t2 string) string {
	if (t1 == "number" && t2 == "string") || (t1 == "string" && t2 == "number") {
		return "Lua does not turn strings into numbers when comparing: convert the string with tonumber() first (data read from a socket is always a string)"
	}
	if (t1 != "nil" && t2 != "nil") || d.inGo {
		return ""
	}
	for _, s := range d.sites {
		if _, ok := s.node.(*ast.RelationalOpExpr); !ok {
			continue
		}
		for _, e := range s.operands {
			if o := d.fr.operand(e); o.known && o.value == lua.LNil && o.name != "" {
				return d.nilHint(candidate{operand: o}, "compare")
			}
		}
	}
	return ""
}

// tableKeys lists the string keys of v's fields and of its __index tables.
func tableKeys(L *lua.LState, v lua.LValue) []string {
	var keys []string
	for depth := 0; depth < 8 && v != nil; depth++ {
		if t, ok := v.(*lua.LTable); ok {
			t.ForEach(func(k, val lua.LValue) {
				if s, ok := k.(lua.LString); ok && val != lua.LNil {
					keys = append(keys, string(s))
				}
			})
		}
		next, ok := L.GetMetaField(v, "__index").(*lua.LTable)
		if !ok {
			break
		}
		v = next
	}
	sort.Strings(keys)
	return keys
}

// nearest is the key closest to name by edit distance, or one that ends in
// "_"+name (accept -> stream_socket_accept); "" when none is close.
func nearest(name string, keys []string) string {
	best, bestD := "", 0
	limit := 1 + len(name)/4
	if limit > 3 {
		limit = 3
	}
	for _, k := range keys {
		if k == name {
			continue
		}
		dist := editDistance(strings.ToLower(name), strings.ToLower(k))
		if dist <= limit && dist < len(name) && (best == "" || dist < bestD) {
			best, bestD = k, dist
		}
	}
	if best != "" {
		return best
	}
	for _, k := range keys {
		if strings.HasSuffix(k, "_"+name) {
			return k
		}
	}
	return ""
}

// editDistance is the optimal-string-alignment distance: insertions,
// deletions, substitutions and swaps of neighbours each cost 1.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// luaQuote shows a key as Lua source: "x" or 1.
func luaQuote(v lua.LValue) string {
	if s, ok := v.(lua.LString); ok {
		return fmt.Sprintf("%q", string(s))
	}
	return v.String()
}

func orValue(s string) string {
	if s == "" {
		return "value"
	}
	return s
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
