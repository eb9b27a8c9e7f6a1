package luabind

import (
	"unsafe"

	lua "github.com/yuin/gopher-lua"
	"golang.org/x/sys/unix"
)

// The datagram fast path: what keeps a datagram's recvfrom and sendto to
// their system call and the data. On Linux the calls go straight to the fd
// (sys_linux.go), with no getsockopt (x/sys's Recvfrom asks SO_PROTOCOL on
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
// form that sendNow sends to.
type destination struct {
	sa  unix.Sockaddr
	raw unix.RawSockaddrInet6 // or a RawSockaddrInet4 in its first bytes
	len uint32                // 0: no raw form (unix paths), which sends through x/sys (sendOp)
}

func newDestination(sa unix.Sockaddr) *destination {
	d := &destination{sa: sa}
	d.len = putInet(sa, &d.raw)
	return d
}

// queuedDgram is a datagram received ahead of the script's call.
type queuedDgram struct {
	data string
	from rawAddr
}

// popDgram returns the next queued datagram cut to length (keeping it when
// peek), as a fresh recvfrom would, and puts its sender in *from.
func (s *stream) popDgram(length int, peek bool, from *rawAddr) (int, string) {
	d := &s.dgrams[0]
	*from = d.from
	data := d.data[:min(length, len(d.data))]
	if !peek {
		*d = queuedDgram{}
		s.dgrams = s.dgrams[1:]
	}
	return len(data), data
}
