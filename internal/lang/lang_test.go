package lang_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/luasock/luasock/internal/lang"
	lua "github.com/yuin/gopher-lua"
)

// Open installs every part of the language: each line's witness is a
// behaviour gopher-lua's own library lacks or gets wrong, so a part left
// out (or overwritten by a later one) fails its line.
func TestOpenInstallsEveryPart(t *testing.T) {
	var out bytes.Buffer
	L := lua.NewState()
	defer L.Close()
	lang.Open(L, lang.Options{Stdout: &out, Chunk: "main", Source: []byte("")})
	// the wants are lua5.1's (bit is LuaJIT's, string.pack Lua 5.4's)
	witnesses := []struct{ part, code, want string }{
		{"iolib", `io.write("a", 1, "\n")`, "a1\n"},
		{"print", `print(1, nil, "x")`, "1\tnil\tx\n"},
		{"compile", `print(select(2, loadstring("x = \"abc")))`, "[string \"x = \"abc\"]:1: unfinished string near '<eof>'\n"},
		{"protect", `print(pcall(error)); print(pcall(function() error("x", 2) end))`, "false\tnil\nfalse\tx\n"},
		{"diagnose", `print(debug.getinfo(1, "S").what)`, "main\n"},
		{"stdlib", `print(string.format("%5.1f", 3.14159), table.maxn({1, 2, nil, 4}))`, "  3.1\t4\n"},
		{"bitlib", `print(bit32.band(0xff, 0x0f), bit.tohex(255))`, "15\t000000ff\n"},
		{"luapack", `print(string.unpack("<i4", string.pack("<i4", -2)))`, "-2\t5\n"},
	}
	for _, w := range witnesses {
		out.Reset()
		if err := L.DoString(w.code); err != nil {
			t.Errorf("%s: %s: %v", w.part, w.code, err)
			continue
		}
		if got := out.String(); got != w.want {
			t.Errorf("%s: %s printed %q, want %q", w.part, w.code, got, w.want)
		}
	}
}

// A loop calls the host's check: a check that raises stops a loop that
// never calls anything.
func TestOpenInstallsTheLoopCheck(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	lang.Open(L, lang.Options{LoopCheck: func(L *lua.LState) int {
		L.RaiseError("stopped")
		return 0
	}})
	err := L.DoString(`local f = loadstring("while true do end"); f()`)
	if err == nil || !strings.Contains(err.Error(), "stopped") {
		t.Fatalf("the loop ended with %v, want the check's error", err)
	}
}
