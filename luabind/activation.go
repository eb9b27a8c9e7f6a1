package luabind

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/luasock/luasock/internal/errno"
	"golang.org/x/sys/unix"
)

// Socket activation: systemd (or systemd-socket-activate, or any parent
// speaking sd_listen_fds(3)'s protocol) opens the sockets and passes them
// as descriptors 3, 4, ... with LISTEN_FDS (how many), LISTEN_PID (for
// which process) and LISTEN_FDNAMES (their names, colon-separated).
//
// stream_socket_server then uses an inherited socket instead of binding
// when its address matches one (same domain, type and name), or names one:
// "fd://3", or "systemd://NAME" for a name of LISTEN_FDNAMES. Each match
// gets its own duplicate of the descriptor, so the script may close its
// server and open it again, several workers share one socket (and its
// accept queue), and a reloaded state finds it again. The inherited
// descriptors themselves stay open, close-on-exec, for the life of the
// process; one that no server matches is left alone.

// inheritedSocket is one socket passed by the parent.
type inheritedSocket struct {
	fd        int
	name      string // its LISTEN_FDNAMES entry, "" when there are none
	family    int    // socketFamily: SO_DOMAIN on Linux
	sotype    int    // SO_TYPE
	listening bool   // SO_ACCEPTCONN
	local     unix.Sockaddr
}

// transport is the luasock transport that serves the socket ("" for one
// luasock cannot serve: a stream socket that is not listening, seqpacket).
func (s *inheritedSocket) transport() string {
	inet := s.family == unix.AF_INET || s.family == unix.AF_INET6
	switch {
	case s.sotype == unix.SOCK_STREAM && s.listening && inet:
		return "tcp"
	case s.sotype == unix.SOCK_STREAM && s.listening && s.family == unix.AF_UNIX:
		return "unix"
	case s.sotype == unix.SOCK_DGRAM && inet:
		return "udp"
	case s.sotype == unix.SOCK_DGRAM && s.family == unix.AF_UNIX:
		return "udg"
	}
	return ""
}

// listenFDsStart is the first descriptor sd_listen_fds passes.
const listenFDsStart = 3

// The environment variables of the protocol.
var listenEnv = []string{"LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"}

var activation struct {
	once    sync.Once
	passed  bool // LISTEN_FDS was meant for this process
	sockets []inheritedSocket
}

// loadActivation reads the protocol's variables once per process, takes
// the sockets they pass, and unsets the variables (as sd_listen_fds(1)
// does) so that programs the script starts do not see them.
func loadActivation() {
	activation.once.Do(func() {
		get := func(name string) string { return os.Getenv(name) }
		n, names, ok := parseListenEnv(get("LISTEN_PID"), get("LISTEN_FDS"), get("LISTEN_FDNAMES"), os.Getpid())
		for _, name := range listenEnv {
			_ = os.Unsetenv(name)
		}
		if !ok {
			return
		}
		activation.passed = true
		for i := range n {
			fd := listenFDsStart + i
			// Never handed on to a program the script starts.
			unix.CloseOnExec(fd)
			s, ok := inspectSocket(fd)
			if !ok {
				continue // not a socket (a FIFO, a file): not ours to serve
			}
			if names != nil {
				s.name = names[i]
			}
			activation.sockets = append(activation.sockets, s)
		}
	})
}

// parseListenEnv reads LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES: how many
// descriptors were passed to process self and their names (nil when the
// names do not match the count). ok is false when nothing was passed to
// self: a variable unset or malformed, or another process's pid.
func parseListenEnv(pid, fds, fdnames string, self int) (n int, names []string, ok bool) {
	p, err := strconv.Atoi(pid)
	if err != nil || p != self {
		return 0, nil, false
	}
	n, err = strconv.Atoi(fds)
	if err != nil || n <= 0 || n > 1<<16 {
		return 0, nil, false
	}
	if fdnames != "" {
		if names = strings.Split(fdnames, ":"); len(names) != n {
			names = nil
		}
	}
	return n, names, true
}

// inspectSocket reads what matching needs from an inherited descriptor.
func inspectSocket(fd int) (inheritedSocket, bool) {
	s := inheritedSocket{fd: fd}
	var err error
	if s.local, err = unix.Getsockname(fd); err != nil {
		return s, false
	}
	if s.family, err = socketFamily(fd, s.local); err != nil {
		return s, false
	}
	if s.sotype, err = unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE); err != nil {
		return s, false
	}
	acc, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ACCEPTCONN)
	s.listening = err == nil && acc != 0
	return s, true
}

// Address forms that name an inherited socket instead of an address.
const (
	fdScheme      = "fd://"
	systemdScheme = "systemd://"
)

func namesInherited(address string) bool {
	return strings.HasPrefix(address, fdScheme) || strings.HasPrefix(address, systemdScheme)
}

// findNamed returns the inherited socket that "fd://N" or "systemd://NAME"
// names. A failure is errno 0: nothing reached the kernel.
func findNamed(address string) (*inheritedSocket, error) {
	var found *inheritedSocket
	if num, ok := strings.CutPrefix(address, fdScheme); ok {
		fd, err := strconv.Atoi(num)
		if err != nil || fd < 0 {
			return nil, errno.New(`Failed to parse address "` + address + `"`)
		}
		for i := range activation.sockets {
			if activation.sockets[i].fd == fd {
				found = &activation.sockets[i]
			}
		}
	} else {
		name := strings.TrimPrefix(address, systemdScheme)
		for i := range activation.sockets {
			if activation.sockets[i].name == name && name != "" {
				found = &activation.sockets[i]
				break
			}
		}
	}
	switch {
	case found == nil:
		return nil, errno.New(`No inherited socket "` + address + `" (` + passedSockets() + `)`)
	case found.transport() == "":
		return nil, errno.New(`Inherited socket "` + address + `" is neither a listening stream socket nor a datagram socket`)
	}
	return found, nil
}

// passedSockets says what the parent passed, for a failure's text.
func passedSockets() string {
	if !activation.passed {
		return "LISTEN_FDS is not set for this process"
	}
	var list []string
	for _, s := range activation.sockets {
		item := "fd://" + strconv.Itoa(s.fd)
		if s.name != "" {
			item += " systemd://" + s.name
		}
		list = append(list, item)
	}
	if list == nil {
		return "LISTEN_FDS passed no socket"
	}
	return "passed: " + strings.Join(list, ", ")
}

// findMatching returns the inherited socket bound to sa with the given
// family and transport, or nil. A server made without STREAM_SERVER_BIND
// binds nothing, so it matches nothing.
func findMatching(transport string, family int, sa unix.Sockaddr, flags int) *inheritedSocket {
	if flags&streamServerBind == 0 {
		return nil
	}
	for i := range activation.sockets {
		s := &activation.sockets[i]
		if s.family == family && s.transport() == transport && sameSockaddr(s.local, sa) {
			return s
		}
	}
	return nil
}

// sameSockaddr compares a socket's name with the address a script gave: IP
// and port, or a unix path (the same file by inode, so that a relative path
// matches the absolute one systemd binds), or an abstract name.
func sameSockaddr(bound, want unix.Sockaddr) bool {
	switch b := bound.(type) {
	case *unix.SockaddrInet4:
		w, ok := want.(*unix.SockaddrInet4)
		return ok && w.Port != 0 && b.Port == w.Port && b.Addr == w.Addr
	case *unix.SockaddrInet6:
		w, ok := want.(*unix.SockaddrInet6)
		return ok && w.Port != 0 && b.Port == w.Port && b.Addr == w.Addr && b.ZoneId == w.ZoneId
	case *unix.SockaddrUnix:
		w, ok := want.(*unix.SockaddrUnix)
		if !ok || b.Name == "" || w.Name == "" {
			return false
		}
		if b.Name == w.Name {
			return true
		}
		if strings.HasPrefix(b.Name, "@") || strings.HasPrefix(w.Name, "@") {
			return false // abstract names match only exactly
		}
		return sameFile(b.Name, w.Name)
	}
	return false
}

func sameFile(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	var sa, sb unix.Stat_t
	return unix.Stat(a, &sa) == nil && unix.Stat(b, &sb) == nil && sa.Dev == sb.Dev && sa.Ino == sb.Ino
}

// adopt makes a server stream of a duplicate of the inherited socket s:
// non-blocking (which the whole open file shares, so every duplicate), and
// close-on-exec. It never creates or removes a socket file: the parent
// owns it.
func adopt(s *inheritedSocket, flags int) (*stream, error) {
	if s.sotype == unix.SOCK_DGRAM && flags&streamServerListen != 0 {
		return nil, datagramListen(s.transport()) // what listen(2) says on a datagram socket
	}
	fd, err := unix.FcntlInt(uintptr(s.fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, err
	}
	st, err := newStream(fd, s.transport(), s.family)
	if err != nil {
		return nil, err // newStream closed fd
	}
	st.listening = s.listening
	st.inherited = s.fd
	return st, nil
}
