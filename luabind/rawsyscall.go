package luabind

import (
	"net/netip"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The system calls that the blocking core tries (block.go) fill and read
// raw addresses; this file holds what both builds share: the raw address
// and its decoding. The calls themselves are per system: sys_linux.go
// makes them with RawSyscall (accept4, recvmmsg, and no getsockopt per
// datagram), sys_portable.go through x/sys's wrappers (libSystem on
// macOS, as Apple supports).

// bytesOf views a Lua string's bytes for a system call that only reads them.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// rawAddr is a peer's address as recvfrom(2) and accept(2) fill it.
type rawAddr struct {
	sa  unix.RawSockaddrAny
	len uint32
}

// putInet writes an IPv4 or IPv6 address into p as the kernel reads it,
// and returns its length (0 for another kind: p is left alone). A BSD
// kernel takes sa_len from that length, so it is not set here.
func putInet(sa unix.Sockaddr, p *unix.RawSockaddrInet6) uint32 {
	port := func(to *uint16, port int) {
		b := (*[2]byte)(unsafe.Pointer(to))
		b[0], b[1] = byte(port>>8), byte(port)
	}
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		in := (*unix.RawSockaddrInet4)(unsafe.Pointer(p))
		*in = unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: a.Addr}
		port(&in.Port, a.Port)
		return unix.SizeofSockaddrInet4
	case *unix.SockaddrInet6:
		*p = unix.RawSockaddrInet6{Family: unix.AF_INET6, Addr: a.Addr, Scope_id: a.ZoneId}
		port(&p.Port, a.Port)
		return unix.SizeofSockaddrInet6
	}
	return 0
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

// formatRawAddr is formatSockaddr of an address as acceptNow fills it, in
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
