package luapack_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/luasock/luasock/internal/lang/luapack"
	"github.com/luasock/luasock/internal/lang/stdlib"
	"github.com/luasock/luasock/internal/testprog"
	lua "github.com/yuin/gopher-lua"
)

// run runs src, or the file path when src is "", in gopher-lua with luasock's
// standard library and this package, and returns what it printed.
func run(t *testing.T, src, path string, args ...string) string {
	t.Helper()
	L := lua.NewState()
	defer L.Close()
	stdlib.Open(L)
	luapack.Open(L)
	var out strings.Builder
	L.SetGlobal("print", L.NewFunction(func(L *lua.LState) int {
		for i := 1; i <= L.GetTop(); i++ {
			if i > 1 {
				out.WriteByte('\t')
			}
			out.WriteString(L.ToStringMeta(L.Get(i)).String())
		}
		out.WriteByte('\n')
		return 0
	}))
	argt := L.NewTable()
	for i, a := range args {
		argt.RawSetInt(i+1, lua.LString(a))
	}
	L.SetGlobal("arg", argt)
	var err error
	if src != "" {
		err = L.DoString(src)
	} else {
		err = L.DoFile(path)
	}
	if err != nil {
		t.Fatalf("%v\noutput:\n%s", err, out.String())
	}
	return out.String()
}

// TestPack: what each call returns (strings in hex) or raises.
func TestPack(t *testing.T) {
	tests := []struct{ expr, want string }{
		{`string.pack(">I4", 3913056000)`, "e93c7f00"},
		{`string.pack("<I4", 3913056000)`, "007f3ce9"},
		{`string.pack(">i16", -1)`, strings.Repeat("ff", 16)},
		{`string.pack("!4 b x Xi4 b", 1, 2)`, "0100000002"},
		{`string.pack(">s2", "hi")`, "00026869"},
		{`("<I2"):pack(258)`, "0201"},
		{`string.unpack(">J", ("\255"):rep(8))`, "-1\t9"},
		{`string.unpack("c2", "abcd", -2)`, "6364\t5"},
		{`string.unpack("<d", string.pack("<d", 1.5))`, "1.5\t9"},
		{`string.packsize("!8 b d")`, "16"},
		{`string.pack("w", 1)`, "invalid format option 'w'"},
		{`string.pack("i17", 1)`, "integral size (17) out of limits [1,16]"},
		{`string.pack("B B", 1, 256)`, "bad argument #3 to 'pack' (unsigned overflow)"},
		{`string.pack("i4", 1.5)`, "bad argument #2 to 'pack' (number has no integer representation)"},
		{`string.pack("i4")`, "bad argument #2 to 'pack' (number expected, got nil)"},
		{`string.packsize("s4")`, "bad argument #1 to 'packsize' (variable-length format)"},
		{`string.unpack(">I4", "abc")`, "bad argument #2 to 'unpack' (data string too short)"},
		{`string.unpack("b", "abc", 5)`, "bad argument #3 to 'unpack' (initial position out of string)"},
		{`string.unpack("<i9", ("\255"):rep(8) .. "\1")`, "9-byte integer does not fit into Lua Integer"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			got := run(t, `
local function show(v)
  if type(v) ~= "string" then return tostring(v) end
  return (v:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end
local r = {pcall(function() return `+tt.expr+` end)}
if not r[1] then print((tostring(r[2]):gsub("^[^:]*:%d+: ", ""))) return end
for i = 2, #r do r[i] = show(r[i]) end
print(table.concat(r, "\t", 2))
`, "")
			if got != tt.want+"\n" {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestPackMatchesLua54 runs pack_compare.lua's generated string.pack,
// string.unpack and string.packsize cases with Debian's lua5.4 (which .ci/run
// installs) and with this package, and compares every result line.
func TestPackMatchesLua54(t *testing.T) {
	lua54 := testprog.Need(t, "lua5.4", "lua5.4")
	const cases = "400"
	want, err := exec.Command(lua54, "testdata/pack_compare.lua", cases).Output()
	if err != nil {
		t.Fatalf("lua5.4: %v", err)
	}
	wantLines := strings.Split(string(want), "\n")
	gotLines := strings.Split(run(t, "", "testdata/pack_compare.lua", cases), "\n")
	if len(wantLines) < 1000 {
		t.Fatalf("only %d result lines from lua5.4", len(wantLines))
	}
	for i := range max(len(wantLines), len(gotLines)) {
		w, g := at(wantLines, i), at(gotLines, i)
		if w != g {
			t.Fatalf("line %d differs\nlua5.4:  %s\nluapack: %s", i+1, w, g)
		}
	}
	t.Logf("%d result lines identical", len(wantLines))
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(missing)"
}
