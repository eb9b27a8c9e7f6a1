package diagnose

import (
	"fmt"
	"strings"
	"testing"

	"github.com/luasock/luasock/internal/testprog"

	lua "github.com/yuin/gopher-lua"
)

// run runs code as chunk name with Explain as the error handler.
func run(t *testing.T, name, code string, src Sources) (msg lua.LValue, hint string) {
	t.Helper()
	L := lua.NewState()
	defer L.Close()
	msg, hint, err := explainChunk(L, name, code, src)
	if err != nil {
		t.Fatalf("compile %q: %v", code, err)
	}
	if msg == nil {
		t.Fatalf("%q ran without error", code)
	}
	return msg, hint
}

// explainChunk runs code as chunk name in L with Explain(src) as the error
// handler. raised is the message the handler gave (nil when the chunk ran
// without error) and hint its hint; err says the chunk does not compile.
func explainChunk(L *lua.LState, name, code string, src Sources) (raised lua.LValue, hint string, err error) {
	fn, err := L.Load(strings.NewReader(code), name)
	if err != nil {
		return nil, "", err
	}
	handler := L.NewFunction(func(L *lua.LState) int {
		m, h := Explain(L, L.Get(1), src)
		hint = h
		L.Push(m)
		return 1
	})
	L.Push(fn)
	if err := L.PCall(0, 0, handler); err != nil {
		return err.(*lua.ApiError).Object, hint, nil
	}
	return nil, hint, nil
}

func sources(m map[string]string) Sources {
	return func(name string) ([]byte, bool) {
		s, ok := m[name]
		return []byte(s), ok
	}
}

// A loop that catches the same error parses its chunk once.
func TestCacheParsesOnce(t *testing.T) {
	code := "local n = 0\nn = n + 1\nnosuch()"
	before := parseCount
	L := lua.NewState()
	defer L.Close()
	src := sources(map[string]string{"loop.lua": code})
	var msgs []string
	handler := L.NewFunction(func(L *lua.LState) int {
		m, _ := Explain(L, L.Get(1), src)
		msgs = append(msgs, m.String())
		L.Push(m)
		return 1
	})
	for i := 0; i < 50; i++ {
		fn, err := L.Load(strings.NewReader(code), "loop.lua")
		if err != nil {
			t.Fatal(err)
		}
		L.Push(fn)
		if L.PCall(0, 0, handler) == nil {
			t.Fatal("no error")
		}
	}
	if got := parseCount - before; got != 1 {
		t.Errorf("parsed %d times for 50 errors, want 1", got)
	}
	if want := "loop.lua:3: attempt to call global 'nosuch' (a nil value)"; msgs[49] != want {
		t.Errorf("got %q, want %q", msgs[49], want)
	}
}

// Messages that are not the engine's stay as they are, with no hint.
func TestOtherErrorsUnchanged(t *testing.T) {
	src := sources(map[string]string{"u.lua": ""})
	for _, code := range []string{
		`error("attempt to call a non-function object")`,
		`error("boom")`,
		`error({code = 1})`,
		`error("x", 2)`,
		`local t = setmetatable({}, {__index = function() error("inner") end}); local _ = t.x`,
	} {
		src = sources(map[string]string{"u.lua": code})
		L := lua.NewState()
		fn, _ := L.Load(strings.NewReader(code), "u.lua")
		var in, out lua.LValue
		var hint string
		handler := L.NewFunction(func(L *lua.LState) int {
			in = L.Get(1)
			out, hint = Explain(L, in, src)
			L.Push(out)
			return 1
		})
		L.Push(fn)
		L.PCall(0, 0, handler)
		L.Close()
		if in != out || hint != "" {
			t.Errorf("%s: %v became %v (hint %q)", code, in, out, hint)
		}
	}
}

// Without the source the name cannot be found: Lua 5.1's unnamed form.
func TestUnknownSource(t *testing.T) {
	msg, hint := run(t, "gone.lua", "local x\nx.y = 1", sources(nil))
	if want := "gone.lua:2: attempt to index a nil value"; msg.String() != want || hint != "" {
		t.Errorf("got %q (hint %q), want %q", msg, hint, want)
	}
}

// Cases the mistake table does not show: shadowing, one-line functions,
// callable tables, a Lua callback of a Go function, chains, unnamed values.
func TestNamingAgainstLua51(t *testing.T) {
	lua51 := testprog.Need(t, "lua5.1", "lua5.1")
	cases := []struct{ code, hint string }{
		{"local x = 1\ndo local x\n x() end", "local 'x' is nil here: give it a value before this line"},
		{"local f = function() return 1 + 1 end; local g = function() a.b = 1 end; g()",
			"no global 'a' has a value here: check the spelling, or assign it before this line"},
		{"local t = setmetatable({}, {__call = function() end}); t(); u()",
			"no global 'u' has a value here: check the spelling, or assign it before this line"},
		{"table.sort({3, 2, 1}, function(a, b) return a.x < b end)",
			"'a' is a number: only tables can be indexed (and strings, for their methods: s:upper())"},
		{"local t = {}\nt.a.b.c = 1", "'t' has no field 'a'"},
		{"local t = {name = 'x'}\nprint(t.nmae .. '!')", "did you mean 'name'?"},
		{"local t = {}\nlocal k = 'x'\nt[k]()", `'t' has no field "x"`},
		{"local s = 'a' .. 'b' .. nil", ""},
		{"local u = {}\nlocal function f() return u.x.y end\nf()", "'u' has no field 'x'"},
		{"local function f() end\nlocal r = f() + 1", "f returns nothing, so its result is nil: end f with 'return <value>'"},
		{"local function setup() srv = io.open('/nonexistent') end\nsrv:read()",
			"'srv' is set on line 1 inside a function: has that function run yet? If it has, 'srv' is nil because io.open(...) on line 1 failed: a function that can fail returns nil and an error message. Check it: local srv, err = io.open(...); if not srv then print(err) end"},
		{"local a, b = nil, {}\nlocal c = b.x .. a", "'b' has no field 'x'; to print a value that may be nil, use tostring(b.x)"},
		{"local a, b = nil, {}\nlocal c = 'x' .. a .. 'y'", "local 'a' is nil here: give it a value before this line; to print a value that may be nil, use tostring(a)"},
		{"for i = 1, 2 do\n  local v = i\n  v()\nend", "'v' is a number, not a function: was the name given another value?"},
		{"local t = {}\nt.x.y = t.z.w", "'t' has no field 'z'"},
		{"local n = #nil", ""},
		{"local a, b = {}, nil\na.x, b = b.y, a", "local 'b' is nil here: give it a value before this line"},
		{"local log\nlog = log .. 'x'", `'log' has no value before this line: give it a starting value first (log = "")`},
		{"local x = {} < {}", ""},
		{"local x = nil < nil", ""},
	}
	progs := make([]string, len(cases))
	for i, c := range cases {
		progs[i] = c.code
	}
	want := lua51Results(t, lua51, progs)
	for i, c := range cases {
		w, ok := strings.CutPrefix(want[i], "ERR gen:")
		if !ok {
			t.Fatalf("lua5.1 raised nothing for %q: %s", c.code, want[i])
		}
		got, hint := explainOnce(c.code)
		if got != w {
			t.Errorf("%q:\nmessage %q\n   want %q", c.code, got, w)
		}
		if hint != c.hint {
			t.Errorf("%q:\nhint %q\nwant %q", c.code, hint, c.hint)
		}
	}
}

// Values the syntax tree cannot read get their type from the registers.
func TestUnnamedTypes(t *testing.T) {
	lua51 := testprog.Need(t, "lua5.1", "lua5.1")
	codes := []string{
		"local function f() return 1 end\nf()()",
		"local function f() return {} end\nf()()",
		"local function f() return true end\nlocal n = #f()",
		"local function f() return {} end\nlocal n = -f()",
		"local function f() return 'x' end\nlocal n = -f()",
		"local function f() end\nf()()",
		"local t = {f = function() return 5 end}\nt.f()()",
		"local s = ('x'):rep(2)()",
	}
	want := lua51Results(t, lua51, codes)
	for i, code := range codes {
		got, _ := explainOnce(code)
		if w := strings.TrimPrefix(want[i], "ERR gen:"); got != w {
			t.Errorf("%q:\nmessage %q\n   want %q", code, got, w)
		}
	}
}

// Explain keeps what it cannot place: no Lua frame on the stack, a Go
// function called straight from Go, an error of a coroutine (whose frames
// are gone), a value that is not a string.
func TestNoLuaFrame(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	src := sources(map[string]string{"c.lua": "local co = coroutine.wrap(function() local q; q.x = 1 end); co()"})
	for _, v := range []lua.LValue{lua.LNil, lua.LString("c.lua:1: attempt to call a non-function object"), lua.LNumber(3)} {
		if got, hint := Explain(L, v, src); got != v || hint != "" {
			t.Errorf("outside a handler: %v became %v (%q)", v, got, hint)
		}
	}
	var in, got lua.LValue
	handler := L.NewFunction(func(L *lua.LState) int {
		in = L.Get(1)
		got, _ = Explain(L, in, src)
		L.Push(got)
		return 1
	})
	L.Push(L.NewFunction(func(L *lua.LState) int {
		L.RaiseError("attempt to call a non-function object")
		return 0
	}))
	if L.PCall(0, 0, handler) == nil || got != in {
		t.Errorf("Go function raised: got %v", got)
	}
	fn, err := L.Load(strings.NewReader("local co = coroutine.wrap(function() local q; q.x = 1 end); co()"), "c.lua")
	if err != nil {
		t.Fatal(err)
	}
	L.Push(fn)
	if L.PCall(0, 0, handler) == nil || got != in {
		t.Errorf("coroutine: got %v", got)
	}
}

// The cache keeps the last cacheSize chunks: the oldest is parsed again.
func TestCacheIsBounded(t *testing.T) {
	texts := map[string]string{}
	for i := 0; i <= cacheSize; i++ {
		texts[fmt.Sprintf("c%d.lua", i)] = fmt.Sprintf("local x%d\nx%d()", i, i)
	}
	src := sources(texts)
	for i := 0; i <= cacheSize; i++ {
		parsed(fmt.Sprintf("c%d.lua", i), src)
	}
	before := parseCount
	parsed(fmt.Sprintf("c%d.lua", cacheSize), src)
	if parseCount != before {
		t.Errorf("the newest chunk was parsed again")
	}
	parsed("c0.lua", src)
	if parseCount != before+1 {
		t.Errorf("the oldest of %d chunks was kept", cacheSize+1)
	}
	if len(cache.entries) > cacheSize {
		t.Errorf("cache holds %d chunks", len(cache.entries))
	}
}

// BenchmarkExplain is the cost of one error explained (the chunk cached).
func BenchmarkExplain(b *testing.B) {
	code := "local conn\nlocal function serve()\n  local n = 0\n  n = n + 1\n  conn:write('x')\nend\nserve()"
	src := sources(map[string]string{"b.lua": code})
	L := lua.NewState()
	defer L.Close()
	handler := L.NewFunction(func(L *lua.LState) int {
		m, _ := Explain(L, L.Get(1), src)
		L.Push(m)
		return 1
	})
	fn, err := L.Load(strings.NewReader(code), "b.lua")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		L.Push(fn)
		if L.PCall(0, 0, handler) == nil {
			b.Fatal("no error")
		}
	}
}

// A comparison raised inside a Go function (table.sort) gets Lua 5.1's
// text too; lua5.1 gives it no position, gopher-lua the caller's line.
func TestCompareFromGo(t *testing.T) {
	for _, c := range []struct{ code, want, hint string }{
		{"table.sort({{}, {}})", "1: attempt to compare two table values", ""},
		{"table.sort({1, 'x', 2})", "1: attempt to compare string with number",
			"Lua does not turn strings into numbers when comparing: convert the string with tonumber() first (data read from a socket is always a string)"},
	} {
		if got, hint := explainOnce(c.code); got != c.want || hint != c.hint {
			t.Errorf("%s: got %q (hint %q), want %q (hint %q)", c.code, got, hint, c.want, c.hint)
		}
	}
}
