package luabind

import (
	"crypto/tls"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/luasock/luasock/internal/lang/luaarg"
	lua "github.com/yuin/gopher-lua"
	"golang.org/x/sys/unix"
)

// streamTypeName is the metatable name of stream handles.
const streamTypeName = "luasock.stream"

// stream is a socket handle: a listening server, an accepted or connected
// stream, or a datagram socket. Its Lua-visible fields are only touched by the
// goroutine that holds the Lua lock; Close may be called from any goroutine.
// The state of each role is a struct of its own, embedded: its fields read
// as the stream's (s.readBuf, s.crypto), at no cost.
type stream struct {
	raw       fdConn // the descriptor's routes (block.go)
	transport string // tcp, udp, unix or udg
	family    int    // AF_INET, AF_INET6 or AF_UNIX
	listening bool
	connected bool // an accepted (later also connected) stream
	paired    bool // one end of stream_socket_pair (PHP's stream_type "generic_socket")
	closed    bool // fclose was called

	local, peer string // names, cached once known ("" unknown)

	closedAt *closeSite // by whom fclose was called, for the error of a later call
	tracked  io.Closer  // what the host tracks: the stream, or a server's serverHandle
	release  sync.Once  // Close's work
	eventID  uint64     // the handle's number in the socket events (observe.go); 0 until one names it

	fdState
	ioState
	datagramCache
	serverState
	takeoverState
	proxyState
	tlsState
}

// fdState is the descriptor (block.go): the number the first tries use,
// and the os.File that owns it once a call has had to wait.
type fdState struct {
	fd       int        // the socket, for the system calls tried first
	fdMu     sync.Mutex // held around those calls, by pollable and by Close
	fdClosed bool
	// Made by pollable when a call must wait (block.go); from then on it
	// owns fd. nil for a socket whose calls never waited.
	file    *os.File
	fileRaw syscall.RawConn
}

// ioState is what reads and writes keep from one call to the next.
type ioState struct {
	readBuf     []byte        // bytes read ahead by fgets and friends
	timeout     time.Duration // stream_set_timeout; 0 means none
	eof         bool          // a read saw the end of the stream
	nonblocking bool
	timedOut    bool
	// recvParked: a datagram socket's last receive waited in the poller
	// for its datagram, so the next one starts with the wait (waiting.parked).
	recvParked bool
}

// datagramCache is the datagram fast path's (dgramfast.go): senders'
// names, datagrams received ahead, and what literal sendto addresses parse
// to.
type datagramCache struct {
	peerNames map[peerKey]lua.LValue
	dgrams    []queuedDgram // datagrams received ahead (recvBatchNow)
	dests     map[string]*destination
}

// serverState is a server's (server.go, activation.go).
type serverState struct {
	nodelay bool // TCP_NODELAY for the connections a server accepts
	// acceptParked: the server's last accept waited in the poller for its
	// client, so the next one starts with the wait (waiting.parked).
	acceptParked bool
	sockFile     *socketFile // the unix socket file this handle created
	inherited    int         // the passed descriptor this server duplicates (activation.go); 0 when bound here
}

// takeoverState is what a reload needs of a server (takeover.go): its
// address and flags as stream_socket_server got them, and whether the new
// state took its socket (and its file) over.
type takeoverState struct {
	request      string
	requestFlags int
	handedOver   atomic.Bool
}

// proxyState is the PROXY protocol's (proxy.go): a server's connections
// waiting for their header; an accepted stream's balancer address and
// header version.
type proxyState struct {
	proxy        *proxyIntake
	proxyVia     string
	proxyVersion int
}

// tlsState is TLS's (tls.go): the session, once there is one; what a later
// stream_socket_enable_crypto needs; a server's certificate.
type tlsState struct {
	crypto    *cryptoState
	ssl       *sslOptions // the context's ssl options (nil: none); shared by a server's streams, never changed
	host      string      // the host a client connected to, for verification
	serverTLS *tls.Config // a server's (and its accepted streams') certificate
	accepted  bool        // made by accept: enable_crypto acts as the server
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
	return &socketFile{path: path, dev: uint64(st.Dev), ino: uint64(st.Ino)}
}

// is tells whether st is the file's (st.Dev is an int32 on macOS).
func (f *socketFile) is(st *unix.Stat_t) bool {
	return uint64(st.Dev) == f.dev && uint64(st.Ino) == f.ino
}

func (f *socketFile) remove() {
	var st unix.Stat_t
	if unix.Stat(f.path, &st) == nil && f.is(&st) {
		_ = os.Remove(f.path)
	}
}

// newStream wraps a non-blocking socket fd. Go's poller learns of it only
// when a call must wait (pollable): an accepted connection that is written
// once and closed costs no epoll_ctl at all.
func newStream(fd int, transport string, family int) (*stream, error) {
	s := &stream{transport: transport, family: family, fdState: fdState{fd: fd}}
	s.raw.s = s
	return s, nil
}

// pollable returns the os.File that owns the descriptor, and its RawConn,
// registering the descriptor with Go's poller the first time. After Close it
// returns a closed file, whose every call fails as a closed os.File's does.
func (s *stream) pollable() (*os.File, syscall.RawConn) {
	s.fdMu.Lock()
	defer s.fdMu.Unlock()
	if s.file == nil {
		if s.fdClosed {
			c := closedFile()
			return c.file, c.raw
		}
		s.file = os.NewFile(uintptr(s.fd), s.transport+" socket")
		s.fileRaw, _ = s.file.SyscallConn() // fails only for a nil file
	}
	return s.file, s.fileRaw
}

// pollFile is pollable's os.File, for deadlines and the TLS record layer.
func (s *stream) pollFile() *os.File {
	f, _ := s.pollable()
	return f
}

// closedFile is an os.File already closed: what pollable gives for a stream
// closed before any of its calls waited.
var closedFile = sync.OnceValue(func() struct {
	file *os.File
	raw  syscall.RawConn
} {
	r, w, _ := os.Pipe()
	_ = w.Close()
	raw, _ := r.SyscallConn()
	_ = r.Close()
	return struct {
		file *os.File
		raw  syscall.RawConn
	}{r, raw}
})

// fdConn is a stream's syscall.RawConn-like view of its descriptor:
// Control runs on fd under fdMu (lockFD), which never takes the poller's
// read or write lock; Read and Write wait in Go's poller (pollable).
type fdConn struct{ s *stream }

// Control runs f on the descriptor, or fails with os.ErrClosed.
func (c fdConn) Control(f func(fd uintptr)) error {
	fd := c.s.lockFD()
	if fd < 0 {
		return os.ErrClosed
	}
	defer c.s.unlockFD()
	f(uintptr(fd))
	return nil
}

// Read waits in the poller until f, called when the socket may be
// readable, returns true.
func (c fdConn) Read(f func(fd uintptr) bool) error {
	_, raw := c.s.pollable()
	return raw.Read(f)
}

// Write is Read for writability.
func (c fdConn) Write(f func(fd uintptr) bool) error {
	_, raw := c.s.pollable()
	return raw.Write(f)
}

// Close releases the socket and removes the socket file the handle created.
// It is idempotent and safe from any goroutine: the host calls it when the run
// ends, possibly while a task is still blocked on the socket.
func (s *stream) Close() error {
	var err error
	s.release.Do(func() {
		if s.proxy != nil {
			s.proxy.close(func(io.Closer) {}) // the host closes what it tracks
		}
		s.fdMu.Lock()
		s.fdClosed = true
		if s.file != nil {
			err = s.file.Close()
		} else {
			err = closeNow(s.fd)
		}
		s.fdMu.Unlock()
		if s.sockFile != nil && !s.handedOver.Load() {
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
	peer := s.peerName()
	name := s.transport + " " + s.kind() + " " + printable(s.localName())
	if peer != "" {
		name += " <-> " + printable(peer)
	}
	return name
}

// printable shows an abstract unix name with '@' as ss(8) does.
func printable(name string) string {
	return strings.Replace(name, "\x00", "@", 1)
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
		msg := "supplied resource is not a valid stream resource" // PHP's TypeError
		if s.closedAt != nil {
			msg += ": " + s.closedAt.String()
		}
		luaarg.Error(L, n, fname, msg)
	}
	return s
}

// trackedHandle is what the host tracks for s.
func (s *stream) trackedHandle() io.Closer {
	if s.tracked != nil {
		return s.tracked
	}
	return s
}

// close is `fclose(s)` → true. A second fclose raises, as in PHP.
func (a *api) close(L *lua.LState, fname string) int {
	s := checkStream(L, 1, fname)
	if a.observer != nil {
		a.observeClose(s)
	}
	a.closeStream(s)
	s.closedAt = closedBy(L, fname)
	L.Push(lua.LTrue)
	return 1
}

// closeStream is fclose: the host forgets the handle and the socket is released.
func (a *api) closeStream(s *stream) {
	_ = s.closeNotify()
	s.closed = true
	s.dgrams = nil
	s.readBuf = nil
	if s.proxy != nil {
		s.proxy.close(a.host.Untrack) // connections not accepted yet go too
	}
	a.host.Untrack(s.trackedHandle())
	_ = s.Close()
}
