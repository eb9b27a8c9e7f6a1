package luaparse

import (
	"fmt"
	"strings"

	"github.com/luasock/luasock/internal/lang/luanum"
)

// Tokens: a single character is its own byte; the rest follow it, in the
// order of Lua 5.1's luaX_tokens (llex.h's ORDER RESERVED).
const (
	tkAnd = 257 + iota
	tkBreak
	tkDo
	tkElse
	tkElseif
	tkEnd
	tkFalse
	tkFor
	tkFunction
	tkIf
	tkIn
	tkLocal
	tkNil
	tkNot
	tkOr
	tkRepeat
	tkReturn
	tkThen
	tkTrue
	tkUntil
	tkWhile
	tkConcat
	tkDots
	tkEq
	tkGe
	tkLe
	tkNe
	tkNumber
	tkName
	tkString
	tkEOS
)

var tokenNames = [...]string{
	"and", "break", "do", "else", "elseif",
	"end", "false", "for", "function", "if",
	"in", "local", "nil", "not", "or", "repeat",
	"return", "then", "true", "until", "while",
	"..", "...", "==", ">=", "<=", "~=",
	"<number>", "<name>", "<string>", "<eof>",
}

var reserved = func() map[string]int {
	m := map[string]int{}
	for i, s := range tokenNames[:tkWhile-tkAnd+1] {
		m[s] = tkAnd + i
	}
	return m
}()

// token is one lexed token: for a name or a string its text, for a
// number its value; line is where it starts (the AST's position).
type token struct {
	tok   int
	str   string
	num   float64
	line  int
	start int // byte offset, for tests that cut programs at tokens
}

const eoz = -1

// lexer is Lua 5.1's llex.c: the same states, so that every error comes at
// the same line with the same "near" text.
type lexer struct {
	src       []byte
	pos       int
	current   int // the character under the cursor, or eoz
	line      int // ls->linenumber: the line the cursor is on
	lastline  int // the line of the last token consumed
	buff      []byte
	t, ahead  token
	chunkName string // as syntax errors show it
}

func newLexer(src []byte, chunkName string) *lexer {
	lx := &lexer{src: src, line: 1, lastline: 1, chunkName: chunkName}
	lx.ahead.tok = tkEOS
	lx.next()
	return lx
}

func (lx *lexer) next() {
	if lx.pos < len(lx.src) {
		lx.current = int(lx.src[lx.pos])
		lx.pos++
	} else {
		lx.current = eoz
	}
}

func (lx *lexer) save(c int) { lx.buff = append(lx.buff, byte(c)) }

func (lx *lexer) saveAndNext() {
	lx.save(lx.current)
	lx.next()
}

func (lx *lexer) isNewline() bool { return lx.current == '\n' || lx.current == '\r' }

// token2str is luaX_token2str.
func token2str(tok int) string {
	if tok < tkAnd {
		if tok < 32 || tok == 127 { // iscntrl
			return fmt.Sprintf("char(%d)", tok)
		}
		return string([]byte{byte(tok)})
	}
	return tokenNames[tok-tkAnd]
}

// txtToken is what "near" shows: a name, string or number as the lexer
// read it (a C string: up to a NUL), any other token by its name.
func (lx *lexer) txtToken(tok int) string {
	switch tok {
	case tkName, tkString, tkNumber:
		s := string(lx.buff)
		if i := strings.IndexByte(s, 0); i >= 0 {
			s = s[:i]
		}
		return s
	}
	return token2str(tok)
}

// lexError is luaX_lexerror: the message at the current line, with the
// token it is near unless tok is 0.
func (lx *lexer) lexError(msg string, tok int) {
	e := &Error{Chunk: lx.chunkName, Line: lx.line, Message: msg}
	if tok != 0 {
		e.Near, e.HasNear = lx.txtToken(tok), true
	}
	panic(e)
}

// syntaxError is luaX_syntaxerror: near the current token.
func (lx *lexer) syntaxError(msg string) { lx.lexError(msg, lx.t.tok) }

func (lx *lexer) incLine() {
	old := lx.current
	lx.next() // skip '\n' or '\r'
	if lx.isNewline() && lx.current != old {
		lx.next() // skip "\n\r" or "\r\n"
	}
	lx.line++
}

func (lx *lexer) checkNext(set string) bool {
	if lx.current == eoz || !strings.ContainsRune(set, rune(lx.current)) {
		return false
	}
	lx.saveAndNext()
	return true
}

func isDigit(c int) bool { return c >= '0' && c <= '9' }
func isAlpha(c int) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isAlnum(c int) bool { return isAlpha(c) || isDigit(c) }
func isSpace(c int) bool { return c == ' ' || c >= '\t' && c <= '\r' }

func (lx *lexer) readNumeral(t *token) {
	for {
		lx.saveAndNext()
		if !isDigit(lx.current) && lx.current != '.' {
			break
		}
	}
	if lx.checkNext("Ee") {
		lx.checkNext("+-")
	}
	for isAlnum(lx.current) || lx.current == '_' {
		lx.saveAndNext()
	}
	f, ok := luanum.Parse(string(lx.buff))
	if !ok {
		lx.lexError("malformed number", tkNumber)
	}
	t.num = f
}

// skipSep reads [=*[ or ]=*]: the count of '=', or -(count)-1 when the
// second bracket is missing.
func (lx *lexer) skipSep() int {
	count := 0
	s := lx.current
	lx.saveAndNext()
	for lx.current == '=' {
		lx.saveAndNext()
		count++
	}
	if lx.current == s {
		return count
	}
	return -count - 1
}

// readLongString reads [[...]] (a comment when t is nil).
func (lx *lexer) readLongString(t *token, sep int) {
	lx.saveAndNext() // the second '['
	if lx.isNewline() {
		lx.incLine() // a first newline is not part of the string
	}
	for {
		switch lx.current {
		case eoz:
			msg := "unfinished long string"
			if t == nil {
				msg = "unfinished long comment"
			}
			lx.lexError(msg, tkEOS)
		case '[':
			if lx.skipSep() == sep {
				lx.saveAndNext()
				if sep == 0 {
					lx.lexError("nesting of [[...]] is deprecated", '[')
				}
			}
		case ']':
			if lx.skipSep() == sep {
				lx.saveAndNext()
				if t != nil {
					t.str = string(lx.buff[2+sep : len(lx.buff)-2-sep])
				}
				return
			}
		case '\n', '\r':
			lx.save('\n')
			lx.incLine()
			if t == nil {
				lx.buff = lx.buff[:0]
			}
		default:
			if t != nil {
				lx.saveAndNext()
			} else {
				lx.next()
			}
		}
	}
}

func (lx *lexer) readString(del int, t *token) {
	lx.saveAndNext()
	for lx.current != del {
		switch lx.current {
		case eoz:
			lx.lexError("unfinished string", tkEOS)
		case '\n', '\r':
			lx.lexError("unfinished string", tkString)
		case '\\':
			lx.next() // the backslash is not saved
			c := 0
			switch lx.current {
			case 'a':
				c = '\a'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'v':
				c = '\v'
			case '\n', '\r':
				lx.save('\n')
				lx.incLine()
				continue
			case eoz:
				continue // the loop reports it
			default:
				if !isDigit(lx.current) {
					lx.saveAndNext() // \\, \", \' and any other character as itself
					continue
				}
				for i := 0; i < 3 && isDigit(lx.current); i++ {
					c = 10*c + lx.current - '0'
					lx.next()
				}
				if c > 255 {
					lx.lexError("escape sequence too large", tkString)
				}
				lx.save(c)
				continue
			}
			lx.save(c)
			lx.next()
		default:
			lx.saveAndNext()
		}
	}
	lx.saveAndNext()
	t.str = string(lx.buff[1 : len(lx.buff)-1])
}

// lex reads the next token into t (llex).
func (lx *lexer) lex(t *token) int {
	lx.buff = lx.buff[:0]
	for {
		t.line, t.start = lx.line, lx.pos-1
		if lx.current == eoz {
			t.start = len(lx.src)
		}
		switch c := lx.current; c {
		case '\n', '\r':
			lx.incLine()
		case '-':
			lx.next()
			if lx.current != '-' {
				return '-'
			}
			lx.next()
			if lx.current == '[' {
				sep := lx.skipSep()
				lx.buff = lx.buff[:0]
				if sep >= 0 {
					lx.readLongString(nil, sep)
					lx.buff = lx.buff[:0]
					continue
				}
			}
			for !lx.isNewline() && lx.current != eoz {
				lx.next()
			}
		case '[':
			sep := lx.skipSep()
			if sep >= 0 {
				lx.readLongString(t, sep)
				return tkString
			}
			if sep == -1 {
				return '['
			}
			lx.lexError("invalid long string delimiter", tkString)
		case '=', '<', '>', '~':
			lx.next()
			if lx.current != '=' {
				return c
			}
			lx.next()
			switch c {
			case '=':
				return tkEq
			case '<':
				return tkLe
			case '>':
				return tkGe
			}
			return tkNe
		case '"', '\'':
			lx.readString(c, t)
			return tkString
		case '.':
			lx.saveAndNext()
			if lx.checkNext(".") {
				if lx.checkNext(".") {
					return tkDots
				}
				return tkConcat
			}
			if !isDigit(lx.current) {
				return '.'
			}
			lx.readNumeral(t)
			return tkNumber
		case eoz:
			return tkEOS
		default:
			switch {
			case isSpace(c):
				lx.next()
			case isDigit(c):
				lx.readNumeral(t)
				return tkNumber
			case isAlpha(c) || c == '_':
				for {
					lx.saveAndNext()
					if !isAlnum(lx.current) && lx.current != '_' {
						break
					}
				}
				if r, ok := reserved[string(lx.buff)]; ok {
					return r
				}
				t.str = string(lx.buff)
				return tkName
			default:
				lx.next()
				return c
			}
		}
	}
}

// advance is luaX_next: the look-ahead token if there is one.
func (lx *lexer) advance() {
	lx.lastline = lx.line
	if lx.ahead.tok != tkEOS {
		lx.t = lx.ahead
		lx.ahead.tok = tkEOS
		return
	}
	lx.t.tok = lx.lex(&lx.t)
}

// lookahead is luaX_lookahead.
func (lx *lexer) lookahead() {
	lx.ahead.tok = lx.lex(&lx.ahead)
}
