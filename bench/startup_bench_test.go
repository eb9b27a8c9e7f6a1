package bench

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
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
		argv []string
	}{
		{"luasock", []string{luasockBin, "run", empty}},
		{"php", []string{"php", "-r", ""}},
		{"lua5.4", []string{"lua5.4", "-e", ""}},
	} {
		b.Run(c.name, func(b *testing.B) {
			if _, err := exec.LookPath(c.argv[0]); err != nil {
				b.Fatalf("%v (apt-get install php-cli lua5.4)", err)
			}
			for b.Loop() {
				if out, err := exec.Command(c.argv[0], c.argv[1:]...).CombinedOutput(); err != nil {
					b.Fatalf("%v: %s", err, out)
				}
			}
		})
	}
}
