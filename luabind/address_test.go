package luabind

import (
	"fmt"
	"strings"
	"testing"

	"github.com/luasock/luasock/internal/errno"
	"golang.org/x/sys/unix"
)

func TestParseAddress(t *testing.T) {
	long := "/tmp/" + strings.Repeat("a", maxUnixPath-4) // one byte too many
	tests := []struct {
		in      string
		want    parsedAddress
		errstr  string
		errnoNo int
	}{
		{in: "tcp://127.0.0.1:8000", want: parsedAddress{Transport: "tcp", Target: "127.0.0.1:8000", Host: "127.0.0.1", Port: 8000}},
		{in: "127.0.0.1:80", want: parsedAddress{Transport: "tcp", Target: "127.0.0.1:80", Host: "127.0.0.1", Port: 80}},
		{in: "udp://[::1]:1113", want: parsedAddress{Transport: "udp", Target: "[::1]:1113", Host: "::1", Port: 1113}},
		{in: "tcp://localhost:0", want: parsedAddress{Transport: "tcp", Target: "localhost:0", Host: "localhost"}},
		{in: "tcp://[fe80::1%lo]:9", want: parsedAddress{Transport: "tcp", Target: "[fe80::1%lo]:9", Host: "fe80::1%lo", Port: 9}},
		{in: "tcp://0.0.0.0:65535", want: parsedAddress{Transport: "tcp", Target: "0.0.0.0:65535", Host: "0.0.0.0", Port: 65535}},
		{in: "tls://localhost:443", want: parsedAddress{Transport: "tcp", Target: "localhost:443", Host: "localhost", Port: 443, Secure: "tls"}},
		{in: "ssl://[::1]:8443", want: parsedAddress{Transport: "tcp", Target: "[::1]:8443", Host: "::1", Port: 8443, Secure: "ssl"}},
		{in: "TLS://x:1", errstr: `Unable to find the socket transport "TLS"`},
		{in: "tls://x", errstr: `Failed to parse address "x"`},
		{in: "unix:///tmp/x.sock", want: parsedAddress{Transport: "unix", Target: "/tmp/x.sock", Path: "/tmp/x.sock"}},
		{in: "udg://rel.sock", want: parsedAddress{Transport: "udg", Target: "rel.sock", Path: "rel.sock"}},
		{in: "unix://\x00abstract", want: parsedAddress{Transport: "unix", Target: "\x00abstract", Path: "\x00abstract"}},
		{in: "unix://" + long[:maxUnixPath], want: parsedAddress{Transport: "unix", Target: long[:maxUnixPath], Path: long[:maxUnixPath]}},
		{in: "unix://" + long, errstr: errno.Strerror(int(unix.ENAMETOOLONG)), errnoNo: int(unix.ENAMETOOLONG)},
		{in: "foo://x:1", errstr: `Unable to find the socket transport "foo"`},
		{in: "Tcp://x:1", errstr: `Unable to find the socket transport "Tcp"`},
		{in: "://x:1", errstr: `Unable to find the socket transport ""`},
		{in: "127.0.0.1", errstr: `Failed to parse address "127.0.0.1"`},
		{in: "", errstr: `Failed to parse address ""`},
		{in: "tcp://[::1", errstr: `Failed to parse IPv6 address "[::1"`},
		{in: "tcp://[::1]80", errstr: `Failed to parse IPv6 address "[::1]80"`},
		{in: "tcp://::1:80", errstr: `Failed to parse address "::1:80": the port must be a number from 0 to 65535`},
		{in: "tcp://h:abc", errstr: `Failed to parse address "h:abc": the port must be a number from 0 to 65535`},
		{in: "tcp://h:+80", errstr: `Failed to parse address "h:+80": the port must be a number from 0 to 65535`},
		{in: "tcp://h:65536", errstr: `Failed to parse address "h:65536": the port must be a number from 0 to 65535`},
		{in: "tcp://h:8000/path", errstr: `Failed to parse address "h:8000/path": the port must be a number from 0 to 65535`},
		// A malformed "://" is named, with the address as meant.
		{in: "tcp:/127.0.0.1:8000", errstr: `Failed to parse address "tcp:/127.0.0.1:8000": "tcp:/" must be "tcp://", as in "tcp://127.0.0.1:8000"`},
		{in: "tcp:127.0.0.1:8000", errstr: `Failed to parse address "tcp:127.0.0.1:8000": "tcp:" must be "tcp://", as in "tcp://127.0.0.1:8000"`},
		{in: "tcp:127.0.0.1", errstr: `Failed to parse address "tcp:127.0.0.1": "tcp:" must be "tcp://", as in "tcp://127.0.0.1"`},
		{in: `tcp:\\h:1`, errstr: `Failed to parse address "tcp:\\h:1": "tcp:\\" must be "tcp://", as in "tcp://h:1"`},
		{in: "tcp//h:1", errstr: `Failed to parse address "tcp//h:1": "tcp//" must be "tcp://", as in "tcp://h:1"`},
		{in: "tcp:/", errstr: `Failed to parse address "tcp:/": "tcp:/" must be "tcp://"`},
		{in: "udp:/h:53", errstr: `Failed to parse address "udp:/h:53": "udp:/" must be "udp://", as in "udp://h:53"`},
		{in: "tlsv1.2:/h:443", errstr: `Failed to parse address "tlsv1.2:/h:443": "tlsv1.2:/" must be "tlsv1.2://", as in "tlsv1.2://h:443"`},
		{in: "tcp:///127.0.0.1:8000", errstr: `Failed to parse address "/127.0.0.1:8000": "tcp:///" must be "tcp://", as in "tcp://127.0.0.1:8000"`},
		{in: "ssl:////h:1", errstr: `Failed to parse address "//h:1": "ssl:////" must be "ssl://", as in "ssl://h:1"`},
		{in: "tcp:///", errstr: `Failed to parse address "/": "tcp:///" must be "tcp://"`},
		{in: "unix:/tmp/x.sock", errstr: `Failed to parse address "unix:/tmp/x.sock": "unix:" must be "unix://", as in "unix:///tmp/x.sock"`},
		{in: "udg:rel.sock", errstr: `Failed to parse address "udg:rel.sock": "udg:" must be "udg://", as in "udg://rel.sock"`},
		// A valid host:port stays one, as in PHP: a host may be named "tcp".
		{in: "tcp:80", want: parsedAddress{Transport: "tcp", Target: "tcp:80", Host: "tcp", Port: 80}},
		{in: "unix:80", want: parsedAddress{Transport: "tcp", Target: "unix:80", Host: "unix", Port: 80}},
		// Not a transport's name: the usual failures.
		{in: "tcpx:/h:1", errstr: `Failed to parse address "tcpx:/h:1": the port must be a number from 0 to 65535`},
		{in: "Tcp:/h:1", errstr: `Failed to parse address "Tcp:/h:1": the port must be a number from 0 to 65535`},
		{in: "unix//tmp/x", errstr: `Failed to parse address "unix//tmp/x"`},
	}
	for _, tt := range tests {
		if strings.HasPrefix(tt.in, "unix://\x00") && !abstractNames { // the portable build
			tt.want = parsedAddress{}
			tt.errstr, tt.errnoNo = errno.Of(errNoAbstract)
		}
		t.Run(fmt.Sprintf("%q", tt.in), func(t *testing.T) {
			got, err := parseAddress(tt.in)
			if tt.errstr == "" {
				if err != nil || got != tt.want {
					t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
				}
				return
			}
			msg, code := errno.Of(err)
			if msg != tt.errstr || code != tt.errnoNo {
				t.Fatalf("got %q (%d), want %q (%d)", msg, code, tt.errstr, tt.errnoNo)
			}
		})
	}
}

func TestFormatSockaddr(t *testing.T) {
	tests := []struct {
		sa   unix.Sockaddr
		want string
	}{
		{&unix.SockaddrInet4{Port: 80, Addr: [4]byte{127, 0, 0, 1}}, "127.0.0.1:80"},
		{&unix.SockaddrInet6{Port: 443, Addr: [16]byte{15: 1}}, "[::1]:443"},
		{&unix.SockaddrInet6{Port: 1, Addr: [16]byte{10: 0xff, 11: 0xff, 12: 127, 15: 1}}, "[::ffff:127.0.0.1]:1"},
		{&unix.SockaddrUnix{Name: "/tmp/s"}, "/tmp/s"},
		{&unix.SockaddrUnix{Name: ""}, ""},
		{&unix.SockaddrUnix{Name: "@abs"}, "\x00abs"},
		{&unix.SockaddrUnix{Name: "@"}, ""},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := formatSockaddr(tt.sa); got != tt.want {
			t.Errorf("%#v: got %q, want %q", tt.sa, got, tt.want)
		}
	}
	if got := unixSockaddr("@file").Name; got != "./@file" {
		t.Errorf("a file named @file became %q", got)
	}
	if got := unixSockaddr("\x00abs").Name; got != "@abs" {
		t.Errorf("an abstract name became %q", got)
	}
}
