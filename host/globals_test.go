package host_test

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"testing"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/testutil"
)

// TestGlobalsConvention: a Go function whose last result is an error
// reaches Lua in luasock's shape.
func TestGlobalsConvention(t *testing.T) {
	globals := map[string]any{
		"lookup": func(k string) (string, error) {
			if k == "x" {
				return "found", nil
			}
			return "", fmt.Errorf("no key %q", k)
		},
		"open": func(path string) (int, error) {
			_, err := os.Open(path)
			return 7, err
		},
		"check":  func(ok bool) error { return map[bool]error{true: nil, false: errors.New("bad")}[ok] },
		"pair":   func() (int, string, error) { return 1, "two", nil },
		"plain":  func(a, b int) int { return a + b },
		"errno":  func() (bool, error) { return false, &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED} },
		"raises": func() (int, error) { panic("boom") },
	}
	src := `
print(lookup("x"))
print(lookup("y"))
print(open("/nonexistent/file"))
print(check(true))
print(check(false))
print(pair())
print(plain(2, 3))
print(errno())
print(select("#", lookup("x")), select("#", lookup("y")))
print(pcall(raises) == false)
`
	want := "found\n" +
		"nil\tno key \"y\"\t0\n" +
		fmt.Sprintf("nil\tNo such file or directory\t%d\n", syscall.ENOENT) +
		"true\n" +
		"nil\tbad\t0\n" +
		"1\ttwo\n" +
		"5\n" +
		fmt.Sprintf("nil\tConnection refused\t%d\n", syscall.ECONNREFUSED) +
		"1\t3\n" +
		"true\n"
	testutil.RunOptions(host.Options{Script: "globals.lua", Source: []byte(src), Globals: globals}).Want(t, want)
}
