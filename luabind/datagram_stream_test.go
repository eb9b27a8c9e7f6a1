package luabind_test

import (
	"testing"

	"github.com/luasock/luasock/internal/testprog"
	"github.com/luasock/luasock/internal/testutil"
)

// The scripts below make the same calls on loopback UDP sockets, in php and
// in luasock, and print each result the same way: false (nil in Lua) as
// "false", strings in brackets.
const datagramHelpersPHP = `
function show($label, $v) {
  echo $label, " ", $v === false ? "false" : (is_string($v) ? "[$v]" : var_export($v, true)), "\n";
}
function pair() {
  $s = stream_socket_server("udp://127.0.0.1:0", $errno, $errstr, STREAM_SERVER_BIND);
  $c = stream_socket_client("udp://" . stream_socket_get_name($s, false), $errno, $errstr);
  stream_set_timeout($s, 0, 200000);
  return [$s, $c];
}
function readable($s) { $r = [$s]; $w = null; $e = null; return stream_select($r, $w, $e, 0); }
`

const datagramBufferPHP = datagramHelpersPHP + `
[$s, $c] = pair();
fwrite($c, "hello world");
show("fread 5", fread($s, 5));
show("unread", stream_get_meta_data($s)["unread_bytes"]);
show("readable", readable($s));
show("fread 3", fread($s, 3));
fwrite($c, "second"); fwrite($c, "third");
show("recvfrom", stream_socket_recvfrom($s, 100));
show("fread 100", fread($s, 100));
show("fread 100", fread($s, 100));
show("readable", readable($s));
show("fread timeout", @fread($s, 100));
show("feof", feof($s));

[$s, $c] = pair();
fwrite($c, "ab\ncd"); fwrite($c, "ef\n");
show("fgets", fgets($s));
show("fgets", fgets($s));
fwrite($c, "ab|cd"); fwrite($c, "ef|");
show("get_line", stream_get_line($s, 100, "|"));
show("get_line", stream_get_line($s, 100, "|"));
fwrite($c, "0123456789"); fwrite($c, "abc");
show("contents 4", stream_get_contents($s, 4));
show("contents 8", stream_get_contents($s, 8));
show("fread 100", fread($s, 100));
fwrite($c, "ab\ncdef");
show("fgets", fgets($s));
show("fread 2", fread($s, 2));
show("unread", stream_get_meta_data($s)["unread_bytes"]);
show("fread 100", fread($s, 100));
[$s, $c] = pair(); // a fresh buffer: PHP's later fills may take more than 8192
fwrite($c, str_repeat("x", 10000)); fwrite($c, "y");
show("fread 20000", strlen(fread($s, 20000)));
show("fread 20000", fread($s, 20000));

`

const datagramRefusedPHP = datagramHelpersPHP + `
$s = stream_socket_server("udp://127.0.0.1:0", $errno, $errstr, STREAM_SERVER_BIND);
$name = stream_socket_get_name($s, false);
fclose($s);
$c = stream_socket_client("udp://$name", $errno, $errstr);
stream_set_timeout($c, 10);
show("feof", feof($c));
show("fwrite", fwrite($c, "x"));
show("fread refused", @fread($c, 10));
show("feof", feof($c));
show("meta eof", stream_get_meta_data($c)["eof"]);
show("fwrite", fwrite($c, "y"));
show("feof", feof($c));
$c = stream_socket_client("udp://$name", $errno, $errstr);
fwrite($c, "x");
$r = [$c]; $w = null; $e = null; stream_select($r, $w, $e, 10);
show("feof before a read", feof($c));
`

const datagramHelpersLua = `
local function show(label, v)
  if v == nil or v == false then v = "false" elseif type(v) == "string" then v = "[" .. v .. "]" else v = tostring(v) end
  print(label .. " " .. v)
end
local function pair()
  local s = assert(stream_socket_server("udp://127.0.0.1:0", STREAM_SERVER_BIND))
  local c = assert(stream_socket_client("udp://" .. stream_socket_get_name(s, false)))
  stream_set_timeout(s, 0, 200000)
  return s, c
end
local function readable(s) local r = {s}; return stream_select(r, nil, nil, 0) end
`

const datagramBufferLua = datagramHelpersLua + `
local s, c = pair()
fwrite(c, "hello world")
show("fread 5", fread(s, 5))
show("unread", stream_get_meta_data(s).unread_bytes)
show("readable", readable(s))
show("fread 3", fread(s, 3))
fwrite(c, "second"); fwrite(c, "third")
show("recvfrom", stream_socket_recvfrom(s, 100))
show("fread 100", fread(s, 100))
show("fread 100", fread(s, 100))
show("readable", readable(s))
show("fread timeout", fread(s, 100))
show("feof", feof(s))

s, c = pair()
fwrite(c, "ab\ncd"); fwrite(c, "ef\n")
show("fgets", fgets(s))
show("fgets", fgets(s))
fwrite(c, "ab|cd"); fwrite(c, "ef|")
show("get_line", stream_get_line(s, 100, "|"))
show("get_line", stream_get_line(s, 100, "|"))
fwrite(c, "0123456789"); fwrite(c, "abc")
show("contents 4", stream_get_contents(s, 4))
show("contents 8", stream_get_contents(s, 8))
show("fread 100", fread(s, 100))
fwrite(c, "ab\ncdef")
show("fgets", fgets(s))
show("fread 2", fread(s, 2))
show("unread", stream_get_meta_data(s).unread_bytes)
show("fread 100", fread(s, 100))
s, c = pair()
fwrite(c, string.rep("x", 10000)); fwrite(c, "y")
show("fread 20000", #fread(s, 20000))
show("fread 20000", fread(s, 20000))

`

const datagramRefusedLua = datagramHelpersLua + `
local s = assert(stream_socket_server("udp://127.0.0.1:0", STREAM_SERVER_BIND))
local name = stream_socket_get_name(s, false)
fclose(s)
local c = assert(stream_socket_client("udp://" .. name))
stream_set_timeout(c, 10) -- bounds a hang: the refusal comes at once
show("feof", feof(c))
show("fwrite", fwrite(c, "x"))
show("fread refused", fread(c, 10)) -- nil, "Connection refused", 111; PHP warns of nothing
show("feof", feof(c))
show("meta eof", stream_get_meta_data(c).eof)
show("fwrite", fwrite(c, "y"))
show("feof", feof(c))
c = assert(stream_socket_client("udp://" .. name))
fwrite(c, "x")
stream_select({c}, nil, nil, 10) -- the refusal came (a select reads nothing)
show("feof before a read", feof(c))
`

// compareWithPHP runs the PHP script in php and the Lua one in luasock and
// compares their outputs.
func compareWithPHP(t *testing.T, phpSrc, luaSrc string) {
	php := testprog.Need(t, "php", "php-cli")
	out := testprog.Output(t, php, "-r", phpSrc)
	r := testutil.Run(t, luaSrc, nil)
	if r.Code != 0 || r.Stdout != out {
		r.Fatalf(t, "want php's output; %s", testutil.Diff(out, r.Stdout))
	}
}

// TestDatagramReadBufferAsPHP: fread of part of a datagram keeps the rest
// in the stream's buffer for the next fread (which adds the next datagram to
// it), unread_bytes and stream_select count it, recvfrom reads past it;
// fgets, stream_get_line and stream_get_contents read one datagram (up to
// 8192 bytes) at a time. Compared with php.
func TestDatagramReadBufferAsPHP(t *testing.T) {
	compareWithPHP(t, datagramBufferPHP, datagramBufferLua)
}

// TestDatagramRefusedEndsStreamAsPHP: a read refused by the peer's closed
// port (ECONNREFUSED) ends the stream (feof, meta eof), and feof sees the
// refusal before any read, as PHP's liveness check does. Compared with php.
func TestDatagramRefusedEndsStreamAsPHP(t *testing.T) {
	compareWithPHP(t, datagramRefusedPHP, datagramRefusedLua)
}
