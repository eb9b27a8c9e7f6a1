// Package scripts holds luasock's Lua test suite (*_test.lua, run by go test)
// and its helper, testing.lua.
package scripts

import (
	"path/filepath"
	"regexp"
	"testing"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/testutil"
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
			r := testutil.RunOptions(host.Options{Script: f, Args: []string{t.TempDir()}}).WantStatus(t, 0)
			m := summary.FindStringSubmatch(r.Stdout)
			if r.Stderr != "" || m == nil || m[1] == "0" {
				r.Fatalf(t, "want the summary of a suite that passed, and nothing on stderr")
			}
			t.Logf("%s: %s passed", f, m[1])
		})
	}
}
