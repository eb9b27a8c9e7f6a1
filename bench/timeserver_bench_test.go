package bench

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// roundTime is how long each server is loaded in one round; a benchmark op
// is one round over all its servers, taken in turn.
const roundTime = time.Second

// compare loads each server in turn for b.N rounds at concurrency c and
// reports requests/s and server CPU µs per request for each (named by the
// server), and for the first one (luasock) the ratios to each other.
func compare(b *testing.B, network string, c int, servers ...*server) {
	type totals struct {
		done, failed int
		cpu          time.Duration
		elapsed      time.Duration
	}
	sum := make([]totals, len(servers))
	b.ResetTimer()
	for range b.N {
		for i, s := range servers {
			t0 := time.Now()
			done, failed, cpu := load(network, s.addr, s.cmd.Process.Pid, c, roundTime)
			sum[i].elapsed += time.Since(t0)
			sum[i].done += done
			sum[i].failed += failed
			sum[i].cpu += cpu
		}
	}
	b.StopTimer()
	rate := func(t totals) float64 { return float64(t.done) / t.elapsed.Seconds() }
	cpuPer := func(t totals) float64 { return float64(t.cpu.Microseconds()) / float64(max(t.done, 1)) }
	for i, s := range servers {
		name := metricName(s.name)
		b.ReportMetric(rate(sum[i]), name+"-req/s")
		b.ReportMetric(cpuPer(sum[i]), name+"-cpu-µs/req")
		if sum[i].failed*100 > sum[i].done {
			b.Errorf("%s: %d failed requests of %d", s.name, sum[i].failed, sum[i].done)
		}
		if i > 0 {
			b.ReportMetric(rate(sum[0])/rate(sum[i]), "ratio-vs-"+name)
			b.ReportMetric(cpuPer(sum[0])/cpuPer(sum[i]), "cpu-ratio-vs-"+name)
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
// Go ports, sequential and with a goroutine per connection.
func BenchmarkTCPTimeServer(b *testing.B) {
	for _, script := range []string{"timeserver.lua", "concurrent_timeserver.lua"} {
		for _, c := range concurrencies {
			b.Run(fmt.Sprintf("%s/c=%d", strings.TrimSuffix(script, ".lua"), c), func(b *testing.B) {
				compare(b, "tcp", c, startLuasock(b, "tcp", script), startGo(b, "tcp", "tcp-seq"), startGo(b, "tcp", "tcp-go"))
			})
		}
	}
}
