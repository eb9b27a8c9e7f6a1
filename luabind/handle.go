package luabind

import (
	"crypto/tls"
	"errors"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/luasock/luasock/internal/luaarg"
	lua "github.com/yuin/gopher-lua"
	"golang.org/x/sys/unix"
)

// streamTypeName is the metatable name of stream handles.
const streamTypeName = "luasock.stream"

// stream is a socket handle: a listening server, an accepted or connected
// stream, or a datagram socket. Its Lua-visible fields are only touched by the
// goroutine that holds the Lua lock; Close may be called from any goroutine.
type stream struct {
	file      *os.File        // owns the fd; Go's poller waits on it
	raw       syscall.RawConn // the fd for system calls, with the poller's waits
	transport string          // tcp, udp, unix or udg
	family    int             // AF_INET, AF_INET6 or AF_UNIX
	listening bool
	connected bool // an accepted (later also connected) stream
	paired    bool // one end of stream_socket_pair (PHP's stream_type "generic_socket")

	local, peer string // names, cached once known ("" unknown)

	closed      bool          // fclose was called
	readBuf     []byte        // bytes read ahead by fgets and friends
	eof         bool          // a read saw the end of the stream
	timeout     time.Duration // stream_set_timeout; 0 means none
	nonblocking bool
	timedOut    bool
	nodelay     bool // TCP_NODELAY for the connections a server accepts

	// Caches of the datagram fast path (fastpath.go): senders' names, and
	// what literal sendto addresses parse to.
	peerNames map[peerKey]lua.LValue
	dgrams    []queuedDgram // datagrams received ahead (recvBatchNow)
	dests     map[string]*destination

	fd       int        // the socket, for the fast path's system calls
	fdMu     sync.Mutex // held around those calls and by Close
	fdClosed bool

	sockFile *socketFile // the unix socket file this handle created
	release  sync.Once

	// TLS (tls.go): the session, once there is one; what a later
	// stream_socket_enable_crypto needs; a server's certificate.
	crypto    *cryptoState
	ssl       sslOptions  // the context's ssl options
	host      string      // the host a client connected to, for verification
	accepted  bool        // made by accept: enable_crypto acts as the server
	serverTLS *tls.Config // a server's (and its accepted streams') certificate
	autoTLS   bool        // tls:// server: accept runs the handshake
}

// socketFile identifies a socket file by inode, so that closing never removes
// a file that replaced ours.
type socketFile struct {
	path     string
	dev, ino uint64
}

func newSocketFile(path string) *socketFile {
	var st unix.Stat_t
	if path == "" || path[0] == 0 || unix.Stat(path, &st) != nil {
		return nil
	}
	return &socketFile{path: path, dev: st.Dev, ino: st.Ino}
}

func (f *socketFile) remove() {
	var st unix.Stat_t
	if unix.Stat(f.path, &st) == nil && st.Dev == f.dev && st.Ino == f.ino {
		_ = os.Remove(f.path)
	}
}

// newStream wraps a non-blocking socket fd.
func newStream(fd int, transport string, family int) (*stream, error) {
	f := os.NewFile(uintptr(fd), transport+" socket")
	raw, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &stream{file: f, raw: raw, fd: fd, transport: transport, family: family}, nil
}

// Close releases the socket and removes the socket file the handle created.
// It is idempotent and safe from any goroutine: the host calls it when the run
// ends, possibly while a task is still blocked on the socket.
func (s *stream) Close() error {
	var err error
	s.release.Do(func() {
		s.fdMu.Lock()
		s.fdClosed = true
		err = s.file.Close()
		s.fdMu.Unlock()
		if s.sockFile != nil {
			s.sockFile.remove()
		}
	})
	return err
}

// datagram tells whether the socket is connectionless.
func (s *stream) datagram() bool { return s.transport == "udp" || s.transport == "udg" }

// waitFor is how long a read or write may wait: 0 never (non-blocking),
// the stream timeout if one is set, else forever (-1).
func (s *stream) waitFor() time.Duration {
	switch {
	case s.nonblocking:
		return 0
	case s.timeout > 0:
		return s.timeout
	}
	return -1
}

// localName is getsockname's answer, cached.
func (s *stream) localName() string {
	if s.local == "" {
		s.local = s.sockName(unix.Getsockname)
	}
	return s.local
}

// peerName is getpeername's answer, cached; "" when the socket has no peer.
func (s *stream) peerName() string {
	if s.peer == "" && !s.listening {
		s.peer = s.sockName(unix.Getpeername)
	}
	return s.peer
}

func (s *stream) sockName(get func(int) (unix.Sockaddr, error)) string {
	var name string
	_ = s.raw.Control(func(fd uintptr) {
		if sa, err := get(int(fd)); err == nil {
			name = formatSockaddr(sa)
		}
	})
	return name
}

// String is what tostring shows: the kind and the addresses.
func (s *stream) String() string {
	if s.closed {
		return "closed " + s.transport + " handle"
	}
	kind, peer := "socket", s.peerName()
	switch {
	case s.listening:
		kind = "server"
	case s.connected:
		kind = "stream"
	}
	name := s.transport + " " + kind + " " + printable(s.localName())
	if peer != "" {
		name += " <-> " + printable(peer)
	}
	return name
}

// printable shows an abstract unix name with '@' as ss(8) does.
func printable(name string) string {
	return strings.Replace(name, "\x00", "@", 1)
}

// rawIO runs f through the poller for reading or writing.
func (s *stream) rawIO(write bool, f func(fd uintptr) bool) error {
	if write {
		return s.raw.Write(f)
	}
	return s.raw.Read(f)
}

func (s *stream) setDeadline(write bool, t time.Time) {
	if write {
		_ = s.file.SetWriteDeadline(t)
	} else {
		_ = s.file.SetReadDeadline(t)
	}
}

func wouldBlock(err error) bool { return err == unix.EAGAIN || err == unix.EINTR }

// do is the one path of every socket call that may block. It calls attempt
// once with the Lua lock held; if the socket is not ready and wait allows, it
// releases the Lua lock (host.Block) while Go's poller waits for readiness and
// retries attempt, which therefore must not touch Lua values.
// wait: < 0 forever, 0 not at all (the caller sees EAGAIN), > 0 a deadline.
// A deadline that passes gives os.ErrDeadlineExceeded.
func (a *api) do(L *lua.LState, s *stream, write bool, wait time.Duration, attempt func(fd int) error) error {
	var err error
	// Control, not Read/Write: those take the fd's read or write lock, which
	// another task blocked on this socket holds while it waits in the poller;
	// waiting for it here, with the Lua lock held, would stop every task.
	rerr := s.raw.Control(func(fd uintptr) { err = attempt(int(fd)) })
	if rerr != nil {
		a.yieldIfClosed(L, os.ErrClosed)
		return rerr
	}
	if !wouldBlock(err) || wait == 0 {
		return err
	}
	return a.wait(L, s, write, wait, attempt)
}

// wait is the second half of do: it releases the Lua lock while Go's poller
// waits for readiness, retrying attempt (the poller calls it once before it
// waits: a readiness edge since the caller's own try is not lost).
func (a *api) wait(L *lua.LState, s *stream, write bool, wait time.Duration, attempt func(fd int) error) error {
	var err, rerr error
	if wait > 0 {
		s.setDeadline(write, time.Now().Add(wait))
		defer s.setDeadline(write, time.Time{})
	}
	a.host.Block(L, func() {
		rerr = s.rawIO(write, func(fd uintptr) bool { err = attempt(int(fd)); return !wouldBlock(err) })
	})
	if rerr != nil && !errors.Is(rerr, os.ErrDeadlineExceeded) {
		// The poller fails a wait only on a deadline or a close: another
		// task closed the handle (its error, "use of closed file", is internal).
		return os.ErrClosed
	}
	if rerr != nil {
		return rerr
	}
	return err
}

// yieldIfClosed lets the host end the task when err says the socket was
// closed under it: only the host does that (fclose makes the handle raise
// instead), when the run stops, and a script's accept or recvfrom loop that
// retried the failing call would otherwise spin without ever waiting.
func (a *api) yieldIfClosed(L *lua.LState, err error) {
	if errors.Is(err, os.ErrClosed) {
		a.host.Block(L, func() {})
	}
}

// pushStream wraps s in a userdata with the stream metatable.
func pushStream(L *lua.LState, s *stream) {
	ud := L.NewUserData()
	ud.Value = s
	L.SetMetatable(ud, L.GetTypeMetatable(streamTypeName))
	L.Push(ud)
}

// toStream returns the stream at n without checks, or nil.
func toStream(L *lua.LState, n int) *stream {
	if ud, ok := L.Get(n).(*lua.LUserData); ok {
		if s, ok := ud.Value.(*stream); ok {
			return s
		}
	}
	return nil
}

// checkStream returns the open stream at argument n, or raises as PHP's
// TypeError does for a value that is not (or no longer) a stream.
func checkStream(L *lua.LState, n int, fname string) *stream {
	s := toStream(L, n)
	if s == nil {
		luaarg.TypeError(L, n, fname, "stream") // raises
		return nil
	}
	if s.closed {
		luaarg.Error(L, n, fname, "supplied resource is not a valid stream resource")
	}
	return s
}

// closeStream is fclose: the host forgets the handle and the socket is released.
func (a *api) closeStream(s *stream) {
	_ = s.closeNotify()
	s.closed = true
	s.dgrams = nil
	s.readBuf = nil
	a.host.Untrack(s)
	_ = s.Close()
}
