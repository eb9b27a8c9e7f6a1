package luaparse

import (
	"bytes"
	"fmt"
	"strings"
)

// closed notes that the structure who, opened at line where, was closed by
// a token on line end: it leaves the open list, and an 'end' indented
// unlike its opener is remembered (it is where a missing 'end' usually is).
func (p *parser) closed(who, where, end int) {
	switch who {
	case tkIf, tkWhile, tkDo, tkFor, tkRepeat, tkFunction:
	default:
		return
	}
	if n := len(p.open); n > 0 {
		p.open = p.open[:n-1]
	}
	if p.misplaced == nil && end != where && p.indent(end) != p.indent(where) {
		p.misplaced = &misplacedEnd{end: end, closes: opener{who, where}}
	}
}

// indent is the width of a line's leading blanks (a tab to the next
// multiple of 8). The lines' offsets are found once, at the first call.
func (p *parser) indent(line int) int {
	if p.lineStarts == nil {
		p.lineStarts = []int{0, 0} // line 1 starts at 0
		for i, c := range p.src {
			if c == '\n' {
				p.lineStarts = append(p.lineStarts, i+1)
			}
		}
	}
	if line >= len(p.lineStarts) {
		return 0
	}
	w := 0
	for _, c := range p.src[p.lineStarts[line]:] {
		switch c {
		case ' ':
			w++
		case '\t':
			w += 8 - w%8
		default:
			return w
		}
	}
	return w
}

// hint is luasock's advice on a syntax error, for a learner: which
// structure misses its 'end', the operator another language spells
// otherwise, what Lua 5.1 does not have. Empty when Lua's message says it
// all.
func (p *parser) hint(e *Error) string {
	at := p.src[min(p.lx.t.start, len(p.src)):]
	switch {
	case strings.HasPrefix(e.Message, "'end' expected"), strings.HasPrefix(e.Message, "'until' expected"):
		return p.openHint()
	case e.Message == "'<eof>' expected" && e.Near == "end":
		return "this 'end' closes nothing: an 'end' before it is one too many, or it closes a structure that was never opened"
	case e.Message == "unfinished string":
		return "a string that starts with a quote ends with the same quote on the same line; write text of several lines as [[...]] or with \\n"
	case e.Message == "unfinished long string", e.Message == "unfinished long comment":
		return "close it with ]] (with as many = between the brackets as it opened with)"
	case e.Message == "malformed number":
		return "a number is digits with at most one point and an exponent (3, 3.5, 1e-3, 0xff); a name cannot start with a digit"
	case e.Message == "no loop to break":
		return "break leaves the innermost while, for or repeat loop; to leave a function, use return"
	case e.Message == "cannot use '...' outside a vararg function":
		return "... is the extra arguments of a function declared with ... among its parameters: function f(a, ...)"
	case e.Message == "ambiguous syntax (function call x new statement)":
		return "a line that starts with ( would continue the call on the line before; end that line with ; or join the two lines"
	case bytes.HasPrefix(at, []byte("!=")):
		return "Lua writes 'not equal' as ~=: if a ~= b then"
	case bytes.HasPrefix(at, []byte("!")):
		return "Lua writes 'not' as a word: if not done then"
	case bytes.HasPrefix(at, []byte("&&")), bytes.HasPrefix(at, []byte("||")):
		return "Lua writes && as and, || as or: if a and not b then"
	case bytes.HasPrefix(at, []byte("//")), bytes.HasPrefix(at, []byte("/*")):
		return "a comment in Lua starts with -- (to the end of the line), or is --[[ ... ]] over several lines"
	case e.Message == "'=' expected" && bytes.HasPrefix(at, []byte("..=")):
		return "Lua has no ..=: write s = s .. t"
	case e.Message == "'=' expected" && len(at) > 1 && strings.IndexByte("+-*/%^", at[0]) >= 0 && at[1] == '=':
		return fmt.Sprintf("Lua has no %c=: write x = x %c 1", at[0], at[0])
	case e.Message == "'=' expected" && e.Near == "++":
		return "Lua has no ++: write x = x + 1"
	case e.Message == "'=' expected" && (p.stmtName == "continue" || p.stmtName == "goto"):
		return "Lua 5.1 has no " + p.stmtName + ": put the rest of the loop's body in an if, or use a flag"
	case e.Message == "'then' expected":
		return "an if's condition ends with then: if x > 1 then ... end"
	case e.Message == "'do' expected":
		return "a loop's header ends with do: while x > 1 do ... end, for i = 1, 10 do ... end"
	case strings.HasPrefix(e.Message, "'}' expected"):
		return "a table's fields are separated by , or ;: {1, 2, x = 3}"
	case strings.HasPrefix(e.Message, "')' expected") && e.HasNear && (e.Near[0] == '"' || e.Near[0] == '\''):
		return "arguments are separated by ,; strings are joined with ..: print(\"a\" .. \"b\")"
	case strings.HasPrefix(e.Message, "')' expected"):
		return "arguments and parameters are separated by ,"
	case e.Message == "'<name>' expected" && e.HasNear && e.Near != "" && e.Near[0] >= '0' && e.Near[0] <= '9':
		return "a name starts with a letter or _, not a digit"
	case e.Message == "'<name>' expected" && e.HasNear && p.lx.t.tok >= tkAnd && p.lx.t.tok <= tkWhile:
		return "'" + e.Near + "' is one of Lua's reserved words and cannot be a name"
	}
	return ""
}

// openHint says which structure misses its 'end'.
func (p *parser) openHint() string {
	if p.elseIf != 0 {
		return fmt.Sprintf("'else if' on line %d opens a new if that needs its own 'end': Lua spells it elseif, one word", p.elseIf)
	}
	if m := p.misplaced; m != nil {
		return fmt.Sprintf("the 'end' on line %d closes the '%s' on line %d but is not indented as that line is: the '%s' (or a structure inside it) probably misses its own 'end'",
			m.end, token2str(m.closes.tok), m.closes.line, token2str(m.closes.tok))
	}
	var open []string
	for _, o := range p.open {
		open = append(open, fmt.Sprintf("'%s' (line %d)", token2str(o.tok), o.line))
	}
	if len(open) == 0 {
		return ""
	}
	return "still open here: " + strings.Join(open, ", ") + "; each if, for, while, do and function needs its own 'end' (repeat, its 'until')"
}
