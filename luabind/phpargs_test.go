package luabind_test

import (
	"strings"
	"testing"

	"github.com/luasock/luasock/internal/testprog"
	"github.com/luasock/luasock/internal/testutil"
)

// TestBoolArgumentsAsPHP: PHP code passes 0 and 1 for booleans, and Lua
// takes 0 as true; luasock reads the bool arguments as PHP does. The same
// calls run in php and in luasock, and print the same lines.
func TestBoolArgumentsAsPHP(t *testing.T) {
	php := testprog.Need(t, "php", "php-cli")
	phpSrc := `<?php
$pair = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0);
$s = $pair[0];
foreach ([0, 1, false, true, 0.0, 2, -1] as $i => $v) {
  stream_set_blocking($s, $v);
  echo "blocking ", $i + 1, " ", var_export(stream_get_meta_data($s)['blocked'], true), "\n";
}
$server = stream_socket_server("tcp://127.0.0.1:0");
$c = stream_socket_client("tcp://" . stream_socket_get_name($server, false));
foreach ([0, 1, false, true] as $i => $v) {
  echo "peer ", $i + 1, " ", var_export(stream_socket_get_name($c, $v) == stream_socket_get_name($server, false), true), "\n";
}
`
	luaSrc := `
local s = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0)
for i, v in ipairs({0, 1, false, true, 0.0, 2, -1}) do
  stream_set_blocking(s, v)
  print("blocking " .. i .. " " .. tostring(stream_get_meta_data(s).blocked))
end
local server = stream_socket_server("tcp://127.0.0.1:0")
local c = stream_socket_client("tcp://" .. stream_socket_get_name(server, false))
for i, v in ipairs({0, 1, false, true}) do
  print("peer " .. i .. " " .. tostring(stream_socket_get_name(c, v) == stream_socket_get_name(server, false)))
end
for _, bad in ipairs({"'1'", "{}"}) do
  print((select(2, pcall(loadstring("stream_set_blocking(...," .. bad .. ")"), s)):gsub("^.-: ", "")))
end
`
	out := testprog.Output(t, php, "-r", strings.TrimPrefix(phpSrc, "<?php\n"))
	r := testutil.Run(t, luaSrc, nil)
	want := out +
		"bad argument #2 to 'stream_set_blocking' (boolean expected, got string)\n" +
		"bad argument #2 to 'stream_set_blocking' (boolean expected, got table)\n"
	if r.Code != 0 || r.Stdout != want {
		r.Fatalf(t, "want php's output and the errors; %s", testutil.Diff(want, r.Stdout))
	}
}
