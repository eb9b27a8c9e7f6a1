package compile

import (
	"bytes"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

const swaps = `
local a, b = 1, 2
a, b = b, a
local x, y = 0, 0
x, y = x + 1, x + y
local p, q, r = 1, 2, 3
p, q, r = r, p, q
return a .. b .. "," .. x .. y .. "," .. p .. q .. r`

func run(t *testing.T, proto *lua.FunctionProto) string {
	t.Helper()
	L := lua.NewState()
	defer L.Close()
	L.Push(L.NewFunctionFromProto(proto))
	if err := L.PCall(0, 1, nil); err != nil {
		t.Fatal(err)
	}
	return L.Get(-1).String()
}

// TestRewriteOrdersAssignments is yuin/gopher-lua#440: compiled as it is,
// the swaps come out wrong; through Compile, as Lua 5.1 computes them.
func TestRewriteOrdersAssignments(t *testing.T) {
	chunk, err := parse.Parse(strings.NewReader(swaps), "swaps")
	if err != nil {
		t.Fatal(err)
	}
	plain, err := lua.Compile(chunk, "swaps")
	if err != nil {
		t.Fatal(err)
	}
	if got := run(t, plain); got == "21,10,312" {
		t.Fatalf("gopher-lua compiles the swaps right now (%s): is the rewrite still needed?", got)
	}
	fixed, err := Compile("=swaps", []byte(swaps))
	if err != nil {
		t.Fatal(err)
	}
	if got := run(t, fixed); got != "21,10,312" {
		t.Fatalf("swaps give %s, want 21,10,312", got)
	}
}

func TestChunkID(t *testing.T) {
	long := strings.Repeat("x", 80)
	for _, c := range []struct{ in, want string }{
		{"@script.lua", "script.lua"},
		{"=stdin", "stdin"},
		{"=" + long, long[:59]},
		{"@" + long + ".lua", "..." + (long + ".lua")[84-52:]},
		{"x = 1", `[string "x = 1"]`},
		{"x = 1\nerror()", `[string "x = 1..."]`},
		{long, `[string "` + long[:43] + `..."]`},
	} {
		if got := ChunkID(c.in); got != c.want {
			t.Errorf("ChunkID(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSyntaxErrorsNameLineAndToken(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"local x = = 2", "f.lua:1: unexpected symbol near '='"},
		{"if true then\n", "f.lua:2: 'end' expected (to close 'if' at line 1) near '<eof>'"},
		{"#!/usr/bin/env luasock\nlocal = 1", "f.lua:2: '<name>' expected near '='"},
	} {
		_, err := CompileFile("@f.lua", []byte(c.src))
		if err == nil || err.Error() != c.want {
			t.Errorf("CompileFile(%q): %v, want %s", c.src, err, c.want)
		}
	}
	// loadstring's source is no file: a #! line is Lua 5.1's syntax error.
	if _, err := Compile("#!x\nreturn 1", []byte("#!x\nreturn 1")); err == nil || err.Error() != `[string "#!x..."]:1: unexpected symbol near '#'` {
		t.Errorf("Compile of a #! line: %v", err)
	}
	if _, err := Compile("@f.lua", bytes.Repeat([]byte("local a = 1\n"), 3)); err != nil {
		t.Fatal(err)
	}
}

// TestPadForExprs: compiled as it is, a generic for over a table
// constructor with its control value left out runs zero times; through
// Compile, as Lua 5.1 runs it.
func TestPadForExprs(t *testing.T) {
	const src = `local s = "" for k, v in next, {"one", "two", x = 3} do s = s .. tostring(k) .. v end return #s`
	chunk, err := parse.Parse(strings.NewReader(src), "for")
	if err != nil {
		t.Fatal(err)
	}
	plain, err := lua.Compile(chunk, "for")
	if err != nil {
		t.Fatal(err)
	}
	if got := run(t, plain); got != "0" {
		t.Fatalf("gopher-lua runs the loop right now (%s): is the padding still needed?", got)
	}
	fixed, err := Compile("=for", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := run(t, fixed); got != "10" {
		t.Fatalf("the loop gives %s characters, want 10", got)
	}
}
