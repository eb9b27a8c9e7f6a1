package luabind

import (
	"net"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// RefusingAddr returns a loopback address ("tcp" or "udp") where a connect
// is refused, or a datagram answered by a port unreachable (ECONNREFUSED),
// for as long as the test runs: a socket holds the port without taking
// anything (bound, not listening; for udp, connected to port 9, so no
// datagram from elsewhere matches it). A freed port could be taken by
// another process, or be a client's own ephemeral port (a TCP connect to
// itself succeeds); a held one cannot. (It is here, not in testutil, which
// imports host and so luabind.)
func RefusingAddr(t testing.TB, network string) string {
	t.Helper()
	loopback := [4]byte{127, 0, 0, 1}
	sotype := unix.SOCK_STREAM
	if network == "udp" {
		sotype = unix.SOCK_DGRAM
	}
	fd, err := testSocket(unix.AF_INET, sotype)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: loopback}); err != nil {
		t.Fatal(err)
	}
	if sotype == unix.SOCK_DGRAM {
		if err := unix.Connect(fd, &unix.SockaddrInet4{Addr: loopback, Port: 9}); err != nil {
			t.Fatal(err)
		}
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(sa.(*unix.SockaddrInet4).Port))
}
