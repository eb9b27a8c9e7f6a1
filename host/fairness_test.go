package host_test

import (
	"bufio"
	"io"
	"testing"
	"time"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/testutil"
)

// busyAndEcho serves two clients: the first one's task never waits (it
// peeks at a byte that stays there), the second one's echoes lines.
const busyAndEcho = `
local server = assert(stream_socket_server("tcp://127.0.0.1:0"))
print(stream_socket_get_name(server, false))
local busy = assert(stream_socket_accept(server))
assert(stream_socket_recvfrom(busy, 1, STREAM_PEEK) == "x") -- it has come: from now on a peek never waits
local probe = assert(stream_socket_accept(server))
local calls, echoed = 0, false
spawn(function() -- always ready: only the turn (Host.Turn) lets the others run
  while not echoed and not expired() do
    assert(stream_socket_recvfrom(busy, 1, STREAM_PEEK) == "x")
    calls = calls + 1
  end
  print(echoed and "the busy task ran until the echoes were done" or "the busy task ran out of time")
  fread(busy, 1) -- (a close with unread bytes would reset the connection)
  fclose(busy)
end)
spawn(function()
  local before = calls
  for i = 1, 100 do
    local line = fgets(probe)
    if not line then break end
    fwrite(probe, line)
  end
  print("echoes done; the busy task ran meanwhile: " .. tostring(calls > before))
  echoed = true
  fclose(probe)
end)
`

// TestBusyTaskDoesNotStarveOthers: a task whose socket calls never wait
// (a client that streams without pause, always ready) keeps running while
// another client gets 100 echoes: a task hands the Lua lock over after its
// time slice. Without the turn the busy task held it until expired() (a
// bound for the failure only). The round trip's figures are
// BenchmarkStreamingClientRoundTrip's.
func TestBusyTaskDoesNotStarveOthers(t *testing.T) {
	end := time.Now().Add(hangBound(t))
	errb := &lockedBuffer{}
	lines, done := startRun(t, host.Options{Script: "busy.lua", Source: []byte(busyAndEcho), Stderr: errb,
		Globals: map[string]any{"expired": func() bool { return time.Now().After(end) }}})
	addr := <-lines
	busy := testutil.Dial(t, "tcp", addr)
	if busy == nil {
		t.FailNow()
	}
	defer busy.Close()
	busy.SetDeadline(end)
	if _, err := busy.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	probe := testutil.Dial(t, "tcp", addr)
	if probe == nil {
		t.FailNow()
	}
	defer probe.Close()
	probe.SetDeadline(end)
	in := bufio.NewReader(probe)
	for i := range 100 {
		if _, err := probe.Write([]byte("ping\n")); err != nil {
			t.Fatalf("echo %d: %v; stderr %q", i+1, err, errb.String())
		}
		if l, err := in.ReadString('\n'); err != nil || l != "ping\n" {
			t.Fatalf("echo %d: %q, %v; stderr %q", i+1, l, err, errb.String())
		}
	}
	// The busy task's peek needs its byte until the task ends and closes.
	if _, err := io.Copy(io.Discard, busy); err != nil {
		t.Fatal(err)
	}
	wantExit(t, done, host.ExitOK)
	var got []string
	for l := range lines {
		got = append(got, l)
	}
	want := []string{"echoes done; the busy task ran meanwhile: true", "the busy task ran until the echoes were done"}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] || errb.String() != "" {
		t.Fatalf("printed %q, want %q; stderr %q", got, want, errb.String())
	}
}
