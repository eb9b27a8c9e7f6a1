package compile

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// loopPrograms are Lua-heavy loops of each kind, each returning a value
// that tells whether the instrumented code computes what the plain does.
var loopPrograms = map[string]string{
	"numeric": `local x = 0 for i = 1, 200000 do x = x + i % 7 end return x`,
	"while":   `local i, s = 0, 0 while i < 200000 do i = i + 1 if i % 3 == 0 then s = s + i end end return s`,
	"strings": `local t = {} for i = 1, 20000 do t[#t + 1] = tostring(i) .. "," end return #table.concat(t)`,
	"calls":   `local function f(a) return a + 1 end local x = 0 for i = 1, 100000 do x = f(x) end return x`,
	"pairs":   `local t = {} for i = 1, 1000 do t[i] = i end local s = 0 for _ = 1, 50 do for k, v in pairs(t) do s = s + v end end return s`,
	"repeat":  `local n, s = 0, 0 repeat n = n + 1 s = s + n * 2 until n >= 200000 return s`,
}

// compilePlain is Compile without the loops' countdown: what the
// benchmarks compare with.
func compilePlain(t testing.TB, src string) *lua.FunctionProto {
	chunk, err := parse.Parse(bytes.NewReader([]byte(src)), "plain")
	if err != nil {
		t.Fatal(err)
	}
	chunk = orderAssignments.chunk(chunk)
	signZeros(chunk)
	proto, err := lua.Compile(chunk, "plain")
	if err != nil {
		t.Fatal(err)
	}
	return proto
}

// runProto runs proto in a state where the check counts its calls.
func runProto(t testing.TB, proto *lua.FunctionProto, checks *int) lua.LValue {
	L := newState()
	defer L.Close()
	Open(L, nil)
	SetCheck(L, func(L *lua.LState) int {
		*checks++
		L.Push(lua.LNumber(CheckEvery))
		return 1
	})
	L.Push(L.NewFunctionFromProto(proto))
	if err := L.PCall(0, 1, nil); err != nil {
		t.Fatal(err)
	}
	return L.Get(-1)
}

// newState is a state with luasock's registry room (strings' concat uses it).
func newState() *lua.LState { return lua.NewState(lua.Options{RegistryMaxSize: 1 << 22}) }

// TestLoopsCheck: every kind of loop calls the check once every CheckEvery
// passes, nested functions' loops too, and computes what it did without.
func TestLoopsCheck(t *testing.T) {
	passes := map[string]int{"numeric": 200000, "while": 200000, "strings": 20000, "calls": 100000, "pairs": 1000 + 50 + 50*1000, "repeat": 200000}
	for name, src := range loopPrograms {
		checked, err := Compile("=checked", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		var plainChecks, checks int
		want := runProto(t, compilePlain(t, src), &plainChecks)
		got := runProto(t, checked, &checks)
		// each loop's counter starts at CheckEvery and calls at -1
		if got != want || plainChecks != 0 || checks < passes[name]/(CheckEvery+1)-2 || checks > passes[name]/(CheckEvery+1)+2 {
			t.Errorf("%s: %v (plain %v), %d checks for %d passes", name, got, want, checks, passes[name])
		}
	}
}

// TestLoopCheckRaises: an error the check raises names the loop's line,
// and a function with no loop gets no counter.
func TestLoopCheckRaises(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	Open(L, nil)
	SetCheck(L, func(L *lua.LState) int { L.RaiseError("stop here"); return 0 })
	proto, err := Compile("=spin", []byte("local function f() return 1 end\nlocal n = 0\nwhile true do\n  n = n + f()\nend"))
	if err != nil {
		t.Fatal(err)
	}
	L.Push(L.NewFunctionFromProto(proto))
	if err := L.PCall(0, 0, nil); err == nil || !strings.HasPrefix(err.Error(), "spin:3: stop here") {
		t.Fatalf("error %v, want spin:3: stop here", err)
	}
	if f := proto.FunctionPrototypes[0]; len(f.DbgLocals) != 0 {
		t.Fatalf("a function without a loop has locals %v", f.DbgLocals)
	}
}

// BenchmarkLoopCheck compares each kind of Lua-heavy loop with and
// without the countdown, and with gopher-lua's own check instead (a
// context, looked at before every instruction): docs/benchmarks.md.
// LOOPCHECK=plain, checked or context runs one side only, for an
// instruction count under callgrind.
func BenchmarkLoopCheck(b *testing.B) {
	only := os.Getenv("LOOPCHECK")
	for _, name := range []string{"numeric", "while", "repeat", "strings", "calls", "pairs"} {
		src := loopPrograms[name]
		checked, err := Compile("=checked", []byte(src))
		if err != nil {
			b.Fatal(err)
		}
		plain := compilePlain(b, src)
		for side, proto := range map[string]*lua.FunctionProto{"plain": plain, "checked": checked, "context": plain} {
			if only != "" && only != side {
				continue
			}
			b.Run(name+"/"+side, func(b *testing.B) {
				L := newState()
				defer L.Close()
				Open(L, nil)
				if side == "context" {
					ctx, cancel := context.WithCancel(context.Background())
					defer cancel()
					L.SetContext(ctx)
				}
				fn := L.NewFunctionFromProto(proto)
				for b.Loop() {
					L.Push(fn)
					if err := L.PCall(0, 1, nil); err != nil {
						b.Fatal(err)
					}
					L.Pop(1)
				}
			})
		}
	}
}
