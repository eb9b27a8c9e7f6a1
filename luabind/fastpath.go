package luabind

import (
	"os"
	"sync"
	"unsafe"

	lua "github.com/yuin/gopher-lua"
	"golang.org/x/sys/unix"
)

// The datagram fast path: recvfrom and sendto first try their system call
// directly on the fd with the Lua lock held, with no closure, no
// getsockopt (x/sys's Recvfrom asks SO_PROTOCOL on every IPv4 datagram) and
// no allocation beyond the data itself; the peers' names and parsed
// destinations are cached per socket. Only when the socket is not ready do
// they take the general path (callAfterTry, block.go). The profile behind this is in
// docs/benchmarks.md.

// addrCacheSize bounds the per-socket caches of peer names and destinations.
const addrCacheSize = 1024

// rawAddr is a sender's address as recvfrom(2) fills it.
type rawAddr struct {
	sa  unix.RawSockaddrAny
	len uint32
}

// peerKey identifies an IP peer: family, port and address bytes.
type peerKey [24]byte

// recvfromNow is one recvfrom(2) that does not wait.
func recvfromNow(fd int, b []byte, flags int, from *rawAddr) (int, error) {
	from.len = unix.SizeofSockaddrAny
	var p unsafe.Pointer
	if len(b) > 0 {
		p = unsafe.Pointer(&b[0])
	}
	// RawSyscall: the socket is non-blocking, so the call is short, and the
	// scheduler hand-off of Syscall costs more than it saves here.
	n, _, errno := unix.RawSyscall6(unix.SYS_RECVFROM, uintptr(fd), uintptr(p), uintptr(len(b)),
		uintptr(flags|unix.MSG_DONTWAIT), uintptr(unsafe.Pointer(&from.sa)), uintptr(unsafe.Pointer(&from.len)))
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// peerNameOf is the Lua string for a sender, from the socket's cache when it
// was seen before. ok is false when the address is empty (a connected stream).
func (s *stream) peerNameOf(from *rawAddr) (name lua.LValue, ok bool) {
	if from.len == 0 {
		return lua.LNil, false
	}
	var key peerKey
	switch from.sa.Addr.Family {
	case unix.AF_INET:
		in := (*unix.RawSockaddrInet4)(unsafe.Pointer(&from.sa))
		key[0] = 4
		copy(key[1:3], (*[2]byte)(unsafe.Pointer(&in.Port))[:])
		copy(key[3:7], in.Addr[:])
	case unix.AF_INET6:
		in := (*unix.RawSockaddrInet6)(unsafe.Pointer(&from.sa))
		if in.Scope_id != 0 {
			return lua.LString(formatSockaddr(toSockaddr(from))), true
		}
		key[0] = 6
		copy(key[1:3], (*[2]byte)(unsafe.Pointer(&in.Port))[:])
		copy(key[3:19], in.Addr[:])
	default:
		return lua.LString(formatSockaddr(toSockaddr(from))), true
	}
	if v, hit := s.peerNames[key]; hit {
		return v, true
	}
	if s.peerNames == nil || len(s.peerNames) >= addrCacheSize {
		s.peerNames = make(map[peerKey]lua.LValue)
	}
	v := lua.LValue(lua.LString(formatSockaddr(toSockaddr(from))))
	s.peerNames[key] = v
	return v, true
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

// destination is a parsed sendto address: the Sockaddr for the general
// path, and the raw bytes for the fast one.
type destination struct {
	sa  unix.Sockaddr
	raw [unix.SizeofSockaddrInet6]byte
	len uint32 // 0: no raw form (unix paths); the fast path uses sa
}

func newDestination(sa unix.Sockaddr) *destination {
	d := &destination{sa: sa}
	put := func(port int) {
		d.raw[2], d.raw[3] = byte(port>>8), byte(port)
	}
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		*(*uint16)(unsafe.Pointer(&d.raw[0])) = unix.AF_INET
		put(a.Port)
		copy(d.raw[4:8], a.Addr[:])
		d.len = unix.SizeofSockaddrInet4
	case *unix.SockaddrInet6:
		*(*uint16)(unsafe.Pointer(&d.raw[0])) = unix.AF_INET6
		put(a.Port)
		copy(d.raw[8:24], a.Addr[:])
		*(*uint32)(unsafe.Pointer(&d.raw[24])) = a.ZoneId
		d.len = unix.SizeofSockaddrInet6
	}
	return d
}

// sendtoNow is one sendto(2) of a datagram that does not wait.
func sendtoNow(fd int, data string, flags int, to *destination) error {
	if to.len == 0 {
		return unix.Sendto(fd, bytesOf(data), flags|unix.MSG_DONTWAIT, to.sa)
	}
	var p unsafe.Pointer
	if len(data) > 0 {
		p = unsafe.Pointer(unsafe.StringData(data))
	}
	_, _, errno := unix.RawSyscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(p), uintptr(len(data)),
		uintptr(flags|unix.MSG_DONTWAIT), uintptr(unsafe.Pointer(&to.raw[0])), uintptr(to.len))
	if errno != 0 {
		return errno
	}
	return nil
}

// Batched receives: when a datagram socket has nothing queued here,
// recvmmsg(2) takes up to recvBatch datagrams from the kernel in one call;
// the first is this call's, the rest wait in the socket's queue (whole, as
// the kernel held them) for the next calls, which then need no system call.
// stream_select counts a non-empty queue as readable.
const recvBatch = 8

type mmsghdr struct {
	hdr unix.Msghdr
	len uint32
	_   [4]byte
}

// batchBufs is one recvmmsg's worth of buffers, pooled: every buffer holds
// the largest datagram, so nothing is cut before the script asks.
type batchBufs struct {
	msgs  [recvBatch]mmsghdr
	iovs  [recvBatch]unix.Iovec
	names [recvBatch]unix.RawSockaddrAny
	data  [recvBatch][maxRecv]byte
}

var batchPool = sync.Pool{New: func() any { return new(batchBufs) }}

// queuedDgram is a datagram received ahead of the script's call.
type queuedDgram struct {
	data string
	from rawAddr
}

// popDgram returns the next queued datagram cut to length (keeping it when
// peek), as a fresh recvfrom would.
func (s *stream) popDgram(length int, peek bool, from *rawAddr) (int, string) {
	d := s.dgrams[0]
	if !peek {
		s.dgrams[0] = queuedDgram{}
		s.dgrams = s.dgrams[1:]
	}
	*from = d.from
	data := d.data[:min(length, len(d.data))]
	return len(data), data
}

// recvBatchNow is recvNow for a datagram socket whose queue is empty.
func (s *stream) recvBatchNow(length int, from *rawAddr) (int, string, error) {
	fd := s.lockFD()
	if fd < 0 {
		return 0, "", os.ErrClosed
	}
	b := batchPool.Get().(*batchBufs)
	for i := range b.msgs {
		b.iovs[i].Base = &b.data[i][0]
		b.iovs[i].SetLen(maxRecv)
		b.msgs[i].hdr = unix.Msghdr{Name: (*byte)(unsafe.Pointer(&b.names[i])), Namelen: unix.SizeofSockaddrAny, Iov: &b.iovs[i]}
		b.msgs[i].hdr.SetIovlen(1)
	}
	k, _, errno := unix.RawSyscall6(unix.SYS_RECVMMSG, uintptr(fd), uintptr(unsafe.Pointer(&b.msgs[0])), recvBatch,
		unix.MSG_DONTWAIT, 0, 0)
	s.unlockFD()
	if errno != 0 {
		batchPool.Put(b)
		return 0, "", errno
	}
	var n int
	var data string
	for i := range int(k) {
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
