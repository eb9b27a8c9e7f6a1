package luaparse

import (
	"strings"
	"testing"
)

// TestHints: each mistake a learner makes first gets its hint, beside
// Lua's message (which TestCornersAsLuac holds to luac5.1's).
func TestHints(t *testing.T) {
	for _, c := range []struct{ src, hint string }{
		{"function f()\n  if x then\n    return 1\nend\n", "the 'end' on line 4 closes the 'if' on line 2 but is not indented as that line is"},
		{"function f()\n  if x then\n    return 1\n", "still open here: 'function' (line 1), 'if' (line 2)"},
		{"repeat\n  x = 1\n", "still open here: 'repeat' (line 1)"},
		{"if x then\n  y = 1\nelse if y then\n  z = 1\nend\n", "'else if' on line 3 opens a new if"},
		{"for i = 1, 2 do end end\n", "this 'end' closes nothing"},
		{"x = \"abc\n", "ends with the same quote on the same line"},
		{"x = [[abc\n", "close it with ]]"},
		{"x = 3x\n", "a name cannot start with a digit"},
		{"break\n", "break leaves the innermost while, for or repeat loop"},
		{"function f() return ... end\n", "function f(a, ...)"},
		{"f\n(g)\n", "end that line with ;"},
		{"if a != b then end\n", "~="},
		{"x = !y\n", "'not' as a word"},
		{"if a && b then end\n", "&& as and"},
		{"if a || b then end\n", "|| as or"},
		{"// comment\n", "a comment in Lua starts with --"},
		{"/* comment */\n", "a comment in Lua starts with --"},
		{"x += 1\n", "Lua has no +=: write x = x + 1"},
		{"x -= 1\n", "Lua has no -=: write x = x - 1"},
		{"x ..= 'a'\n", "Lua has no ..=: write s = s .. t"},
		{"for i = 1, 3 do\n  if i == 2 then continue end\nend\n", "Lua 5.1 has no continue"},
		{"goto done\n", "Lua 5.1 has no goto"},
		{"if x > 1\n  y = 1\nend\n", "ends with then"},
		{"while x > 1\n  x = x - 1\nend\n", "ends with do"},
		{"t = {1 2}\n", "separated by , or ;"},
		{"print(\"a\" \"b\")\n", "joined with .."},
		{"print(a b)\n", "separated by ,"},
		{"local 1 = 2\n", "a name starts with a letter or _"},
		{"local end = 2\n", "'end' is one of Lua's reserved words"},
	} {
		_, err := Parse([]byte(c.src), "h.lua")
		e, ok := err.(*Error)
		if !ok {
			t.Errorf("%q: no syntax error (%v)", c.src, err)
			continue
		}
		if !strings.Contains(e.Hint, c.hint) {
			t.Errorf("%q: %v\n hint %q\n want one with %q", c.src, e, e.Hint, c.hint)
		}
		if strings.Contains(e.Error(), "hint") {
			t.Errorf("%q: the message carries the hint: %v", c.src, e)
		}
	}
	for _, src := range []string{"x = = 1\n", "x = 1 +\n"} {
		_, err := Parse([]byte(src), "h.lua")
		if e, ok := err.(*Error); !ok || e.Hint != "" {
			t.Errorf("%q: %v: want Lua's message alone, hint %q", src, err, e.Hint)
		}
	}
}
