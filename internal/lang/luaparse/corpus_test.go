package luaparse

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/luasock/luasock/internal/testprog"
	lua "github.com/yuin/gopher-lua"
)

// loadDriver loads c0.lua .. c<n-1>.lua of the current folder with lua5.1's
// loadfile (the parser luac5.1 -p runs) and writes each one's error, or
// nothing, after a marker line.
const loadDriver = `
for i = 0, tonumber((...)) - 1 do
  local f, err = loadfile("c" .. i .. ".lua")
  io.write("@@CASE ", i, "\n", err or "", "\n")
end
`

// luacErrors is what lua5.1 says of each source: "" when it loads.
func luacErrors(t *testing.T, srcs [][]byte) []string {
	t.Helper()
	lua51 := testprog.Need(t, "lua5.1", "lua5.1")
	dir := t.TempDir()
	for i, src := range srcs {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("c%d.lua", i)), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "driver.lua"), []byte(loadDriver), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(lua51, "driver.lua", strconv.Itoa(len(srcs)))
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("lua5.1: %v", err)
	}
	parts := strings.Split(string(out), "@@CASE ")[1:]
	if len(parts) != len(srcs) {
		t.Fatalf("lua5.1 reported %d cases of %d", len(parts), len(srcs))
	}
	errs := make([]string, len(srcs))
	for i, p := range parts {
		_, msg, _ := strings.Cut(p, "\n")
		errs[i] = strings.TrimSuffix(msg, "\n")
	}
	return errs
}

// ours is luasock's verdict on a case named as the driver names it: the
// syntax error, or "" when it parses and gopher-lua's compiler takes it.
func ours(src []byte, name string) string {
	stmts, err := Parse(src, name)
	if err != nil {
		return err.Error()
	}
	if _, err := lua.Compile(stmts, name); err != nil {
		return "gopher-lua's compiler: " + err.Error()
	}
	return ""
}

// tokenSpans cuts a program at its tokens (byte offsets of each start, and
// the end); nil when it does not lex.
func tokenSpans(src []byte) (starts []int) {
	defer func() {
		if recover() != nil {
			starts = nil
		}
	}()
	lx := newLexer(src, "")
	for {
		lx.advance()
		starts = append(starts, lx.t.start)
		if lx.t.tok == tkEOS {
			return starts
		}
	}
}

// mistakes are what learners type, and what a cut or a swap leaves.
var mistakes = []string{
	"!=", "+=", "-=", "//", "/*", "&&", "||", "!", "++", "then", "do", "end",
	"=", "==", "(", ")", "{", "}", "[", "]", ",", ".", ":", ";", "local",
	"function", "3x", "0x", "1e", "1..2", `"abc`, "'abc\n'", "[[abc", "[==[", "]]",
	"...", "goto", "continue", "else", "elseif", "until", "return", "break",
	"\\", "$", "@", "`", "\x01", "\"\\300\"", "--[[ open", "x.", "a:b", "f\n(g)",
}

// mutate makes a broken (or not) program out of a good one.
func mutate(r *rand.Rand, src []byte, spans []int) []byte {
	n := len(spans) - 1 // tokens; spans[n] is the end
	k := r.Intn(n)
	tok := func(i int) []byte { return src[spans[i]:spans[i+1]] }
	var out []byte
	switch r.Intn(6) {
	case 0: // cut after a token
		out = append(out, src[:spans[k+1]]...)
	case 1: // delete a token
		out = append(append(out, src[:spans[k]]...), src[spans[k+1]:]...)
	case 2: // swap two tokens
		if k+1 >= n {
			return src[:spans[k]]
		}
		out = append(append(append(append(out, src[:spans[k]]...), tok(k+1)...), tok(k)...), src[spans[k+2]:]...)
	case 3: // repeat a token
		out = append(append(out, src[:spans[k+1]]...), src[spans[k]:]...)
	case 4: // put a mistake in place of a token
		m := mistakes[r.Intn(len(mistakes))]
		out = append(append(append(out, src[:spans[k]]...), m+" "...), src[spans[k+1]:]...)
	default: // put a mistake before a token
		m := mistakes[r.Intn(len(mistakes))]
		out = append(append(append(out, src[:spans[k]]...), m+" "...), src[spans[k]:]...)
	}
	return out
}

// TestSyntaxErrorsAsLua51 breaks the examples and the test programs at
// random (cut, delete, swap, repeat a token, put a learner's mistake in) and
// holds luasock's verdict on each to lua5.1's: the same message, line and
// near token, or both load it. SYNTAX_SEED and SYNTAX_N (3000) repeat or
// widen a run.
func TestSyntaxErrorsAsLua51(t *testing.T) {
	seed := testprog.EnvInt(t, "SYNTAX_SEED", time.Now().UnixNano())
	n := int(testprog.EnvInt(t, "SYNTAX_N", 3000))
	t.Logf("SYNTAX_SEED=%d", seed)
	var sources [][]byte
	for _, glob := range []string{"../../../examples/*.lua", "../../../scripts/*.lua"} {
		files, _ := filepath.Glob(glob)
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.HasPrefix(src, []byte("#")) {
				src = append([]byte("--"), src...) // a #! line: as a comment
			}
			sources = append(sources, src)
		}
	}
	if len(sources) < 10 {
		t.Fatalf("found %d programs to break", len(sources))
	}
	r := rand.New(rand.NewSource(seed))
	cases := make([][]byte, n)
	for i := range cases {
		src := sources[r.Intn(len(sources))]
		for range 1 + r.Intn(2) {
			spans := tokenSpans(src)
			if len(spans) < 2 {
				break
			}
			src = mutate(r, src, spans)
		}
		cases[i] = src
	}
	want := luacErrors(t, cases)
	bad, loaded := 0, 0
	for i, src := range cases {
		got := ours(src, fmt.Sprintf("c%d.lua", i))
		if want[i] == "" {
			loaded++
		}
		if got != want[i] {
			bad++
			if bad <= 10 {
				t.Errorf("SYNTAX_SEED=%d case %d:\n lua5.1:  %q\n luasock: %q", seed, i, want[i], got)
				_ = os.WriteFile(filepath.Join(os.TempDir(), fmt.Sprintf("syntax-case-%d.lua", i)), src, 0o644)
			}
		}
	}
	t.Logf("%d cases, %d load in lua5.1, %d differ", n, loaded, bad)
}
