package luabind

import (
	"testing"

	"golang.org/x/sys/unix"
)

func boolPtr(b bool) *bool { return &b }

// TestServerSocketOptions checks on the socket itself what each context
// option and each default sets.
func TestServerSocketOptions(t *testing.T) {
	tests := []struct {
		name             string
		address          string
		opts             socketOptions
		level, opt, want int
	}{
		{"tcp reuses the address by default", "tcp://127.0.0.1:0", socketOptions{}, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1},
		{"so_reuseaddr false", "tcp://127.0.0.1:0", socketOptions{SoReuseAddr: boolPtr(false)}, unix.SOL_SOCKET, unix.SO_REUSEADDR, 0},
		{"udp does not by default", "udp://127.0.0.1:0", socketOptions{}, unix.SOL_SOCKET, unix.SO_REUSEADDR, 0},
		{"udp so_reuseaddr", "udp://127.0.0.1:0", socketOptions{SoReuseAddr: boolPtr(true)}, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1},
		{"so_reuseport", "tcp://127.0.0.1:0", socketOptions{SoReusePort: boolPtr(true)}, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1},
		{"so_broadcast", "udp://127.0.0.1:0", socketOptions{SoBroadcast: boolPtr(true)}, unix.SOL_SOCKET, unix.SO_BROADCAST, 1},
		{"tcp_nodelay is for accepted connections", "tcp://127.0.0.1:0", socketOptions{TCPNoDelay: boolPtr(true)}, unix.IPPROTO_TCP, unix.TCP_NODELAY, 0},
		{"ipv6_v6only true", "tcp://[::]:0", socketOptions{IPv6V6Only: boolPtr(true)}, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 1},
		{"ipv6_v6only false", "tcp://[::]:0", socketOptions{IPv6V6Only: boolPtr(false)}, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, err := parseAddress(tt.address)
			if err != nil {
				t.Fatal(err)
			}
			ips, err := resolve(t.Context(), addr.Host)
			if err != nil {
				t.Fatal(err)
			}
			flags := streamServerBind | streamServerListen
			if addr.Datagram() {
				flags = streamServerBind
			}
			s, err := listen(addr, ips, flags, &tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var got int
			s.raw.Control(func(fd uintptr) { got, err = unix.GetsockoptInt(int(fd), tt.level, tt.opt) })
			if err != nil || (got != 0) != (tt.want != 0) {
				t.Fatalf("option = %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}

// TestClientSocketOptions checks on the socket what a client context sets.
func TestClientSocketOptions(t *testing.T) {
	fd, err := testSocket(unix.AF_INET, unix.SOCK_STREAM)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	addr, _ := parseAddress("tcp://127.0.0.1:9")
	local := &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}
	if err := setClientOptions(fd, addr, unix.AF_INET, local, &socketOptions{TCPNoDelay: boolPtr(true)}); err != nil {
		t.Fatal(err)
	}
	nodelay, _ := unix.GetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY)
	reuse, _ := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR)
	sa, _ := unix.Getsockname(fd)
	if nodelay == 0 || reuse == 0 || formatSockaddr(sa) == "0.0.0.0:0" {
		t.Fatalf("nodelay %d, reuseaddr %d, bound to %s", nodelay, reuse, formatSockaddr(sa))
	}
}
