package host_test

import (
	"strconv"
	"testing"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/testutil"
)

// benchScript runs src with b.N as its first argument; src's loop is the
// measured work.
func benchScript(b *testing.B, src string) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	r := testutil.RunOptions(host.Options{Script: "bench.lua", Source: []byte(src), Args: []string{strconv.Itoa(b.N)}}).WantStatus(b, 0)
	if r.Stderr != "" || r.Stdout != strconv.Itoa(b.N)+"\n" {
		r.Fatalf(b, "want the count, %d, and nothing on stderr", b.N)
	}
}

// BenchmarkSpawn: one task started, run (it counts) and ended, while the
// main task waits for it with sleep(0): a spawn and two lock hand-offs.
func BenchmarkSpawn(b *testing.B) {
	benchScript(b, `
local n, done = tonumber(...), 0
local function task() done = done + 1 end
for i = 1, n do
  spawn(task)
  while done < i do sleep(0) end
end
print(done)`)
}

// BenchmarkLockHandoff: two tasks take turns with sleep(0); one op is one
// hand-off of the Lua lock from one task's goroutine to the other's.
func BenchmarkLockHandoff(b *testing.B) {
	benchScript(b, `
local n, turns = tonumber(...), 0
local function player()
  while turns < n do turns = turns + 1 sleep(0) end
end
spawn(player)
player()
while turns < n do sleep(0) end
print(turns)`)
}
