package diagnose

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luasock/luasock/internal/testprog"
	lua "github.com/yuin/gopher-lua"
)

// infoScript prints what debug.getinfo says for functions of a file, of
// loadstring chunks under every kind of name, and of a Go function.
const infoScript = `local function show(t)
  if t == nil then return "nil" end
  return table.concat({tostring(t.short_src), tostring(t.what), tostring(t.linedefined),
    tostring(t.lastlinedefined), tostring(t.currentline), tostring(t.source ~= nil),
    tostring(t.func ~= nil), tostring(t.nups)}, "|")
end
local function f()
  return debug.getinfo(1, "Sl")
end
print(show(f()))
print(show(debug.getinfo(1, "Sl")))
print(show(debug.getinfo(f, "S")))
print(show(debug.getinfo(f)))
print(show(debug.getinfo(print, "Sl")))
print(show(debug.getinfo(1, "l")))
print(show(loadstring("return debug.getinfo(1, 'Sl')", "=stdin")()))
print(show(loadstring("return debug.getinfo(1, 'Sl')", "@" .. string.rep("d/", 40) .. "x.lua")()))
print(show(loadstring("return debug.getinfo(1, 'Sl')", "=" .. string.rep("n", 80))()))
print(show(loadstring("local a = 1\nreturn debug.getinfo(1, 'Sl')")()))
print(show(loadstring("local a = 1 --" .. string.rep("x", 60) .. "\nreturn debug.getinfo(1, 'Sl')")()))
print(show(loadstring("local a = 1\nreturn (function()\n return debug.getinfo(1, 'S') end)()")()))
print(show(debug.getinfo(100)))
print(show(debug.getinfo(-1)))
print(pcall(function() return debug.getinfo("x") end))
print(pcall(function() return debug.getinfo(1, "?") end))
print(pcall(function() return debug.getinfo() end))
local t = debug.getinfo(print, "L")
print(t.activelines == nil)
t = debug.getinfo(f, "L")
print(t.activelines[8], t.activelines[9], t.activelines[7])
t = debug.getinfo(1, "n")
print(t.name, t.namewhat)
`

func TestGetInfoAgainstLua51(t *testing.T) {
	lua51 := testprog.Need(t, "lua5.1", "lua5.1")
	want, err := runLua51File(t, lua51, "info.lua", infoScript)
	if err != nil {
		t.Fatalf("lua5.1: %v\n%s", err, want)
	}

	L := lua.NewState()
	defer L.Close()
	OpenDebug(L)
	var out strings.Builder
	L.SetGlobal("print", L.NewFunction(func(L *lua.LState) int {
		for i := 1; i <= L.GetTop(); i++ {
			if i > 1 {
				out.WriteString("\t")
			}
			out.WriteString(L.ToStringMeta(L.Get(i)).String())
		}
		out.WriteString("\n")
		return 0
	}))
	// Lua's loadstring names a chunk by its text; gopher-lua's by "<string>".
	L.SetGlobal("loadstring", L.NewFunction(func(L *lua.LState) int {
		code := L.CheckString(1)
		fn, err := L.Load(strings.NewReader(code), L.OptString(2, code))
		if err != nil {
			L.Push(lua.LNil)
			L.Push(lua.LString(err.Error()))
			return 2
		}
		L.Push(fn)
		return 1
	}))
	fn, err := L.Load(strings.NewReader(infoScript), "info.lua")
	if err != nil {
		t.Fatal(err)
	}
	L.Push(fn)
	if err := L.PCall(0, 0, nil); err != nil {
		t.Fatal(err)
	}
	wl, gl := strings.Split(string(want), "\n"), strings.Split(out.String(), "\n")
	for i := range max(len(wl), len(gl)) {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			t.Errorf("line %d:\nluasock %q\nlua5.1  %q", i+1, g, w)
		}
	}
}

// runLua51File runs code by lua5.1 as the file name in a new directory, so
// that its messages name the chunk as name, and returns what it printed.
func runLua51File(t *testing.T, lua51, name, code string) ([]byte, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(lua51, name)
	cmd.Dir = dir
	return cmd.CombinedOutput()
}

func TestShortSrc(t *testing.T) {
	for src, want := range map[string]string{
		"=stdin":                      "stdin",
		"@script.lua":                 "script.lua",
		"script.lua":                  "script.lua",
		`[string "x"]`:                `[string "x"]`,
		"a = 1\nb = 2":                `[string "a = 1..."]`,
		"@" + strings.Repeat("d", 60): "..." + strings.Repeat("d", 52),
	} {
		if got := ShortSrc(src); got != want {
			t.Errorf("ShortSrc(%q) = %q, want %q", src, got, want)
		}
	}
}
