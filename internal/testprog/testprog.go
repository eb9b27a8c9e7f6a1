// Package testprog finds the outside programs that tests compare luasock
// with (lua5.1, php, openssl, ...). A missing program skips the test and
// names the Debian package to install; with CI set it fails the test, so
// .ci/run (which installs every package) proves everything.
package testprog

import (
	"os"
	"os/exec"
	"testing"
)

// Need returns the path of prog, or ends the test: skipped when CI is unset,
// failed when it is set. pkg is the Debian package that provides prog.
func Need(t testing.TB, prog, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(prog)
	if err == nil {
		return path
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("needs %s (apt-get install %s): %v", prog, pkg, err)
	}
	t.Skipf("skipped: needs %s (apt-get install %s)", prog, pkg)
	return ""
}
