package luabind

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/luasock/luasock/internal/errno"
)

// transports lists the socket transports in the order stream_get_transports
// reports them. Lookup is case-sensitive, as in PHP.
var transports = []string{"tcp", "udp", "unix", "udg", "ssl", "tls", "tlsv1.0", "tlsv1.1", "tlsv1.2", "tlsv1.3"}

// maxUnixPath is the longest path sockaddr_un holds with its terminating
// NUL: 107 bytes on Linux, 103 on macOS and the BSDs.
const maxUnixPath = len(unix.RawSockaddrUnix{}.Path) - 1

// parsedAddress is a parsed `transport://target`.
type parsedAddress struct {
	Transport string // tcp, udp, unix or udg
	Target    string // what followed "transport://", as given
	Host      string // IP transports: host name or literal, without brackets
	Port      int    // IP transports
	Path      string // unix and udg: the socket file, or "\x00name" (abstract)
	Secure    string // "tls", "ssl" or "tlsv1.x" as given: TCP with TLS (Transport is "tcp")
}

// IsIP tells whether the transport uses IP host:port targets.
func (a parsedAddress) IsIP() bool { return a.Transport == "tcp" || a.Transport == "udp" }

// Datagram tells whether the transport is connectionless.
func (a parsedAddress) Datagram() bool { return a.Transport == "udp" || a.Transport == "udg" }

// parseAddress parses a stream address. A string without "://" is a tcp target.
// Failures are errno 0 (nothing reached the kernel), except a unix path too long
// for sockaddr_un, which is ENAMETOOLONG as the kernel would say.
func parseAddress(s string) (parsedAddress, error) {
	transport, target := "tcp", s
	if i := strings.Index(s, "://"); i >= 0 {
		transport, target = s[:i], s[i+3:]
	}
	a := parsedAddress{Transport: transport, Target: target}
	switch transport {
	case "tls", "ssl", "tlsv1.0", "tlsv1.1", "tlsv1.2", "tlsv1.3":
		a.Transport, a.Secure = "tcp", transport
		fallthrough
	case "tcp", "udp":
		if target != s && strings.HasPrefix(target, "/") { // "tcp:///h:1": the slashes of unix:///path
			n := len(target) - len(strings.TrimLeft(target, "/"))
			return parsedAddress{}, errno.New(`Failed to parse address "` + target + `": ` +
				separatorFix(transport+"://"+target[:n], transport, target[n:]))
		}
		host, port, err := parseHostPort(target)
		// Without "://" all of s is the target: "tcp:/h:1" fails as host "tcp"
		// with port "/h:1", and "tcp//h:1" would look up a name with slashes.
		if target == s && (err != nil || strings.ContainsAny(host, `/\`)) {
			if fix := separatorMistake(s); fix != "" {
				return parsedAddress{}, errno.New(`Failed to parse address "` + s + `": ` + fix)
			}
		}
		if err != nil {
			return parsedAddress{}, err
		}
		a.Host, a.Port = host, port
	case "unix", "udg":
		if err := checkUnixPath(target); err != nil {
			return parsedAddress{}, err
		}
		a.Path = target
	default:
		return parsedAddress{}, errno.New(`Unable to find the socket transport "` + transport + `"`)
	}
	return a, nil
}

// separatorMistake explains an address that starts with a transport but
// not with "://" ("tcp:/h:1", "tcp:h:1", "unix:/tmp/s"), or returns "".
// PHP looks up a host named "tcp" there; a learner needs to hear about
// the slashes instead.
func separatorMistake(s string) string {
	for _, t := range transports {
		rest, ok := strings.CutPrefix(s, t)
		if !ok || rest == "" {
			continue
		}
		if t == "unix" || t == "udg" {
			if path, ok := strings.CutPrefix(rest, ":"); ok { // the slashes that follow belong to the path
				return separatorFix(t+":", t, path)
			}
			continue
		}
		after := strings.TrimLeft(rest, `:/\`)
		if len(after) < len(rest) {
			return separatorFix(t+rest[:len(rest)-len(after)], t, after)
		}
	}
	return ""
}

// separatorFix says that typed must be transport + "://", with the
// corrected address when there is a target to show.
func separatorFix(typed, transport, target string) string {
	msg := `"` + typed + `" must be "` + transport + `://"`
	if target != "" {
		msg += `, as in "` + transport + "://" + target + `"`
	}
	return msg
}

// parseHostPort splits "host:port" or "[v6]:port" the way PHP does (the first
// colon ends an unbracketed host), but insists on a decimal port in 0..65535
// where PHP's atoi would silently bind port 0.
func parseHostPort(target string) (string, int, error) {
	var host, port string
	if strings.HasPrefix(target, "[") && len(target) > 1 {
		end := strings.IndexByte(target, ']')
		if end < 0 || end+1 >= len(target) || target[end+1] != ':' {
			return "", 0, errno.New(`Failed to parse IPv6 address "` + target + `"`)
		}
		host, port = target[1:end], target[end+2:]
	} else {
		i := strings.IndexByte(target, ':')
		if i < 0 {
			return "", 0, errno.New(`Failed to parse address "` + target + `"`)
		}
		host, port = target[:i], target[i+1:]
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 || port[0] == '+' || port[0] == '-' {
		return "", 0, errno.New(`Failed to parse address "` + target + `": the port must be a number from 0 to 65535`)
	}
	return host, n, nil
}

// literalIP parses an IP literal, zone included ("fe80::1%lo").
func literalIP(host string) (netip.Addr, bool) {
	ip, err := netip.ParseAddr(host)
	return ip, err == nil
}

// resolve turns a host name into addresses, IPv4 first (the choice a user on a
// dual-stack "localhost" expects). It may block: call it with the Lua lock released.
func resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if ip, ok := literalIP(host); ok {
		return []netip.Addr{ip}, nil
	}
	if host == "" {
		return nil, errno.New(`getaddrinfo for "" failed: Name or service not known`)
	}
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(ips) == 0 {
		reason := "Name or service not known"
		var de *net.DNSError
		if errors.As(err, &de) && (de.IsTemporary || de.IsTimeout) {
			reason = "Temporary failure in name resolution"
		}
		return nil, errno.New("getaddrinfo for " + host + " failed: " + reason)
	}
	var v4, v6 []netip.Addr
	for _, ip := range ips {
		if ip.Unmap().Is4() {
			v4 = append(v4, ip.Unmap())
		} else {
			v6 = append(v6, ip)
		}
	}
	return append(v4, v6...), nil
}

// ipSockaddr builds the sockaddr for ip:port on a socket of the given family;
// an IPv4 address on an IPv6 socket becomes v4-mapped.
func ipSockaddr(ip netip.Addr, port, family int) unix.Sockaddr {
	if family == unix.AF_INET6 || !ip.Unmap().Is4() {
		sa := &unix.SockaddrInet6{Port: port, Addr: ip.As16()}
		if z := ip.Zone(); z != "" {
			if ifi, err := net.InterfaceByName(z); err == nil {
				sa.ZoneId = uint32(ifi.Index)
			} else if n, err := strconv.Atoi(z); err == nil {
				sa.ZoneId = uint32(n)
			}
		}
		return sa
	}
	return &unix.SockaddrInet4{Port: port, Addr: ip.Unmap().As4()}
}

// checkUnixPath fails a unix path too long for sockaddr_un, with
// ENAMETOOLONG as the kernel would say, and an abstract name where the
// system has none.
func checkUnixPath(path string) error {
	if len(path) > maxUnixPath {
		return errno.FromSyscall(unix.ENAMETOOLONG)
	}
	if !abstractNames && strings.HasPrefix(path, "\x00") {
		return errNoAbstract
	}
	return nil
}

// errNoAbstract is an abstract name's failure where the system has none.
var errNoAbstract = errNotLinux(`abstract unix socket names (a leading "\0") are Linux's only: give a socket file's path, as in "unix:///tmp/app.sock"`)

// errNotLinux is the failure of what only Linux has: EOPNOTSUPP, with
// what to do instead.
func errNotLinux(why string) error {
	return &errno.Failure{Msg: errno.Strerror(int(unix.EOPNOTSUPP)) + ": " + why, Errno: int(unix.EOPNOTSUPP)}
}

// unixSockaddr converts a script's path to x/sys's form, where a leading '@'
// means Linux's abstract namespace; scripts write that as a leading "\0".
func unixSockaddr(path string) *unix.SockaddrUnix {
	if strings.HasPrefix(path, "\x00") {
		return &unix.SockaddrUnix{Name: "@" + path[1:]}
	}
	if strings.HasPrefix(path, "@") {
		return &unix.SockaddrUnix{Name: "./" + path} // a file whose name starts with '@'
	}
	return &unix.SockaddrUnix{Name: path}
}

// formatSockaddr renders a socket name the way PHP does: "ip:port",
// "[v6]:port", or the unix path ("" when unnamed).
func formatSockaddr(sa unix.Sockaddr) string {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrFrom4(a.Addr).String() + ":" + strconv.Itoa(a.Port)
	case *unix.SockaddrInet6:
		return "[" + netip.AddrFrom16(a.Addr).String() + "]:" + strconv.Itoa(a.Port)
	case *unix.SockaddrUnix:
		if a.Name == "@" { // x/sys's spelling of an unnamed socket
			return ""
		}
		if strings.HasPrefix(a.Name, "@") {
			return "\x00" + a.Name[1:]
		}
		return a.Name
	}
	return ""
}
