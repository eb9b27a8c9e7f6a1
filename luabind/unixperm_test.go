package luabind_test

import (
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/luasock/luasock/internal/testutil"
)

// serveWithAccess makes a unix or udg server with the context's socket
// options given as Lua source, prints "ready", then serves until a client
// says "stop": it prints what the others said.
const serveWithAccess = `
local address, opts = ...
local udg = address:match("^udg") ~= nil
local s, errstr, errno = stream_socket_server(address, udg and STREAM_SERVER_BIND or nil, {socket = loadstring("return " .. opts)()})
if not s then return print(errstr, errno) end
print("ready")
while true do
  local line
  if udg then
    line = stream_socket_recvfrom(s, 100)
  else
    local conn = assert(stream_socket_accept(s))
    line = fgets(conn)
    fclose(conn)
  end
  if line == "stop\n" then break end
  io.write(line or "")
end
`

// TestUnixSocketMode: mode sets the socket file's permissions exactly,
// whatever the umask, given as a number or as octal digits.
func TestUnixSocketMode(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, address, opts string
		want                os.FileMode
	}{
		{"number", "unix://" + dir + "/a.sock", `{mode = tonumber("660", 8)}`, 0o660},
		{"string", "unix://" + dir + "/b.sock", `{mode = "0600"}`, 0o600},
		{"string without the 0", "unix://" + dir + "/c.sock", `{mode = "640"}`, 0o640},
		{"wider than the umask", "unix://" + dir + "/d.sock", `{mode = "0666"}`, 0o666},
		{"udg", "udg://" + dir + "/e.sock", `{mode = "0620"}`, 0o620},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := strings.SplitN(tt.address, "://", 2)[1]
			checked := false
			peer := func(t testing.TB, lines <-chan string) {
				if l := testutil.NextLine(t, lines); l != "ready" {
					t.Errorf("first line %q", l)
					return
				}
				checked = true
				st, err := os.Stat(path)
				if err != nil {
					t.Error(err)
				} else if st.Mode()&os.ModeSocket == 0 || st.Mode().Perm() != tt.want {
					t.Errorf("mode %v, want %v", st.Mode(), tt.want)
				}
				stopServer(t, tt.address)
			}
			r := testutil.Run(t, serveWithAccess, peer, tt.address, tt.opts)
			if r.Code != 0 || r.Stderr != "" || !checked {
				r.Fatalf(t, "want the file checked while it served")
			}
		})
	}
}

// stopServer ends serveWithAccess.
func stopServer(t testing.TB, address string) {
	network, path, _ := strings.Cut(address, "://")
	if network == "udg" {
		network = "unixgram"
	}
	c := testutil.Dial(t, network, path)
	if c == nil {
		return
	}
	defer c.Close()
	io.WriteString(c, "stop\n")
}

// TestUnixSocketOptionsRaise: a mode that is not permission bits (660
// written as a decimal number is 01224) or not octal, an owner of the wrong
// type, raise as every bad context option does.
func TestUnixSocketOptionsRaise(t *testing.T) {
	src := `
for _, opts in ipairs({{mode = 660}, {mode = "rw"}, {mode = "0888"}, {mode = -1}, {mode = true}, {owner = true}, {group = ""}, {owner = 1.5}}) do
  print(select(2, pcall(stream_socket_server, "unix://x.sock", nil, {socket = opts})))
end
`
	want := `bad argument #3 to 'stream_socket_server' (socket option 'mode' must be permissions from 0 to 0777, got 660 (octal 1224))
bad argument #3 to 'stream_socket_server' (socket option 'mode' must be octal digits such as "0660", got "rw")
bad argument #3 to 'stream_socket_server' (socket option 'mode' must be octal digits such as "0660", got "0888")
bad argument #3 to 'stream_socket_server' (socket option 'mode' must be permissions from 0 to 0777, got -1)
bad argument #3 to 'stream_socket_server' (socket option 'mode' must be a number or a string of octal digits, got boolean)
bad argument #3 to 'stream_socket_server' (socket option 'owner' must be a string or a number, got boolean)
bad argument #3 to 'stream_socket_server' (socket option 'group' must be a name or an id, got "")
bad argument #3 to 'stream_socket_server' (socket option 'owner' must be a name or an id, got 1.5)
`
	testutil.Expect(t, src, want, nil)
}

// TestUnixSocketUnknownOwner: an owner or group not in the user database
// fails as PHP's chown() words it, errno 0, and leaves no file.
func TestUnixSocketUnknownOwner(t *testing.T) {
	dir := t.TempDir()
	src := `
local dir = ...
print(stream_socket_server("unix://" .. dir .. "/a.sock", nil, {socket = {owner = "no-such-user-luasock", mode = "0600"}}))
print(stream_socket_server("udg://" .. dir .. "/b.sock", STREAM_SERVER_BIND, {socket = {group = "no-such-group-luasock"}}))
`
	testutil.Expect(t, src, "nil\tUnable to find uid for no-such-user-luasock\t0\nnil\tUnable to find gid for no-such-group-luasock\t0\n", nil, dir)
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("left behind: %v", entries)
	}
}

// otherUser is nobody, for the tests that need a second user; they need
// root to act as one, and skip without it.
func otherUser(t *testing.T) (uid, gid int, group string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipped: needs root, to own files as nobody and run a client as nobody")
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Skip("skipped: no user nobody: ", err)
	}
	uid, _ = strconv.Atoi(u.Uid)
	gid, _ = strconv.Atoi(u.Gid)
	g, err := user.LookupGroupId(u.Gid)
	if err != nil {
		t.Skip("skipped: nobody's group has no name: ", err)
	}
	return uid, gid, g.Name
}

// openDir is a folder every user may enter (and, with writable, write):
// t.TempDir's are for root alone, which would refuse nobody for the folder
// instead of the socket.
func openDir(t *testing.T, writable bool) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "luasock-perm-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	mode := os.FileMode(0o755)
	if writable {
		mode = 0o1777
	}
	if err := os.Chmod(dir, mode); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestUnixSocketOwner: owner and group, by name or id, own the file.
func TestUnixSocketOwner(t *testing.T) {
	uid, gid, group := otherUser(t)
	dir := t.TempDir()
	tests := []struct {
		name, address, opts string
		uid, gid            int
	}{
		{"by name", "unix://" + dir + "/a.sock", `{owner = "nobody", group = "` + group + `"}`, uid, gid},
		{"by id", "unix://" + dir + "/b.sock", fmt.Sprintf(`{owner = %d, group = "%d"}`, uid, gid), uid, gid},
		{"owner alone", "unix://" + dir + "/c.sock", `{owner = "nobody"}`, uid, 0},
		{"group alone", "unix://" + dir + "/d.sock", `{group = "` + group + `", mode = "0660"}`, 0, gid},
		{"udg", "udg://" + dir + "/e.sock", `{owner = "nobody", group = "` + group + `"}`, uid, gid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := strings.SplitN(tt.address, "://", 2)[1]
			peer := func(t testing.TB, lines <-chan string) {
				if l := testutil.NextLine(t, lines); l != "ready" {
					t.Errorf("first line %q", l)
					return
				}
				var st syscall.Stat_t
				if err := syscall.Stat(path, &st); err != nil {
					t.Error(err)
				} else if int(st.Uid) != tt.uid || int(st.Gid) != tt.gid {
					t.Errorf("owned by %d:%d, want %d:%d", st.Uid, st.Gid, tt.uid, tt.gid)
				}
				stopServer(t, tt.address)
			}
			r := testutil.Run(t, serveWithAccess, peer, tt.address, tt.opts)
			if r.Code != 0 || r.Stderr != "" {
				r.Fatalf(t, "want the server to serve")
			}
		})
	}
}

// TestUnixSocketOtherUser: a client running as nobody is refused (EACCES)
// by a socket file that does not let it in, and connects where the mode,
// the owner or the group does.
func TestUnixSocketOtherUser(t *testing.T) {
	uid, gid, group := otherUser(t)
	helper := newUserHelper(t, uid, gid)
	dir := openDir(t, false)
	tests := []struct {
		name, opts, want string
	}{
		{"root's, 0660", `{mode = "0660"}`, "nil\tPermission denied\t13\n"},
		{"root's, 0600, group nobody's but no group bits", `{mode = "0600", group = "` + group + `"}`, "nil\tPermission denied\t13\n"},
		{"0666: everyone", `{mode = "0666"}`, "connected\n"},
		{"owned by nobody, 0600", `{mode = "0600", owner = "nobody"}`, "connected\n"},
		{"group nobody's, 0660", `{mode = "0660", group = "` + group + `"}`, "connected\n"},
	}
	client := `
local s, errstr, errno = stream_socket_client("unix://" .. ...)
if not s then return print(s, errstr, errno) end
fwrite(s, "nobody's line\n")
print("connected")
`
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprintf("s%d.sock", i))
			var got string
			peer := func(t testing.TB, lines <-chan string) {
				if l := testutil.NextLine(t, lines); l != "ready" {
					t.Errorf("first line %q", l)
					return
				}
				got = helper.run(t, client, path)
				stopServer(t, "unix://"+path)
			}
			r := testutil.Run(t, serveWithAccess, peer, "unix://"+path, tt.opts)
			wantServed := ""
			if tt.want == "connected\n" {
				wantServed = "nobody's line\n"
			}
			if got != tt.want || r.Code != 0 || r.Stdout != "ready\n"+wantServed {
				r.Fatalf(t, "nobody's client printed %q, want %q", got, tt.want)
			}
		})
	}
}

// TestUnixSocketOwnerNotPermitted: a server running as nobody may not
// give its socket file to root: EPERM, and no file is left behind.
func TestUnixSocketOwnerNotPermitted(t *testing.T) {
	uid, gid, _ := otherUser(t)
	helper := newUserHelper(t, uid, gid)
	dir := openDir(t, true)
	src := `
local dir = ...
print(stream_socket_server("unix://" .. dir .. "/a.sock", nil, {socket = {owner = "root", mode = "0600"}}))
print(stream_socket_server("udg://" .. dir .. "/b.sock", STREAM_SERVER_BIND, {socket = {group = 0}}))
`
	got := helper.run(t, src, dir)
	want := "nil\tOperation not permitted\t1\nnil\tOperation not permitted\t1\n"
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("left behind: %v", entries)
	}
}

// userHelper runs a Lua snippet as another user, in a copy of this test
// binary (TestHelperScriptAsUser) that the user may execute.
type userHelper struct {
	exe      string
	uid, gid int
}

func newUserHelper(t *testing.T, uid, gid int) *userHelper {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(openDir(t, false), "helper.test")
	if err := os.WriteFile(exe, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return &userHelper{exe: exe, uid: uid, gid: gid}
}

const (
	helperSrcEnv  = "LUASOCK_TEST_HELPER_SRC"
	helperArgsEnv = "LUASOCK_TEST_HELPER_ARGS"
)

// run runs src with args as the helper's user and returns what it printed.
func (h *userHelper) run(t testing.TB, src string, args ...string) string {
	cmd := testutil.Command(h.exe, "-test.run=^TestHelperScriptAsUser$")
	cmd.Dir = "/"
	cmd.Env = append(os.Environ(), helperSrcEnv+"="+src, helperArgsEnv+"="+strings.Join(args, "\x1f"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(h.uid), Gid: uint32(h.gid)}}
	out, err := cmd.CombinedOutput()
	stdout, ok := strings.CutPrefix(string(out), "<<<")
	if i := strings.Index(stdout, ">>>"); ok && i >= 0 && err == nil {
		return stdout[:i]
	}
	t.Errorf("helper as uid %d: %v\n%s", h.uid, err, out)
	return ""
}

// TestHelperScriptAsUser is not a test: it is what userHelper runs, as
// another user. It prints the snippet's stdout between <<< and >>>.
func TestHelperScriptAsUser(t *testing.T) {
	src := os.Getenv(helperSrcEnv)
	if src == "" {
		return
	}
	r := testutil.Run(t, src, nil, strings.Split(os.Getenv(helperArgsEnv), "\x1f")...)
	if r.Code != 0 || r.Stderr != "" {
		r.Fatalf(t, "the helper's snippet failed")
	}
	fmt.Print("<<<" + r.Stdout + ">>>")
}
