package stdlib

import (
	"math"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

func newState(t *testing.T) *lua.LState {
	t.Helper()
	L := lua.NewState()
	t.Cleanup(L.Close)
	Open(L)
	return L
}

func TestToString(t *testing.T) {
	L := newState(t)
	if err := L.DoString(`
		M = setmetatable({}, {__tostring = function() return "custom" end})
		N = setmetatable({}, {__tostring = function() return 42 end})
		B = setmetatable({}, {__tostring = function() return {} end})
	`); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		v    lua.LValue
		want string
	}{
		{lua.LNumber(1e15), "1e+15"}, {lua.LNumber(math.Inf(1)), "inf"}, {lua.LNumber(0.1), "0.1"},
		{lua.LString("s"), "s"}, {lua.LNil, "nil"}, {lua.LTrue, "true"},
		{L.GetGlobal("M"), "custom"}, {L.GetGlobal("N"), "42"},
	} {
		if got := ToString(L, c.v); got != c.want {
			t.Errorf("ToString(%v) = %q, want %q", c.v, got, c.want)
		}
	}
	if got := ToString(L, L.NewTable()); !strings.HasPrefix(got, "table: 0x") {
		t.Errorf("ToString(table) = %q", got)
	}
	err := L.CallByParam(lua.P{Fn: L.NewFunction(func(L *lua.LState) int {
		ToString(L, L.GetGlobal("B"))
		return 0
	}), Protect: true})
	if err == nil || !strings.Contains(err.Error(), "'__tostring' must return a string") {
		t.Errorf("__tostring returning a table: err = %v", err)
	}
}

func TestOSClockCountsCPUTime(t *testing.T) {
	L := newState(t)
	if err := L.DoString(`
		local c0 = os.clock()
		local x = 0
		for i = 1, 3e6 do x = x + i end
		C = os.clock() - c0
	`); err != nil {
		t.Fatal(err)
	}
	if c := float64(L.GetGlobal("C").(lua.LNumber)); c <= 0 || c > 60 {
		t.Errorf("os.clock advanced %v s over a busy loop", c)
	}
}

// TestRegistryLimit: a result count past gopher-lua's value stack (5120 by
// default; Lua 5.1 allows 8000) raises an error instead of crashing.
func TestRegistryLimit(t *testing.T) {
	L := newState(t)
	err := L.DoString(`T = {} for i = 1, 7000 do T[i] = i end X = {pcall(unpack, T)}`)
	if err != nil {
		t.Fatal(err)
	}
	x := L.GetGlobal("X").(*lua.LTable)
	t.Logf("pcall(unpack, 7000 values) -> %v %v", x.RawGetInt(1), x.RawGetInt(2))
	if x.RawGetInt(1) != lua.LFalse || !strings.Contains(x.RawGetInt(2).String(), "registry overflow") {
		t.Errorf("pcall(unpack, 7000 values) gave %v %v", x.RawGetInt(1), x.RawGetInt(2))
	}
}

// TestErrorPosition: an error raised in a function Go called (pcall(f))
// carries no "chunk:line:", one raised for Lua code carries its line; the
// texts are lua5.1's.
func TestErrorPosition(t *testing.T) {
	src := `
OUT = {}
R1 = select(2, pcall(string.rep))
R2 = select(2, pcall(function() return string.rep() end))
R3 = select(2, pcall(table.sort, {3, 2, {}}))
R4 = select(2, pcall(string.format, "%y", 1))
`
	L := newState(t)
	fn, err := L.Load(strings.NewReader(src), "stdin") // lua5.1 - names it so
	if err != nil {
		t.Fatal(err)
	}
	L.Push(fn)
	if err := L.PCall(0, 0, nil); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range []string{"R1", "R2", "R3", "R4"} {
		got = append(got, L.GetGlobal(g).String())
	}
	out := runLua51(t, src+`io.write(R1, "\n", R2, "\n", R3, "\n", R4, "\n")`)
	if want := strings.Split(strings.TrimRight(out, "\n"), "\n"); strings.Join(want, "|") != strings.Join(got, "|") {
		t.Errorf("luasock:\n%s\nlua5.1:\n%s", strings.Join(got, "\n"), out)
	}
}
