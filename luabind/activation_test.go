package luabind

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/luasock/luasock/internal/errno"
	"golang.org/x/sys/unix"
)

func TestParseListenEnv(t *testing.T) {
	tests := []struct {
		name              string
		pid, fds, fdnames string
		n                 int
		names             []string
		ok                bool
	}{
		{"one socket", "42", "1", "", 1, nil, true},
		{"named", "42", "2", "web:dns", 2, []string{"web", "dns"}, true},
		{"names not matching the count are dropped", "42", "2", "web", 2, nil, true},
		{"another process's", "41", "1", "", 0, nil, false},
		{"no pid", "", "1", "", 0, nil, false},
		{"no count", "42", "", "", 0, nil, false},
		{"zero", "42", "0", "", 0, nil, false},
		{"negative", "42", "-1", "", 0, nil, false},
		{"not a number", "42", "x", "", 0, nil, false},
		{"pid not a number", "4x", "1", "", 0, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, names, ok := parseListenEnv(tt.pid, tt.fds, tt.fdnames, 42)
			if n != tt.n || !slices.Equal(names, tt.names) || ok != tt.ok {
				t.Fatalf("got %d %q %v, want %d %q %v", n, names, ok, tt.n, tt.names, tt.ok)
			}
		})
	}
}

// passSockets makes real sockets, as a parent would pass them, the
// process's inherited sockets for the test.
func passSockets(t *testing.T, fds map[string]int) {
	t.Helper()
	saved := activation.sockets
	savedPassed := activation.passed
	t.Cleanup(func() { activation.sockets, activation.passed = saved, savedPassed })
	activation.sockets, activation.passed = nil, true
	for name, fd := range fds {
		s, ok := inspectSocket(fd)
		if !ok {
			t.Fatalf("fd %d is not a socket", fd)
		}
		s.name = name
		activation.sockets = append(activation.sockets, s)
	}
}

func socketFD(t *testing.T, family, sotype int, sa unix.Sockaddr, listen bool) (int, unix.Sockaddr) {
	t.Helper()
	fd, err := testSocket(family, sotype)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Bind(fd, sa); err != nil {
		t.Fatal(err)
	}
	if listen {
		if err := unix.Listen(fd, 8); err != nil {
			t.Fatal(err)
		}
	}
	bound, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return fd, bound
}

// TestFindMatching: an address matches an inherited socket of the same
// transport with the same name, and nothing else.
func TestFindMatching(t *testing.T) {
	loopback := [4]byte{127, 0, 0, 1}
	tcpFD, tcpName := socketFD(t, unix.AF_INET, unix.SOCK_STREAM, &unix.SockaddrInet4{Addr: loopback}, true)
	port := tcpName.(*unix.SockaddrInet4).Port
	udpFD, _ := socketFD(t, unix.AF_INET, unix.SOCK_DGRAM, &unix.SockaddrInet4{Addr: loopback, Port: port}, false)
	dir := t.TempDir()
	path := filepath.Join(dir, "s.sock")
	unixFD, _ := socketFD(t, unix.AF_UNIX, unix.SOCK_STREAM, &unix.SockaddrUnix{Name: path}, true)
	if err := os.Symlink(dir, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	idleFD, idleName := socketFD(t, unix.AF_INET, unix.SOCK_STREAM, &unix.SockaddrInet4{Addr: loopback}, false)
	passSockets(t, map[string]int{"tcp": tcpFD, "udp": udpFD, "unix": unixFD, "idle": idleFD})

	both := streamServerBind | streamServerListen
	tests := []struct {
		name      string
		transport string
		family    int
		sa        unix.Sockaddr
		flags     int
		want      int // the fd, or -1 for no match
	}{
		{"tcp, same address", "tcp", unix.AF_INET, &unix.SockaddrInet4{Addr: loopback, Port: port}, both, tcpFD},
		{"udp, same address", "udp", unix.AF_INET, &unix.SockaddrInet4{Addr: loopback, Port: port}, streamServerBind, udpFD},
		{"another port", "tcp", unix.AF_INET, &unix.SockaddrInet4{Addr: loopback, Port: port + 1}, both, -1},
		{"another address", "tcp", unix.AF_INET, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 2}, Port: port}, both, -1},
		{"port 0 asks for a new port", "tcp", unix.AF_INET, &unix.SockaddrInet4{Addr: loopback}, both, -1},
		{"without STREAM_SERVER_BIND", "tcp", unix.AF_INET, &unix.SockaddrInet4{Addr: loopback, Port: port}, 0, -1},
		{"unix path", "unix", unix.AF_UNIX, &unix.SockaddrUnix{Name: path}, both, unixFD},
		{"unix path, the same file by another path", "unix", unix.AF_UNIX, &unix.SockaddrUnix{Name: filepath.Join(dir, "link", "s.sock")}, both, unixFD},
		{"udg on a stream socket's path", "udg", unix.AF_UNIX, &unix.SockaddrUnix{Name: path}, streamServerBind, -1},
		{"a stream socket that does not listen", "tcp", unix.AF_INET, idleName, both, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := findMatching(tt.transport, tt.family, tt.sa, tt.flags)
			switch {
			case tt.want < 0 && got != nil:
				t.Fatalf("matched fd %d", got.fd)
			case tt.want >= 0 && (got == nil || got.fd != tt.want):
				t.Fatalf("got %v, want fd %d", got, tt.want)
			}
		})
	}
}

// TestFindNamed: fd://N and systemd://NAME, and their failures (errno 0).
func TestFindNamed(t *testing.T) {
	tcpFD, _ := socketFD(t, unix.AF_INET, unix.SOCK_STREAM, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}, true)
	idleFD, _ := socketFD(t, unix.AF_INET, unix.SOCK_STREAM, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}, false)
	passSockets(t, map[string]int{"web": tcpFD})
	if s, err := findNamed("systemd://web"); err != nil || s.fd != tcpFD || s.transport() != "tcp" {
		t.Fatalf("systemd://web: %v, %v", s, err)
	}
	if s, err := findNamed("fd://" + itoa(tcpFD)); err != nil || s.fd != tcpFD {
		t.Fatalf("fd://%d: %v, %v", tcpFD, s, err)
	}
	failures := map[string]string{
		"systemd://dns": `No inherited socket "systemd://dns" (passed: fd://` + itoa(tcpFD) + ` systemd://web)`,
		"systemd://":    `No inherited socket "systemd://" (passed: fd://` + itoa(tcpFD) + ` systemd://web)`,
		"fd://x":        `Failed to parse address "fd://x"`,
		"fd://1":        `No inherited socket "fd://1" (passed: fd://` + itoa(tcpFD) + ` systemd://web)`,
	}
	for address, want := range failures {
		_, err := findNamed(address)
		if msg, code := errno.Of(err); msg != want || code != 0 {
			t.Errorf("%s: %q %d, want %q 0", address, msg, code, want)
		}
	}

	passSockets(t, map[string]int{"idle": idleFD})
	_, err := findNamed("systemd://idle")
	if msg, _ := errno.Of(err); msg != `Inherited socket "systemd://idle" is neither a listening stream socket nor a datagram socket` {
		t.Errorf("a socket that does not listen: %q", msg)
	}
	activation.passed = false
	activation.sockets = nil
	_, err = findNamed("fd://3")
	if msg, _ := errno.Of(err); msg != `No inherited socket "fd://3" (LISTEN_FDS is not set for this process)` {
		t.Errorf("nothing passed: %q", msg)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
