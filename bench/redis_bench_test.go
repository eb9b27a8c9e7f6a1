package bench

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/luasock/luasock/internal/testprog"
	"github.com/luasock/luasock/internal/testutil"
)

// redisTests are the redis-benchmark tests run against each server; -t
// set,get,incr,ping runs ping twice, inline and as an array (PING_MBULK).
var redisTests = []string{"PING_INLINE", "PING_MBULK", "SET", "GET", "INCR"}

// redisRate matches one test's result in redis-benchmark -q's output.
var redisRate = regexp.MustCompile(`([A-Z_]+): ([0-9.]+) requests per second`)

// BenchmarkRedisKV: examples/redis_kv.lua against a real redis-server,
// each loaded in turn, once per round, by
//
//	redis-benchmark -q -n 10000 -P 16 -t set,get,incr,ping -c C
//
// at C = 50 (its default) and, with -n 800, at C = 1 (-n is a multiple of
// -P: redis-benchmark sends whole batches, and when the replies it counts
// overshoot -n it may abort with "All clients disconnected"). Two variants of the script show what
// TCP_NODELAY is for: without it, and with it but writing each reply on its
// own instead of one write per batch. Reported per server: the median over
// the rounds of its overall rate (all tests' requests over their summed
// times) and of its CPU per request, luasock's ratio to redis-server, and
// (logged) each test's median.
func BenchmarkRedisKV(b *testing.B) {
	benchmark := testprog.Need(b, "redis-benchmark", "redis-tools")
	redisServer := testprog.Need(b, "redis-server", "redis-server")
	script, err := os.ReadFile(filepath.Join("..", "examples", "redis_kv.lua"))
	if err != nil {
		b.Fatal(err)
	}
	const (
		batched  = "if #args > 0 then replies[#replies + 1] = execute(args) end"
		perReply = "if #args > 0 then fwrite(conn, execute(args)) end"
		nodelay  = "tcp_nodelay = true"
		noNagle  = "tcp_nodelay = false"
	)
	for _, load := range []struct{ clients, requests int }{{50, 10000}, {1, 800}} {
		b.Run(fmt.Sprintf("c=%d", load.clients), func(b *testing.B) {
			servers := []*server{
				startRedisKV(b, "luasock", script),
				startRedisKV(b, "luasock-nodelay-off", variant(b, script, nodelay, noNagle)),
				startRedisKV(b, "luasock-write-per-reply", variant(b, script, batched, perReply)),
				startRedisKV(b, "luasock-write-per-reply-nodelay-off", variant(b, variant(b, script, batched, perReply), nodelay, noNagle)),
				startRedisServer(b, redisServer),
			}
			requests := float64(load.requests)
			args := []string{"-q", "-n", strconv.Itoa(load.requests), "-P", "16", "-t", "set,get,incr,ping", "-c", strconv.Itoa(load.clients)}
			overall := make([][]float64, len(servers)) // per server, per round
			cpu := make([][]float64, len(servers))     // µs per request
			perTest := make([]map[string][]float64, len(servers))
			for i := range perTest {
				perTest[i] = map[string][]float64{}
			}
			b.ResetTimer()
			for range b.N {
				for i, s := range servers {
					_, port, _ := net.SplitHostPort(s.addr)
					cpu0 := cpuTime(s.cmd.Process.Pid)
					out, err := exec.Command(benchmark, append(args, "-p", port)...).CombinedOutput()
					if err != nil {
						b.Fatalf("%s: redis-benchmark: %v\n%s", s.name, err, out)
					}
					cpu[i] = append(cpu[i], float64((cpuTime(s.cmd.Process.Pid)-cpu0).Microseconds())/(requests*float64(len(redisTests))))
					seconds := 0.0
					for _, m := range redisRate.FindAllStringSubmatch(string(out), -1) {
						rate, _ := strconv.ParseFloat(m[2], 64)
						perTest[i][m[1]] = append(perTest[i][m[1]], rate)
						seconds += requests / rate
					}
					if len(perTest[i]) != len(redisTests) {
						b.Fatalf("%s: redis-benchmark printed %d results:\n%s", s.name, len(perTest[i]), out)
					}
					overall[i] = append(overall[i], requests*float64(len(redisTests))/seconds)
				}
			}
			b.StopTimer()
			last := len(servers) - 1 // redis-server
			for i, s := range servers {
				b.ReportMetric(medianOf(overall[i]), s.name+"-req/s")
				b.ReportMetric(medianOf(cpu[i]), s.name+"-cpu-µs/req")
				line := []string{s.name + ":"}
				for _, t := range redisTests {
					line = append(line, fmt.Sprintf("%s %.0f", t, medianOf(perTest[i][t])))
				}
				b.Log(strings.Join(line, " "))
			}
			ratios := make([]float64, b.N)
			for r := range ratios {
				ratios[r] = overall[0][r] / overall[last][r]
			}
			b.ReportMetric(medianOf(ratios), "ratio-vs-redis-server")
		})
	}
}

// variant is script with old replaced by new, which must be there.
func variant(b *testing.B, script []byte, old, new string) []byte {
	if !strings.Contains(string(script), old) {
		b.Fatalf("redis_kv.lua no longer has %q", old)
	}
	return []byte(strings.Replace(string(script), old, new, 1))
}

// startRedisKV runs script (redis_kv.lua or a variant) with luasock on a
// free port.
func startRedisKV(b *testing.B, name string, script []byte) *server {
	path := filepath.Join(b.TempDir(), "redis_kv.lua")
	if err := os.WriteFile(path, script, 0o644); err != nil {
		b.Fatal(err)
	}
	addr := testutil.FreeAddr(b, "tcp")
	return startListening(b, name, addr, exec.Command(luasockBin, "run", path, "tcp://"+addr))
}

// startRedisServer runs redis-server on a free loopback port, keeping
// nothing on disk.
func startRedisServer(b *testing.B, path string) *server {
	addr := testutil.FreeAddr(b, "tcp")
	_, port, _ := net.SplitHostPort(addr)
	return startListening(b, "redis-server", addr, exec.Command(path, "--bind", "127.0.0.1", "--port", port, "--save", "", "--appendonly", "no"))
}

// startListening starts cmd and waits (at most 10 s) until addr accepts
// connections; the server stops when the benchmark ends.
func startListening(b *testing.B, name, addr string, cmd *exec.Cmd) *server {
	b.Helper()
	s := launch(b, name, addr, cmd)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return s
		}
		if time.Now().After(deadline) {
			b.Fatalf("%s: %v", name, err)
		}
	}
}

func medianOf(v []float64) float64 {
	v = append([]float64(nil), v...)
	sort.Float64s(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}
