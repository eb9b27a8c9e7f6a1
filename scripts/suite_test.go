// Package scripts holds luasock's Lua test suite (*_test.lua, run by go test)
// and its helper, testing.lua.
package scripts

import (
	"bytes"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/luasock/luasock/host"
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
