package luabind_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/luasock/luasock/internal/testutil"
)

// TestBadArguments: wrong types and PHP's ValueErrors raise
// `bad argument #N to 'name' (...)`; a closed handle raises too.
func TestBadArguments(t *testing.T) {
	tests := []struct{ call, want string }{
		{`stream_socket_server()`, `bad argument #1 to 'stream_socket_server' (string expected, got no value)`},
		{`stream_socket_server({})`, `bad argument #1 to 'stream_socket_server' (string expected, got table)`},
		{`stream_socket_server("tcp://127.0.0.1:0", "x")`, `bad argument #2 to 'stream_socket_server' (number expected, got string)`},
		{`stream_socket_server("tcp://127.0.0.1:0", nil, 5)`, `bad argument #3 to 'stream_socket_server' (context expected, got number)`},
		{`stream_socket_accept(nil)`, `bad argument #1 to 'stream_socket_accept' (stream expected, got nil)`},
		{`stream_socket_accept(srv, "soon")`, `bad argument #2 to 'stream_socket_accept' (number expected, got string)`},
		{`stream_socket_accept(stream_context_create())`, `bad argument #1 to 'stream_socket_accept' (stream expected, got userdata)`},
		{`stream_socket_recvfrom(udp, 0)`, `bad argument #2 to 'stream_socket_recvfrom' (must be greater than 0)`},
		{`stream_socket_recvfrom(udp, -5)`, `bad argument #2 to 'stream_socket_recvfrom' (must be greater than 0)`},
		{`stream_socket_recvfrom(udp)`, `bad argument #2 to 'stream_socket_recvfrom' (number expected, got no value)`},
		{`stream_socket_recvfrom(udp, 10, "peek")`, `bad argument #3 to 'stream_socket_recvfrom' (number expected, got string)`},
		{`stream_socket_sendto(udp)`, `bad argument #2 to 'stream_socket_sendto' (string expected, got no value)`},
		{`stream_socket_sendto(udp, "x", 0, {})`, `bad argument #4 to 'stream_socket_sendto' (string expected, got table)`},
		{`udp:sendto("x", 5, "flags")`, `bad argument #4 to 'sendto' (number expected, got string)`},
		{`stream_socket_get_name(srv)`, `bad argument #2 to 'stream_socket_get_name' (boolean expected, got no value)`},
		{`fread(srv, 0)`, `bad argument #2 to 'fread' (must be greater than 0)`},
		{`fread("x", 1)`, `bad argument #1 to 'fread' (stream expected, got string)`},
		{`fgets(srv, 0)`, `bad argument #2 to 'fgets' (must be greater than 0)`},
		{`fwrite(srv)`, `bad argument #2 to 'fwrite' (string expected, got no value)`},
		{`fwrite(srv, "x", "y")`, `bad argument #3 to 'fwrite' (number expected, got string)`},
		{`stream_get_line(srv, -1)`, `bad argument #2 to 'stream_get_line' (must be greater than or equal to 0)`},
		{`stream_get_contents(srv, -2)`, `bad argument #2 to 'stream_get_contents' (must be greater than or equal to -1)`},
		{`stream_set_timeout(srv)`, `bad argument #2 to 'stream_set_timeout' (number expected, got no value)`},
		{`stream_set_blocking(srv)`, `bad argument #2 to 'stream_set_blocking' (boolean expected, got no value)`},
		{`stream_socket_shutdown(srv, 3)`, `bad argument #2 to 'stream_socket_shutdown' (must be one of STREAM_SHUT_RD, STREAM_SHUT_WR, or STREAM_SHUT_RDWR)`},
		{`srv:read(0)`, `bad argument #2 to 'read' (must be greater than 0)`},
		{`srv.read(nil, 1)`, `bad argument #1 to 'read' (stream expected, got nil)`},
		{`date()`, `bad argument #1 to 'date' (string expected, got no value)`},
		{`date("Y", "now")`, `bad argument #2 to 'date' (number expected, got string)`},
		{`strerror("x")`, `bad argument #1 to 'strerror' (number expected, got string)`},
		{`stream_context_create(5)`, `bad argument #1 to 'stream_context_create' (table expected, got number)`},
		{`stream_context_create({socket = 5})`, `bad argument #1 to 'stream_context_create' (options must have the form {wrapper = {option = value}})`},
		{`stream_context_create({1, 2})`, `bad argument #1 to 'stream_context_create' (options must have the form {wrapper = {option = value}})`},
		{`stream_context_create({socket = {backlg = 5}})`, `bad argument #1 to 'stream_context_create' (unknown socket option 'backlg' (known: backlog, bindto, group, ipv6_v6only, mode, owner, proxy_protocol, proxy_trusted, proxy_untrusted, so_broadcast, so_reuseaddr, so_reuseport, tcp_nodelay))`},
		{`stream_context_create({socket = {backlog = "many"}})`, `bad argument #1 to 'stream_context_create' (socket option 'backlog' must be a number, got string)`},
		{`stream_context_create({socket = {so_reuseport = "yes"}})`, `bad argument #1 to 'stream_context_create' (socket option 'so_reuseport' must be a boolean, got string)`},
		{`stream_context_create({socket = {bindto = 5}})`, `bad argument #1 to 'stream_context_create' (socket option 'bindto' must be a string, got number)`},
		{`stream_socket_server("tcp://127.0.0.1:0", nil, {socket = {tcp_nodelay = {}}})`, `bad argument #3 to 'stream_socket_server' (socket option 'tcp_nodelay' must be a boolean, got table)`},
	}
	for _, tt := range tests {
		t.Run(tt.call, func(t *testing.T) {
			src := `
srv = assert(stream_socket_server("tcp://127.0.0.1:0"))
udp = assert(stream_socket_server("udp://127.0.0.1:0", STREAM_SERVER_BIND))
local ok, err = pcall(function() return ` + tt.call + ` end)
print(ok, err)
`
			testutil.Expect(t, src, "false\ttest.lua:4: "+tt.want+"\n", nil)
		})
	}
}

// TestClosedHandle: every function and method raises on a closed handle, a
// second fclose included, as PHP's "not a valid stream resource" TypeError,
// and says where it was closed.
func TestClosedHandle(t *testing.T) {
	calls := []string{
		`fclose(s)`, `s:close()`, `fread(s, 1)`, `s:read(1)`, `fgets(s)`, `s:gets()`, `fwrite(s, "x")`,
		`s:write("x")`, `feof(s)`, `s:eof()`, `stream_socket_accept(s, 0)`, `s:accept(0)`,
		`stream_socket_recvfrom(s, 1)`, `s:recvfrom(1)`, `stream_socket_sendto(s, "x")`,
		`s:sendto("x")`, `stream_socket_get_name(s, false)`, `s:name()`, `s:peer()`,
		`stream_set_timeout(s, 1)`, `s:settimeout(1)`, `stream_set_blocking(s, false)`,
		`s:setblocking(false)`, `stream_get_meta_data(s)`, `s:meta()`, `stream_socket_shutdown(s, 2)`,
		`s:shutdown(2)`, `stream_get_contents(s)`, `stream_get_line(s, 10)`,
	}
	var src strings.Builder
	src.WriteString("local s = assert(stream_socket_server('tcp://127.0.0.1:0'))\nprint(fclose(s), tostring(s))\n")
	var want strings.Builder
	want.WriteString("true\tclosed tcp handle\n")
	for _, call := range calls {
		src.WriteString("print(select(2, pcall(function() return " + call + " end)))\n")
		name := strings.SplitN(strings.TrimPrefix(call, "s:"), "(", 2)[0]
		want.WriteString("test.lua:" + strconv.Itoa(len(strings.Split(src.String(), "\n"))-1) +
			": bad argument #1 to '" + name + "' (supplied resource is not a valid stream resource: closed by fclose() at test.lua:2)\n")
	}
	testutil.Expect(t, src.String(), want.String(), nil)
}

// TestGlobals: constants, errno, strerror, transports, require.
func TestGlobals(t *testing.T) {
	src := `
print(STREAM_SERVER_BIND, STREAM_SERVER_LISTEN, STREAM_OOB, STREAM_PEEK, STREAM_CLIENT_CONNECT, STREAM_SHUT_RDWR)
print(errno.EADDRINUSE, errno.EACCES, errno.ETIMEDOUT, errno.EWOULDBLOCK == errno.EAGAIN, errno.ENOTSUP)
print(strerror(errno.ECONNREFUSED), strerror(0))
print(table.concat(stream_get_transports(), ","))
local m = require("luasock")
print(m.stream_socket_server == stream_socket_server, m.STREAM_PEEK, m.errno.EPIPE, m.date == date and m.date("Y", 0) == date("Y", 0))
`
	testutil.Expect(t, src, "4\t8\t1\t2\t4\t2\n98\t13\t110\ttrue\t95\nConnection refused\tSuccess\ntcp,udp,unix,udg,ssl,tls,tlsv1.0,tlsv1.1,tlsv1.2,tlsv1.3\ntrue\t2\t32\ttrue\n", nil)
}
