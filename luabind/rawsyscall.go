package luabind

import (
	"net/netip"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The system calls that the blocking core tries (block.go), and the raw
// addresses they fill. They are made with RawSyscall: on a non-blocking
// socket they do not wait, and Syscall's scheduler hand-off costs more than
// it saves. With one Go processor, a Syscall that lasts past a sysmon tick
// has its processor handed to another thread, and the caller must win it
// back: a futex wake and two context switches for an accept, a write or a
// close.

// bytesOf views a Lua string's bytes for a system call that only reads them.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// rawAddr is a peer's address as recvfrom(2) and accept4(2) fill it.
type rawAddr struct {
	sa  unix.RawSockaddrAny
	len uint32
}

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

// recvfromNow is one recvfrom(2) that does not wait.
func recvfromNow(fd int, b []byte, flags int, from *rawAddr) (int, error) {
	from.len = unix.SizeofSockaddrAny
	var p unsafe.Pointer
	if len(b) > 0 {
		p = unsafe.Pointer(&b[0])
	}
	n, _, errno := unix.RawSyscall6(unix.SYS_RECVFROM, uintptr(fd), uintptr(p), uintptr(len(b)),
		uintptr(flags|unix.MSG_DONTWAIT), uintptr(unsafe.Pointer(&from.sa)), uintptr(unsafe.Pointer(&from.len)))
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// mmsghdr is struct mmsghdr of recvmmsg(2).
type mmsghdr struct {
	hdr unix.Msghdr
	len uint32
	_   [4]byte
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

// sendNow is send(2) of b, or with to sendto(2) to to's raw form (to.len >
// 0), without waiting.
func sendNow(fd int, b []byte, flags int, to *destination) (int, error) {
	var p, name unsafe.Pointer
	if len(b) > 0 {
		p = unsafe.Pointer(&b[0])
	}
	var namelen uint32
	if to != nil {
		name, namelen = unsafe.Pointer(&to.raw[0]), to.len
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

// toSockaddr decodes a raw address as x/sys would, without asking the
// socket its protocol.
func toSockaddr(from *rawAddr) unix.Sockaddr {
	switch from.sa.Addr.Family {
	case unix.AF_INET:
		in := (*unix.RawSockaddrInet4)(unsafe.Pointer(&from.sa))
		p := (*[2]byte)(unsafe.Pointer(&in.Port))
		return &unix.SockaddrInet4{Port: int(p[0])<<8 | int(p[1]), Addr: in.Addr}
	case unix.AF_INET6:
		in := (*unix.RawSockaddrInet6)(unsafe.Pointer(&from.sa))
		p := (*[2]byte)(unsafe.Pointer(&in.Port))
		return &unix.SockaddrInet6{Port: int(p[0])<<8 | int(p[1]), ZoneId: in.Scope_id, Addr: in.Addr}
	case unix.AF_UNIX: // as x/sys decodes it: '@' for a leading NUL, up to the next NUL
		in := (*unix.RawSockaddrUnix)(unsafe.Pointer(&from.sa))
		if in.Path[0] == 0 {
			in.Path[0] = '@'
		}
		n := 0
		for n < len(in.Path) && in.Path[n] != 0 {
			n++
		}
		return &unix.SockaddrUnix{Name: string(unsafe.Slice((*byte)(unsafe.Pointer(&in.Path[0])), n))}
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
