package iolib

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

func newState(t *testing.T, opts Options) (*lua.LState, *Lib) {
	t.Helper()
	L := lua.NewState()
	t.Cleanup(L.Close)
	return L, Open(L, opts)
}

// The host hears of every file opened and closed, and CloseAll closes the
// ones the script forgot (pipes included) and flushes what they buffered.
func TestTrackAndCloseAll(t *testing.T) {
	dir := t.TempDir()
	tracked := map[io.Closer]bool{}
	var out bytes.Buffer
	L, lib := newState(t, Options{
		Stdout: &out,
		Host: &testHost{
			track:   func(c io.Closer) { tracked[c] = true },
			untrack: func(c io.Closer) { delete(tracked, c) },
		},
	})
	L.SetGlobal("D", lua.LString(dir))
	err := L.DoString(`
		a = io.open(D .. "/a", "w"); a:write("kept")
		b = io.open(D .. "/b", "w"); b:close()
		for l in io.lines(D .. "/b") do end
		p = io.popen("cat", "w"); p:write("piped")
		r = io.popen("yes")
		t = io.tmpfile()`)
	if err != nil {
		t.Fatal(err)
	}
	if len(tracked) != 4 || len(lib.open) != 4 {
		t.Fatalf("tracked %d, open %d; want 4 (a, p, r, t)", len(tracked), len(lib.open))
	}
	lib.CloseAll()
	if len(lib.open) != 0 || len(tracked) != 0 {
		t.Errorf("after CloseAll: %d open, %d tracked", len(lib.open), len(tracked))
	}
	if err := L.DoString(`assert(io.type(a) == "closed file" and io.type(p) == "closed file" and io.type(r) == "closed file")`); err != nil {
		t.Error(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a")); string(b) != "kept" {
		t.Errorf("file a holds %q, want the buffered write", b)
	}
	if out.String() != "piped" {
		t.Errorf("popen'd cat wrote %q to stdout, want %q", out.String(), "piped")
	}
}

type flushCounter struct {
	bytes.Buffer
	flushes int
}

func (f *flushCounter) Flush() { f.flushes++ }

// io.write goes straight to the run's stdout, so it interleaves with the
// host's print; io.flush and a read of stdin that must wait flush it.
func TestStdoutUnbufferedAndFlushed(t *testing.T) {
	out := &flushCounter{}
	L, _ := newState(t, Options{Stdout: out, Stdin: strings.NewReader("x\ny\n")})
	L.SetGlobal("print", L.NewFunction(func(L *lua.LState) int {
		out.WriteString(L.CheckString(1) + "\n")
		return 0
	}))
	if err := L.DoString(`io.write("a") print("b") io.stdout:write("c", 1) print("d")`); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "ab\nc1d\n" {
		t.Errorf("stdout %q, want %q", got, "ab\nc1d\n")
	}
	if err := L.DoString(`io.flush() io.stdout:flush()`); err != nil {
		t.Fatal(err)
	}
	if out.flushes != 2 {
		t.Errorf("%d flushes after io.flush and io.stdout:flush, want 2", out.flushes)
	}
	if err := L.DoString(`assert(io.read() == "x") assert(io.read() == "y")`); err != nil {
		t.Fatal(err)
	}
	if out.flushes != 3 {
		t.Errorf("%d flushes after two reads of stdin (one waited), want 3", out.flushes)
	}
}

// Lua 5.1 loses what follows a NUL byte in a line (fgets and strlen); here
// lines keep every byte, as in Lua 5.2.
func TestLinesKeepNUL(t *testing.T) {
	L, _ := newState(t, Options{Stdin: strings.NewReader("a\x00b\ncd")})
	if err := L.DoString(`l1, l2, l3 = io.read("*l", "*l", "*l")`); err != nil {
		t.Fatal(err)
	}
	if got := L.GetGlobal("l1"); got != lua.LString("a\x00b") {
		t.Errorf("first line %q, want %q", got, "a\x00b")
	}
	if got := L.GetGlobal("l2"); got != lua.LString("cd") {
		t.Errorf("second line %q, want %q", got, "cd")
	}
	if got := L.GetGlobal("l3"); got != lua.LNil {
		t.Errorf("third read %v, want nil", got)
	}
}

// Open replaces gopher-lua's io in the globals and in package.loaded.
func TestOpenReplacesIO(t *testing.T) {
	L, _ := newState(t, Options{})
	if err := L.DoString(`assert(require("io") == io) assert(io.read("*a") == "") assert(io.write("x") == true)`); err != nil {
		t.Fatal(err)
	}
}

// Reads of stdin and pipes go through Host.Block (the host releases the
// Lua lock there); regular files and stdout do not.
func TestBlockWrapsSlowFiles(t *testing.T) {
	dir := t.TempDir()
	blocks := 0
	L, _ := newState(t, Options{
		Stdin: strings.NewReader("a\nb\n"),
		Host:  &testHost{block: func() { blocks++ }},
	})
	L.SetGlobal("D", lua.LString(dir))
	steps := []struct {
		code  string
		block int
	}{
		{`f = io.open(D .. "/x", "w+") f:write("1\n2\n") f:seek("set") assert(f:read("*n", "*n") == 1) f:close()`, 0},
		{`io.write("out") io.stdout:flush()`, 0},
		{`assert(io.read() == "a")`, 1},
		{`for l in io.lines() do assert(l == "b") end`, 2},
		{`p = io.popen("echo hi") assert(p:read("*l") == "hi")`, 1},
		{`assert(p:close() == true)`, 1},
		{`assert(not pcall(io.read, "*x"))`, 0},
	}
	for _, s := range steps {
		before := blocks
		if err := L.DoString(s.code); err != nil {
			t.Fatalf("%s: %v", s.code, err)
		}
		if got := blocks - before; got != s.block {
			t.Errorf("%s: %d calls of Block, want %d", s.code, got, s.block)
		}
	}
}

// The host can close a pipe a task is waiting on (its Block runs wait with
// the Lua lock released): the wait ends and the read reports an error.
func TestCloseAllEndsWaitingRead(t *testing.T) {
	waiting := make(chan struct{})
	L, lib := newState(t, Options{
		Host: &testHost{block: func() { close(waiting) }},
	})
	done := make(chan error)
	go func() {
		done <- L.DoString(`p = io.popen("exec sleep 30") r, msg = p:read("*a")`)
	}()
	<-waiting
	lib.CloseAll()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if r := L.GetGlobal("r"); r != lua.LString("") && r != lua.LNil {
		t.Errorf("read returned %v", r)
	}
}

// testHost is a Host whose hooks, when set, hear of each call: block runs
// before Block's wait, which runs on the caller's goroutine.
type testHost struct {
	block          func()
	track, untrack func(io.Closer)
}

func (h *testHost) Block(_ *lua.LState, wait func()) {
	if h.block != nil {
		h.block()
	}
	wait()
}

func (h *testHost) Track(c io.Closer) {
	if h.track != nil {
		h.track(c)
	}
}

func (h *testHost) Untrack(c io.Closer) {
	if h.untrack != nil {
		h.untrack(c)
	}
}
