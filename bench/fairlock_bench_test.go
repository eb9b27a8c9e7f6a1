package bench

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// buildPlainlock builds, once and only for the benchmarks that need it,
// luasock with -tags luasock_plainlock: its Lua lock is a plain sync.Mutex
// instead of the fair lock's FIFO hand-off (host/lock_plain.go).
var buildPlainlock = sync.OnceValues(func() (string, error) {
	bin := filepath.Join(filepath.Dir(luasockBin), "luasock-plainlock")
	out, err := exec.Command("go", "build", "-tags", "luasock_plainlock", "-o", bin, "../cmd/luasock").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build -tags luasock_plainlock: %w\n%s", err, out)
	}
	return bin, nil
})

// BenchmarkFairLock: each time server run by luasock against the same
// build with a plain sync.Mutex for its Lua lock, in the same rounds.
// ratio-vs-plainlock and cpu-ratio-vs-plainlock are what the fair lock's
// FIFO hand-off costs: contended in concurrent_timeserver.lua (a task per
// connection), uncontended in the sequential TCP and the UDP servers.
func BenchmarkFairLock(b *testing.B) {
	plainlock, err := buildPlainlock()
	if err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		network, script string
		c               int
	}{
		{"tcp", "concurrent_timeserver.lua", 1},
		{"tcp", "concurrent_timeserver.lua", 8},
		{"tcp", "concurrent_timeserver.lua", 64},
		{"tcp", "timeserver.lua", 8},
		{"udp", "udp_timeserver.lua", 8},
	}
	for _, tc := range cases {
		b.Run(fmt.Sprintf("%s/c=%d", strings.TrimSuffix(tc.script, ".lua"), tc.c), func(b *testing.B) {
			compare(b, tc.network, tc.c,
				startLuasock(b, tc.network, tc.script),
				startLuasockBin(b, plainlock, "plainlock", tc.network, tc.script))
		})
	}
}
