package host_test

import (
	"bufio"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/testutil"
)

// echoTwo is echo_spawn.lua for two clients: a task per connection.
const echoTwo = `
local server = assert(stream_socket_server("tcp://127.0.0.1:0"))
print(stream_socket_get_name(server, false))
for _ = 1, 2 do
  local conn = assert(stream_socket_accept(server))
  spawn(function()
    local line = fgets(conn)
    while line do fwrite(conn, line) line = fgets(conn) end
    fclose(conn)
  end)
end
fclose(server)
`

// BenchmarkStreamingClientRoundTrip: one client streams lines to
// echo_spawn.lua as fast as loopback takes them (its task's reads and
// writes seldom wait), another asks for echoes; an op is one of its round
// trips, and p50-ns, p99-ns and max-ns are theirs (docs/benchmarks.md, "A
// fair turn": the target was a p99 under 50 ms). TestBusyTaskDoesNotStarveOthers
// checks the property.
func BenchmarkStreamingClientRoundTrip(b *testing.B) {
	pr, pw := io.Pipe()
	errb := &lockedBuffer{}
	done := make(chan testutil.Result, 1)
	go func() {
		done <- testutil.RunOptions(host.Options{Script: "echo.lua", Source: []byte(echoTwo), Stdout: pw, Stderr: errb})
		pw.Close()
	}()
	out := bufio.NewScanner(pr)
	if !out.Scan() {
		b.Fatalf("no address; stderr %q", errb.String())
	}
	addr := out.Text()
	go io.Copy(io.Discard, pr)

	flood, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { flood.Close() }) // which ends its reader and writer
	go io.Copy(io.Discard, flood)
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		chunk := []byte(strings.Repeat("streaming without a pause\n", 256))
		for {
			if _, err := flood.Write(chunk); err != nil {
				return
			}
		}
	}()
	probe, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { probe.Close() })
	in := bufio.NewReader(probe)
	var rtts []time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := probe.Write([]byte("ping\n")); err != nil {
			b.Fatal(err)
		}
		if l, err := in.ReadString('\n'); err != nil || l != "ping\n" {
			b.Fatalf("echo %q, %v", l, err)
		}
		rtts = append(rtts, time.Since(start))
	}
	flood.Close()
	<-sent
	probe.Close()
	select {
	case r := <-done:
		r.WantStatus(b, 0)
	case <-time.After(60 * time.Second):
		b.Fatal("the server did not end")
	}
	slices.Sort(rtts)
	n := len(rtts)
	b.ReportMetric(float64(rtts[n/2]), "p50-ns")
	b.ReportMetric(float64(rtts[min(n*99/100, n-1)]), "p99-ns")
	b.ReportMetric(float64(rtts[n-1]), "max-ns")
}
