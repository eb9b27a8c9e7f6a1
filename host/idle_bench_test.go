package host_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/testutil"
)

// clientEnv makes this test binary a client process for BenchmarkIdleConnections:
// it opens N connections to ADDR, says "connected", and holds them until its
// stdin closes. A separate process, so that neither side needs 2N descriptors.
const clientEnv = "LUASOCK_IDLE_CLIENT"

func TestMain(m *testing.M) {
	if spec := os.Getenv(clientEnv); spec != "" {
		addr, count, _ := strings.Cut(spec, ",")
		n, _ := strconv.Atoi(count)
		conns := make([]net.Conn, 0, n)
		for range n {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				fmt.Println("dial:", err)
				os.Exit(1)
			}
			conns = append(conns, c)
		}
		fmt.Println("connected")
		io.Copy(io.Discard, os.Stdin)
		for _, c := range conns {
			c.Close()
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// selfRSS is this process's resident set in bytes.
func selfRSS() float64 {
	data, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb * 1024
		}
	}
	return 0
}

// writeHeapProfile writes the heap profile of now to path.
func writeHeapProfile(b *testing.B, path string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkIdleConnections: 10,000 idle connections, each held by its own
// task blocked in fread; reports the Go heap and stacks per connection
// (LUASOCK_IDLE_HEAPPROFILE=FILE writes a heap profile at the idle point).
func BenchmarkIdleConnections(b *testing.B) {
	const conns = 10000
	src := `
local n = tonumber(...)
local server = assert(stream_socket_server("tcp://127.0.0.1:0"))
print(server:name())
local reading = 0
for i = 1, n do
  local conn = assert(stream_socket_accept(server))
  spawn(function() reading = reading + 1 fread(conn, 1) fclose(conn) end)
end
while reading < n do sleep(0) end -- each counts itself and waits in fread
print("idle")
`
	for b.Loop() {
		debug.FreeOSMemory()
		var before, idle runtime.MemStats
		runtime.ReadMemStats(&before)
		rssBefore := selfRSS()
		pr, pw := io.Pipe()
		done := make(chan testutil.Result, 1)
		go func() {
			done <- testutil.RunOptions(host.Options{Script: "idle.lua", Source: []byte(src), Args: []string{strconv.Itoa(conns)}, Stdout: pw, Stderr: os.Stderr})
			pw.Close()
		}()
		lines := bufio.NewScanner(pr)
		lines.Scan()
		client := exec.Command(os.Args[0], "-test.run=^$")
		client.Env = append(os.Environ(), clientEnv+"="+lines.Text()+","+strconv.Itoa(conns))
		stdin, _ := client.StdinPipe()
		client.Stdout = io.Discard
		if err := client.Start(); err != nil {
			b.Fatal(err)
		}
		if !lines.Scan() || lines.Text() != "idle" {
			b.Fatalf("server said %q", lines.Text())
		}
		debug.FreeOSMemory() // a GC, and the free pages back, as luasock run does when idle
		runtime.ReadMemStats(&idle)
		perConn := float64(idle.HeapInuse+idle.StackInuse-before.HeapInuse-before.StackInuse) / conns
		b.ReportMetric(perConn, "B/conn")
		// live objects alone; HeapInuse less HeapAlloc is the free room in
		// the spans they keep, and RSS adds the runtime's own
		b.ReportMetric(float64(idle.HeapAlloc-before.HeapAlloc)/conns, "liveB/conn")
		b.ReportMetric((selfRSS()-rssBefore)/conns, "rssB/conn")
		if path := os.Getenv("LUASOCK_IDLE_HEAPPROFILE"); path != "" {
			writeHeapProfile(b, path) // where the idle connections' bytes are
		}
		b.ReportMetric(float64(idle.StackInuse-before.StackInuse)/conns, "stackB/conn")
		b.ReportMetric(float64(runtime.NumGoroutine()), "goroutines")
		stdin.Close() // the client hangs up: every task reads EOF and ends
		client.Wait()
		go io.Copy(io.Discard, pr)
		select {
		case r := <-done:
			r.WantStatus(b, 0)
		case <-time.After(60 * time.Second):
			b.Fatal("the server did not end")
		}
	}
}
