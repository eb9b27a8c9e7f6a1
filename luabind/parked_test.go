package luabind_test

import (
	"testing"

	"github.com/luasock/luasock/internal/testutil"
)

// TestAfterAWaitATimeoutStillTries: an accept or a datagram receive whose
// last call waited for its client or datagram starts the next one with the
// wait; one with a timeout must still take what is already queued, however
// short the timeout (a wait whose deadline has passed makes no try).
func TestAfterAWaitATimeoutStillTries(t *testing.T) {
	src := `
local s = assert(stream_socket_server("tcp://127.0.0.1:0"))
spawn(function() sleep(0.02) assert(stream_socket_client("tcp://" .. s:name())) end)
assert(stream_socket_accept(s)) -- waits for its client
local c = assert(stream_socket_client("tcp://" .. s:name()))
assert(stream_select({s}, nil, nil, 10) == 1) -- the client is queued
print(stream_socket_accept(s, 0.000001) ~= nil)

local u = assert(stream_socket_server("udp://127.0.0.1:0", STREAM_SERVER_BIND))
local sender = assert(stream_socket_client("udp://" .. u:name()))
spawn(function() sleep(0.02) fwrite(sender, "first") end)
print(stream_socket_recvfrom(u, 10)) -- waits for its datagram
fwrite(sender, "second")
local ready = {u}
assert(stream_select(ready, nil, nil, 10) == 1) -- the datagram is queued
stream_set_timeout(u, 0, 1)
print(stream_socket_recvfrom(u, 10))`
	testutil.Run(t, src, nil).WantMatch(t, "true\nfirst\t127\\.0\\.0\\.1:\\d+\nsecond\t127\\.0\\.0\\.1:\\d+\n")
}
