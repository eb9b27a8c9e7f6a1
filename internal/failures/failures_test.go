package failures

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// newState has fail(errstr), which notes a failure where Lua called it.
func newState() *lua.LState {
	L := lua.NewState()
	L.SetGlobal("fail", L.NewFunction(func(L *lua.LState) int {
		Note(L, "fail", Failure{Errstr: L.CheckString(1)})
		return 0
	}))
	return L
}

// TestNoteAndFind: a failure is found by its thread, chunk, line and
// function, and by nothing else; a call from Go (pcall) has no line of Lua
// and is not noted.
func TestNoteAndFind(t *testing.T) {
	L := newState()
	defer L.Close()
	if err := L.DoString("fail('one')\n\nfail('three')\npcall(fail, 'from Go')"); err != nil {
		t.Fatal(err)
	}
	const chunk = "<string>"
	for _, tt := range []struct {
		line  int
		fname string
		want  string
	}{{1, "fail", "one"}, {3, "fail", "three"}, {2, "fail", ""}, {4, "fail", ""}, {1, "other", ""}} {
		f, ok := Find(L, chunk, tt.line, tt.fname)
		if ok != (tt.want != "") || f.Errstr != tt.want {
			t.Errorf("line %d, %s: got %q, %v; want %q", tt.line, tt.fname, f.Errstr, ok, tt.want)
		}
	}
	co, _ := L.NewThread()
	if _, ok := Find(co, chunk, 1, "fail"); ok {
		t.Error("another thread finds this one's failure")
	}
	fresh := newState()
	defer fresh.Close()
	if _, ok := Find(fresh, chunk, 1, "fail"); ok {
		t.Error("a state without notes finds one")
	}
}

// TestNotesAreBounded: a prompt's chunks or many tasks cannot grow the
// notes past maxSites.
func TestNotesAreBounded(t *testing.T) {
	L := newState()
	defer L.Close()
	src := strings.Repeat("fail('x')\n", maxSites+10)
	if err := L.DoString(src); err != nil {
		t.Fatal(err)
	}
	if n := len(notes(L, false)); n == 0 || n > maxSites {
		t.Fatalf("%d notes, want 1..%d", n, maxSites)
	}
	if _, ok := Find(L, "<string>", maxSites+10, "fail"); !ok {
		t.Error("the last failure was forgotten")
	}
}

// BenchmarkNote is what a call that returns nil pays (a non-blocking
// read that finds nothing, in a polling loop): "note" less "call".
func BenchmarkNote(b *testing.B) {
	L := newState()
	defer L.Close()
	L.SetGlobal("nothing", L.NewFunction(func(L *lua.LState) int { L.CheckString(1); return 0 }))
	if err := L.DoString("function loop(f, n) for i = 1, n do f('x') end end"); err != nil {
		b.Fatal(err)
	}
	for _, f := range []string{"nothing", "fail"} {
		b.Run(map[string]string{"nothing": "call", "fail": "note"}[f], func(b *testing.B) {
			b.ReportAllocs()
			if err := L.CallByParam(lua.P{Fn: L.GetGlobal("loop"), NRet: 0, Protect: true}, L.GetGlobal(f), lua.LNumber(b.N)); err != nil {
				b.Fatal(err)
			}
		})
	}
}
