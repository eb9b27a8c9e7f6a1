package luabind_test

import (
	"testing"

	"github.com/luasock/luasock/internal/testprog"
	"github.com/luasock/luasock/internal/testutil"
)

// TestServerFlagsAsPHP: stream_socket_server with LISTEN but no BIND, and
// with no flags, makes a stream with no name whose accept waits out its
// timeout (PHP ignores LISTEN without BIND; listen(2) alone would bind every
// interface); bound but not listening, accept fails at once. The same calls
// run in php and in luasock. The wait is judged against each call's own
// timeout: 0.2 s, which must pass, where accept times out; 10 s, which a
// stall cannot reach, where it must fail before.
func TestServerFlagsAsPHP(t *testing.T) {
	php := testprog.Need(t, "php", "php-cli")
	out := testprog.Output(t, php, "-r", `
foreach ([[STREAM_SERVER_LISTEN, 0.2], [0, 0.2], [STREAM_SERVER_BIND, 10]] as [$flags, $timeout]) {
  $s = stream_socket_server("tcp://127.0.0.1:0", $errno, $errstr, $flags);
  $name = stream_socket_get_name($s, false);
  echo $name === false ? "no name" : "named", "\n";
  $t = microtime(true);
  error_clear_last();
  $c = @stream_socket_accept($s, $timeout);
  echo $c === false ? "no connection: " . preg_replace('/^.*Accept failed: /', '', error_get_last()["message"] ?? "") : "accepted",
    microtime(true) - $t >= $timeout ? " after the timeout" : " before the timeout", "\n";
}
`)
	r := testutil.Run(t, `
for _, case in ipairs({{STREAM_SERVER_LISTEN, 0.2}, {0, 0.2}, {STREAM_SERVER_BIND, 10}}) do
  local flags, timeout = case[1], case[2]
  local s = assert(stream_socket_server("tcp://127.0.0.1:0", flags))
  print(stream_socket_get_name(s, false) == nil and "no name" or "named")
  local t = microtime(true)
  local conn, err = stream_socket_accept(s, timeout)
  print((conn == nil and "no connection: " .. err or "accepted") ..
    (microtime(true) - t >= timeout and " after the timeout" or " before the timeout"))
end
`, nil)
	if r.Code != 0 || r.Stdout != out {
		r.Fatalf(t, "want php's output; %s", testutil.Diff(out, r.Stdout))
	}
}

// TestPairStreamTypeAsPHP: stream_socket_pair's streams are PHP's
// "generic_socket", stream or datagram.
func TestPairStreamTypeAsPHP(t *testing.T) {
	php := testprog.Need(t, "php", "php-cli")
	out := testprog.Output(t, php, "-r", `
foreach ([STREAM_SOCK_STREAM, STREAM_SOCK_DGRAM] as $type) {
  $p = stream_socket_pair(STREAM_PF_UNIX, $type, 0);
  echo stream_get_meta_data($p[0])["stream_type"], " ", stream_get_meta_data($p[1])["stream_type"], "\n";
}
`)
	r := testutil.Run(t, `
for _, typ in ipairs({STREAM_SOCK_STREAM, STREAM_SOCK_DGRAM}) do
  local a, b = stream_socket_pair(STREAM_PF_UNIX, typ, 0)
  print(stream_get_meta_data(a).stream_type .. " " .. stream_get_meta_data(b).stream_type)
end
`, nil)
	if r.Code != 0 || r.Stdout != out {
		r.Fatalf(t, "want php's output; %s", testutil.Diff(out, r.Stdout))
	}
}
