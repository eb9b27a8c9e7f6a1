package luabind

import (
	"errors"
	"io"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/luasock/luasock/internal/sockevent"

	"github.com/luasock/luasock/internal/errno"
	"github.com/luasock/luasock/internal/proxyproto"
	lua "github.com/yuin/gopher-lua"
	"golang.org/x/sys/unix"
)

// PROXY protocol servers (socket option proxy_protocol): each accepted
// connection first sends a PROXY header (v1 or v2) with the client's real
// address; accept returns the connection only once that header is read,
// with the header's source as its peer. A connection whose header is
// malformed, missing or late never reaches the script: it is closed, and
// --trace and --warnings say why. A script's accept loop so never sees a
// balancer's garbage as data, nor stops on it.
//
// One client that connects and stays silent must not hold up the others,
// so headers are read side by side: accept takes every pending connection
// from the listener, tries each header at once (it usually came with the
// connection), and hands the slow ones to a goroutine each that waits on
// Go's poller, up to proxyHeaderTimeout, touching no Lua value. Connections
// whose header is read queue in the server's intake; accept returns the
// first, and waits (Lua lock released, through poll) on the listener and
// the intake's wakeFD (an eventfd, or a pipe) together.

// proxyHeaderTimeout bounds how long a connection may take to send its
// header after it is accepted.
var proxyHeaderTimeout = 5 * time.Second

// maxPendingHeaders bounds the connections a server holds between accept
// and the script: headers being read and connections waiting to be
// returned. Past it, the listener's queue (its backlog) waits instead.
var maxPendingHeaders = 256

// intakeFullRecheck is how often a full intake's accept looks for room.
const intakeFullRecheck = 50 * time.Millisecond

// errProxyProtocol is the errno of a bad header: EPROTO, "Protocol error".
const errProxyProtocol = unix.EPROTO

// proxyIntake is a PROXY server's connections between accept and the
// script. Its goroutines and the script's tasks share it under mu.
type proxyIntake struct {
	wake wakeFD // its count is len(ready)

	// trusted (proxy_trusted), when set, are the only sources whose
	// header is read: the others are refused or, direct, served as
	// connections without a header. Set before the first accept.
	trusted []netip.Prefix
	direct  bool

	mu      sync.Mutex
	ready   []*stream // header read, peer set: next for accept
	reading int       // headers being read by goroutines
	closed  bool
	// failed are the headers that failed on a goroutine, closed already:
	// the accepting task reports them (observers and warnings belong to
	// the Lua lock's holder).
	failed []headerFailure
}

// headerFailure is a connection refused for its header, to report.
type headerFailure struct {
	conn *stream // closed; its local name kept
	r    *headerReader
	err  error
}

// fail queues a failure for the accepting task to report.
func (in *proxyIntake) fail(f headerFailure) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if !in.closed {
		in.failed = append(in.failed, f)
	}
}

// takeFailures returns the failures queued since the last call.
func (in *proxyIntake) takeFailures() []headerFailure {
	in.mu.Lock()
	defer in.mu.Unlock()
	f := in.failed
	in.failed = nil
	return f
}

func newProxyIntake() (*proxyIntake, error) {
	wake, err := newWakeFD(true)
	if err != nil {
		return nil, err
	}
	return &proxyIntake{wake: wake}, nil
}

// push queues a connection whose header was read; false when the server
// was closed meanwhile (the caller closes the connection).
func (in *proxyIntake) push(conn *stream) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.closed {
		return false
	}
	in.ready = append(in.ready, conn)
	in.wake.post()
	return true
}

// pop takes the next ready connection, or nil.
func (in *proxyIntake) pop() *stream {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.closed || len(in.ready) == 0 {
		return nil
	}
	conn := in.ready[0]
	in.ready = in.ready[1:]
	in.wake.takeOne()
	return conn
}

// room tells whether the server may take another connection off the
// listener (maxPendingHeaders).
func (in *proxyIntake) room() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.reading+len(in.ready) < maxPendingHeaders
}

func (in *proxyIntake) startedReading(delta int) {
	in.mu.Lock()
	in.reading += delta
	in.mu.Unlock()
}

// close drops the connections no one accepted (as closing a listener drops
// its queue) and the wakeFD. Any goroutine may call it, more than once.
func (in *proxyIntake) close(untrack func(io.Closer)) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.closed {
		return
	}
	in.closed = true
	for _, conn := range in.ready {
		untrack(conn)
		_ = conn.Close()
	}
	in.ready = nil
	in.wake.close()
}

// acceptProxied is accept for a PROXY server: the next connection whose
// header was read. wait < 0 waits without end, 0 polls once.
func (a *api) acceptProxied(L *lua.LState, s *stream, wait time.Duration) (*stream, error) {
	in := s.proxy
	var deadline time.Time
	if wait > 0 {
		deadline = time.Now().Add(wait)
	}
	delay := acceptBackoffFirst
	for {
		for _, f := range in.takeFailures() {
			a.reportHeaderFailure(f.conn, f.r, f.err)
		}
		if conn := in.pop(); conn != nil {
			return conn, nil
		}
		backingOff := false
		for in.room() {
			var nfd int
			var from rawAddr
			var err error
			if cerr := s.raw.Control(func(fd uintptr) { nfd, err = acceptNow(int(fd), &from) }); cerr != nil {
				a.endTaskIfHostClosed(L, os.ErrClosed)
				return nil, cerr
			}
			switch {
			case wouldBlock(err):
			case errors.Is(err, unix.ECONNABORTED):
				continue
			case transientAccept(err):
				backingOff = true // as acceptClient: wait, then try again
			case err != nil:
				return nil, err
			default:
				if err = a.startHeader(s, nfd, toSockaddr(&from)); err != nil {
					return nil, err
				}
				continue
			}
			break
		}
		if conn := in.pop(); conn != nil {
			return conn, nil
		}
		left := wait
		if wait > 0 {
			if left = time.Until(deadline); left <= 0 {
				return nil, errTimedOut
			}
		}
		if wait == 0 {
			return nil, unix.EAGAIN // accept says: timed out
		}
		fds := []unix.PollFd{{Fd: int32(in.wake.r), Events: unix.POLLIN}}
		if backingOff {
			left = delay
			if wait > 0 {
				left = min(left, time.Until(deadline))
			}
			delay = min(2*delay, acceptBackoffMax)
		} else if in.room() {
			lfd := -1
			_ = s.raw.Control(func(fd uintptr) { lfd = int(fd) })
			fds = append(fds, unix.PollFd{Fd: int32(lfd), Events: unix.POLLIN})
		} else if left < 0 || left > intakeFullRecheck {
			// Full: a header that fails frees room without a wake-up.
			left = intakeFullRecheck
		}
		if err := a.poll(L, fds, left); err != nil {
			return nil, err
		}
		if s.closed {
			return nil, os.ErrClosed // another task closed the server
		}
	}
}

// startHeader makes a tracked stream of an accepted descriptor and reads
// its header: at once when it is all there, else on a goroutine.
func (a *api) startHeader(s *stream, nfd int, sa unix.Sockaddr) error {
	conn, err := newStream(nfd, s.transport, s.family)
	if err != nil {
		return err // newStream closed nfd
	}
	a.host.Track(conn)
	conn.connected, conn.accepted = true, true
	r := &headerReader{via: formatSockaddr(sa), started: time.Now(), timeout: proxyHeaderTimeout}
	if !s.proxy.trusts(sa) {
		if s.proxy.direct { // its bytes, a forged header too, are the script's data
			conn.peer = r.via
			if !s.proxy.push(conn) {
				a.host.Untrack(conn)
				_ = conn.Close()
			}
			return nil
		}
		a.finishHeader(s, conn, r, errUntrusted, false)
		return nil
	}
	var done bool
	if cerr := conn.raw.Control(func(fd uintptr) { done, err = r.try(int(fd)) }); cerr != nil {
		err = cerr
	}
	if done || (err != nil && !wouldBlock(err)) {
		a.finishHeader(s, conn, r, err, false)
		return nil
	}
	s.proxy.startedReading(1)
	go func() {
		defer s.proxy.startedReading(-1)
		_ = conn.pollFile().SetReadDeadline(r.started.Add(r.timeout))
		rerr := conn.raw.Read(func(fd uintptr) bool {
			done, err = r.try(int(fd))
			return done || !wouldBlock(err)
		})
		_ = conn.pollFile().SetReadDeadline(time.Time{})
		switch {
		case errors.Is(rerr, os.ErrDeadlineExceeded):
			err = rerr
		case rerr != nil:
			err = os.ErrClosed // the run stopped: the host closed it
		}
		a.finishHeader(s, conn, r, err, true)
	}()
	return nil
}

// errUntrusted refuses a connection from outside proxy_trusted: whatever
// header it sends is not believed.
var errUntrusted = &errno.Failure{Msg: "not from a trusted address (proxy_trusted)", Errno: int(unix.EPERM)}

// trusts tells whether a connection from sa may send a PROXY header.
func (in *proxyIntake) trusts(sa unix.Sockaddr) bool {
	if in.trusted == nil {
		return true
	}
	var addr netip.Addr
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		addr = netip.AddrFrom4(sa.Addr)
	case *unix.SockaddrInet6:
		addr = netip.AddrFrom16(sa.Addr).Unmap() // a dual-stack server's IPv4 clients
	default:
		return false
	}
	for _, p := range in.trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// finishHeader hands a connection whose header was read to the intake, or
// closes one whose header failed and has it reported: at once on the
// accepting task, or (onGoroutine, a header read on its own goroutine)
// queued for the accepting task. It touches no Lua value.
func (a *api) finishHeader(s *stream, conn *stream, r *headerReader, err error, onGoroutine bool) {
	if err == nil {
		conn.peer = r.peer
		if conn.peer == "" && !r.unix {
			conn.peer = r.via // LOCAL, UNKNOWN: the connection's own peer
		}
		conn.proxyVia, conn.proxyVersion = r.via, r.version
		if s.proxy.push(conn) {
			return
		}
		err = os.ErrClosed
	}
	a.host.Untrack(conn)
	if errors.Is(err, os.ErrClosed) {
		_ = conn.Close() // the server or the run closed: nothing to report
		return
	}
	err = proxyFailure(err, r.timeout)
	conn.localName() // kept for the report, made after the close
	if onGoroutine {
		s.proxy.fail(headerFailure{conn: conn, r: r, err: err})
		_ = conn.Close()
		return
	}
	_ = conn.Close()
	a.reportHeaderFailure(conn, r, err)
}

// reportHeaderFailure tells the observers and the warnings why a
// connection was refused, with the Lua lock held.
func (a *api) reportHeaderFailure(conn *stream, r *headerReader, err error) {
	if a.observer != nil {
		a.observeFailure(conn, sockevent.Event{Op: sockevent.Accept, Peer: r.via}, err)
	}
	if a.warnings != nil {
		msg, code := errno.Of(err)
		_, _ = io.WriteString(a.warnings, "Warning: stream_socket_accept(): "+msg+" ("+strconv.Itoa(code)+
			"): connection from "+printable(r.via)+" closed\n")
	}
}

// proxyFailure is what a failed header read reports: "PROXY protocol: " and
// the reason, with EPROTO, or ETIMEDOUT for a header that did not come.
func proxyFailure(err error, timeout time.Duration) error {
	var fe *proxyproto.FormatError
	switch {
	case errors.As(err, &fe):
		err = &errno.Failure{Msg: fe.Reason, Errno: int(errProxyProtocol)}
	case errors.Is(err, io.ErrUnexpectedEOF):
		err = &errno.Failure{Msg: "connection closed before the header", Errno: int(errProxyProtocol)}
	case errors.Is(err, os.ErrDeadlineExceeded):
		err = &errno.Failure{Msg: "no header within " + timeout.String(), Errno: int(unix.ETIMEDOUT)}
	}
	return errno.Wrap("PROXY protocol", err)
}

// headerReader reads one connection's header, exactly: it peeks until the
// whole header is there, then reads that many bytes and no more, so the
// connection's own data stays for the script.
type headerReader struct {
	via     string // the connection's own peer: the balancer
	started time.Time
	timeout time.Duration // proxyHeaderTimeout when it started
	buf     []byte

	// The header's result, once try says done.
	peer    string
	unix    bool
	version int
}

// try reads the header if all of it has arrived: done, or an error
// (EAGAIN: not all there yet).
func (r *headerReader) try(fd int) (done bool, err error) {
	want := proxyproto.MaxV1
	for {
		if len(r.buf) < want {
			r.buf = make([]byte, want)
		}
		n, _, err := unix.Recvfrom(fd, r.buf[:want], unix.MSG_PEEK)
		if err != nil {
			return false, err
		}
		if n == 0 {
			return false, io.ErrUnexpectedEOF
		}
		h, size, perr := proxyproto.Parse(r.buf[:n])
		if errors.Is(perr, proxyproto.ErrIncomplete) {
			if next := proxyproto.Needed(r.buf[:n]); next > want {
				want = next // a v2 header longer than the first look
				continue
			}
			if peerClosed(fd) {
				return false, io.ErrUnexpectedEOF // the rest will never come
			}
			return false, unix.EAGAIN // wait for the rest
		}
		if perr != nil {
			return false, perr
		}
		if m, _, err := unix.Recvfrom(fd, r.buf[:size], 0); err != nil || m != size {
			return false, io.ErrUnexpectedEOF // what was peeked is there: cannot happen
		}
		r.version = h.Version
		switch {
		case h.Local:
		case h.Unix:
			r.peer, r.unix = h.SourcePath, true
		default:
			r.peer = h.Source.String()
		}
		return true, nil
	}
}

// peerClosed tells whether the peer has shut its side down: a peek still
// returns the bytes it sent before, never the end of the stream.
func peerClosed(fd int) bool {
	fds := []unix.PollFd{{Fd: int32(fd), Events: pollPeerShut}}
	n, err := pollRetry(fds, 0)
	return err == nil && n > 0 && fds[0].Revents&(pollPeerShut|unix.POLLHUP|unix.POLLERR) != 0
}
