//go:build !linux || luasock_portable

package luabind

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The portable forms of sys_linux.go's calls: POSIX calls through x/sys
// (which on macOS go through libSystem, as Apple supports), for macOS, the
// BSDs, and Linux built with the tag luasock_portable. What Linux does in
// one call takes two or three here; what Linux alone has (the abstract
// unix namespace) fails with a clear errstr.

// abstractNames: only Linux has the abstract unix namespace ("\0name")
// and autobind; here both fail with EOPNOTSUPP (checkUnixPath, listen).
const abstractNames = false

// kernelSpreadsLoad: elsewhere SO_REUSEPORT lets sockets share a port but
// hands one of them every client, so workers share one socket (workers.go).
const kernelSpreadsLoad = false

// forkSafe makes descriptors with open while holding ForkLock, marking them
// close-on-exec before a program the script starts could inherit them (Go's
// net package does the same where socket(2) takes no SOCK_CLOEXEC), then
// makes them non-blocking.
func forkSafe(open func() ([]int, error)) ([]int, error) {
	syscall.ForkLock.RLock()
	fds, err := open()
	if err == nil {
		for _, fd := range fds {
			unix.CloseOnExec(fd)
		}
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, err
	}
	for _, fd := range fds {
		if err = unix.SetNonblock(fd, true); err != nil {
			for _, fd := range fds {
				unix.Close(fd)
			}
			return nil, err
		}
	}
	return fds, nil
}

// socketNow is socket(2), then close-on-exec and non-blocking.
func socketNow(family, typ, proto int) (int, error) {
	fds, err := forkSafe(func() ([]int, error) {
		fd, err := unix.Socket(family, typ, proto)
		return []int{fd}, err
	})
	if err != nil {
		return -1, err
	}
	return fds[0], nil
}

// socketpairNow is socketpair(2), as socketNow.
func socketpairNow(domain, typ, proto int) ([2]int, error) {
	var pair [2]int
	_, err := forkSafe(func() ([]int, error) {
		var err error
		pair, err = unix.Socketpair(domain, typ, proto)
		return pair[:], err
	})
	return pair, err
}

// acceptNow is accept(2) on a listening socket, without waiting, then
// close-on-exec and non-blocking; from is the client's address.
func acceptNow(fd int, from *rawAddr) (int, error) {
	var sa unix.Sockaddr
	fds, err := forkSafe(func() ([]int, error) {
		nfd, got, err := unix.Accept(fd)
		sa = got
		return []int{nfd}, err
	})
	if err != nil {
		return -1, err
	}
	putSockaddr(sa, from)
	return fds[0], nil
}

// recvfromNow is one recvfrom(2) that does not wait.
func recvfromNow(fd int, b []byte, flags int, from *rawAddr) (int, error) {
	if from == nil && flags == 0 {
		// A stream's plain receive: read(2), as the descriptor is
		// non-blocking, without x/sys's decoding of an address nobody
		// wants (its frames took fgets's waiting task past a 4 KiB stack).
		n, err := unix.Read(fd, b)
		if err != nil {
			return 0, err
		}
		return n, nil
	}
	n, sa, err := unix.Recvfrom(fd, b, flags|unix.MSG_DONTWAIT)
	if err != nil {
		return 0, err
	}
	if from != nil { // nil: no address wanted
		putSockaddr(sa, from)
	}
	return n, nil
}

// putSockaddr writes the address x/sys decoded back in raw form (len 0:
// none, a connected stream's receive).
func putSockaddr(sa unix.Sockaddr, from *rawAddr) {
	from.sa, from.len = unix.RawSockaddrAny{}, 0
	if u, ok := sa.(*unix.SockaddrUnix); ok {
		in := (*unix.RawSockaddrUnix)(unsafe.Pointer(&from.sa))
		in.Family = unix.AF_UNIX
		n := copy(unsafe.Slice((*byte)(unsafe.Pointer(&in.Path[0])), len(in.Path)-1), u.Name)
		from.len = uint32(unsafe.Offsetof(in.Path)) + uint32(n)
		return
	}
	from.len = putInet(sa, (*unix.RawSockaddrInet6)(unsafe.Pointer(&from.sa)))
}

// datagramSize bounds the size of the next datagram. MSG_TRUNC does not
// tell it outside Linux; no datagram outgrows the receive buffer.
func datagramSize(fd, _ int) (int, error) {
	return unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF)
}

// sendNow is send(2) of b, or with to sendto(2) to to's address, without
// waiting. x/sys writes into the Sockaddr it sends to, and a cached
// destination may be in use by another task without the Lua lock: a copy.
func sendNow(fd int, b []byte, flags int, to *destination) (int, error) {
	var sa unix.Sockaddr
	if to != nil {
		sa = copySockaddr(to.sa)
	}
	return unix.SendmsgN(fd, b, nil, sa, flags|unix.MSG_DONTWAIT)
}

// closeNow is close(2).
func closeNow(fd int) error { return unix.Close(fd) }

// recvBatchNow is the batch of one: without recvmmsg(2), one recvfrom.
func (s *stream) recvBatchNow(fd, length int, from *rawAddr) (int, string, error) {
	return recvOne(fd, length, 0, true, from)
}

// newWakeFD is a self-pipe: a count of the bytes in it, which a read of
// one byte takes one at a time (semaphore) or a draining read takes whole.
func newWakeFD(bool) (wakeFD, error) {
	fds, err := forkSafe(func() ([]int, error) {
		p := make([]int, 2)
		return p, unix.Pipe(p)
	})
	if err != nil {
		return wakeFD{r: -1, w: -1}, err
	}
	return wakeFD{r: fds[0], w: fds[1], token: pipeByte}, nil
}

var pipeByte = []byte{1}

// socketFamily is an inherited socket's address family, from its name
// (SO_DOMAIN is Linux's and FreeBSD's only).
func socketFamily(_ int, local unix.Sockaddr) (int, error) {
	switch local.(type) {
	case *unix.SockaddrInet4:
		return unix.AF_INET, nil
	case *unix.SockaddrInet6:
		return unix.AF_INET6, nil
	case *unix.SockaddrUnix:
		return unix.AF_UNIX, nil
	}
	return 0, unix.EAFNOSUPPORT
}

// bindClosed binds fd to a socket file that no one may use yet. The file's
// mode comes from the umask here (BSD and macOS have no mode on the socket
// to fchmod), so the umask is 0777 for the bind: with ForkLock held, no
// program starts meanwhile with it, but a file another goroutine creates in
// those microseconds is born with mode 0 too.
func bindClosed(fd int, sa unix.Sockaddr) error {
	syscall.ForkLock.Lock()
	defer syscall.ForkLock.Unlock()
	old := unix.Umask(0o777)
	defer unix.Umask(old)
	return unix.Bind(fd, sa)
}

// chownChmod gives the socket file bind created its owner and mode. A
// socket file cannot be opened without O_PATH, so the path is checked
// (lstat: the same inode, not a symlink) and changed without following a
// symlink: in a folder others can write, the path could be replaced
// meanwhile. Between the check and the change a window remains that
// O_PATH closes; a folder only the server's user can write has none.
func chownChmod(created *socketFile, o *socketOptions) error {
	var st unix.Stat_t
	if err := unix.Lstat(created.path, &st); err != nil {
		return err
	}
	if !created.is(&st) || st.Mode&unix.S_IFMT != unix.S_IFSOCK {
		return errReplaced(created.path)
	}
	if o.owner != nil {
		if err := unix.Lchown(created.path, o.owner.uid, o.owner.gid); err != nil {
			return err
		}
	}
	if o.Mode == nil {
		return nil
	}
	err := unix.Fchmodat(unix.AT_FDCWD, created.path, *o.Mode, unix.AT_SYMLINK_NOFOLLOW)
	if err == unix.EOPNOTSUPP { // Linux before 6.6 has no fchmodat2: check again, then follow
		if err = unix.Lstat(created.path, &st); err == nil && !created.is(&st) {
			return errReplaced(created.path)
		}
		err = unix.Chmod(created.path, *o.Mode)
	}
	return err
}
