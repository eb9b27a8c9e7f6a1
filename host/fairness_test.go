package host_test

import (
	"bufio"
	"io"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

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

// TestStreamingClientDoesNotStarveOthers: one client streams lines as fast
// as loopback takes them (its task's reads and writes never wait), another
// asks for an echo 100 times. A task hands the Lua lock over after its time
// slice, so the second client's round trip stays short; without the turn
// it waited as long as the stream ran.
func TestStreamingClientDoesNotStarveOthers(t *testing.T) {
	var rtts []time.Duration
	r := testutil.Run(t, echoTwo, func(t testing.TB, lines <-chan string) {
		addr := testutil.NextLine(t, lines)
		flood := testutil.Dial(t, "tcp", addr)
		if flood == nil {
			return
		}
		defer flood.Close()
		var stop atomic.Bool
		go func() { _, _ = io.Copy(io.Discard, flood) }()
		sent := make(chan struct{})
		go func() {
			defer close(sent)
			chunk := []byte(strings.Repeat("streaming without a pause\n", 256))
			deadline := time.Now().Add(20 * time.Second) // bounded, whatever happens
			for !stop.Load() && time.Now().Before(deadline) {
				if _, err := flood.Write(chunk); err != nil {
					return
				}
			}
		}()
		probe := testutil.Dial(t, "tcp", addr)
		if probe == nil {
			return
		}
		defer probe.Close()
		probe.SetDeadline(time.Now().Add(20 * time.Second))
		in := bufio.NewReader(probe)
		for i := 0; i < 100; i++ {
			start := time.Now()
			if _, err := probe.Write([]byte("ping\n")); err != nil {
				t.Error(err)
				break
			}
			if l, err := in.ReadString('\n'); err != nil || l != "ping\n" {
				t.Errorf("echo %q, %v", l, err)
				break
			}
			rtts = append(rtts, time.Since(start))
		}
		stop.Store(true)
		<-sent
	})
	if r.Code != 0 {
		r.Fatalf(t, "want exit 0")
	}
	if len(rtts) < 100 {
		t.Fatalf("only %d round trips", len(rtts))
	}
	sort.Slice(rtts, func(i, j int) bool { return rtts[i] < rtts[j] })
	p99 := rtts[98]
	t.Logf("round trip while another client streams: median %v, p99 %v, max %v", rtts[50], p99, rtts[99])
	if p99 > fairnessBound {
		t.Fatalf("p99 round trip %v while another client streams; want under %v", p99, fairnessBound)
	}
}
