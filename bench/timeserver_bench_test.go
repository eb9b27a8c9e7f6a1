package bench

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

// roundTime is how long each server is loaded in one round; a benchmark op
// is one round over all its servers, taken in turn.
const roundTime = time.Second

// compare loads each server in turn for b.N rounds at concurrency c and
// reports, as medians over the rounds, each server's requests/s and CPU µs
// per request (named by the server) and the first one's (luasock's) ratios
// to each other one, taken within each round.
func compare(b *testing.B, network string, c int, servers ...*server) {
	type round struct{ rate, cpu float64 }
	rounds := make([][]round, len(servers))
	b.ResetTimer()
	for range b.N {
		for i, s := range servers {
			t0 := time.Now()
			done, failed, cpu := load(network, s.addr, s.cmd.Process.Pid, c, roundTime)
			elapsed := time.Since(t0)
			if failed*100 > done {
				b.Errorf("%s: %d failed requests of %d", s.name, failed, done)
			}
			rounds[i] = append(rounds[i], round{float64(done) / elapsed.Seconds(), float64(cpu.Microseconds()) / float64(max(done, 1))})
		}
	}
	b.StopTimer()
	median := func(f func(r int) float64) float64 {
		v := make([]float64, b.N)
		for r := range v {
			v[r] = f(r)
		}
		sort.Float64s(v)
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	for i, s := range servers {
		name := metricName(s.name)
		b.ReportMetric(median(func(r int) float64 { return rounds[i][r].rate }), name+"-req/s")
		b.ReportMetric(median(func(r int) float64 { return rounds[i][r].cpu }), name+"-cpu-µs/req")
		if i > 0 {
			b.ReportMetric(median(func(r int) float64 { return rounds[0][r].rate / rounds[i][r].rate }), "ratio-vs-"+name)
			b.ReportMetric(median(func(r int) float64 { return rounds[0][r].cpu / rounds[i][r].cpu }), "cpu-ratio-vs-"+name)
		}
	}
	b.ReportMetric(peakRSS(servers[0].cmd.Process.Pid), servers[0].name+"-peak-MiB")
}

func metricName(s string) string { return strings.NewReplacer(" ", "-", "_", "-").Replace(s) }

var concurrencies = []int{1, 8, 64}

// BenchmarkUDPTimeServer: examples/udp_timeserver.lua, one Lua state and
// --workers 2, against the Go port with four readers.
func BenchmarkUDPTimeServer(b *testing.B) {
	for _, c := range concurrencies {
		b.Run(fmt.Sprintf("c=%d", c), func(b *testing.B) {
			compare(b, "udp", c, startLuasock(b, "udp", "udp_timeserver.lua"), startGo(b, "udp", "udp"))
		})
	}
	for _, c := range concurrencies {
		b.Run(fmt.Sprintf("workers=2/c=%d", c), func(b *testing.B) {
			compare(b, "udp", c, startLuasock(b, "udp", "udp_timeserver.lua", "--workers=2"), startGo(b, "udp", "udp"))
		})
	}
}

// BenchmarkTCPTimeServer: examples/timeserver.lua (the manual's sequential
// loop) and concurrent_timeserver.lua (a task per connection) against the
// Go ports, sequential and with a goroutine per connection; and
// concurrent_timeserver.lua against timeserver.lua in the same rounds
// (ratio-vs-timeserver: what a task per connection costs).
func BenchmarkTCPTimeServer(b *testing.B) {
	for _, c := range concurrencies {
		b.Run(fmt.Sprintf("tasks-vs-sequential/c=%d", c), func(b *testing.B) {
			compare(b, "tcp", c, startLuasock(b, "tcp", "concurrent_timeserver.lua"), startLuasock(b, "tcp", "timeserver.lua"))
		})
	}
	for _, script := range []string{"timeserver.lua", "concurrent_timeserver.lua"} {
		for _, c := range concurrencies {
			b.Run(fmt.Sprintf("%s/c=%d", strings.TrimSuffix(script, ".lua"), c), func(b *testing.B) {
				compare(b, "tcp", c, startLuasock(b, "tcp", script), startGo(b, "tcp", "tcp-seq"), startGo(b, "tcp", "tcp-go"))
			})
		}
	}
}
