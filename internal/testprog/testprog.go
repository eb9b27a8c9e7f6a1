// Package testprog finds the outside programs that tests compare luasock
// with (lua5.1, php, openssl, ...). A missing program skips the test and
// names the Debian package to install; with CI set it fails the test, so
// .ci/run (which installs every package) proves everything.
package testprog

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// TB is the part of testing.TB that Need ends a test through; a testscript
// command passes an adapter, so that scripts skip and fail as Go tests do.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Skip(args ...any)
}

// Need returns the path of prog, or ends the test: skipped when CI is unset,
// failed when it is set. pkg is the Debian package that provides prog.
func Need(t TB, prog, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(prog)
	if err == nil {
		return path
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("needs %s (apt-get install %s): %v", prog, pkg, err)
	}
	t.Skip("skipped: needs " + prog + " (apt-get install " + pkg + ")")
	return ""
}

// NeedPython returns a python3 that can import module, or ends the test as
// Need does; pkg is the Debian package that provides the module. Debian's
// own interpreter comes first: a python3 from elsewhere on PATH (pyenv)
// does not see Debian's modules.
func NeedPython(t TB, module, pkg string) string {
	t.Helper()
	var tried []string
	for _, cand := range []string{"/usr/bin/python3", "python3"} {
		path, err := exec.LookPath(cand)
		if err != nil || slices.Contains(tried, path) {
			continue
		}
		tried = append(tried, path)
		if exec.Command(path, "-c", "import "+module).Run() == nil {
			return path
		}
	}
	what := "python3 with the module " + module
	if os.Getenv("CI") != "" {
		t.Fatalf("needs %s (apt-get install %s); tried %q", what, pkg, tried)
	}
	t.Skip("skipped: needs " + what + " (apt-get install " + pkg + ")")
	return ""
}

// Output runs the program at path with args and returns what it printed,
// stdout and stderr together. When it cannot run or exits non-zero, the
// test fails with the command, its exit status and that output.
func Output(t testing.TB, path string, args ...string) string {
	t.Helper()
	out, err := exec.Command(path, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %q: %v\n%s", filepath.Base(path), args, err, out)
	}
	return string(out)
}

// EnvInt reads an integer setting of a test (a seed, a count) from the
// environment: def when unset, a failed test when it is not a number.
func EnvInt(t testing.TB, name string, def int64) int64 {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, s, err)
	}
	return v
}
