package diagnose

import (
	"fmt"
	"math/rand/v2"
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

// genProgram writes a small program whose last function raises on one line:
// a few variables (local, upvalue, global, field of an upvalue table) with
// values of every type, and one or two operations on them.
func genProgram(r *rand.Rand) string {
	values := []string{"nil", "1", "'5'", "'abc'", "{}", "true", "tostring"}
	kinds := []string{"local", "upvalue", "global", "field"}
	names := []string{"a", "b", "c"}
	kind := map[string]string{}
	var up, glob, field, local []string
	for _, n := range names {
		k := kinds[r.IntN(len(kinds))]
		kind[n] = k
		decl := values[r.IntN(len(values))]
		switch k {
		case "local":
			local = append(local, fmt.Sprintf("  local %s = %s", n, decl))
			if r.IntN(3) == 0 { // shadows an upvalue of the same name
				up = append(up, fmt.Sprintf("local %s = %s", n, values[r.IntN(len(values))]))
			}
		case "upvalue":
			up = append(up, fmt.Sprintf("local %s = %s", n, decl))
		case "global":
			glob = append(glob, fmt.Sprintf("%s = %s", n, decl))
		case "field":
			field = append(field, fmt.Sprintf("t.%s = %s", n, decl))
		}
	}
	// ref is an operand: a variable, or now and then (not in a prefix
	// position, where Lua's grammar takes only names) a constant.
	ref := func(literal bool) string {
		if literal && r.IntN(8) == 0 {
			return []string{"nil", "1", "'x'", "t", "t.none"}[r.IntN(5)]
		}
		n := names[r.IntN(len(names))]
		if kind[n] == "field" {
			return "t." + n
		}
		return n
	}
	templates := []string{
		"X()", "X(Y)", "local r = X.k", "X.k = 1", "local r = X[1]", "X:m()", "local r = X.k.j",
		"local r = X + Y", "local r = X * Y", "local r = X - Y", "local r = X / Y", "local r = X % Y", "local r = X ^ Y",
		"local r = -X", "local r = X .. Y", "local r = X .. Y .. Z", "local r = #X",
		"local r = X < Y", "local r = X <= Y", "local r = X > Y", "local r = X >= Y",
		"for i = X, 2 do end", "for i = 1, X do end",
		"local r = X[Y]", "X.k()", "X:upper()", "local r = X.k .. Y", "X()()", "local r = X.k + 1", "X[Y] = 1",
		"local r = #X.k", "t.k = X .. Y", "local r = X(Y).k",
	}
	fill := func(tpl string) string {
		out := strings.NewReplacer("X", "\x00", "Y", "\x01", "Z", "\x02").Replace(tpl)
		for i, ph := range []string{"\x00", "\x01", "\x02"} {
			out = strings.Replace(out, ph, ref(i > 0), 1)
		}
		return out
	}
	line := fill(templates[r.IntN(len(templates))])
	if r.IntN(3) == 0 {
		line += "; " + fill(templates[r.IntN(len(templates))])
	}
	switch r.IntN(4) {
	case 0: // a block's local shadows one, and the error is its last instruction
		n := names[r.IntN(len(names))]
		line = fmt.Sprintf("do local %s = %s; %s end", n, values[r.IntN(len(values))], line)
		if kind[n] == "field" {
			line = strings.Replace(line, "t."+n, n, -1)
		}
	case 1:
		line = "for i = 1, 1 do " + line + " end"
	}
	var b strings.Builder
	b.WriteString("local t = {}\n")
	for _, part := range [][]string{up, glob, field} {
		for _, l := range part {
			b.WriteString(l + "\n")
		}
	}
	b.WriteString("local function f()\n")
	for _, l := range local {
		b.WriteString(l + "\n")
	}
	b.WriteString("  " + line + "\nend\nf()\n")
	return b.String()
}

// lua51Driver runs each program (separated by a line "--@@") in a fresh
// environment and prints "@@ OK" or "@@ ERR <message>" for each.
const lua51Driver = `
local src = io.read("*a")
for prog in (src .. "--@@\n"):gmatch("(.-)%-%-@@\n") do
  local f, e = loadstring(prog, "=gen")
  if not f then print("@@ COMPILE " .. e) else
    setfenv(f, setmetatable({}, {__index = _G}))
    local ok, err = pcall(f)
    if ok then print("@@ OK") else print("@@ ERR " .. (tostring(err):gsub("\n", "\\n"))) end
  end
end
`

// TestGeneratedAgainstLua51 compares Explain's messages with lua5.1's for
// generated programs. Replay a run with DIAGNOSE_SEED=<seed>.
func TestGeneratedAgainstLua51(t *testing.T) {
	lua51 := testprog.Need(t, "lua5.1", "lua5.1")
	seed := testSeed(t)
	r := rand.New(rand.NewPCG(seed, 0))
	const n = 1500
	progs := make([]string, n)
	for i := range progs {
		progs[i] = genProgram(r)
	}
	want := lua51Results(t, lua51, progs)
	compared, engine, failed := 0, 0, 0
	for i, prog := range progs {
		w, ok := strings.CutPrefix(want[i], "ERR gen:")
		got, _ := explainOnce(prog)
		if strings.HasPrefix(got, "COMPILE") || strings.HasPrefix(want[i], "COMPILE") {
			t.Fatalf("program %d does not compile: %s\n%s", i, got+want[i], prog)
		}
		if !ok || got == "" {
			if ok != (got != "") {
				engine++ // one of them raised: the engine's semantics differ, not its messages
			}
			continue
		}
		if strings.Contains(w, " bad argument #") || strings.Contains(got, " bad argument #") {
			continue // a library function's own text, which Explain keeps
		}
		if (strings.Contains(w, "'for'") || strings.Contains(got, "'for'")) && got != w {
			engine++ // gopher-lua's for does not take a numeric string
			continue
		}
		if gl, _, _ := strings.Cut(got, ":"); !strings.HasPrefix(w, gl+":") {
			engine++ // the engine puts the error on another line
			continue
		}
		compared++
		if got != w {
			failed++
			if failed <= 10 {
				t.Errorf("seed %d program %d:\n%s\nluasock: %s\nlua5.1:  %s", seed, i, prog, got, w)
			}
		}
	}
	t.Logf("%d programs, %d errors compared, %d differ, %d raise in one only", n, compared, failed, engine)
	if compared < n/2 {
		t.Errorf("only %d of %d programs raised: the generator is off", compared, n)
	}
}

// testSeed is DIAGNOSE_SEED, or a new seed; it is logged for a replay.
func testSeed(t *testing.T) uint64 {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("DIAGNOSE_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("DIAGNOSE_SEED: %v", err)
		}
	}
	t.Logf("seed %d (replay: DIAGNOSE_SEED=%d)", seed, seed)
	return seed
}

// lua51Results runs each program with lua5.1 (as chunk "gen", in a fresh
// environment) and returns "OK" or "ERR <message>" for each.
func lua51Results(t *testing.T, lua51 string, progs []string) []string {
	t.Helper()
	driver := filepath.Join(t.TempDir(), "driver.lua")
	if err := os.WriteFile(driver, []byte(lua51Driver), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(lua51, driver)
	cmd.Stdin = strings.NewReader(strings.Join(progs, "--@@\n"))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("lua5.1: %v", err)
	}
	var want []string
	for _, l := range strings.Split(string(out), "\n") {
		if s, ok := strings.CutPrefix(l, "@@ "); ok {
			want = append(want, s)
		}
	}
	if len(want) != len(progs) {
		t.Fatalf("lua5.1 gave %d results for %d programs", len(want), len(progs))
	}
	return want
}

// explainOnce runs prog as chunk "gen" with Explain as the handler and
// returns the message after "gen:" ("" when it ran without error) and the hint.
func explainOnce(prog string) (msg, hint string) {
	L := lua.NewState()
	defer L.Close()
	src := func(string) ([]byte, bool) { return []byte(prog), true }
	raised, hint, err := explainChunk(L, "gen", prog, src)
	switch {
	case err != nil:
		return "COMPILE " + err.Error(), ""
	case raised == nil:
		return "", ""
	}
	return strings.TrimPrefix(raised.String(), "gen:"), hint
}

// TestStaleSourceDoesNotPanic gives Explain the text of another program
// than the one that runs (an edited file): the names may be wrong, but
// Explain must not fail.
func TestStaleSourceDoesNotPanic(t *testing.T) {
	seed := testSeed(t)
	r := rand.New(rand.NewPCG(seed, 1))
	prev := genProgram(r)
	for i := 0; i < 500; i++ {
		prog := genProgram(r)
		stale := prev
		if i%5 == 0 {
			stale = prog[:r.IntN(len(prog))] // a cut text does not parse
		}
		L := lua.NewState()
		fn, err := L.Load(strings.NewReader(prog), "gen")
		if err != nil {
			t.Fatal(err)
		}
		handler := L.NewFunction(func(L *lua.LState) int {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("seed %d program %d: Explain panicked: %v\n%s", seed, i, p, prog)
				}
			}()
			m, _ := Explain(L, L.Get(1), func(string) ([]byte, bool) { return []byte(stale), true })
			L.Push(m)
			return 1
		})
		L.Push(fn)
		L.PCall(0, 0, handler)
		L.Close()
		prev = prog
	}
}
