package bench

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/luasock/luasock/internal/testprog"
)

// BenchmarkStartup: `luasock run` on an empty script, process start to
// exit; and for comparison `php -r ”` and `lua5.4 -e ”`.
func BenchmarkStartup(b *testing.B) {
	empty := filepath.Join(b.TempDir(), "empty.lua")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		pkg  string // the Debian package of argv[0]; "" for luasock, built by TestMain
		argv []string
	}{
		{"luasock", "", []string{luasockBin, "run", empty}},
		{"php", "php-cli", []string{"php", "-r", ""}},
		{"lua5.4", "lua5.4", []string{"lua5.4", "-e", ""}},
	} {
		b.Run(c.name, func(b *testing.B) {
			prog := c.argv[0]
			if c.pkg != "" {
				prog = testprog.Need(b, prog, c.pkg)
			}
			for b.Loop() {
				if out, err := exec.Command(prog, c.argv[1:]...).CombinedOutput(); err != nil {
					b.Fatalf("%v: %s", err, out)
				}
			}
		})
	}
}
