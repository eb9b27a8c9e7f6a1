package bitlib

import (
	"fmt"
	"strings"
	"testing"

	"github.com/luasock/luasock/internal/testprog"
	lua "github.com/yuin/gopher-lua"
)

func TestOpenSetsGlobalsAndRequire(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	Open(L)
	err := L.DoString(`
		assert(require("bit32") == bit32 and package.loaded.bit32 == bit32, "bit32")
		assert(require("bit") == bit and package.loaded.bit == bit, "bit")
		assert(bit32 ~= bit and bit32.band ~= bit.band, "two libraries")`)
	if err != nil {
		t.Fatal(err)
	}
}

// Snippets whose whole result, error position included, must be what the
// reference prints: argument errors in each function, the names Lua gives a
// function called through an alias, a table slot or pcall, and the docs' examples.
var bit32Snippets = []string{
	`local k = {} for name in pairs(bit32) do k[#k + 1] = name end table.sort(k) return table.concat(k, " ")`,
	`return bit32.band(nil)`,
	`return bit32.band(1, {})`,
	`return bit32.bor(1, 2, "x")`,
	`return bit32.bxor(print)`,
	`return bit32.btest(1, true)`,
	`return bit32.bnot()`,
	`return bit32.bnot(true)`,
	`return bit32.lshift(1)`,
	`return bit32.lshift(nil, nil)`,
	`return bit32.rshift({}, 1)`,
	`return bit32.arshift({}, 1)`,
	`return bit32.arshift(1)`,
	`return bit32.lrotate(nil)`,
	`return bit32.rrotate(1, "abc")`,
	`return bit32.extract(1)`,
	`return bit32.extract(1, -1)`,
	`return bit32.extract(1, 0, 0)`,
	`return bit32.extract(1, 0, -5)`,
	`return bit32.extract(1, 30, 3)`,
	`return bit32.extract(1, 32)`,
	`return bit32.extract(1, -1, "x")`,
	`return bit32.extract(1, "x", 0)`,
	`return bit32.extract("x", -1, 0)`,
	`return bit32.replace(1)`,
	`return bit32.replace(1, 2)`,
	`return bit32.replace(1, 2, -1)`,
	`return bit32.replace(1, 2, 0, 0)`,
	`return bit32.replace(1, 2, 31, 2)`,
	`return bit32.replace(1, nil, -1)`,
	`local f = bit32.band return f(nil)`,
	`local v = bit32.band(nil) return v`,
	`band_alias = bit32.band return band_alias({})`,
	`local _, e = pcall(bit32.bor, 1, {}) return e`,
	`local _, e = pcall(bit32.extract, 1, 40) return e`,
	`return bit32["band"](nil)`,
	`local t = {bit32.band} return t[1](nil)`,
	`local k = "band" return bit32[k](nil)`,
	`return bit32.band(1,
		2, nil)`,
	// the DNS header example in the docs: QR, OPCODE and RCODE of flags 0x8183
	`local hdr = "\18\52\129\131"
	 local flags = bit32.bor(bit32.lshift(hdr:byte(3), 8), hdr:byte(4))
	 local qr, opcode, rcode = bit32.extract(flags, 15), bit32.extract(flags, 11, 4), bit32.extract(flags, 0, 4)
	 return qr .. " " .. opcode .. " " .. rcode`,
}

var bitSnippets = []string{
	`local k = {} for name in pairs(bit) do k[#k + 1] = name end table.sort(k) return table.concat(k, " ")`,
	`local v = bit.band() return v`,
	`local v = bit.bor(1, {}) return v`,
	`local v = bit.bxor(1, 2, nil) return v`,
	`local v = bit.bnot() return v`,
	`local v = bit.bswap("abc") return v`,
	`local v = bit.tobit(true) return v`,
	`local v = bit.tohex() return v`,
	`local v = bit.tohex(1, nil) return v`,
	`local v = bit.tohex(1, "x") return v`,
	`local v = bit.lshift(1) return v`,
	`local v = bit.rshift(nil, 1) return v`,
	`local v = bit.arshift(1, {}) return v`,
	`local v = bit.rol() return v`,
	`local v = bit.ror(print, print) return v`,
	`local f = bit.band local v = f(nil) return v`,
	`band_alias = bit.band local v = band_alias({}) return v`,
	`local _, e = pcall(bit.bor, 1, {}) return e`,
	`local v = bit["band"](nil) return v`,
	`local t = {bit.band} local v = t[1](nil) return v`,
	`local v = bit.band(1,
		2, nil) return v`,
	`local hdr = "\18\52\129\131"
	 local flags = bit.bor(bit.lshift(hdr:byte(3), 8), hdr:byte(4))
	 return bit.rshift(flags, 15) .. " " .. bit.band(bit.rshift(flags, 11), 0xF) .. " " .. bit.band(flags, 0xF)`,
	`return bit.tohex(0xdead, -4) .. " " .. bit.tohex(-1) .. " " .. bit.tohex(bit.bswap(0x01020304))`,
}

func TestBit32SnippetsMatchLua52(t *testing.T) {
	compareSnippets(t, testprog.Need(t, "lua5.2", "lua5.2"), bit32Snippets)
}

func TestBitSnippetsMatchLuaJIT(t *testing.T) {
	compareSnippets(t, testprog.Need(t, "luajit", "luajit"), bitSnippets)
}

// compareSnippets runs each snippet as a function under pcall, in one file
// named the same for both interpreters, and compares what each printed.
func compareSnippets(t *testing.T, ref string, snippets []string) {
	var script strings.Builder
	script.WriteString(prelude)
	for i, s := range snippets {
		fmt.Fprintf(&script, "c(%d, function() %s end)\n", i, s)
	}
	const name = "snippets.lua" // short: Lua abbreviates long file names in messages
	want, got := runBoth(t, ref, name, script.String(), nil)
	if len(want) != len(snippets) || len(got) != len(snippets) {
		t.Fatalf("%d snippets, reference printed %d lines, gopher-lua %d:\n%s\n--\n%s",
			len(snippets), len(want), len(got), strings.Join(want, "\n"), strings.Join(got, "\n"))
	}
	for i, s := range snippets {
		if want[i] != got[i] {
			t.Errorf("%s\n   reference: %s\n  gopher-lua: %s", s, want[i], got[i])
		}
	}
}
