package luabind_test

import (
	"strings"
	"testing"

	"github.com/luasock/luasock/internal/testprog"
	"github.com/luasock/luasock/internal/testutil"
)

// TestNonBlockingNothingAsPHP: what each read of a non-blocking stream
// returns when nothing is there, run in php and in luasock, beside the
// data that the same result would be mistaken for (an empty datagram, an
// empty line, the end of a stream). PHP's false is luasock's
// `nil, "Resource temporarily unavailable", 11`. luasock differs where
// PHP's result is also data: its "" that cannot be told from an empty
// datagram (fread on udp) or from the end (stream_get_contents) is
// EAGAIN, and fgets, whose "" is never a line, keeps "" (PHP: false).
func TestNonBlockingNothingAsPHP(t *testing.T) {
	php := testprog.Need(t, "php", "php-cli")
	out := testprog.Output(t, php, "-r", `
function show($what, $v) { echo $what, " ", $v === false ? "false" : var_export($v, true), "\n"; }
function ready($s) { $r = [$s]; $w = $e = null; stream_select($r, $w, $e, 10); }
$s = stream_socket_server("tcp://127.0.0.1:0");
$c = stream_socket_client("tcp://" . stream_socket_get_name($s, false));
$conn = stream_socket_accept($s);
stream_set_blocking($conn, false);
show("tcp fread", fread($conn, 10));
show("tcp fgets", fgets($conn));
show("tcp stream_get_line", stream_get_line($conn, 10, "\n"));
show("tcp stream_get_contents", stream_get_contents($conn));
show("tcp stream_socket_recvfrom", stream_socket_recvfrom($conn, 10));
stream_set_blocking($s, false);
show("tcp stream_socket_accept", @stream_socket_accept($s, 0));
fwrite($c, "\n");
ready($conn);
show("tcp empty line stream_get_line", stream_get_line($conn, 10, "\n"));
fclose($c);
ready($conn);
show("tcp end stream_get_contents", stream_get_contents($conn));
$u = stream_socket_server("udp://127.0.0.1:0", $errno, $errstr, STREAM_SERVER_BIND);
stream_set_blocking($u, false);
show("udp fread", fread($u, 10));
show("udp fgets", fgets($u));
show("udp stream_get_line", stream_get_line($u, 10, "\n"));
show("udp stream_get_contents", stream_get_contents($u));
show("udp stream_socket_recvfrom", stream_socket_recvfrom($u, 10));
$uc = stream_socket_client("udp://" . stream_socket_get_name($u, false));
stream_socket_sendto($uc, ""); // (PHP's fwrite sends no empty datagram)
ready($u);
show("udp empty datagram stream_socket_recvfrom", stream_socket_recvfrom($u, 10));
stream_socket_sendto($uc, "");
ready($u);
show("udp empty datagram fread", fread($u, 10));
`)
	r := testutil.Run(t, `
local function show(what, v, errstr, code)
  if v == nil and (code == errno.EAGAIN or code == errno.ETIMEDOUT) then -- (accept's is a timeout)
    print(what .. " false")
  elseif type(v) == "string" then
    print(what .. " '" .. v .. "'")
  else
    print(what, v, errstr, code)
  end
end
local function ready(s) stream_select({s}, nil, nil, 10) end
local s = assert(stream_socket_server("tcp://127.0.0.1:0"))
local c = assert(stream_socket_client("tcp://" .. stream_socket_get_name(s, false)))
local conn = assert(stream_socket_accept(s))
stream_set_blocking(conn, false)
show("tcp fread", fread(conn, 10))
show("tcp fgets", fgets(conn))
show("tcp stream_get_line", stream_get_line(conn, 10, "\n"))
show("tcp stream_get_contents", stream_get_contents(conn))
show("tcp stream_socket_recvfrom", stream_socket_recvfrom(conn, 10))
stream_set_blocking(s, false)
show("tcp stream_socket_accept", stream_socket_accept(s, 0))
fwrite(c, "\n")
ready(conn)
show("tcp empty line stream_get_line", stream_get_line(conn, 10, "\n"))
fclose(c)
ready(conn)
show("tcp end stream_get_contents", stream_get_contents(conn))
local u = assert(stream_socket_server("udp://127.0.0.1:0", STREAM_SERVER_BIND))
stream_set_blocking(u, false)
show("udp fread", fread(u, 10))
show("udp fgets", fgets(u))
show("udp stream_get_line", stream_get_line(u, 10, "\n"))
show("udp stream_get_contents", stream_get_contents(u))
show("udp stream_socket_recvfrom", stream_socket_recvfrom(u, 10))
local uc = assert(stream_socket_client("udp://" .. stream_socket_get_name(u, false)))
stream_socket_sendto(uc, "")
ready(u)
show("udp empty datagram stream_socket_recvfrom", stream_socket_recvfrom(u, 10))
stream_socket_sendto(uc, "")
ready(u)
show("udp empty datagram fread", fread(u, 10))
`, nil)
	// luasock's differences, as docs/reference.md states them.
	want := strings.NewReplacer(
		"tcp fgets false", "tcp fgets ''",
		"udp fgets false", "udp fgets ''",
		"tcp stream_get_contents ''", "tcp stream_get_contents false",
		"udp stream_get_contents ''", "udp stream_get_contents false",
		"udp fread ''", "udp fread false",
	).Replace(out)
	if want == out {
		t.Fatalf("php's output has none of the differences:\n%s", out)
	}
	if r.Code != 0 || r.Stdout != want {
		r.Fatalf(t, "want php's output with luasock's differences; %s", testutil.Diff(want, r.Stdout))
	}
}
