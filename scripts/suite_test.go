// Package scripts holds luasock's Lua test suite (*_test.lua, run by go test)
// and its helper, testing.lua.
package scripts

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/testprog"
)

var summary = regexp.MustCompile(`(?m)^(\d+) passed, 0 failed\n\z`)

// TestLuaSuite runs every *_test.lua with an empty temp folder as arg[1].
func TestLuaSuite(t *testing.T) {
	files, err := filepath.Glob("*_test.lua")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Lua tests found: %v", err)
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := host.Run(host.Options{Script: f, Args: []string{t.TempDir()}, Stdout: &out, Stderr: &errb})
			m := summary.FindStringSubmatch(out.String())
			if code != 0 || errb.Len() != 0 || m == nil || m[1] == "0" {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
			}
			t.Logf("%s: %s passed", f, m[1])
		})
	}
}

// TestPackMatchesLua54 runs pack_compare.lua's generated string.pack,
// string.unpack and string.packsize cases with Debian's lua5.4 (which .ci/run
// installs) and with luasock, and compares every result line.
func TestPackMatchesLua54(t *testing.T) {
	const cases = "400"
	lua54, err := exec.Command(testprog.Need(t, "lua5.4", "lua5.4"), "pack_compare.lua", cases).Output()
	if err != nil {
		t.Fatalf("lua5.4: %v", err)
	}
	var out, errb bytes.Buffer
	code := host.Run(host.Options{Script: "pack_compare.lua", Args: []string{cases}, Stdout: &out, Stderr: &errb})
	if code != 0 || errb.Len() != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", code, errb.String())
	}
	want, got := strings.Split(string(lua54), "\n"), strings.Split(out.String(), "\n")
	if len(want) < 1000 {
		t.Fatalf("only %d result lines from lua5.4", len(want))
	}
	for i := range max(len(want), len(got)) {
		w, g := at(want, i), at(got, i)
		if w != g {
			t.Fatalf("line %d differs\nlua5.4:  %s\nluasock: %s", i+1, w, g)
		}
	}
	t.Logf("%d result lines identical", len(want))
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(missing)"
}
