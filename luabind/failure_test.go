package luabind_test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/testprog"
	"github.com/luasock/luasock/internal/testutil"
)

// hintOf runs src and returns the hint of its uncaught error.
func hintOf(t *testing.T, src string) string {
	t.Helper()
	r := testutil.Run(t, src, nil)
	lines := strings.Split(strings.TrimSpace(r.Stderr), "\n")
	hint, ok := strings.CutPrefix(lines[len(lines)-1], "hint: ")
	if r.Code != 1 || !ok {
		r.Fatalf(t, "want an uncaught error with a hint")
	}
	return hint
}

// TestHintSaysWhyACallFailed: the hint on a nil that a call returned says
// what the call returned: errstr and errno, the address of a server or
// client (which no system errstr names), what may cause it, or the end of
// the stream. A reason noted before at the same line never explains a
// later nil that had another.
func TestHintSaysWhyACallFailed(t *testing.T) {
	refused := "tcp://" + testutil.FreeAddr(t, "tcp4")
	busy := "tcp://" + testutil.Busy(t, "tcp4")
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	const check = " A function that can fail returns nil and an error message. Check it: local %[1]s, err = %[2]s(...); if not %[1]s then print(err) end"
	tests := []struct {
		name, src, want string
	}{
		{"connection refused", `local conn = stream_socket_client("` + refused + `")
fwrite(conn, "hello")`,
			"'conn' is nil because stream_socket_client(...) on line 1 failed for " + refused + ": Connection refused (111)." + sprintf(check, "conn", "stream_socket_client")},
		{"address in use", `local srv = stream_socket_server("` + busy + `")
local conn = stream_socket_accept(srv)`,
			"'srv' is nil because stream_socket_server(...) on line 1 failed for " + busy + ": Address already in use (98). Another program, or another run of this script, is using that address." + sprintf(check, "srv", "stream_socket_server")},
		{"unix file in the way", `local srv = stream_socket_server("unix://` + file + `")
srv:accept()`,
			"'srv' is nil because stream_socket_server(...) on line 1 failed for unix://" + file + ": Address already in use (98). A file is already there: a server still running, or a file left behind (remove it if nothing uses it)." + sprintf(check, "srv", "stream_socket_server")},
		{"udp with the default flags", `local srv = stream_socket_server("udp://127.0.0.1:0")
print(stream_socket_recvfrom(srv, 512))`,
			"'srv' is nil because stream_socket_server(...) on line 1 failed for udp://127.0.0.1:0: Operation not supported: a udp server takes STREAM_SERVER_BIND alone (95)." + sprintf(check, "srv", "stream_socket_server")},
		{"errno 0 names no address", `local srv = stream_socket_server("tcp://127.0.0.1")
srv:accept()`,
			`'srv' is nil because stream_socket_server(...) on line 1 failed: Failed to parse address "127.0.0.1".` + sprintf(check, "srv", "stream_socket_server")},
		{"a call on the failing line", `stream_socket_client("` + refused + `"):write("x")`,
			"its result is nil because stream_socket_client(...) failed for " + refused + ": Connection refused (111)." + sprintf(check, "r", "stream_socket_client")},
		{"the end of the stream", `local a, b = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0)
fclose(b)
local line = fgets(a)
print(line:upper())`,
			"'line' is nil because fgets(...) on line 3 reached the end of the stream: the peer closed the connection. A read returns nil there; check it: local line = fgets(...); if not line then ... end"},
		{"a failure then the end at the same line", `local a, b = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0)
stream_set_blocking(a, false)
for i = 1, 2 do
  local line = stream_get_line(a, 100, "\n")
  if i == 1 then assert(not line) fclose(b) else print(#line) end
end`,
			"'line' is nil because stream_get_line(...) on line 4 reached the end of the stream: the peer closed the connection. A read returns nil there; check it: local line = stream_get_line(...); if not line then ... end"},
		{"closed by another task while the call waited", `local a, b = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0)
spawn(function() fclose(a) end)
local line = fgets(a)
print(line:upper())`,
			"'line' is nil because fgets(...) on line 3 failed: Bad file descriptor (9). The stream was closed by fclose() at test.lua:2 while the call waited." + sprintf(check, "line", "fgets")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hintOf(t, tt.src); got != tt.want {
				t.Errorf("hint:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
	t.Run("the error of a call that succeeded", func(t *testing.T) {
		// The same site failed first: err's nil is no failure's.
		hint := hintOf(t, `local srv = assert(stream_socket_server("tcp://127.0.0.1:0"))
for _, addr in ipairs({"`+refused+`", "tcp://" .. srv:name()}) do
  local conn, err = stream_socket_client(addr)
  if conn then print("failed: " .. err) end
end`)
		if strings.Contains(hint, "refused") {
			t.Errorf("hint %q gives the first call's failure to the second's err", hint)
		}
	})
}

func sprintf(format string, args ...any) string {
	return strings.NewReplacer("%[1]s", args[0].(string), "%[2]s", args[1].(string)).Replace(format)
}

// TestClosedHandleSaysWhere: a call on a closed handle says who closed it:
// the script (and where), or the end of the task it belonged to.
func TestClosedHandleSaysWhere(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"by the method", `local a, b = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0)
a:close()
print(select(2, pcall(fwrite, a, "x")))`,
			"bad argument #1 to 'fwrite' (supplied resource is not a valid stream resource: closed by stream:close() at test.lua:2)"},
		{"by fclose in a function", `local a, b = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0)
local function bye(s)
  fclose(s)
end
bye(a)
print(select(2, pcall(a.read, a, 1)))`,
			"bad argument #1 to 'read' (supplied resource is not a valid stream resource: closed by fclose() at test.lua:3)"},
		{"by fclose from Go", `local a, b = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0)
pcall(fclose, a)
print(select(2, pcall(fgets, a)))`,
			"bad argument #1 to 'fgets' (supplied resource is not a valid stream resource: closed by fclose())"},
		{"when its task ended", `local a, b = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0)
spawn(function(conn) fwrite(conn, "bye\n") end, a)
print(fgets(b), fgets(b)) -- the line, then the end: the task closed a
print(select(2, pcall(fwrite, a, "x")))`,
			"bye\n\tnil\nbad argument #1 to 'fwrite' (supplied resource is not a valid stream resource: closed when the task it belonged to ended)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testutil.Expect(t, tt.src, tt.want+"\n", nil)
		})
	}
}

// TestConnectWarningsAsPHP: with --warnings, a server's or client's failure
// is PHP's warning, which names the address (`Unable to connect to
// tcp://127.0.0.1:8000 (Address already in use)`), with luasock's errno
// added; errstr is PHP's. A udp server with the default flags has no
// errstr in PHP, so luasock's may say what to do.
func TestConnectWarningsAsPHP(t *testing.T) {
	php := testprog.Need(t, "php", "php-cli")
	busy, refused := "tcp://"+testutil.Busy(t, "tcp4"), "tcp://"+testutil.FreeAddr(t, "tcp4")
	out := testprog.Output(t, php, "-r", `
set_error_handler(function ($no, $msg) { echo "Warning: $msg\n"; return true; });
$s = stream_socket_server($argv[1], $errno, $errstr);
echo "$errstr\n";
$c = stream_socket_client($argv[2], $errno, $errstr);
echo "$errstr\n";
$u = stream_socket_server("udp://127.0.0.1:0", $errno, $errstr);
echo "udp: '$errstr' $errno\n";
`, "--", busy, refused)
	const udp = "Warning: stream_socket_server(): Unable to connect to udp://127.0.0.1:0 (Unknown error)\nudp: '' 0\n"
	out, ok := strings.CutSuffix(out, udp)
	if !ok {
		t.Fatalf("php's output does not end with %q:\n%s", udp, out)
	}
	var warnings bytes.Buffer
	r := testutil.RunOptions(host.Options{Script: "test.lua", Source: []byte(`local busy, refused = ...
print((select(2, stream_socket_server(busy))))
print((select(2, stream_socket_client(refused))))
`), Args: []string{busy, refused}, Warnings: &warnings}).WantStatus(t, 0)
	// PHP's warning comes before its errstr: merge the two in that order.
	lua := strings.Split(r.Stdout, "\n")
	warned := strings.Split(warnings.String(), "\n")
	if r.Stderr != "" || len(lua) != 3 || len(warned) != 3 {
		r.Fatalf(t, "want two lines, two warnings and nothing on stderr; warnings:\n%s", warnings.String())
	}
	where := regexp.MustCompile(` in test\.lua on line \d+$`)
	errnos := regexp.MustCompile(` \((98|111)\)\)$`)
	var got strings.Builder
	for i := range 2 {
		w := where.ReplaceAllString(warned[i], "")
		if !errnos.MatchString(w) {
			t.Errorf("warning %q lacks the errno", warned[i])
		}
		got.WriteString(errnos.ReplaceAllString(w, ")") + "\n" + lua[i] + "\n")
	}
	if got.String() != out {
		t.Errorf("want php's output (warnings without file and errno); %s", testutil.Diff(out, got.String()))
	}
}
