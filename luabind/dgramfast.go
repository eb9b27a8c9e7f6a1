package luabind

import (
	"sync"
	"unsafe"

	lua "github.com/yuin/gopher-lua"
	"golang.org/x/sys/unix"
)

// The datagram fast path: what keeps a datagram's recvfrom and sendto to
// their system call and the data. The calls go straight to the fd
// (rawsyscall.go), with no getsockopt (x/sys's Recvfrom asks SO_PROTOCOL on
// every IPv4 datagram); the peers' names and the parsed destinations are
// cached per socket; a receive with nothing queued takes a batch of
// datagrams at once. The profile behind this is in docs/benchmarks.md.

// addrCacheSize bounds the per-socket caches of peer names and destinations.
const addrCacheSize = 1024

// peerKey identifies an IP peer: family, port and address bytes.
type peerKey [24]byte

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

// destination is a parsed sendto address: its Sockaddr, and for IP the raw
// bytes that sendNow sends to.
type destination struct {
	sa  unix.Sockaddr
	raw [unix.SizeofSockaddrInet6]byte
	len uint32 // 0: no raw form (unix paths), which sends through x/sys (sendOp)
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

// recvBatchNow is recvOp's first try on a datagram socket whose queue is
// empty, with the Lua lock held: the datagrams after the first go to the
// queue.
func (s *stream) recvBatchNow(fd, length int, from *rawAddr) (int, string, error) {
	b := batchPool.Get().(*batchBufs)
	for i := range b.msgs {
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
