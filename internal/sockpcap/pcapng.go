package sockpcap

import (
	"encoding/binary"
	"time"
)

// The pcapng blocks this package writes (draft-ietf-opsawg-pcapng): a
// section header, one interface of LINKTYPE_RAW (an IPv4 or IPv6 packet,
// told apart by its first nibble) and an enhanced packet block per
// packet. Little-endian, as the byte-order magic says.

const (
	blockSectionHeader  = 0x0A0D0D0A
	blockInterface      = 0x00000001
	blockEnhancedPacket = 0x00000006

	byteOrderMagic = 0x1A2B3C4D
	linkTypeRaw    = 101 // LINKTYPE_RAW: the packet starts with its IP header

	optEnd         = 0
	optComment     = 1
	optShbUserAppl = 4
	optIfName      = 2
	optIfTsresol   = 9
	optEpbFlags    = 2

	// epb_flags' direction bits.
	flagInbound  = 1
	flagOutbound = 2
)

var le = binary.LittleEndian

// appendOption appends one option, its value padded to 32 bits.
func appendOption(b []byte, code uint16, value []byte) []byte {
	b = le.AppendUint16(b, code)
	b = le.AppendUint16(b, uint16(len(value)))
	b = append(b, value...)
	return pad(b, len(value))
}

// pad appends the zeros that bring n bytes to a multiple of 4.
func pad(b []byte, n int) []byte {
	for range (4 - n%4) % 4 {
		b = append(b, 0)
	}
	return b
}

// block wraps a block's body (appended by body to b after the header)
// with its type and total length, before and after.
func block(b []byte, typ uint32, body func([]byte) []byte) []byte {
	start := len(b)
	b = le.AppendUint32(b, typ)
	b = le.AppendUint32(b, 0) // the length, known below
	b = body(b)
	total := uint32(len(b) - start + 4)
	le.PutUint32(b[start+4:], total)
	return le.AppendUint32(b, total)
}

// appendHeader appends the section header and the one interface.
func appendHeader(b []byte, comment string) []byte {
	b = block(b, blockSectionHeader, func(b []byte) []byte {
		b = le.AppendUint32(b, byteOrderMagic)
		b = le.AppendUint16(b, 1) // version 1.0
		b = le.AppendUint16(b, 0)
		b = le.AppendUint64(b, ^uint64(0)) // section length: not given
		b = appendOption(b, optShbUserAppl, []byte("luasock"))
		b = appendOption(b, optComment, []byte(comment))
		return appendOption(b, optEnd, nil)
	})
	return block(b, blockInterface, func(b []byte) []byte {
		b = le.AppendUint16(b, linkTypeRaw)
		b = le.AppendUint16(b, 0)
		b = le.AppendUint32(b, 0) // snap length: none
		b = appendOption(b, optIfName, []byte("luasock"))
		b = appendOption(b, optIfTsresol, []byte{9}) // nanoseconds
		return appendOption(b, optEnd, nil)
	})
}

// appendPacket appends an enhanced packet block: packet, seen at t, going
// out (sent by the script) or in, with a comment unless it is "".
func appendPacket(b []byte, t time.Time, packet []byte, out bool, comment string) []byte {
	return block(b, blockEnhancedPacket, func(b []byte) []byte {
		ns := uint64(t.UnixNano())
		b = le.AppendUint32(b, 0) // the interface
		b = le.AppendUint32(b, uint32(ns>>32))
		b = le.AppendUint32(b, uint32(ns))
		b = le.AppendUint32(b, uint32(len(packet)))
		b = le.AppendUint32(b, uint32(len(packet)))
		b = append(b, packet...)
		b = pad(b, len(packet))
		flags := uint32(flagInbound)
		if out {
			flags = flagOutbound
		}
		b = appendOption(b, optEpbFlags, le.AppendUint32(nil, flags))
		if comment != "" {
			b = appendOption(b, optComment, []byte(comment))
		}
		return appendOption(b, optEnd, nil)
	})
}
