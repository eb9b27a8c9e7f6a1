package luabind_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/luasock/luasock/internal/testutil"
	"github.com/luasock/luasock/luabind"
)

// TestClientFailures produces each connect failure for real.
func TestClientFailures(t *testing.T) {
	dir := t.TempDir()
	udg := filepath.Join(dir, "dg.sock")
	tests := []struct {
		name, src, want string
	}{
		{"refused", `print(stream_socket_client("tcp://` + luabind.RefusingAddr(t, "tcp") + `"))`, "nil\tConnection refused\t111"},
		{"no such unix path", `print(stream_socket_client("unix://` + dir + `/none.sock"))`, "nil\tNo such file or directory\t2"},
		{"stream client to a datagram socket", `local s = assert(stream_socket_server("udg://` + udg + `", STREAM_SERVER_BIND))
print(stream_socket_client("unix://` + udg + `"))`, "nil\tProtocol wrong type for socket\t91"},
		{"unknown transport", `print(stream_socket_client("ftp://x:1"))`, "nil\tUnable to find the socket transport \"ftp\"\t0"},
		{"bad port", `print(stream_socket_client("tcp://127.0.0.1:x"))`, "nil\tFailed to parse address \"127.0.0.1:x\": the port must be a number from 0 to 65535\t0"},
		{"unresolvable", `print(stream_socket_client("tcp://nosuchhost.invalid:80"))`, "nil\tgetaddrinfo for nosuchhost.invalid failed: Name or service not known\t0"},
		{"bad bindto", `print(stream_socket_client("tcp://127.0.0.1:9", 1, nil, {socket = {bindto = "localhost:0"}}))`,
			"nil\tFailed to parse address \"localhost:0\": bindto needs an IP address\t0"},
		{"bindto not local", `print(stream_socket_client("tcp://127.0.0.1:9", 1, nil, {socket = {bindto = "192.0.2.1:0"}}))`,
			"nil\tCannot assign requested address\t99"},
		// A listener whose accept queue is full drops new SYNs: the connect times out.
		{"timeout", `local s = assert(stream_socket_server("tcp://127.0.0.1:0", nil, {socket = {backlog = 0}}))
local held = {}
for i = 1, 8 do
  local c, err, code = stream_socket_client("tcp://" .. s:name(), 0.2)
  if not c then print(c, err, code) break end
  held[i] = c
end`, "nil\tConnection timed out\t110"},
	}
	fds := testutil.OpenFDs(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testutil.Expect(t, tt.src, tt.want+"\n", nil)
		})
	}
	if got := testutil.OpenFDs(t); got > fds { // (fewer: an earlier test's leftovers closed meanwhile)
		t.Fatalf("fds: %d before, %d after", fds, got)
	}
}

// TestClients: tcp (v4, v6, names), unix, udp and udg clients talk to
// luasock servers; bindto sets the source; async connects finish writable.
func TestClients(t *testing.T) {
	dir := t.TempDir()
	src := `
local dir = ...
for _, address in ipairs({"tcp://127.0.0.1:0", "tcp://[::1]:0", "unix://" .. dir .. "/s.sock"}) do
  local s = assert(stream_socket_server(address))
  local target = address:match("^unix") and address or (address:match("^%a+") .. "://" .. s:name())
  local c = assert(stream_socket_client(target))
  local conn, peer = stream_socket_accept(s)
  fwrite(c, "ping\n")
  fwrite(conn, fgets(conn):upper())
  print(fgets(c), c:peer() == s:name(), stream_get_meta_data(c).stream_type, peer == (c:name() or ""))
end

local s = assert(stream_socket_server("tcp://127.0.0.1:0"))
local port = s:name():match(":(%d+)$")
local c = assert(stream_socket_client("localhost:" .. port, 5, STREAM_CLIENT_CONNECT, stream_context_create({socket = {bindto = "127.0.0.1:0", tcp_nodelay = true}})))
print(c:peer() == s:name(), c:name():match("^127%.0%.0%.1:") ~= nil)

local async = assert(stream_socket_client("tcp://" .. s:name(), 5, STREAM_CLIENT_ASYNC_CONNECT))
local w = {async}
print(stream_select(nil, w, nil, 5), w[1] == async, fwrite(async, "late"))
local conn = stream_socket_accept(s) conn = stream_socket_accept(s)
print(fread(conn, 10))

local u = assert(stream_socket_server("udp://127.0.0.1:0", STREAM_SERVER_BIND))
local uc = assert(stream_socket_client("udp://" .. u:name()))
print(fwrite(uc, "dgram"), tostring(uc):match("^udp socket") ~= nil)
local data, from = stream_socket_recvfrom(u, 100)
print(data, from == uc:name())
u:sendto("back", from)
print(fread(uc, 100))

local g = assert(stream_socket_server("udg://" .. dir .. "/g.sock", STREAM_SERVER_BIND))
local gc = assert(stream_socket_client("udg://" .. dir .. "/g.sock"))
print(fwrite(gc, "unnamed"), stream_socket_recvfrom(g, 100))

local closed = assert(stream_socket_client("udp://` + luabind.RefusingAddr(t, "udp") + `"))
print(fwrite(closed, "x"))
print(fread(closed, 10))
`
	want := "PING\n\ttrue\ttcp_socket\ttrue\nPING\n\ttrue\ttcp_socket\ttrue\nPING\n\ttrue\tunix_socket\ttrue\n" +
		"true\ttrue\n1\ttrue\t4\nlate\n5\ttrue\ndgram\ttrue\nback\n7\tunnamed\t\n1\nnil\tConnection refused\t111\n"
	testutil.Expect(t, src, want, nil, dir)
}

// TestPair: two connected unix streams; a bad domain fails as the kernel says.
func TestPair(t *testing.T) {
	src := `
local a, b = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0)
print(tostring(a), stream_get_meta_data(a).stream_type, a:peer())
fwrite(a, "to b\n") fwrite(b, "to a\n")
print(fgets(b), fgets(a))
fclose(a)
print(fread(b, 10), feof(b))
print(stream_socket_pair(99, STREAM_SOCK_STREAM, 0))
print(stream_socket_pair(STREAM_PF_UNIX, 15, 0)) -- no such type (below 16: qemu-user keeps a type's low 4 bits)
local x, y = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_DGRAM, 0)
fwrite(x, "d") print(stream_socket_recvfrom(y, 10))
`
	testutil.Expect(t, src, "unix stream \tgeneric_socket\tnil\nto b\n\tto a\n\nnil\ttrue\n"+
		"nil\tAddress family not supported by protocol\t97\nnil\tInvalid argument\t22\nd\t\n", nil)
}

// TestSelect: readiness of listeners, data, buffered lines, closed peers,
// writability and OOB; tables keep their keys; timeouts give 0.
func TestSelect(t *testing.T) {
	src := `
local s = assert(stream_socket_server("tcp://127.0.0.1:0"))
local r = {listener = s}
print(stream_select(r, nil, nil, 0), r.listener)   -- nothing pending
print(s:name())
r = {listener = s}
print(stream_select(r, nil, nil), r.listener == s) -- nil seconds: until a client comes
local c = stream_socket_accept(s)
r = {c}
print(stream_select(r, {}, nil, 0, 50000), #r)     -- no data yet: 0 after 50 ms
print("send")
r = {[7] = c}
print(stream_select(r, nil, nil, 10), r[7] == c)   -- "two\nlines\n" arrived
print(fgets(c))
r = {c}
print(stream_select(r, nil, nil, 10), r[1] == c)   -- the second line is buffered
print(fgets(c))
print("urgent")
local e = {c}
print(stream_select(nil, nil, e, 10), e[1] == c)
print(stream_socket_recvfrom(c, 1, STREAM_OOB))
print("close")
r = {c}
print(stream_select(r, nil, nil, 10), fread(c, 10))  -- a closed peer is readable: EOF
local w = {x = c}
print(stream_select(nil, w, nil, 0), w.x == c)
`
	peer := func(t testing.TB, lines <-chan string) {
		testutil.NextLine(t, lines)
		addr := testutil.NextLine(t, lines)
		c := testutil.Dial(t, "tcp", addr)
		if c == nil {
			return
		}
		defer c.Close()
		for l := range lines {
			switch l {
			case "send":
				c.Write([]byte("two\nlines\n"))
			case "urgent":
				testutil.SendOOB(t, c, "!")
			case "close":
				return
			}
		}
	}
	r := testutil.Run(t, src, peer)
	want := "1\ttrue\n0\t0\nsend\n1\ttrue\ntwo\n\n1\ttrue\nlines\n\nurgent\n1\ttrue\n!\t"
	if r.Code != 0 || !strings.Contains(r.Stdout, want) || !strings.HasSuffix(r.Stdout, "close\n1\tnil\n1\ttrue\n") ||
		!strings.HasPrefix(r.Stdout, "0\tnil\n") {
		r.Fatalf(t, "want stdout starting 0 nil, holding:\n%s\nand ending in close, then EOF", want)
	}
}

// TestSelectManySockets: no 1024-descriptor limit.
func TestSelectManySockets(t *testing.T) {
	src := `
local r = {}
for i = 1, 1100 do
  local a, b = assert(stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0))
  r[2 * i - 1], r[2 * i] = a, b
end
fwrite(r[2200], "x") -- to r[2199]
print(#r, stream_select(r, nil, nil, 5), next(r), r[2199] ~= nil)
`
	testutil.Expect(t, src, "2200\t1\t2199\ttrue\n", nil)
}

// TestSelectBadArguments: PHP's ValueErrors as raised errors.
func TestSelectBadArguments(t *testing.T) {
	tests := []struct{ call, want string }{
		{`stream_select(nil, nil, nil, 0)`, `bad argument #1 to 'stream_select' (no stream arrays were passed)`},
		{`stream_select({}, nil, nil, -1)`, `bad argument #4 to 'stream_select' (must be greater than or equal to 0)`},
		{`stream_select({}, nil, nil, 0, -1)`, `bad argument #5 to 'stream_select' (must be greater than or equal to 0)`},
		{`stream_select({1}, nil, nil, 0)`, `bad argument #1 to 'stream_select' (element 1 is not a valid stream resource)`},
		{`stream_select(nil, "x", nil, 0)`, `bad argument #2 to 'stream_select' (table or nil expected, got string)`},
		{`stream_select({closed}, nil, nil, 0)`, `bad argument #1 to 'stream_select' (element 1 is not a valid stream resource: closed by fclose() at test.lua:1)`},
		{`stream_socket_client()`, `bad argument #1 to 'stream_socket_client' (string expected, got no value)`},
		{`stream_socket_client("tcp://127.0.0.1:1", "soon")`, `bad argument #2 to 'stream_socket_client' (number expected, got string)`},
		{`stream_socket_client("tcp://127.0.0.1:1", 1, nil, 7)`, `bad argument #4 to 'stream_socket_client' (context expected, got number)`},
		{`stream_socket_pair("unix", 1, 0)`, `bad argument #1 to 'stream_socket_pair' (number expected, got string)`},
	}
	for _, tt := range tests {
		t.Run(tt.call, func(t *testing.T) {
			src := "closed = assert(stream_socket_server('tcp://127.0.0.1:0')) fclose(closed)\n" +
				"print(select(2, pcall(function() return " + tt.call + " end)))\n"
			testutil.Expect(t, src, "test.lua:2: "+tt.want+"\n", nil)
		})
	}
}

// TestWriteTimeoutAndNonBlockingWrites: a peer that does not read fills the
// buffers; a timed write then fails with 110 and sets timed_out, and a
// non-blocking write returns what fit, down to 0.
func TestWriteTimeoutAndNonBlockingWrites(t *testing.T) {
	src := `
local a, b = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0)
stream_set_blocking(a, false)
local chunk = string.rep("z", 65536)
local total, n = 0, nil
for i = 1, 1000 do
  n = fwrite(a, chunk)
  total = total + n
  if n < #chunk then break end
end
print(total > 0, n < #chunk, fwrite(a, chunk))
stream_set_blocking(a, true)
stream_set_timeout(a, 0, 20000)
print(fwrite(a, chunk))
print(stream_get_meta_data(a).timed_out)
print(#fread(b, 100) > 0) -- b reads: room again
stream_set_timeout(b, 0, 20000)
local got = 0
repeat local d = fread(b, 65536) got = got + (d and #d or 0) until not d
print(got == total - 100 or got, stream_get_meta_data(b).timed_out)
`
	testutil.Expect(t, src, "true\ttrue\t0\nnil\tConnection timed out\t110\ntrue\ntrue\ntrue\ttrue\n", nil)
}
