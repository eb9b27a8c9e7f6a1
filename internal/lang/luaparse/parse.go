// Package luaparse reads Lua 5.1 source into gopher-lua's syntax tree. It
// is Lua 5.1's own lexer and recursive-descent parser (llex.c, lparser.c)
// written again in Go: it accepts exactly what Lua 5.1 accepts, reads
// numbers and escapes as Lua 5.1 does ("\x41" is "x41", 010 is ten), and
// reports every syntax error at the line, with the message and the "near"
// token, that luac5.1 -p gives. gopher-lua's own parser differs on all
// three; its compiler then takes the tree as it would take its own.
package luaparse

import (
	"fmt"

	"github.com/yuin/gopher-lua/ast"
)

// Error is a syntax error as Lua 5.1 reports it:
// "chunk:line: message near 'token'". Hint, when set, is
// luasock's advice for a learner; Error() leaves it out, so that
// loadstring and pcall see exactly Lua's message.
type Error struct {
	Chunk   string // the chunk as messages show it ("script.lua", `[string "..."]`)
	Line    int
	Message string
	Near    string // the token the error is near, as Lua shows it
	HasNear bool   // false for the limits (too many locals, syntax levels)
	Hint    string
}

func (e *Error) Error() string {
	if !e.HasNear {
		return fmt.Sprintf("%s:%d: %s", e.Chunk, e.Line, e.Message)
	}
	return fmt.Sprintf("%s:%d: %s near '%s'", e.Chunk, e.Line, e.Message, e.Near)
}

// Limits of Lua 5.1 (luaconf.h) that the parser enforces.
const (
	maxCCalls   = 200 // LUAI_MAXCCALLS: nesting of blocks and expressions
	maxVars     = 200 // LUAI_MAXVARS: active locals of one function
	maxUpvalues = 60  // LUAI_MAXUPVALUES
	// baseCCalls is the C call depth the interpreter and luac are at when
	// they load a file: the nesting allowed is counted from there.
	baseCCalls = 1
)

// Parse reads a whole chunk. chunkName is the chunk as messages show it
// (compile.ChunkID's result for syntax errors). The error, if any, is an
// *Error.
func Parse(src []byte, chunkName string) (stmts []ast.Stmt, err error) {
	p := &parser{lx: newLexer(src, chunkName), level: baseCCalls}
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(*Error)
			if !ok {
				panic(r)
			}
			e.Hint = p.hint(e)
			stmts, err = nil, e
		}
	}()
	p.src = src
	p.openFunc(0)
	p.fs.vararg = true // the main chunk is always vararg
	p.lx.advance()
	stmts = p.chunk()
	p.check(tkEOS)
	return stmts, nil
}

// funcState is what lparser.c's FuncState keeps that can fail a parse: the
// active locals and the upvalues, for the limits and for scoping.
type funcState struct {
	prev    *funcState
	actvar  []string // active locals, innermost last
	ups     []upvalue
	line    int // where the function is defined; 0 for the main chunk
	vararg  bool
	block   *blockCnt
	pending int // locals declared but not yet active (new_localvar's n)
}

type upvalue struct {
	kind expKind // kLocal or kUpval in the enclosing function
	info int
}

type blockCnt struct {
	prev      *blockCnt
	nactvar   int
	breakable bool
}

type parser struct {
	lx    *lexer
	fs    *funcState
	level int // nCcalls

	// What the hints need (hints.go): the structures open now, the first
	// 'end' indented unlike what it closed, an 'else if' on one line,
	// and the first name of the statement being read.
	open       []opener
	misplaced  *misplacedEnd
	elseIf     int
	stmtName   string
	src        []byte
	lineStarts []int // byte offset of each line, [1] the first (hints.go)
}

type opener struct{ tok, line int }

type misplacedEnd struct {
	end    int // the line of the 'end'
	closes opener
}

func (p *parser) openFunc(line int) {
	p.fs = &funcState{prev: p.fs, line: line}
}

func (p *parser) closeFunc() { p.fs = p.fs.prev }

func (p *parser) enterLevel() {
	p.level++
	if p.level > maxCCalls {
		p.lx.lexError("chunk has too many syntax levels", 0)
	}
}

func (p *parser) leaveLevel() { p.level-- }

// errorLimit reports a limit of function fs exceeded.
func (p *parser) errorLimit(fs *funcState, limit int, what string) {
	msg := fmt.Sprintf("function at line %d has more than %d %s", fs.line, limit, what)
	if fs.line == 0 {
		msg = fmt.Sprintf("main function has more than %d %s", limit, what)
	}
	p.lx.lexError(msg, 0)
}

func (p *parser) checkLimit(v, limit int, what string) {
	if v > limit {
		p.errorLimit(p.fs, limit, what)
	}
}

func (p *parser) errorExpected(tok int) {
	p.lx.syntaxError(fmt.Sprintf("'%s' expected", token2str(tok)))
}

func (p *parser) testNext(tok int) bool {
	if p.lx.t.tok == tok {
		p.lx.advance()
		return true
	}
	return false
}

func (p *parser) check(tok int) {
	if p.lx.t.tok != tok {
		p.errorExpected(tok)
	}
}

func (p *parser) checkNext(tok int) {
	p.check(tok)
	p.lx.advance()
}

// checkMatch closes what opened at line where; the line of the closing
// token comes back, for the tree's positions.
func (p *parser) checkMatch(what, who, where int) int {
	line := p.lx.t.line
	if p.testNext(what) {
		p.closed(who, where, line)
	} else {
		if where == p.lx.line {
			p.errorExpected(what)
		}
		p.lx.syntaxError(fmt.Sprintf("'%s' expected (to close '%s' at line %d)",
			token2str(what), token2str(who), where))
	}
	return line
}

func (p *parser) checkName() token {
	p.check(tkName)
	t := p.lx.t
	p.lx.advance()
	return t
}

// newLocal declares a local that becomes active at adjustLocals.
func (p *parser) newLocal(name string) {
	fs := p.fs
	p.checkLimit(len(fs.actvar)+1, maxVars, "local variables")
	fs.actvar = append(fs.actvar, name) // kept past the active ones until adjusted
	fs.pending++
}

func (p *parser) adjustLocals(n int) { p.fs.pending -= n }

func (p *parser) activeCount() int { return len(p.fs.actvar) - p.fs.pending }

func (p *parser) removeVars(to int) {
	p.fs.actvar = p.fs.actvar[:to] // nothing is pending at a block's end
}

// searchVar finds an active local of fs by name, innermost first.
func searchVar(fs *funcState, name string) int {
	for i := len(fs.actvar) - fs.pending - 1; i >= 0; i-- {
		if fs.actvar[i] == name {
			return i
		}
	}
	return -1
}

func (p *parser) indexUpvalue(fs *funcState, kind expKind, info int) int {
	for i, u := range fs.ups {
		if u.kind == kind && u.info == info {
			return i
		}
	}
	if len(fs.ups)+1 > maxUpvalues {
		p.errorLimit(fs, maxUpvalues, "upvalues")
	}
	fs.ups = append(fs.ups, upvalue{kind, info})
	return len(fs.ups) - 1
}

// singleVarAux is singlevaraux: a local of fs, an upvalue, or a global.
func (p *parser) singleVarAux(fs *funcState, name string) (expKind, int) {
	if fs == nil {
		return kGlobal, 0
	}
	if v := searchVar(fs, name); v >= 0 {
		return kLocal, v
	}
	kind, info := p.singleVarAux(fs.prev, name)
	if kind == kGlobal {
		return kGlobal, 0
	}
	return kUpval, p.indexUpvalue(fs, kind, info)
}

func (p *parser) enterBlock(breakable bool) {
	p.fs.block = &blockCnt{prev: p.fs.block, nactvar: p.activeCount(), breakable: breakable}
}

func (p *parser) leaveBlock() {
	bl := p.fs.block
	p.fs.block = bl.prev
	p.removeVars(bl.nactvar)
}

func blockFollow(tok int) bool {
	switch tok {
	case tkElse, tkElseif, tkEnd, tkUntil, tkEOS:
		return true
	}
	return false
}

// chunk -> { stat [';'] }
func (p *parser) chunk() []ast.Stmt {
	stmts := []ast.Stmt{}
	p.enterLevel()
	last := false
	for !last && !blockFollow(p.lx.t.tok) {
		var s ast.Stmt
		s, last = p.statement()
		if s != nil {
			stmts = append(stmts, s)
		}
		p.testNext(';')
	}
	p.leaveLevel()
	return stmts
}

func (p *parser) block() []ast.Stmt {
	p.enterBlock(false)
	stmts := p.chunk()
	p.leaveBlock()
	return stmts
}
