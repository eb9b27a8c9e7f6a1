package luabind

import (
	"crypto/tls"
	"errors"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/luasock/luasock/internal/errno"
	"github.com/luasock/luasock/internal/lang/luaarg"
	"github.com/luasock/luasock/internal/lang/luanum"
	"github.com/luasock/luasock/internal/sockevent"
	lua "github.com/yuin/gopher-lua"
	"golang.org/x/sys/unix"
)

// PHP's flag values.
const (
	streamServerBind   = 4
	streamServerListen = 8
)

// server is `stream_socket_server(address [, flags [, context]])` →
// `server` | `nil, errstr, errno`. errno is that of the failing socket, bind
// or listen call, or 0 for an address that does not parse or resolve. A
// failure leaves nothing behind: no socket, no socket file.
func (a *api) server(L *lua.LState, fname string) int {
	address := luaarg.CheckString(L, 1, fname)
	flags := luaarg.OptInt(L, 2, fname, streamServerBind|streamServerListen)
	ctx := optContext(L, 3, fname)
	var addr parsedAddress
	var ips []netip.Addr
	var named *inheritedSocket // "fd://N", "systemd://NAME": a socket the parent passed
	var err error
	if namesInherited(address) {
		if named, err = findNamed(address); err != nil {
			return pushFailure(L, err)
		}
		addr = parsedAddress{Transport: named.transport(), Target: address}
	} else {
		if addr, err = parseAddress(address); err != nil {
			return pushFailure(L, err)
		}
		if addr.IsIP() {
			if ips, err = a.resolve(L, addr.Host); err != nil {
				return pushFailure(L, err)
			}
		}
	}
	var tlsConfig *tls.Config
	ssl := pinVersion(ctx.SSL, addr.Secure)
	if addr.Secure != "" || ssl.LocalCert != "" {
		// Loaded now, so that a wrong file or passphrase shows at once.
		if tlsConfig, err = serverTLSConfig(&ssl); err != nil {
			return pushFailure(L, err)
		}
		tlsConfig.KeyLogWriter = a.keyLog
	}
	opts := ctx.Socket
	if opts.ProxyProtocol && addr.Datagram() {
		return pushFailure(L, errno.New("PROXY protocol needs a stream server (tcp, tls, unix), not "+addr.Transport))
	}
	if opts.ProxyTrusted != nil && !opts.ProxyProtocol {
		return pushFailure(L, errno.New("socket option 'proxy_trusted' needs proxy_protocol = true"))
	}
	if opts.ProxyUntrusted != "" && opts.ProxyTrusted == nil {
		return pushFailure(L, errno.New("socket option 'proxy_untrusted' needs proxy_trusted (who is trusted)"))
	}
	if opts.ProxyTrusted != nil && !addr.IsIP() {
		return pushFailure(L, errno.New("socket option 'proxy_trusted' needs an IP server (tcp, tls), not "+addr.Transport))
	}
	if a.worker.Count > 0 && opts.SoReusePort == nil {
		on := true // workers share the port: the kernel spreads the load, or they share one socket (workers.go)
		opts.SoReusePort = &on
	}
	if named == nil && !addr.IsIP() && (opts.Owner != "" || opts.Group != "") {
		// The user database may be a network service: the lock is released.
		a.host.Block(L, func() { opts.owner, err = lookupOwner(&opts) })
		if err != nil {
			return pushFailure(L, err)
		}
	}
	s, err := a.takeOver(address, flags) // a reload's: the old state's server
	switch {
	case s != nil || err != nil:
	case named != nil:
		s, err = adopt(named, flags)
	default:
		s, err = a.listenShared(addr, ips, flags, &opts) // listen, or a worker's share of one (workers.go)
	}
	if err != nil {
		if a.observer != nil {
			a.observeFailure(nil, sockevent.Event{Op: sockevent.Listen, Transport: addr.Transport, Kind: "server",
				Local: strings.TrimPrefix(address, addr.Transport+"://")}, err)
		}
		return pushFailure(L, err)
	}
	if opts.ProxyProtocol && s.listening {
		if s.proxy, err = newProxyIntake(); err != nil {
			_ = s.Close()
			return pushFailure(L, err)
		}
		s.proxy.trusted, s.proxy.direct = opts.ProxyTrusted, opts.ProxyUntrusted == "direct"
	}
	s.request, s.requestFlags = address, flags
	s.nodelay = opts.TCPNoDelay != nil && *opts.TCPNoDelay
	s.tracked = serverHandle{s}
	a.host.Track(s.tracked)
	s.ssl, s.serverTLS, s.autoTLS = &ssl, tlsConfig, addr.Secure != ""
	if a.observer != nil {
		op := sockevent.Listen
		if !s.listening {
			op = sockevent.Bind
		}
		e := sockevent.Event{Op: op}
		if s.inherited != 0 {
			e.Note = "(inherited fd " + strconv.Itoa(s.inherited) + ")"
		}
		a.observe(s, e)
	}
	pushStream(L, s)
	return 1
}

// resolve looks a host up with the Lua lock released when it is not a literal.
func (a *api) resolve(L *lua.LState, host string) ([]netip.Addr, error) {
	if ip, ok := literalIP(host); ok {
		return []netip.Addr{ip}, nil
	}
	var ips []netip.Addr
	var err error
	ctx := a.waitContext(L)
	a.host.Resolving(L, func() { ips, err = resolve(ctx, host) })
	return ips, err
}

// listen creates, configures, binds and (with STREAM_SERVER_LISTEN) listens,
// trying each resolved address until one binds, as PHP does. A socket the
// parent passed (socket activation) with one of those addresses is used
// instead, before anything is bound.
func listen(addr parsedAddress, ips []netip.Addr, flags int, opts *socketOptions) (*stream, error) {
	if !addr.IsIP() {
		if !abstractNames && addr.Path == "" && flags&streamServerBind != 0 {
			return nil, errNotLinux(`"` + addr.Transport + `://" with no path (autobind: an abstract name the kernel picks) is Linux's only: give a socket file's path`)
		}
		sa := unixSockaddr(addr.Path)
		if inh := findMatching(addr.Transport, unix.AF_UNIX, sa, flags); inh != nil {
			return adopt(inh, flags)
		}
		return listenOn(addr, unix.AF_UNIX, sa, flags, opts)
	}
	ipFamily := func(ip netip.Addr) int {
		if ip.Is4() {
			return unix.AF_INET
		}
		return unix.AF_INET6
	}
	for _, ip := range ips {
		family := ipFamily(ip)
		if inh := findMatching(addr.Transport, family, ipSockaddr(ip, addr.Port, family), flags); inh != nil {
			return adopt(inh, flags)
		}
	}
	var err error
	for _, ip := range ips {
		family := ipFamily(ip)
		var s *stream
		if s, err = listenOn(addr, family, ipSockaddr(ip, addr.Port, family), flags, opts); err == nil {
			return s, nil
		}
	}
	return nil, err
}

// datagramListen is listen(2)'s EOPNOTSUPP on a datagram socket, which
// stream_socket_server's default flags ask for: errstr says what to do
// (PHP's errstr is empty).
func datagramListen(transport string) error {
	return &errno.Failure{Msg: errno.Strerror(int(unix.EOPNOTSUPP)) + ": a " + transport + " server takes STREAM_SERVER_BIND alone", Errno: int(unix.EOPNOTSUPP)}
}

func sockType(transport string) int {
	if transport == "udp" || transport == "udg" {
		return unix.SOCK_DGRAM
	}
	return unix.SOCK_STREAM
}

func listenOn(addr parsedAddress, family int, sa unix.Sockaddr, flags int, opts *socketOptions) (*stream, error) {
	fd, err := socketNow(family, sockType(addr.Transport), 0)
	if err != nil {
		return nil, err
	}
	var created *socketFile
	fail := func(err error) (*stream, error) {
		unix.Close(fd)
		if created != nil {
			created.remove()
		}
		return nil, err
	}
	if err := setServerOptions(fd, addr, family, opts); err != nil {
		return fail(err)
	}
	restricted := restrictsFile(addr, opts) && flags&streamServerBind != 0
	if flags&streamServerBind != 0 {
		bind := unix.Bind
		if restricted && opts.Mode != nil { // without a mode, the default one until chown: no one new gets in
			bind = bindClosed // setFileAccess opens it as asked
		}
		if err := bind(fd, sa); err != nil {
			return fail(err)
		}
		if family == unix.AF_UNIX {
			created = newSocketFile(addr.Path)
		}
	}
	if restricted {
		// Before listen: no client can connect with the default access.
		if err := setFileAccess(addr.Path, created, opts); err != nil {
			return fail(err)
		}
	}
	// PHP ignores LISTEN without BIND: listen(2) on an unbound socket would
	// bind it to every interface on an ephemeral port.
	if flags&streamServerListen != 0 && flags&streamServerBind != 0 {
		backlog := math.MaxInt32 // the kernel caps it at net.core.somaxconn
		if opts.Backlog != nil {
			backlog = *opts.Backlog
		}
		if err := unix.Listen(fd, backlog); err != nil {
			if errors.Is(err, unix.EOPNOTSUPP) && sockType(addr.Transport) == unix.SOCK_DGRAM {
				err = datagramListen(addr.Transport)
			}
			return fail(err)
		}
	}
	s, err := newStream(fd, addr.Transport, family)
	if err != nil {
		return fail(err)
	}
	s.listening = flags&streamServerListen != 0 && flags&streamServerBind != 0
	s.sockFile = created
	s.nodelay = opts.TCPNoDelay != nil && *opts.TCPNoDelay
	return s, nil
}

// setServerOptions applies PHP's defaults and a context's socket options
// before bind: SO_REUSEADDR on TCP listeners unless the context says
// otherwise; on UDP only when asked, so that a port in use fails with
// EADDRINUSE.
func setServerOptions(fd int, addr parsedAddress, family int, o *socketOptions) error {
	set := func(level, opt int, on bool) error {
		v := 0
		if on {
			v = 1
		}
		return unix.SetsockoptInt(fd, level, opt, v)
	}
	if !addr.IsIP() {
		return nil
	}
	reuseAddr := addr.Transport == "tcp"
	if o.SoReuseAddr != nil {
		reuseAddr = *o.SoReuseAddr
	}
	if err := set(unix.SOL_SOCKET, unix.SO_REUSEADDR, reuseAddr); err != nil {
		return err
	}
	if o.SoReusePort != nil {
		if err := set(unix.SOL_SOCKET, unix.SO_REUSEPORT, *o.SoReusePort); err != nil {
			return err
		}
	}
	if o.IPv6V6Only != nil && family == unix.AF_INET6 {
		if err := set(unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, *o.IPv6V6Only); err != nil {
			return err
		}
	}
	if o.SoBroadcast != nil && addr.Transport == "udp" {
		if err := set(unix.SOL_SOCKET, unix.SO_BROADCAST, *o.SoBroadcast); err != nil {
			return err
		}
	}
	// tcp_nodelay is for the accepted connections only (accept sets it), as
	// PHP does: the listening socket sends nothing.
	return nil
}

// seconds converts a Lua timeout in seconds (and microseconds, as PHP
// takes them) to a duration, saturating instead of wrapping.
func seconds(sec, usec float64) time.Duration {
	return luanum.Duration(sec + usec/1e6)
}

// serverHandle is how the host tracks a server: as a Server, which it
// closes when it stops serving.
type serverHandle struct{ *stream }

// Address is the server's transport and bound address ("tcp://127.0.0.1:8000").
func (h serverHandle) Address() string {
	scheme := h.transport
	if h.autoTLS {
		scheme = "tls"
	}
	return scheme + "://" + printable(h.localName())
}

// Accept back-off: an accept that fails for want of descriptors or memory
// (EMFILE, ENFILE, ENOBUFS, ENOMEM) waits, with the Lua lock released, and
// tries again, as Go's net/http server does: a burst of clients must neither
// end a server nor spin it while the tasks that would close descriptors
// wait for the lock. ECONNABORTED (the client left the queue) is retried at
// once. Only a timeout or another error reaches the script.
const (
	acceptBackoffFirst = 5 * time.Millisecond
	acceptBackoffMax   = time.Second
)

func transientAccept(err error) bool {
	return errors.Is(err, unix.EMFILE) || errors.Is(err, unix.ENFILE) ||
		errors.Is(err, unix.ENOBUFS) || errors.Is(err, unix.ENOMEM)
}

// acceptClient accepts a client through the blocking core (acceptOp),
// waiting for one as wait says (< 0 without end, > 0 up to a deadline, 0
// not at all), with the back-off above. The first round tries however
// short the timeout: a client already queued is taken.
func (a *api) acceptClient(L *lua.LState, s *stream, wait time.Duration) (*stream, error) {
	var deadline time.Time
	if wait > 0 {
		deadline = time.Now().Add(wait)
	}
	delay := acceptBackoffFirst
	for left := wait; ; {
		op := acceptOps.get()
		*op = acceptOp{server: s, host: a.host}
		err := a.callOrWait(L, s, waiting{limit: left, parked: &s.acceptParked}, op)
		conn := op.conn
		acceptOps.put(op)
		switch {
		case err == nil:
			return conn, nil
		case errors.Is(err, unix.ECONNABORTED): // again at once
		case !transientAccept(err):
			return nil, err
		case wait == 0:
			return nil, errTimedOut // nothing could be accepted now
		default:
			pause := delay
			if wait > 0 {
				pause = min(pause, max(time.Until(deadline), 0)) // sleepFor takes < 0 as "until the run stops"
			}
			a.sleepFor(L, pause)
			delay = min(2*delay, acceptBackoffMax)
		}
		if wait > 0 {
			if left = time.Until(deadline); left <= 0 {
				return nil, errTimedOut
			}
		}
	}
}

// acceptOp is one accept (acceptNow: accept4(2) on Linux). The connection
// is tracked at once, before the Lua lock is back: if the run stops now,
// the host still closes it.
type acceptOp struct {
	server *stream
	host   Host
	conn   *stream
}

var acceptOps opPool[acceptOp]

func (o *acceptOp) try(fd int, _ bool) error {
	var from rawAddr
	nfd, err := acceptNow(fd, &from)
	if err != nil {
		return err
	}
	o.conn, _ = newStream(nfd, o.server.transport, o.server.family)
	o.host.Track(o.conn)
	o.conn.peer = formatRawAddr(&from)
	return nil
}

// sleepFor waits d (< 0: until the run stops) with the Lua lock released.
func (a *api) sleepFor(L *lua.LState, d time.Duration) {
	if d == 0 {
		return
	}
	ctx := a.waitContext(L)
	a.host.Block(L, func() {
		var timeout <-chan time.Time
		if d > 0 {
			t := time.NewTimer(d)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-timeout:
		case <-ctx.Done():
		}
	})
}

// accept is `stream_socket_accept(server [, timeout])` → `conn, peername` |
// `nil, errstr, errno`. No timeout (or a negative one) waits until a client
// comes; 0 polls once; a timeout gives `nil, errstr, ETIMEDOUT` (110 on Linux).
func (a *api) accept(L *lua.LState, fname string) int {
	s := checkStream(L, 1, fname)
	wait := time.Duration(-1)
	if L.Get(2) != lua.LNil {
		if t := luaarg.CheckNumber(L, 2, fname); t >= 0 {
			wait = seconds(t, 0)
		}
	}
	if !s.listening && !s.datagram() && !s.connected && s.unbound() {
		// A server made without BIND: PHP waits out the timeout (no client
		// can come) where accept(2) fails at once (as it does, in both, on
		// a socket that is bound but not listening).
		a.sleepFor(L, wait)
		return pushFailure(L, errTimedOut)
	}
	var conn *stream
	var err error
	if s.proxy != nil {
		conn, err = a.acceptProxied(L, s, wait)
	} else {
		conn, err = a.acceptClient(L, s, wait)
	}
	if wait == 0 && wouldBlock(err) {
		err = errTimedOut
	} else if err != nil && a.observer != nil {
		a.observeFailure(s, sockevent.Event{Op: sockevent.Accept}, err)
	}
	if err != nil {
		return pushFailure(L, err)
	}
	if s.nodelay {
		_ = conn.raw.Control(func(fd uintptr) { _ = unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_NODELAY, 1) })
	}
	conn.connected, conn.accepted = true, true
	conn.ssl, conn.serverTLS = s.ssl, s.serverTLS
	if a.observer != nil {
		e := sockevent.Event{Op: sockevent.Accept, Peer: conn.peer}
		if conn.proxyVia != "" {
			e.Note = "(PROXY v" + strconv.Itoa(conn.proxyVersion) + " via " + printable(conn.proxyVia) + ")"
		}
		a.observe(conn, e)
	}
	if s.autoTLS {
		// The handshake runs on the stream's first use, in its task: here
		// one client that never speaks would hold up every other.
		a.deferHandshake(conn, s.serverTLS)
	}
	pushStream(L, conn)
	L.Push(lua.LString(conn.peer))
	return 2
}
