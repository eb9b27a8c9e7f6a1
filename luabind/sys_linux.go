//go:build linux && !luasock_portable

package luabind

import (
	"strconv"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The Linux fast paths: every call that has a Linux-only form, in that
// form. sys_portable.go has the same functions in POSIX calls, for every
// other system and for Linux built with the tag luasock_portable (which
// is how its tests run here).
//
// The tries of the blocking core (block.go) are made with RawSyscall: on
// a non-blocking socket they do not wait, and Syscall's scheduler hand-off
// costs more than it saves. With one Go processor, a Syscall that lasts
// past a sysmon tick has its processor handed to another thread, and the
// caller must win it back: a futex wake and two context switches for an
// accept, a write or a close.

// abstractNames: Linux has the abstract unix namespace ("\0name"), and
// binds an empty path to a name it picks (autobind).
const abstractNames = true

// kernelSpreadsLoad: Linux spreads a port's clients across the sockets
// bound to it with SO_REUSEPORT, so workers each bind their own (workers.go).
const kernelSpreadsLoad = true

// socketNow is socket(2), non-blocking and close-on-exec in the one call.
func socketNow(family, typ, proto int) (int, error) {
	return unix.Socket(family, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, proto)
}

// socketpairNow is socketpair(2), as socketNow.
func socketpairNow(domain, typ, proto int) ([2]int, error) {
	return unix.Socketpair(domain, typ|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, proto)
}

// acceptNow is accept4(2) on a listening socket, without waiting; from is
// the client's address (toSockaddr decodes it as x/sys would, without its
// getsockopt).
func acceptNow(fd int, from *rawAddr) (int, error) {
	from.len = unix.SizeofSockaddrAny
	nfd, _, errno := unix.RawSyscall6(unix.SYS_ACCEPT4, uintptr(fd), uintptr(unsafe.Pointer(&from.sa)),
		uintptr(unsafe.Pointer(&from.len)), unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0, 0)
	if errno != 0 {
		return -1, errno
	}
	return int(nfd), nil
}

// recvfromNow is one recvfrom(2) that does not wait.
func recvfromNow(fd int, b []byte, flags int, from *rawAddr) (int, error) {
	var p, sa, salen unsafe.Pointer // no address wanted: NULL, as recv(2)
	if len(b) > 0 {
		p = unsafe.Pointer(&b[0])
	}
	if from != nil {
		from.len = unix.SizeofSockaddrAny
		sa, salen = unsafe.Pointer(&from.sa), unsafe.Pointer(&from.len)
	}
	n, _, errno := unix.RawSyscall6(unix.SYS_RECVFROM, uintptr(fd), uintptr(p), uintptr(len(b)),
		uintptr(flags|unix.MSG_DONTWAIT), uintptr(sa), uintptr(salen))
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// datagramSize is the size of the next datagram, which MSG_TRUNC makes a
// peek of one byte return.
func datagramSize(fd, flags int) (int, error) {
	var one [1]byte
	size, _, err := unix.Recvfrom(fd, one[:], flags|unix.MSG_PEEK|unix.MSG_TRUNC)
	return size, err
}

// sendNow is send(2) of b, or with to sendto(2) to to's raw form (to.len >
// 0), without waiting.
func sendNow(fd int, b []byte, flags int, to *destination) (int, error) {
	var p, name unsafe.Pointer
	if len(b) > 0 {
		p = unsafe.Pointer(&b[0])
	}
	var namelen uint32
	if to != nil {
		name, namelen = unsafe.Pointer(&to.raw), to.len
	}
	n, _, errno := unix.RawSyscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(p), uintptr(len(b)),
		uintptr(flags|unix.MSG_DONTWAIT), uintptr(name), uintptr(namelen))
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// closeNow is close(2) of a socket that nothing waits on (no SO_LINGER is
// ever set, so it does not block).
func closeNow(fd int) error {
	if _, _, errno := unix.RawSyscall(unix.SYS_CLOSE, uintptr(fd), 0, 0); errno != 0 {
		return errno
	}
	return nil
}

// mmsghdr is struct mmsghdr of recvmmsg(2). Go rounds its size up to
// Msghdr's alignment as C does: 64 bytes on 64-bit systems, 32 on 32-bit.
type mmsghdr struct {
	hdr unix.Msghdr
	len uint32
}

// recvmmsgNow is one recvmmsg(2) into msgs that does not wait; it returns
// how many datagrams came.
func recvmmsgNow(fd int, msgs []mmsghdr) (int, error) {
	k, _, errno := unix.RawSyscall6(unix.SYS_RECVMMSG, uintptr(fd), uintptr(unsafe.Pointer(&msgs[0])), uintptr(len(msgs)),
		unix.MSG_DONTWAIT, 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(k), nil
}

// Batched receives: when a datagram socket has nothing queued here,
// recvmmsg(2) takes up to recvBatch datagrams from the kernel in one call;
// the first is this call's, the rest wait in the socket's queue (whole, as
// the kernel held them) for the next calls, which then need no system call.
// stream_select counts a non-empty queue as readable.
const recvBatch = 8

// batchBufs is one recvmmsg's worth of buffers, pooled: every buffer holds
// the largest datagram, so nothing is cut before the script asks.
type batchBufs struct {
	msgs  [recvBatch]mmsghdr
	iovs  [recvBatch]unix.Iovec
	names [recvBatch]unix.RawSockaddrAny
	data  [recvBatch][maxRecv]byte
}

var batchPool = sync.Pool{New: func() any { return new(batchBufs) }}

// recvBatchNow is recvOp's first try on a datagram socket whose queue is
// empty, with the Lua lock held: the datagrams after the first go to the
// queue.
func (s *stream) recvBatchNow(fd, length int, from *rawAddr) (int, string, error) {
	b := batchPool.Get().(*batchBufs)
	for i := range b.msgs {
		// A name is read up to its NUL (toSockaddr, as x/sys does): a
		// shorter one must not end in an earlier datagram's sender.
		b.names[i] = unix.RawSockaddrAny{}
		b.iovs[i].Base = &b.data[i][0]
		b.iovs[i].SetLen(maxRecv)
		b.msgs[i].hdr = unix.Msghdr{Name: (*byte)(unsafe.Pointer(&b.names[i])), Namelen: unix.SizeofSockaddrAny, Iov: &b.iovs[i]}
		b.msgs[i].hdr.SetIovlen(1)
	}
	k, err := recvmmsgNow(fd, b.msgs[:])
	if err != nil {
		batchPool.Put(b)
		return 0, "", err
	}
	var n int
	var data string
	for i := range k {
		size := int(b.msgs[i].len)
		got := rawAddr{sa: b.names[i], len: b.msgs[i].hdr.Namelen}
		if i == 0 {
			n = min(size, length)
			data, *from = string(b.data[0][:n]), got
			continue
		}
		s.dgrams = append(s.dgrams, queuedDgram{data: string(b.data[i][:size]), from: got})
	}
	batchPool.Put(b)
	return n, data, nil
}

// newWakeFD is an eventfd: a count that one read takes whole, or, in
// semaphore mode, one at a time.
func newWakeFD(semaphore bool) (wakeFD, error) {
	flags := unix.EFD_NONBLOCK | unix.EFD_CLOEXEC
	if semaphore {
		flags |= unix.EFD_SEMAPHORE
	}
	fd, err := unix.Eventfd(0, flags)
	return wakeFD{r: fd, w: fd, token: eventfdOne}, err
}

// eventfdOne is the 8-byte 1 an eventfd adds to its count.
var eventfdOne = []byte{1, 0, 0, 0, 0, 0, 0, 0}

// socketFamily is an inherited socket's address family (SO_DOMAIN).
func socketFamily(fd int, _ unix.Sockaddr) (int, error) {
	return unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_DOMAIN)
}

// bindClosed binds fd to a socket file that no one may use yet: Linux
// gives the new file the socket inode's mode, less the umask, so an
// fchmod to 0 before bind makes it born closed to everyone but root.
func bindClosed(fd int, sa unix.Sockaddr) error {
	if err := unix.Fchmod(fd, 0); err != nil {
		return err
	}
	return unix.Bind(fd, sa)
}

// chownChmod gives the socket file bind created its owner and mode
// through a descriptor of the file itself (O_PATH, not following a
// symlink), checked to be that file: in a folder others can write, the
// path could be replaced by a symlink meanwhile, and a chmod through it
// would change another file.
func chownChmod(created *socketFile, o *socketOptions) error {
	fd, err := unix.Open(created.path, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return err
	}
	if !created.is(&st) {
		return errReplaced(created.path)
	}
	if o.owner != nil {
		if err := unix.Fchownat(fd, "", o.owner.uid, o.owner.gid, unix.AT_EMPTY_PATH); err != nil {
			return err
		}
	}
	if o.Mode != nil {
		// fchmod does not take an O_PATH descriptor; its /proc link does.
		return unix.Chmod("/proc/self/fd/"+strconv.Itoa(fd), *o.Mode)
	}
	return nil
}
