package sockpcap

import (
	"encoding/binary"
	"net/netip"
)

// Synthesized IP, TCP and UDP headers, with their checksums computed.

var be = binary.BigEndian

const (
	protoTCP = 6
	protoUDP = 17

	tcpFIN = 0x01
	tcpSYN = 0x02
	tcpRST = 0x04
	tcpPSH = 0x08
	tcpACK = 0x10

	// maxSegment is the most data one TCP segment carries: an IPv4 packet
	// holds 65535 bytes, headers included. It is also the MSS the
	// handshakes announce.
	maxSegment = 65535 - 20 - 20
	// windowShift is the window scale both ends announce, so that the
	// window (65535 << 14, 1 GiB) never fills: the capture has no ACKs
	// but those that data carries.
	windowShift = 14
)

// ends is a packet's source and destination.
type ends struct {
	src, dst netip.AddrPort
}

// ipPacket appends an IPv4 or IPv6 packet (by the source's family) from
// e.src to e.dst carrying the transport header and data, and sets the
// transport checksum at csumAt (an offset in header) over the pseudo
// header, header and data.
func ipPacket(b []byte, e ends, proto byte, header []byte, csumAt int, data string, id uint16) []byte {
	length := len(header) + len(data)
	src, dst := e.src.Addr(), e.dst.Addr()
	var sum uint32
	if src.Is4() {
		s4, d4 := src.As4(), dst.As4()
		start := len(b)
		b = append(b, 0x45, 0)
		b = be.AppendUint16(b, uint16(20+length))
		b = be.AppendUint16(b, id)
		b = be.AppendUint16(b, 0x4000) // don't fragment
		b = append(b, 64, proto, 0, 0)
		b = append(b, s4[:]...)
		b = append(b, d4[:]...)
		be.PutUint16(b[start+10:], ^fold(sumBytes(0, b[start:start+20])))
		sum = sumBytes(sum, s4[:])
		sum = sumBytes(sum, d4[:])
	} else {
		s16, d16 := src.As16(), dst.As16()
		b = be.AppendUint32(b, 6<<28)
		b = be.AppendUint16(b, uint16(length))
		b = append(b, proto, 64)
		b = append(b, s16[:]...)
		b = append(b, d16[:]...)
		sum = sumBytes(sum, s16[:])
		sum = sumBytes(sum, d16[:])
	}
	sum += uint32(proto) + uint32(length)
	sum = sumBytes(sum, header)
	sum = sumString(sum, data) // every header here has an even length
	csum := ^fold(sum)
	if proto == protoUDP && csum == 0 {
		csum = 0xffff // 0 means "no checksum" in UDP
	}
	be.PutUint16(header[csumAt:], csum)
	b = append(b, header...)
	return append(b, data...)
}

// tcpSegment appends a TCP segment in an IP packet.
func tcpSegment(b []byte, e ends, seq, ack uint32, flags byte, data string, id uint16) []byte {
	var h [28]byte
	size := 20
	be.PutUint16(h[0:], e.src.Port())
	be.PutUint16(h[2:], e.dst.Port())
	be.PutUint32(h[4:], seq)
	be.PutUint32(h[8:], ack)
	h[13] = flags
	be.PutUint16(h[14:], 0xffff)
	if flags&tcpSYN != 0 { // MSS, NOP, window scale
		copy(h[20:], []byte{2, 4, maxSegment >> 8, maxSegment & 0xff, 1, 3, 3, windowShift})
		size = 28
	}
	h[12] = byte(size/4) << 4
	return ipPacket(b, e, protoTCP, h[:size], 16, data, id)
}

// udpDatagram appends a UDP datagram in an IP packet.
func udpDatagram(b []byte, e ends, data string, id uint16) []byte {
	var h [8]byte
	be.PutUint16(h[0:], e.src.Port())
	be.PutUint16(h[2:], e.dst.Port())
	be.PutUint16(h[4:], uint16(8+len(data)))
	return ipPacket(b, e, protoUDP, h[:], 6, data, id)
}

// sumBytes adds p to a ones' complement sum as 16-bit big-endian words.
func sumBytes(sum uint32, p []byte) uint32 {
	for i := 0; i+1 < len(p); i += 2 {
		sum += uint32(p[i])<<8 | uint32(p[i+1])
	}
	if len(p)%2 == 1 {
		sum += uint32(p[len(p)-1]) << 8
	}
	return fold32(sum)
}

// sumString is sumBytes for the data at the end of a packet.
func sumString(sum uint32, data string) uint32 {
	i := 0
	for ; i+1 < len(data); i += 2 {
		sum += uint32(data[i])<<8 | uint32(data[i+1])
		if sum > 0xffff0000 {
			sum = fold32(sum)
		}
	}
	if i < len(data) {
		sum += uint32(data[i]) << 8
	}
	return fold32(sum)
}

// fold32 keeps a running sum from overflowing.
func fold32(sum uint32) uint32 { return sum&0xffff + sum>>16 }

// fold reduces a sum to 16 bits.
func fold(sum uint32) uint16 {
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return uint16(sum)
}
