package diagnose

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// run runs code as chunk name with Explain as the error handler.
func run(t *testing.T, name, code string, src Sources) (msg lua.LValue, hint string) {
	t.Helper()
	L := lua.NewState()
	defer L.Close()
	fn, err := L.Load(strings.NewReader(code), name)
	if err != nil {
		t.Fatalf("compile %q: %v", code, err)
	}
	handler := L.NewFunction(func(L *lua.LState) int {
		m, h := Explain(L, L.Get(1), src)
		msg, hint = m, h
		L.Push(m)
		return 1
	})
	L.Push(fn)
	if L.PCall(0, 0, handler) == nil {
		t.Fatalf("%q ran without error", code)
	}
	return msg, hint
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
