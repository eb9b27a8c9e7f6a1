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
