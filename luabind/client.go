package luabind

import (
	"net/netip"
	"time"

	"github.com/luasock/luasock/internal/errno"
	"github.com/luasock/luasock/internal/lang/luaarg"
	"github.com/luasock/luasock/internal/sockevent"
	lua "github.com/yuin/gopher-lua"
	"golang.org/x/sys/unix"
)

// PHP's client flags.
const (
	streamClientAsyncConnect = 2
	streamClientConnect      = 4
)

// defaultConnectTimeout is PHP's default_socket_timeout.
const defaultConnectTimeout = 60 * time.Second

// client is `stream_socket_client(address [, timeout [, flags [, context]]])`
// → `stream` | `nil, errstr, errno`. It tries each resolved address in turn.
// timeout (seconds, default 60; negative waits as long as the system does)
// bounds the connect; STREAM_CLIENT_ASYNC_CONNECT returns while the connect
// is under way (the stream turns writable when it completes). udp and udg
// "connects" only set the peer: refusals come with the next read or write.
func (a *api) client(L *lua.LState, fname string) int {
	address := luaarg.CheckString(L, 1, fname)
	wait := defaultConnectTimeout
	if L.Get(2) != lua.LNil {
		if t := luaarg.CheckNumber(L, 2, fname); t >= 0 {
			wait = max(seconds(t, 0), time.Nanosecond)
		} else {
			wait = -1
		}
	}
	flags := luaarg.OptInt(L, 3, fname, streamClientConnect)
	ctx := optContext(L, 4, fname)
	addr, err := parseAddress(address)
	if err != nil {
		return pushFailure(L, err)
	}
	var local unix.Sockaddr
	var targets []target
	if addr.IsIP() {
		ips, err := a.resolve(L, addr.Host)
		if err != nil {
			return pushFailure(L, err)
		}
		for _, ip := range ips {
			family := unix.AF_INET
			if !ip.Is4() {
				family = unix.AF_INET6
			}
			targets = append(targets, target{family, ipSockaddr(ip, addr.Port, family)})
		}
		if ctx.Socket.BindTo != "" {
			if local, err = a.bindAddress(L, ctx.Socket.BindTo); err != nil {
				return pushFailure(L, err)
			}
		}
	} else {
		targets = append(targets, target{unix.AF_UNIX, unixSockaddr(addr.Path)})
	}
	for _, to := range targets {
		var s *stream
		s, err = a.connect(L, addr, to, local, wait, flags, &ctx.Socket)
		if err == nil {
			ssl := pinVersion(ctx.SSL, addr.Secure)
			s.ssl, s.host = &ssl, addr.Host
			if a.observer != nil {
				a.observe(s, sockevent.Event{Op: sockevent.Connect, Peer: formatSockaddr(to.sa)})
			}
			if addr.Secure != "" {
				if err = a.startClientTLS(L, s, wait); err != nil {
					a.closeStream(s)
					return pushFailure(L, err)
				}
			}
			pushStream(L, s)
			return 1
		}
	}
	return pushFailure(L, err)
}

// startClientTLS is the handshake of a tls:// client.
func (a *api) startClientTLS(L *lua.LState, s *stream, wait time.Duration) error {
	ssl := s.sslOpts()
	cfg, err := clientTLSConfig(&ssl, s.host)
	if err != nil {
		return err
	}
	cfg.KeyLogWriter = a.keyLog
	return a.handshake(L, s, cfg, false, wait)
}

// target is one address a client tries.
type target struct {
	family int
	sa     unix.Sockaddr
}

// bindAddress parses a context's bindto, "ip:port" or "[v6]:port".
func (a *api) bindAddress(L *lua.LState, bindto string) (unix.Sockaddr, error) {
	host, port, err := parseHostPort(bindto)
	if err != nil {
		return nil, err
	}
	ip, ok := literalIP(host)
	if !ok {
		if host != "" {
			return nil, errno.New(`Failed to parse address "` + bindto + `": bindto needs an IP address`)
		}
		ip = netip.IPv4Unspecified()
	}
	family := unix.AF_INET
	if !ip.Is4() {
		family = unix.AF_INET6
	}
	return ipSockaddr(ip, port, family), nil
}

// connect makes one connection attempt. The socket is tracked from its
// creation, so a run that stops during the wait still closes it. A failed
// attempt is an event with the address the socket had (a refused connect
// is a SYN and an RST in a capture).
func (a *api) connect(L *lua.LState, addr parsedAddress, to target, local unix.Sockaddr, wait time.Duration, flags int, opts *socketOptions) (s *stream, err error) {
	named := "" // the failed socket's address, for the observers
	if a.observer != nil {
		defer func() {
			if err != nil {
				a.observeFailure(nil, sockevent.Event{Op: sockevent.Connect, Transport: addr.Transport, Kind: "socket",
					Local: named, Peer: formatSockaddr(to.sa)}, err)
			}
		}()
	}
	fd, err := socketNow(to.family, sockType(addr.Transport), 0)
	if err != nil {
		return nil, err
	}
	if s, err = newStream(fd, addr.Transport, to.family); err != nil {
		unix.Close(fd)
		return nil, err
	}
	a.host.Track(s)
	fail := func(err error) (*stream, error) {
		if a.observer != nil && addr.IsIP() {
			named = s.localName()
		}
		a.host.Untrack(s)
		s.Close()
		return nil, err
	}
	if err := setClientOptions(fd, addr, to.family, local, opts); err != nil {
		return fail(err)
	}
	err = unix.Connect(fd, to.sa)
	if err == unix.EINPROGRESS && flags&streamClientAsyncConnect == 0 {
		err = a.callOrWait(L, s, waiting{write: true, limit: wait}, connectDone{})
	} else if err == unix.EINPROGRESS {
		err = nil
	}
	if err != nil {
		return fail(err)
	}
	s.connected = !s.datagram()
	return s, nil
}

// connectDone is the end of a connect in progress: writable means the
// handshake ended, SO_ERROR tells how; EAGAIN until then.
type connectDone struct{}

func (connectDone) try(fd int, _ bool) error {
	if soErr, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR); err != nil || soErr != 0 {
		if err == nil {
			err = unix.Errno(soErr)
		}
		return err
	}
	if _, err := unix.Getpeername(fd); err == unix.ENOTCONN {
		return unix.EAGAIN
	}
	return nil
}

// setClientOptions applies a context's options before connect: bindto,
// SO_REUSEADDR with bindto (PHP does), SO_BROADCAST and TCP_NODELAY.
func setClientOptions(fd int, addr parsedAddress, family int, local unix.Sockaddr, o *socketOptions) error {
	if !addr.IsIP() {
		return nil
	}
	if o.TCPNoDelay != nil && *o.TCPNoDelay && addr.Transport == "tcp" {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1); err != nil {
			return err
		}
	}
	if o.SoBroadcast != nil && *o.SoBroadcast && addr.Transport == "udp" {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_BROADCAST, 1); err != nil {
			return err
		}
	}
	if local == nil {
		return nil
	}
	if v4, ok := local.(*unix.SockaddrInet4); ok && family == unix.AF_INET6 {
		local = ipSockaddr(netip.AddrFrom4(v4.Addr), v4.Port, family)
	}
	if o.SoReuseAddr == nil || *o.SoReuseAddr {
		_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
	}
	return unix.Bind(fd, local)
}

// pair is `stream_socket_pair(domain, type, protocol)` → `a, b` |
// `nil, errstr, errno`: two connected sockets (unix streams for
// STREAM_PF_UNIX, STREAM_SOCK_STREAM).
func (a *api) pair(L *lua.LState, fname string) int {
	domain := luaarg.CheckInt(L, 1, fname)
	typ := luaarg.CheckInt(L, 2, fname)
	proto := luaarg.CheckInt(L, 3, fname)
	fds, err := socketpairNow(domain, typ, proto)
	if err != nil {
		return pushFailure(L, err)
	}
	transport := "unix"
	if typ == unix.SOCK_DGRAM {
		transport = "udg"
	}
	for _, fd := range fds {
		s, err := newStream(fd, transport, domain)
		if err != nil {
			unix.Close(fd)
			return pushFailure(L, err)
		}
		s.connected = typ != unix.SOCK_DGRAM
		s.paired = true
		a.host.Track(s)
		pushStream(L, s)
	}
	return 2
}
