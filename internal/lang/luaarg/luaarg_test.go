package luaarg_test

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/luasock/luasock/internal/lang/luaarg"
	"github.com/luasock/luasock/internal/testprog"
	lua "github.com/yuin/gopher-lua"
)

// call runs f(args) from Lua as a function named "f" (not a tail call,
// which Lua 5.1 leaves unnamed) and returns what it returned, or the error
// it raised.
func call(t *testing.T, check func(L *lua.LState) lua.LValue, args string) string {
	t.Helper()
	L := lua.NewState()
	defer L.Close()
	L.SetGlobal("f", L.NewFunction(func(L *lua.LState) int {
		L.Push(check(L))
		return 1
	}))
	if args != "" {
		args = ", " + args
	}
	if err := L.DoString(`local ok, v = pcall(function() local v = f(` + strings.TrimPrefix(args, ", ") + `) return v end) R = tostring(v)`); err != nil {
		t.Fatal(err)
	}
	return L.GetGlobal("R").String()
}

// TestChecks: each check's value, and each wrong argument's message.
func TestChecks(t *testing.T) {
	num := func(f float64) lua.LValue { return lua.LNumber(f) }
	checks := map[string]func(L *lua.LState) lua.LValue{
		"CheckNumber":  func(L *lua.LState) lua.LValue { return num(luaarg.CheckNumber(L, 1, "f")) },
		"OptNumber":    func(L *lua.LState) lua.LValue { return num(luaarg.OptNumber(L, 1, "f", 7)) },
		"CheckInt":     func(L *lua.LState) lua.LValue { return num(float64(luaarg.CheckInt(L, 1, "f"))) },
		"OptInt":       func(L *lua.LState) lua.LValue { return num(float64(luaarg.OptInt(L, 1, "f", 7))) },
		"CheckInteger": func(L *lua.LState) lua.LValue { return num(float64(luaarg.CheckInteger(L, 1, "f"))) },
		"CheckString":  func(L *lua.LState) lua.LValue { return lua.LString(luaarg.CheckString(L, 1, "f")) },
		"OptString":    func(L *lua.LState) lua.LValue { return lua.LString(luaarg.OptString(L, 1, "f", "d")) },
		"CheckBool":    func(L *lua.LState) lua.LValue { return lua.LBool(luaarg.CheckBool(L, 1, "f")) },
		"CheckLength":  func(L *lua.LState) lua.LValue { return num(float64(luaarg.CheckLength(L, 1, "f"))) },
		"TypeError2": func(L *lua.LState) lua.LValue {
			luaarg.TypeError(L, 2, "f", "table")
			return lua.LNil
		},
		"Error": func(L *lua.LState) lua.LValue {
			luaarg.Error(L, 3, "f", "must be one of A or B")
			return lua.LNil
		},
	}
	const bad = "<string>:1: bad argument #1 to 'f' "
	tests := []struct{ check, args, want string }{
		{"CheckNumber", `1.5`, "1.5"},
		{"CheckNumber", `" 0x10 "`, "16"},
		{"CheckNumber", `"1e2"`, "100"},
		{"CheckNumber", `"x"`, bad + "(number expected, got string)"},
		{"CheckNumber", ``, bad + "(number expected, got no value)"},
		{"CheckNumber", `nil`, bad + "(number expected, got nil)"},
		{"OptNumber", `nil`, "7"},
		{"OptNumber", `{}`, bad + "(number expected, got table)"},
		{"CheckInt", `2.9`, "2"},
		{"CheckInt", `0/0`, bad + "(number has no integer representation)"},
		{"CheckInt", `2^63`, bad + "(number has no integer representation)"},
		{"OptInt", ``, "7"},
		{"CheckInteger", `"12"`, "12"},
		{"CheckInteger", `2.5`, bad + "(number has no integer representation)"},
		{"CheckString", `12`, "12"},
		{"CheckString", `true`, bad + "(string expected, got boolean)"},
		{"OptString", `nil`, "d"},
		{"CheckBool", `0`, "false"},
		{"CheckBool", `-1`, "true"},
		{"CheckBool", `nil`, "false"},
		{"CheckBool", ``, bad + "(boolean expected, got no value)"},
		{"CheckBool", `"1"`, bad + "(boolean expected, got string)"},
		{"CheckLength", `3`, "3"},
		{"CheckLength", `0`, bad + "(must be greater than 0)"},
		{"TypeError2", `1`, "<string>:1: bad argument #2 to 'f' (table expected, got no value)"},
		{"TypeError2", `1, 2`, "<string>:1: bad argument #2 to 'f' (table expected, got number)"},
		{"Error", ``, "<string>:1: bad argument #3 to 'f' (must be one of A or B)"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s(%s)", tt.check, tt.args), func(t *testing.T) {
			if got := call(t, checks[tt.check], tt.args); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// callShapes call F("x", "y") in the ways that decide the name in Lua
// 5.1's message: by a global's name, a local's, a field's, no name, from
// pcall, from a coroutine, in a tail call.
const callShapes = `
local function try(f) local ok, e = pcall(f) print(e) end
try(function() local r = F("x", "y") return r end)
try(function() local g = F; local r = g("x", "y") return r end)
try(function() local t = {f = F}; local r = t.f("x", "y") return r end)
try(function() local t = {F}; local r = t[1]("x", "y") return r end)
print(select(2, pcall(F, "x", "y")))
print(select(2, pcall(coroutine.wrap(function(...) local r = F(...) return r end), "x", "y")))
try(function() return F("x", "y") end)
`

// TestNamesAsLua51: a Go function checked by luaarg is named in its errors
// as lua5.1 names string.rep, which checks its second argument the same
// way.
func TestNamesAsLua51(t *testing.T) {
	lua51 := testprog.Need(t, "lua5.1", "lua5.1")
	out, err := exec.Command(lua51, "-e", "F = string.rep", "-e", callShapes).CombinedOutput()
	if err != nil {
		t.Fatalf("lua5.1: %v\n%s", err, out)
	}
	want := strings.ReplaceAll(string(out), "'rep'", "'F'")
	L := lua.NewState()
	defer L.Close()
	var got strings.Builder
	L.SetGlobal("print", L.NewFunction(func(L *lua.LState) int {
		got.WriteString(L.ToStringMeta(L.Get(1)).String() + "\n")
		return 0
	}))
	L.SetGlobal("F", L.NewFunction(func(L *lua.LState) int {
		luaarg.CheckNumber(L, 2, "?") // a Lua 5.1 function: unnamed is '?'
		return 0
	}))
	if err := L.DoString(callShapes); err != nil {
		t.Fatal(err)
	}
	// Lua 5.1's messages name the chunk from -e as "(command line)".
	if g := strings.ReplaceAll(got.String(), `<string>:`, `(command line):`); g != want {
		t.Errorf("lua5.1:\n%s\nluaarg:\n%s", want, g)
	}
}
