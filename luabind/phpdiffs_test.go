package luabind_test

import (
	"strings"
	"testing"

	"github.com/luasock/luasock/internal/testprog"
	"github.com/luasock/luasock/internal/testutil"
)

// The differences from PHP that reference.md lists: each test runs php and
// luasock on the same calls and checks both outputs, so a test fails when
// either side changes.

// TestAddressMistakesUnlikePHP: addresses a learner gets wrong fail with
// errno 0 in both, from the server and the client. PHP's errstr reports a
// host lookup it should not have made (for "tcp:/h:1" it looks up a host
// named "tcp"); luasock's says what is wrong. PHP's is checked as a prefix:
// the resolver's reason varies.
func TestAddressMistakesUnlikePHP(t *testing.T) {
	php := testprog.Need(t, "php", "php-cli")
	// php "": PHP looks the name up (a host called tcp, unix or x), which
	// would send a query off the machine: only luasock's side is run. The
	// comments say what PHP answers (checked by hand with php-cli 8.2).
	tests := []struct{ address, php, luasock string }{
		{"tcp:/127.0.0.1:8000", "", // PHP: getaddrinfo for tcp failed
			`Failed to parse address "tcp:/127.0.0.1:8000": "tcp:/" must be "tcp://", as in "tcp://127.0.0.1:8000"`},
		{"tcp:127.0.0.1", "", // PHP: getaddrinfo for tcp failed
			`Failed to parse address "tcp:127.0.0.1": "tcp:" must be "tcp://", as in "tcp://127.0.0.1"`},
		{"unix:/tmp/luasock-none.sock", "", // PHP: getaddrinfo for unix failed
			`Failed to parse address "unix:/tmp/luasock-none.sock": "unix:" must be "unix://", as in "unix:///tmp/luasock-none.sock"`},
		{"tcp:///127.0.0.1:8000", "", // PHP: getaddrinfo for /127.0.0.1 failed
			`Failed to parse address "/127.0.0.1:8000": "tcp:///" must be "tcp://", as in "tcp://127.0.0.1:8000"`},
		// PHP's own errstr, then the reason.
		{"tcp:///x", `Failed to parse address "/x"`,
			`Failed to parse address "/x": "tcp:///" must be "tcp://", as in "tcp://x"`},
		// PHP's errstr hides the empty name between two spaces.
		{"tcp://:80", "php_network_getaddresses: getaddrinfo for  failed: Name or service not known",
			`getaddrinfo for "" failed: Name or service not known`},
		// PHP takes a one-letter transport for a host name.
		{"x://127.0.0.1:80", "", // PHP: getaddrinfo for x failed
			`Unable to find the socket transport "x"`},
	}
	var args, phpArgs []string
	for _, tt := range tests {
		args = append(args, tt.address)
		if tt.php != "" {
			phpArgs = append(phpArgs, tt.address)
		}
	}
	phpOut := testprog.Output(t, php, append([]string{"-r", `
foreach (array_slice($argv, 1) as $a) {
  $s = @stream_socket_server($a, $errno, $errstr);
  echo $s ? "made" : "$errno $errstr", "\n";
  $c = @stream_socket_client($a, $errno, $errstr, 5);
  echo $c ? "made" : "$errno $errstr", "\n";
}
`, "--"}, phpArgs...)...)
	r := testutil.Run(t, `
for _, a in ipairs({...}) do
  for _, make in ipairs({stream_socket_server, function(a) return stream_socket_client(a, 5) end}) do
    local s, errstr, errno = make(a)
    print(s and "made" or errno .. " " .. errstr)
  end
end
`, nil, args...)
	phpLines := strings.Split(phpOut, "\n")
	luaLines := strings.Split(r.Stdout, "\n")
	if r.Code != 0 || len(phpLines) != 2*len(phpArgs)+1 || len(luaLines) != 2*len(tests)+1 {
		r.Fatalf(t, "want two lines per address from both; php printed:\n%s", phpOut)
	}
	p := 0
	for i, tt := range tests {
		for j, side := range []string{"server", "client"} {
			if tt.php == "" {
				continue
			}
			if got := phpLines[2*p+j]; !strings.HasPrefix(got, "0 "+tt.php) {
				t.Errorf("%s %q: php says %q, want errno 0 and %q", side, tt.address, got, tt.php)
			}
		}
		if tt.php != "" {
			p++
		}
		for j, side := range []string{"server", "client"} {
			if got := luaLines[2*i+j]; got != "0 "+tt.luasock {
				t.Errorf("%s %q: luasock says %q, want errno 0 and %q", side, tt.address, got, tt.luasock)
			}
		}
	}
}

// TestUnixAutobindAsPHP: unix:// and udg:// with no path bind an abstract
// name the kernel picks, in PHP too (/proc/net/unix shows it, found by the
// socket's inode). PHP's stream_socket_get_name cannot show an abstract name
// and returns false; luasock's returns it, and a client reaches the server
// by it.
func TestUnixAutobindAsPHP(t *testing.T) {
	testutil.NeedLinux(t, "autobind (an abstract unix name the kernel picks)")
	php := testprog.Need(t, "php", "php-cli")
	out := testprog.Output(t, php, "-r", `
function sockets() {
  $r = [];
  foreach (glob("/proc/self/fd/*") as $f) {
    if (preg_match('/^socket:\[(\d+)\]$/', (string)@readlink($f), $m)) $r[] = $m[1];
  }
  return $r;
}
function kernel_name($inode) {
  foreach (file("/proc/net/unix") as $l) {
    $p = preg_split('/\s+/', trim($l));
    if ($p[6] === $inode) return $p[7] ?? "";
  }
  return "?";
}
foreach ([["unix://", STREAM_SERVER_BIND | STREAM_SERVER_LISTEN], ["udg://", STREAM_SERVER_BIND]] as [$a, $flags]) {
  $before = sockets();
  $s = stream_socket_server($a, $errno, $errstr, $flags);
  $new = array_values(array_diff(sockets(), $before));
  echo $a, count($new) == 1 && preg_match('/^@[0-9a-f]{5}$/', kernel_name($new[0])) ? " autobound" : " not autobound",
    ", name ", var_export(stream_socket_get_name($s, false), true), "\n";
}
$s = stream_socket_server("unix://\0luasock-test-" . getmypid());
echo "a name of its own: ", var_export(stream_socket_get_name($s, false), true), "\n";
`)
	if want := "unix:// autobound, name false\nudg:// autobound, name false\na name of its own: false\n"; out != want {
		t.Fatalf("php: %s", testutil.Diff(want, out))
	}
	testutil.Expect(t, `
local function kernel_has(name) -- /proc/net/unix writes the leading NUL as '@'
  for l in io.lines("/proc/net/unix") do
    if l:match("%S+$") == "@" .. name:sub(2) then return true end
  end
end
for _, case in ipairs({{"unix://", STREAM_SERVER_BIND + STREAM_SERVER_LISTEN}, {"udg://", STREAM_SERVER_BIND}}) do
  local s = assert(stream_socket_server(case[1], case[2]))
  local name = stream_socket_get_name(s, false)
  local got
  local c = assert(stream_socket_client(case[1] .. name))
  fwrite(c, "hi")
  if case[1] == "unix://" then got = fread(assert(stream_socket_accept(s)), 2) else got = fread(s, 2) end
  print(case[1] .. (kernel_has(name) and " autobound" or " not autobound") .. ", name " ..
    (name:match("^%z%x%x%x%x%x$") and "NUL and 5 hex digits" or string.format("%q", name)) .. ", a client reached it: " .. got)
end
local own = "\0luasock-test-" .. tostring({}):match("%x+$")
print("a name of its own: " .. tostring(stream_socket_get_name(assert(stream_socket_server("unix://" .. own)), false) == own))
`, "unix:// autobound, name NUL and 5 hex digits, a client reached it: hi\n"+
		"udg:// autobound, name NUL and 5 hex digits, a client reached it: hi\n"+
		"a name of its own: true\n", nil)
}

// TestBindtoFailsUnlikePHP: a bindto that does not parse or cannot be bound
// fails the client; PHP connects anyway, from an address the kernel picks.
func TestBindtoFailsUnlikePHP(t *testing.T) {
	php := testprog.Need(t, "php", "php-cli")
	tests := []struct{ bindto, luasock string }{
		{"127.0.0.1:0", "connected"},
		{"127.0.0.1", `0 Failed to parse address "127.0.0.1"`},
		{"127.0.0.1:abc", `0 Failed to parse address "127.0.0.1:abc": the port must be a number from 0 to 65535`},
		{"127.0.0.1:65536", `0 Failed to parse address "127.0.0.1:65536": the port must be a number from 0 to 65535`},
		{"localhost:0", `0 Failed to parse address "localhost:0": bindto needs an IP address`},
		{"192.0.2.1:0", "99 Cannot assign requested address"},
		{"[::1]:0", "97 Address family not supported by protocol"},
	}
	var args []string
	var phpWant, want strings.Builder
	for _, tt := range tests {
		args = append(args, tt.bindto)
		phpWant.WriteString("connected\n")
		want.WriteString(tt.luasock + "\n")
	}
	out := testprog.Output(t, php, append([]string{"-r", `
$s = stream_socket_server("tcp://127.0.0.1:0");
$addr = "tcp://" . stream_socket_get_name($s, false);
foreach (array_slice($argv, 1) as $b) {
  $c = @stream_socket_client($addr, $errno, $errstr, 5, STREAM_CLIENT_CONNECT, stream_context_create(["socket" => ["bindto" => $b]]));
  echo $c ? "connected" : "$errno $errstr", "\n";
}
`, "--"}, args...)...)
	if out != phpWant.String() {
		t.Fatalf("php: %s", testutil.Diff(phpWant.String(), out))
	}
	testutil.Expect(t, `
local s = assert(stream_socket_server("tcp://127.0.0.1:0"))
local addr = "tcp://" .. stream_socket_get_name(s, false)
for _, b in ipairs({...}) do
  local c, errstr, errno = stream_socket_client(addr, 5, STREAM_CLIENT_CONNECT, {socket = {bindto = b}})
  print(c and "connected" or errno .. " " .. errstr)
end
`, want.String(), nil, args...)
}

// TestRecvfromStreamPeerUnlikePHP: on a TCP stream stream_socket_recvfrom's
// address is the peer's (PHP: ""); an unnamed peer is "" in both.
func TestRecvfromStreamPeerUnlikePHP(t *testing.T) {
	php := testprog.Need(t, "php", "php-cli")
	out := testprog.Output(t, php, "-r", `
$s = stream_socket_server("tcp://127.0.0.1:0");
$c = stream_socket_client("tcp://" . stream_socket_get_name($s, false));
$a = stream_socket_accept($s);
$p = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0);
foreach ([[$c, $a], [$a, $c], $p] as [$from, $to]) {
  fwrite($from, "hi");
  $data = stream_socket_recvfrom($to, 10, 0, $peer);
  echo $data, " from ", $peer === stream_socket_get_name($to, true) && $peer !== "" ? "the peer" : var_export($peer, true), "\n";
}
`)
	if want := "hi from ''\nhi from ''\nhi from ''\n"; out != want {
		t.Fatalf("php: %s", testutil.Diff(want, out))
	}
	testutil.Expect(t, `
local s = assert(stream_socket_server("tcp://127.0.0.1:0"))
local c = assert(stream_socket_client("tcp://" .. stream_socket_get_name(s, false)))
local a = assert(stream_socket_accept(s))
local p, q = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0)
for _, ends in ipairs({{c, a}, {a, c}, {p, q}}) do
  fwrite(ends[1], "hi")
  local data, peer = stream_socket_recvfrom(ends[2], 10, 0)
  print(data .. " from " .. (peer == stream_socket_get_name(ends[2], true) and peer ~= "" and "the peer" or string.format("'%s'", peer)))
end
`, "hi from the peer\nhi from the peer\nhi from ''\n", nil)
}

// TestSelectBufferedUnlikePHP: with bytes that fgets read ahead on a read
// stream, luasock's stream_select still reports every ready handle: the
// buffered stream, one with bytes in the kernel, a writable one. PHP
// returns the buffered streams alone and empties the write table.
func TestSelectBufferedUnlikePHP(t *testing.T) {
	php := testprog.Need(t, "php", "php-cli")
	out := testprog.Output(t, php, "-r", `
$s = stream_socket_server("tcp://127.0.0.1:0");
$name = "tcp://" . stream_socket_get_name($s, false);
$c = stream_socket_client($name); $a = stream_socket_accept($s);
$c2 = stream_socket_client($name); $a2 = stream_socket_accept($s);
fwrite($c, "one\ntwo\n");
fwrite($c2, "x\n");
$r = [$a2]; $w = $e = null;
stream_select($r, $w, $e, 5); // a2's bytes have arrived
echo fgets($a), "buffered ", stream_get_meta_data($a)["unread_bytes"], "\n";
$r = ["a" => $a, "a2" => $a2]; $w = ["c" => $c]; $e = null;
$n = stream_select($r, $w, $e, 5);
echo $n, " ready: read ", implode(",", array_keys($r)), ", write ", implode(",", array_keys($w)), "\n";
`)
	if want := "one\nbuffered 4\n1 ready: read a, write \n"; out != want {
		t.Fatalf("php: %s", testutil.Diff(want, out))
	}
	r := testutil.Run(t, `
local s = assert(stream_socket_server("tcp://127.0.0.1:0"))
local name = "tcp://" .. stream_socket_get_name(s, false)
local c = assert(stream_socket_client(name)) local a = assert(stream_socket_accept(s))
local c2 = assert(stream_socket_client(name)) local a2 = assert(stream_socket_accept(s))
fwrite(c, "one\ntwo\n")
fwrite(c2, "x\n")
stream_select({a2}, nil, nil, 5) -- a2's bytes have arrived
io.write(fgets(a), "buffered ", stream_get_meta_data(a).unread_bytes, "\n")
local r, w = {a = a, a2 = a2}, {c = c}
local n = stream_select(r, w, nil, 5)
local function keys(t) local k = {} for key in pairs(t) do k[#k + 1] = key end table.sort(k) return table.concat(k, ",") end
print(n .. " ready: read " .. keys(r) .. ", write " .. keys(w))
`, nil)
	r.Want(t, "one\nbuffered 4\n3 ready: read a,a2, write c\n")
}
