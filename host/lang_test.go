package host_test

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/testprog"
)

// TestLanguageMatchesLua51 runs each script of testdata/lang with Debian's
// lua5.1 and with luasock, from that folder, and compares everything they
// print (stdout and stderr) and their exit status. assign.lua covers
// multiple assignment on every path that compiles source; pcall.lua covers
// pcall, xpcall, error levels and tracebacks.
func TestLanguageMatchesLua51(t *testing.T) {
	lua51 := testprog.Need(t, "lua5.1", "lua5.1")
	t.Chdir("testdata/lang")
	scripts, _ := filepath.Glob("*.lua")
	ran := 0
	for _, script := range scripts {
		if strings.HasSuffix(script, "mod.lua") {
			continue // a module the scripts require
		}
		ran++
		t.Run(script, func(t *testing.T) {
			cmd := exec.Command(lua51, script)
			var want bytes.Buffer
			cmd.Stdout, cmd.Stderr = &want, &want
			wantCode := 0
			if err := cmd.Run(); err != nil {
				ee, ok := err.(*exec.ExitError)
				if !ok {
					t.Fatal(err)
				}
				wantCode = ee.ExitCode()
			}
			var got bytes.Buffer
			code := host.Run(host.Options{Script: script, Stdout: &got, Stderr: &got})
			if code != wantCode || got.String() != want.String() {
				t.Fatalf("exit %d, lua5.1 %d\n%s", code, wantCode, lineDiff(want.String(), got.String()))
			}
		})
	}
	if ran < 2 {
		t.Fatalf("only %d scripts in testdata/lang", ran)
	}
}

// lineDiff shows the first differing line of two outputs and its context.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + "\nlua5.1:  " + wl + "\nluasock: " + gl
		}
	}
	return "(same lines)"
}
