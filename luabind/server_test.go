package luabind_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/luasock/luasock/internal/errno"
	"github.com/luasock/luasock/internal/testutil"
	"golang.org/x/sys/unix"
)

// printServer prints what stream_socket_server returns for the address in arg[1].
const printServer = `print(stream_socket_server(...))`

// TestServerFailures produces each failure for real and checks the exact
// `nil, errstr, errno` the script sees.
func TestServerFailures(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing")
	if err := os.WriteFile(existing, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	long := "unix://" + dir + "/" + strings.Repeat("a", 120)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"port in use", []string{"tcp://" + testutil.Busy(t, "tcp4")}, "nil\tAddress already in use\t98"},
		{"udp port in use", []string{"udp://" + testutil.Busy(t, "udp4"), "4"}, "nil\tAddress already in use\t98"},
		{"udp with listen", []string{"udp://127.0.0.1:0"}, "nil\tOperation not supported: a udp server takes STREAM_SERVER_BIND alone\t95"},
		{"udg with listen", []string{"udg://" + dir + "/dg.sock"}, "nil\tOperation not supported: a udg server takes STREAM_SERVER_BIND alone\t95"},
		{"unknown transport", []string{"foo://127.0.0.1:80"}, `nil	Unable to find the socket transport "foo"	0`},
		{"transport is case-sensitive", []string{"TCP://127.0.0.1:80"}, `nil	Unable to find the socket transport "TCP"	0`},
		{"no port", []string{"127.0.0.1"}, `nil	Failed to parse address "127.0.0.1"	0`},
		{"port not a number", []string{"tcp://127.0.0.1:abc"}, `nil	Failed to parse address "127.0.0.1:abc": the port must be a number from 0 to 65535	0`},
		{"port out of range", []string{"tcp://127.0.0.1:65536"}, `nil	Failed to parse address "127.0.0.1:65536": the port must be a number from 0 to 65535	0`},
		{"negative port", []string{"tcp://127.0.0.1:-1"}, `nil	Failed to parse address "127.0.0.1:-1": the port must be a number from 0 to 65535	0`},
		{"empty port", []string{"tcp://127.0.0.1:"}, `nil	Failed to parse address "127.0.0.1:": the port must be a number from 0 to 65535	0`},
		{"bad IPv6 literal", []string{"tcp://[::1"}, `nil	Failed to parse IPv6 address "[::1"	0`},
		{"IPv6 without port", []string{"tcp://[::1]"}, `nil	Failed to parse IPv6 address "[::1]"	0`},
		{"unresolvable name", []string{"tcp://nosuchhost.invalid:80"}, "nil\tgetaddrinfo for nosuchhost.invalid failed: Name or service not known\t0"},
		{"empty host", []string{"tcp://:80"}, "nil\tgetaddrinfo for \"\" failed: Name or service not known\t0"},
		{"unix path too long", []string{long}, "nil\tFile name too long\t36"},
		{"missing directory", []string{"unix://" + dir + "/missing/x.sock"}, "nil\tNo such file or directory\t2"},
		{"existing file", []string{"unix://" + existing}, "nil\tAddress already in use\t98"},
		{"address not local", []string{"tcp://192.0.2.1:0"}, "nil\tCannot assign requested address\t99"},
	}
	fds := testutil.OpenFDs(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := printServer
			if len(tt.args) > 1 { // flags given
				src = `local a, f = ... print(stream_socket_server(a, tonumber(f)))`
			}
			testutil.Expect(t, src, tt.want+"\n", nil, tt.args...)
		})
	}
	if got := testutil.OpenFDs(t); got > fds { // (fewer: an earlier test's leftovers closed meanwhile)
		t.Fatalf("failed servers left fds open: %d before, %d after", fds, got)
	}
	if b, err := os.ReadFile(existing); err != nil || string(b) != "keep me" {
		t.Fatalf("the existing file was touched: %q, %v", b, err)
	}
	if _, err := os.Stat(dir + "/dg.sock"); !os.IsNotExist(err) {
		t.Fatalf("a failed udg server left its socket file behind: %v", err)
	}
}

// TestServerSuccess checks the addresses a server binds to and its name.
func TestServerSuccess(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, address, pattern string
	}{
		{"tcp ipv4", "tcp://127.0.0.1:0", `^127%.0%.0%.1:%d+$`},
		{"no transport is tcp", "127.0.0.1:0", `^127%.0%.0%.1:%d+$`},
		{"tcp ipv6", "tcp://[::1]:0", `^%[::1%]:%d+$`},
		{"host name, IPv4 first", "tcp://localhost:0", `^127%.0%.0%.1:%d+$`},
		{"udp", "udp://127.0.0.1:0", `^127%.0%.0%.1:%d+$`},
		{"udp ipv6", "udp://[::1]:0", `^%[::1%]:%d+$`},
		{"unix", "unix://" + dir + "/s.sock", "^" + dir + "/s%.sock$"},
		{"udg", "udg://" + dir + "/d.sock", "^" + dir + "/d%.sock$"},
		{"abstract unix", "unix://\x00luasock-test-abstract", "^%zluasock%-test%-abstract$"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if strings.Contains(tt.address, "\x00") {
				testutil.NeedLinux(t, "an abstract unix socket name")
			}
			src := `
local address, pattern = ...
local flags = nil
if address:match("^ud") then flags = STREAM_SERVER_BIND end
local s = assert(stream_socket_server(address, flags))
local name = stream_socket_get_name(s, false)
print(name:match(pattern) ~= nil, s:name() == name, stream_socket_get_name(s, true))
print(stream_get_meta_data(s).stream_type)
`
			kind := strings.SplitN(tt.address, "://", 2)[0]
			if !strings.Contains(tt.address, "://") {
				kind = "tcp"
			}
			testutil.Expect(t, src, "true\ttrue\tnil\n"+kind+"_socket\n", nil, tt.address, tt.pattern)
		})
	}
	for _, f := range []string{"s.sock", "d.sock"} {
		if _, err := os.Stat(filepath.Join(dir, f)); !os.IsNotExist(err) {
			t.Errorf("%s outlived the run: %v", f, err)
		}
	}
}

// TestServerFlags: without LISTEN a tcp socket is bound but accepts nothing;
// without BIND it has no address.
func TestServerFlags(t *testing.T) {
	src := `
local s = assert(stream_socket_server("tcp://127.0.0.1:0", STREAM_SERVER_BIND))
print(s:name():match("^127%.0%.0%.1:%d+$") ~= nil, tostring(s):match("^tcp socket") ~= nil)
print(stream_socket_accept(s, 0))
local u = assert(stream_socket_server("udp://127.0.0.1:0", 0))
print(u:name())
`
	testutil.Expect(t, src, "true\ttrue\nnil\tInvalid argument\t22\nnil\n", nil)
}

// TestUnixSocketFiles: a server removes the file it created on fclose and at
// the end of the run, and never a file it did not create.
func TestUnixSocketFiles(t *testing.T) {
	dir := t.TempDir()
	src := `
local dir = ...
local a = assert(stream_socket_server("unix://" .. dir .. "/a.sock"))
local b = assert(stream_socket_server("unix://" .. dir .. "/b.sock"))
print(stream_socket_server("unix://" .. dir .. "/a.sock")) -- the file is there
fclose(a)
local again = stream_socket_server("unix://" .. dir .. "/a.sock") -- and gone
print(again ~= nil)
fclose(again)
-- b is left open: the host closes it and removes its file.
print(stream_socket_server("unix://" .. dir .. "/b.sock"))
`
	testutil.Expect(t, src, "nil\tAddress already in use\t98\ntrue\nnil\tAddress already in use\t98\n", nil, dir)
	if _, err := os.Stat(filepath.Join(dir, "b.sock")); !os.IsNotExist(err) {
		t.Fatalf("b.sock outlived the run: %v", err)
	}

	// A file that replaced ours after bind is not ours to remove.
	src = `
local path = ...
local s = assert(stream_socket_server("unix://" .. path))
os.remove(path)
local f = io.open(path, "w") f:write("other") f:close()
fclose(s)
print(io.open(path):read("*a"))
`
	testutil.Expect(t, src, "other\n", nil, filepath.Join(dir, "c.sock"))
}

// TestRelativeUnixPath: unix targets are relative to the working directory.
func TestRelativeUnixPath(t *testing.T) {
	t.Chdir(t.TempDir())
	src := `
local s = assert(stream_socket_server("unix://rel.sock"))
print(s:name(), stream_socket_server("unix://rel.sock"))
`
	testutil.Expect(t, src, "rel.sock\tnil\tAddress already in use\t98\n", nil)
	if _, err := os.Stat("rel.sock"); !os.IsNotExist(err) {
		t.Fatal("rel.sock outlived the run")
	}
}

// TestAccept covers accept's timeout forms and the peer name.
func TestAccept(t *testing.T) {
	src := `
local s = assert(stream_socket_server("tcp://127.0.0.1:0"))
print(stream_socket_accept(s, 0))
print(stream_socket_accept(s, 0.05))
print(s:accept(0))
print(s:name())
local conn, peer = stream_socket_accept(s)
print(peer == conn:peer(), conn:name() == s:name(), tostring(conn):match("^tcp stream ") ~= nil)
local conn2, peer2 = s:accept(-1)
print(conn2:read(100))
`
	peer := func(t testing.TB, lines <-chan string) {
		for range 3 {
			testutil.NextLine(t, lines)
		}
		addr := testutil.NextLine(t, lines)
		c1 := testutil.Dial(t, "tcp", addr)
		if c1 == nil {
			return
		}
		defer c1.Close()
		c2 := testutil.Dial(t, "tcp", addr)
		if c2 == nil {
			return
		}
		defer c2.Close()
		c2.Write([]byte("second"))
		testutil.NextLine(t, lines)
		testutil.NextLine(t, lines)
	}
	r := testutil.Run(t, src, peer)
	lines := strings.Split(r.Stdout, "\n")
	want := []string{"nil\tConnection timed out\t110", "nil\tConnection timed out\t110", "nil\tConnection timed out\t110"}
	if r.Code != 0 || len(lines) < 6 || strings.Join(lines[:3], "\n") != strings.Join(want, "\n") ||
		lines[4] != "true\ttrue\ttrue" || lines[5] != "second" {
		r.Fatalf(t, "want three timeouts, then the accepted connections")
	}
}

// TestContextOptions: the context's socket options change what binds.
func TestContextOptions(t *testing.T) {
	src := `
local a = assert(stream_socket_server("tcp://127.0.0.1:0", nil, stream_context_create({socket = {so_reuseport = true}})))
print(stream_socket_server("tcp://" .. a:name(), nil, {socket = {so_reuseport = true}}) ~= nil)
print(stream_socket_server("tcp://" .. a:name()))

local u = assert(stream_socket_server("udp://127.0.0.1:0", STREAM_SERVER_BIND, {socket = {so_reuseaddr = true}}))
print(stream_socket_server("udp://" .. u:name(), STREAM_SERVER_BIND, {socket = {so_reuseaddr = true}}) ~= nil)
print(stream_socket_server("udp://" .. u:name(), STREAM_SERVER_BIND))

-- v6only: an IPv6 wildcard then leaves the IPv4 port free (unless another
-- program holds that port on an IPv4 address: a few tries).
local free = false
for _ = 1, 5 do
  local v6 = assert(stream_socket_server("tcp://[::]:0", nil, {socket = {ipv6_v6only = true}}))
  if stream_socket_server("tcp://0.0.0.0:" .. v6:name():match(":(%d+)$")) then free = true break end
end
print(free)
local dual = assert(stream_socket_server("tcp://[::]:0", nil, {socket = {ipv6_v6only = false}}))
print(stream_socket_server("tcp://0.0.0.0:" .. dual:name():match(":(%d+)$")))

-- so_broadcast: the loopback broadcast address needs it.
local b = assert(stream_socket_server("udp://127.0.0.1:0", STREAM_SERVER_BIND))
print(b:sendto("x", "127.255.255.255:" .. b:name():match(":(%d+)$")))
local bb = assert(stream_socket_server("udp://127.0.0.1:0", STREAM_SERVER_BIND, {socket = {so_broadcast = 1}}))
print(bb:sendto("x", "127.255.255.255:" .. bb:name():match(":(%d+)$")))

-- backlog and tcp_nodelay are accepted; bindto is for clients.
print(stream_socket_server("tcp://127.0.0.1:0", nil, {socket = {backlog = 1, tcp_nodelay = true, bindto = "127.0.0.1:0"}}) ~= nil)
print(tostring(stream_context_create()), stream_context_create({ssl = {verify_peer = false}}) ~= nil)
`
	testutil.Expect(t, src, "true\nnil\tAddress already in use\t98\n"+
		"true\nnil\tAddress already in use\t98\n"+
		"true\nnil\tAddress already in use\t98\n"+
		"nil\tPermission denied\t13\n1\n"+
		"true\nstream context\ttrue\n", nil)
}

// TestAbstractNamesOnlyOnLinux: in the portable build (macOS, the BSDs) an
// abstract unix name and autobind fail as a script can act on: nil, an
// errstr that says what to use instead, and EOPNOTSUPP.
func TestAbstractNamesOnlyOnLinux(t *testing.T) {
	if !testutil.Portable {
		t.Skip("skipped: Linux has abstract names (TestServerSuccess, TestUnixAutobindAsPHP)")
	}
	src := `
print(stream_socket_server("unix://\0name"))
print(stream_socket_client("udg://\0name"))
local a = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_DGRAM, 0)
print(stream_socket_sendto(a, "x", 0, "\0name"))
print(stream_socket_server("unix://"))
print(stream_socket_server("udg://", STREAM_SERVER_BIND))
`
	notsup := errno.Strerror(int(unix.EOPNOTSUPP))
	code := strconv.Itoa(int(unix.EOPNOTSUPP))
	abstract := "nil\t" + notsup + `: abstract unix socket names (a leading "\0") are Linux's only: give a socket file's path, as in "unix:///tmp/app.sock"` + "\t" + code + "\n"
	autobind := func(transport string) string {
		return "nil\t" + notsup + `: "` + transport + `://" with no path (autobind: an abstract name the kernel picks) is Linux's only: give a socket file's path` + "\t" + code + "\n"
	}
	testutil.Expect(t, src, abstract+abstract+abstract+autobind("unix")+autobind("udg"), nil)
}

// TestShortSenderAfterLong: a datagram server names each sender as it is,
// a short abstract name after a longer one included (the batched receive's
// buffers are reused).
func TestShortSenderAfterLong(t *testing.T) {
	if testutil.Portable {
		t.Skip("skipped: the portable build has no abstract names (TestAbstractNamesOnlyOnLinux)")
	}
	dir := t.TempDir()
	src := `
local path = ...
local server = assert(stream_socket_server("udg://" .. path, STREAM_SERVER_BIND))
for _, name in ipairs({"\0luasock-test-longlonglongname", "\0b", "\0luasock-test-x"}) do
  local client = assert(stream_socket_server("udg://" .. name .. tostring(os.time()), STREAM_SERVER_BIND))
  assert(stream_socket_sendto(client, "hi", 0, path))
  local data, peer = stream_socket_recvfrom(server, 10)
  print(data, (peer:gsub("%d+$", "")))
  fclose(client)
end
`
	testutil.Expect(t, src, "hi\t\x00luasock-test-longlonglongname\nhi\t\x00b\nhi\t\x00luasock-test-x\n", nil, dir+"/server.sock")
}
