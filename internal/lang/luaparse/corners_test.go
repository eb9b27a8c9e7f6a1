package luaparse

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luasock/luasock/internal/testprog"
	lua "github.com/yuin/gopher-lua"
)

func repeatJoin(s string, n int, sep string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = strings.ReplaceAll(s, "#", string(rune('a'+i%26))+strings.Repeat("z", i/26))
	}
	return strings.Join(parts, sep)
}

// corners are the mistakes a learner makes first and the lexer's and the
// parser's limits: each is held to luac5.1 -p.
var corners = []string{
	"x = \"abc\n",
	"x = \"abc",
	"x = 'a\\\nb",
	"function f()\n  if x then\n    return 1\n",
	"function f()\n  return 1\nend\nend\n",
	"local x 1\n",
	"x = 3x\n",
	"x = 0x\n", "x = 1e\n", "x = 1..2\n", "x = 1.2.3\n", "x = 0x1p4\n",
	"local 1 = 2\n",
	"x = = 1\n",
	"x = 1 +\n",
	"if x != 1 then end\n",
	"x += 1\n",
	"// a comment\nx = 1\n",
	"if x then\n  y = 1\nelse if y then\n  z = 1\nend\n",
	"while true\n  x = 1\nend\n",
	"for i = 1, 10\n  x = i\nend\n",
	"for i in 1, 2, 3 x end",
	"for i x",
	"f\n(g)\n",
	"x = [[a [[b]] c]]\n",
	"x = [==[abc]=]\n",
	"x = [=abc\n",
	"--[[ never closed\n",
	"x = [[never closed\n",
	"x = \"\\400\"\n",
	"x = \"a\\0b\" y\n",
	"x = 'tab\there' y\n",
	"return 1\nx = 2\n",
	"break\n",
	"function f() return ... end\n",
	"function f(a, b, ...) local t = {...} end\n",
	"function f(a, 1) end\n",
	"f() = 1\n",
	"(x) = 1\n",
	"x, f() = 1, 2\n",
	"x = {a = 1, b}\n",
	"x = {a b}\n",
	"x = {[1] 2}\n",
	"a.b:c = 1\n",
	"a:b.c()\n",
	"local function end\n",
	"x = #\n",
	"x = \x01\n",
	"x = y.\n",
	"goto continue\n",
	"x = 1 y = 2 z\n",
	"local " + repeatJoin("#", 201, ", ") + "\n",
	"local " + repeatJoin("#", 150, ", ") + "\nlocal " + repeatJoin("#", 60, ", ") + "\n",
	"local " + repeatJoin("#", 61, ", ") + "\nfunction f()\n return " + repeatJoin("#", 61, " + ") + "\nend\n",
	"x = " + strings.Repeat("(", 197) + "1" + strings.Repeat(")", 197) + "\n",
	"x = " + strings.Repeat("(", 198) + "1" + strings.Repeat(")", 198) + "\n",
	strings.Repeat("do ", 199) + strings.Repeat("end ", 199) + "\n",
	strings.Repeat("do ", 200) + strings.Repeat("end ", 200) + "\n",
	repeatJoin("#", 198, ", ") + " = 1\n",
	repeatJoin("#", 199, ", ") + " = 1\n",
	"x = \"\\65\\066\\x41\\q\"\n",
}

// TestCornersAsLuac holds the messages of the corners to luac5.1 -p's,
// file by file.
func TestCornersAsLuac(t *testing.T) {
	luac := testprog.Need(t, "luac5.1", "lua5.1")
	dir := t.TempDir()
	for i, src := range corners {
		path := filepath.Join(dir, "s1.lua")
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(luac, "-p", "s1.lua")
		cmd.Dir = dir
		out, _ := cmd.CombinedOutput()
		want := strings.TrimPrefix(strings.TrimSuffix(string(out), "\n"), luac+": ")
		got := ""
		stmts, err := Parse([]byte(src), "s1.lua")
		if err != nil {
			got = err.Error()
		} else if _, err := lua.Compile(stmts, "s1.lua"); err != nil {
			got = "compile: " + err.Error()
		}
		if got != want {
			t.Errorf("corner %d %.60q:\n luac5.1: %q\n luasock: %q", i, src, want, got)
		}
	}
}

// TestValuesAsLua51: numbers and escapes read as Lua 5.1 reads them, where
// gopher-lua's own lexer differs (octal 010, "\x41").
func TestValuesAsLua51(t *testing.T) {
	lua51 := testprog.Need(t, "lua5.1", "lua5.1")
	const src = `return "\65\066\x41\q\z", 010, 0x10, 1e2, .5, 0xA, 3e-2, 1e999, 0x1p4, [[
a]], [==[]]]==]`
	out, err := exec.Command(lua51, "-e", "print(select(1, loadstring([=["+src+"]=])()))").Output()
	if err != nil {
		t.Fatal(err)
	}
	stmts, err := Parse([]byte(src), "values")
	if err != nil {
		t.Fatal(err)
	}
	proto, err := lua.Compile(stmts, "values")
	if err != nil {
		t.Fatal(err)
	}
	L := lua.NewState()
	defer L.Close()
	L.Push(L.NewFunctionFromProto(proto))
	L.Call(0, lua.MultRet)
	var parts []string
	for i := 1; i <= L.GetTop(); i++ {
		v := L.Get(i)
		s := v.String()
		if n, ok := v.(lua.LNumber); ok {
			s = strings.NewReplacer("+Inf", "inf").Replace(lua.LNumber(n).String())
		}
		parts = append(parts, s)
	}
	if got, want := strings.Join(parts, "\t"), strings.TrimSuffix(string(out), "\n"); got != want {
		t.Errorf("values:\n lua5.1:  %q\n luasock: %q", want, got)
	}
}
