package protect_test

import (
	"fmt"
	"testing"

	"github.com/luasock/luasock/internal/lang/protect"
	lua "github.com/yuin/gopher-lua"
)

// run runs src in a fresh state, with luasock's pcall when fixed.
func run(tb testing.TB, src string, fixed bool) *lua.LState {
	tb.Helper()
	L := lua.NewState()
	if fixed {
		protect.Open(L, nil)
	}
	if err := L.DoString(src); err != nil {
		tb.Fatal(err)
	}
	return L
}

// TestUpvaluesSurviveCaughtErrors is yuin/gopher-lua#448: gopher-lua's own
// pcall loses the writes; luasock's keeps them.
func TestUpvaluesSurviveCaughtErrors(t *testing.T) {
	src := `local n = 0
local function f() pcall(error, "x"); n = n + 1 end
f(); f()
result = n`
	if got := run(t, src, false).GetGlobal("result"); got.String() == "2" {
		t.Fatalf("gopher-lua's pcall keeps the writes now (%v): is the fix still needed?", got)
	}
	if got := run(t, src, true).GetGlobal("result"); got.String() != "2" {
		t.Fatalf("n = %v, want 2", got)
	}
}

// TestPoolThreadsAreReused: a loop of caught errors borrows the same thread
// again and again, and closures made inside keep their own values.
func TestPoolThreadsAreReused(t *testing.T) {
	L := run(t, `
fs = {}
for i = 1, 100 do
  pcall(function() local v = i; fs[i] = function() return v end; error("e") end)
  pcall(function() local junk = -i; return junk end)
end
sum = 0
for i = 1, 100 do sum = sum + fs[i]() end
`, true)
	if got := L.GetGlobal("sum").String(); got != "5050" {
		t.Fatalf("sum = %s, want 5050", got)
	}
}

const benchLoop = `
local function ok(x) return x end
local function fail() error("e") end
for i = 1, N do %s end
`

// BenchmarkPcall compares luasock's pcall with gopher-lua's on a call that
// returns and on one that raises.
func BenchmarkPcall(b *testing.B) {
	for _, c := range []struct{ name, body string }{
		{"ok", "pcall(ok, i)"},
		{"error", "pcall(fail)"},
	} {
		for _, fixed := range []bool{false, true} {
			name := c.name + "/gopher-lua"
			if fixed {
				name = c.name + "/luasock"
			}
			b.Run(name, func(b *testing.B) {
				L := lua.NewState()
				defer L.Close()
				if fixed {
					protect.Open(L, nil)
				}
				L.SetGlobal("N", lua.LNumber(b.N))
				b.ReportAllocs()
				b.ResetTimer()
				if err := L.DoString(fmt.Sprintf(benchLoop, c.body)); err != nil {
					b.Fatal(err)
				}
			})
		}
	}
}
