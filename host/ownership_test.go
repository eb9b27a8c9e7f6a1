package host_test

import (
	"bufio"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/luasock/luasock/internal/testutil"
)

// TestSpawnedTaskOwnsItsHandles: a handle passed to spawn belongs to that
// task; when the task ends, by return or by error, the handles it neither
// closed nor handed on to another spawn are closed, so its client is not
// left waiting until the run ends.
func TestSpawnedTaskOwnsItsHandles(t *testing.T) {
	src := `
local server = assert(stream_socket_server("tcp://127.0.0.1:0"))
print(stream_socket_get_name(server, false))
local serve = {
  function(conn) fwrite(conn, "raising\n") error("boom") end,
  function(conn) fwrite(conn, "forgetting\n") end,
  function(conn) fwrite(conn, "closing\n") fclose(conn) end,
  function(conn) -- hands it on: the second task still has it
    spawn(function(c) sleep(0) fwrite(c, "handed on\n") end, conn)
  end,
}
for i = 1, #serve do
  local conn = assert(stream_socket_accept(server))
  spawn(serve[i], conn)
end
-- The run goes on until the peer says bye: the run's end must not be what
-- closes the tasks' connections.
fclose(assert(stream_socket_accept(server)))
print("done")
`
	got := make([]string, 4)
	bound := hangBound(t)
	r := testutil.Run(t, src, func(t testing.TB, lines <-chan string) {
		addr := testutil.NextLine(t, lines)
		for i := range got {
			c := testutil.Dial(t, "tcp", addr)
			if c == nil {
				return
			}
			// Reading to EOF ends only when the server closes the connection.
			c.SetDeadline(time.Now().Add(bound))
			b, err := io.ReadAll(bufio.NewReader(c))
			c.Close()
			if err != nil {
				t.Errorf("client %d: %v (got %q)", i+1, err, b)
			}
			got[i] = string(b)
		}
		if bye := testutil.Dial(t, "tcp", addr); bye != nil {
			bye.Close()
		}
	})
	want := []string{"raising\n", "forgetting\n", "closing\n", "handed on\n"}
	if strings.Join(got, "|") != strings.Join(want, "|") || !strings.HasSuffix(r.Stdout, "done\n") {
		t.Fatalf("clients read %q, want %q\nstdout:\n%s\nstderr:\n%s", got, want, r.Stdout, r.Stderr)
	}
	if !strings.Contains(r.Stderr, "boom") {
		t.Fatalf("the raising task's error is not reported:\n%s", r.Stderr)
	}
}
