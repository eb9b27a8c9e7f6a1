package luabind

import (
	"net/netip"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// System calls of the stream path made with RawSyscall, as the datagram fast
// path's are (fastpath.go): on a non-blocking socket they do not wait, and
// Syscall's scheduler hand-off costs more than it saves. With one Go
// processor, a Syscall that lasts past a sysmon tick has its processor
// handed to another thread, and the caller must win it back: a futex wake
// and two context switches for an accept, a write or a close.

// bytesOf views a Lua string's bytes for a system call that only reads them.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// accept4Now is accept4(2) on a listening socket, without waiting; from is
// the client's address (toSockaddr decodes it as x/sys would, without its
// getsockopt).
func accept4Now(fd int, from *rawAddr) (int, error) {
	from.len = unix.SizeofSockaddrAny
	nfd, _, errno := unix.RawSyscall6(unix.SYS_ACCEPT4, uintptr(fd), uintptr(unsafe.Pointer(&from.sa)),
		uintptr(unsafe.Pointer(&from.len)), unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0, 0)
	if errno != 0 {
		return -1, errno
	}
	return int(nfd), nil
}

// sendNow is send(2) of b with MSG_NOSIGNAL, without waiting.
func sendNow(fd int, b []byte) (int, error) {
	var p unsafe.Pointer
	if len(b) > 0 {
		p = unsafe.Pointer(&b[0])
	}
	n, _, errno := unix.RawSyscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(p), uintptr(len(b)),
		unix.MSG_NOSIGNAL|unix.MSG_DONTWAIT, 0, 0)
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

// formatRawAddr is formatSockaddr of an address as accept4Now fills it, in
// one allocation for IP addresses.
func formatRawAddr(from *rawAddr) string {
	var buf [64]byte
	var b []byte
	switch from.sa.Addr.Family {
	case unix.AF_INET:
		in := (*unix.RawSockaddrInet4)(unsafe.Pointer(&from.sa))
		b = netip.AddrFrom4(in.Addr).AppendTo(buf[:0])
		b = appendPort(b, &in.Port)
	case unix.AF_INET6:
		in := (*unix.RawSockaddrInet6)(unsafe.Pointer(&from.sa))
		b = append(buf[:0], '[')
		b = append(netip.AddrFrom16(in.Addr).AppendTo(b), ']')
		b = appendPort(b, &in.Port)
	default:
		return formatSockaddr(toSockaddr(from))
	}
	return string(b)
}

// appendPort appends ":port" for a port in network byte order.
func appendPort(b []byte, port *uint16) []byte {
	p := (*[2]byte)(unsafe.Pointer(port))
	return strconv.AppendInt(append(b, ':'), int64(p[0])<<8|int64(p[1]), 10)
}
