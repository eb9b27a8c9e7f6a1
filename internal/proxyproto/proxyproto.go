// Package proxyproto parses the PROXY protocol header (HAProxy's
// proxy-protocol.txt, versions 1 and 2) that a load balancer sends first on
// each connection it forwards, to tell the server the client's real
// address. It parses bytes only: reading them off a socket, exactly up to
// the header's end, is the caller's.
package proxyproto

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"strconv"
	"strings"
)

// Header is what a PROXY header says.
type Header struct {
	Version int // 1 or 2
	// Local is true when the header carries no client address to use: a
	// v2 LOCAL command (the balancer's own health check), a v2 PROXY with
	// AF_UNSPEC, or v1's UNKNOWN. The connection's own addresses stand.
	Local bool
	// Source and Dest are the client's address and the one it connected
	// to (IPv4 or IPv6), when the header has them.
	Source, Dest netip.AddrPort
	// SourcePath and DestPath are the same for AF_UNIX (v2 only).
	SourcePath, DestPath string
	Unix                 bool // the addresses are SourcePath and DestPath
}

// MaxV1 is the longest v1 header, CRLF included.
const MaxV1 = 107

// v2Fixed is the length of v2's fixed part: signature, version and
// command, family and protocol, length.
const v2Fixed = 16

var (
	v1Prefix    = []byte("PROXY ")
	v2Signature = []byte("\r\n\r\n\x00\r\nQUIT\n")
)

// ErrIncomplete means the bytes so far begin a valid header: more are needed.
var ErrIncomplete = errors.New("incomplete PROXY header")

// FormatError is a header that can never become valid.
type FormatError struct{ Reason string }

func (e *FormatError) Error() string { return e.Reason }

func malformed(reason string) error { return &FormatError{Reason: reason} }

// Parse parses the header at the start of b and returns it with its
// length n: the connection's own data starts at b[n]. It returns
// ErrIncomplete when b is the beginning of a header that needs more bytes
// (Needed says how many to look at next), and a *FormatError when b cannot
// begin a header.
func Parse(b []byte) (h Header, n int, err error) {
	switch {
	case len(b) == 0:
		return h, 0, ErrIncomplete
	case b[0] == v1Prefix[0]:
		return parseV1(b)
	case b[0] == v2Signature[0]:
		return parseV2(b)
	}
	return h, 0, malformed("no PROXY header (bad signature)")
}

// Needed is how many bytes Parse must see, at most, to finish a header
// that b begins: for v2 the length its fixed part announces, for v1 MaxV1.
func Needed(b []byte) int {
	if len(b) >= v2Fixed && bytes.HasPrefix(b, v2Signature) {
		return v2Fixed + int(binary.BigEndian.Uint16(b[14:16]))
	}
	if len(b) > 0 && b[0] == v2Signature[0] {
		return v2Fixed
	}
	return MaxV1
}

// hasPrefixSoFar tells whether b and prefix agree on their common length.
func hasPrefixSoFar(b, prefix []byte) bool {
	n := min(len(b), len(prefix))
	return bytes.Equal(b[:n], prefix[:n])
}

func parseV1(b []byte) (h Header, n int, err error) {
	if !hasPrefixSoFar(b, v1Prefix) {
		return h, 0, malformed("no PROXY header (bad signature)")
	}
	end := bytes.IndexByte(b[:min(len(b), MaxV1)], '\n')
	if end < 0 {
		if len(b) >= MaxV1 {
			return h, 0, malformed("v1 header longer than 107 bytes")
		}
		return h, 0, ErrIncomplete
	}
	if end == 0 || b[end-1] != '\r' {
		return h, 0, malformed("v1 header does not end with CRLF")
	}
	h.Version = 1
	line := string(b[len(v1Prefix) : end-1])
	fields := strings.Split(line, " ")
	switch fields[0] {
	case "UNKNOWN":
		h.Local = true // the rest of the line is to be ignored
		return h, end + 1, nil
	case "TCP4", "TCP6":
	default:
		return h, 0, malformed("v1 header with unknown protocol " + strconv.Quote(fields[0]))
	}
	if len(fields) != 5 {
		return h, 0, malformed("v1 header needs 4 addresses and ports after " + fields[0])
	}
	v4 := fields[0] == "TCP4"
	src, err1 := parseV1Addr(fields[1], v4)
	dst, err2 := parseV1Addr(fields[2], v4)
	sport, err3 := parseV1Port(fields[3])
	dport, err4 := parseV1Port(fields[4])
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return h, 0, malformed("v1 header: " + err.Error())
	}
	h.Source, h.Dest = netip.AddrPortFrom(src, sport), netip.AddrPortFrom(dst, dport)
	return h, end + 1, nil
}

func parseV1Addr(s string, v4 bool) (netip.Addr, error) {
	ip, err := netip.ParseAddr(s)
	switch {
	case err != nil || ip.Zone() != "":
		return ip, errors.New("bad address " + strconv.Quote(s))
	case v4 && !ip.Is4():
		return ip, errors.New("TCP4 with address " + strconv.Quote(s))
	case !v4 && !ip.Is6():
		return ip, errors.New("TCP6 with address " + strconv.Quote(s))
	}
	return ip, nil
}

func parseV1Port(s string) (uint16, error) {
	p, err := strconv.ParseUint(s, 10, 16)
	if err != nil || s[0] == '+' || (len(s) > 1 && s[0] == '0') {
		return 0, errors.New("bad port " + strconv.Quote(s))
	}
	return uint16(p), nil
}

// v2 families (high nibble of byte 13) and the address lengths they need.
const (
	afUnspec = 0x0
	afInet   = 0x1
	afInet6  = 0x2
	afUnix   = 0x3
)

func parseV2(b []byte) (h Header, n int, err error) {
	if !hasPrefixSoFar(b, v2Signature) {
		return h, 0, malformed("no PROXY header (bad signature)")
	}
	if len(b) < v2Fixed {
		return h, 0, ErrIncomplete
	}
	if b[12]>>4 != 2 {
		return h, 0, malformed("v2 header with version " + strconv.Itoa(int(b[12]>>4)))
	}
	command := b[12] & 0xf
	if command > 1 {
		return h, 0, malformed("v2 header with unknown command " + strconv.Itoa(int(command)))
	}
	family, proto := b[13]>>4, b[13]&0xf
	if family > afUnix || proto > 2 {
		return h, 0, malformed("v2 header with unknown family or protocol 0x" + strconv.FormatUint(uint64(b[13]), 16))
	}
	total := v2Fixed + int(binary.BigEndian.Uint16(b[14:16]))
	if len(b) < total {
		return h, 0, ErrIncomplete
	}
	h.Version = 2
	addrs := b[v2Fixed:total] // the addresses, then TLVs, which are skipped
	need := map[byte]int{afUnspec: 0, afInet: 12, afInet6: 36, afUnix: 216}[family]
	if len(addrs) < need {
		return h, 0, malformed("v2 header too short for its addresses: " + strconv.Itoa(len(addrs)) + " bytes")
	}
	if command == 0 || family == afUnspec {
		h.Local = true // LOCAL (a health check) or UNSPEC: no address
		return h, total, nil
	}
	switch family {
	case afInet:
		src, dst := netip.AddrFrom4([4]byte(addrs[0:4])), netip.AddrFrom4([4]byte(addrs[4:8]))
		h.Source = netip.AddrPortFrom(src, binary.BigEndian.Uint16(addrs[8:10]))
		h.Dest = netip.AddrPortFrom(dst, binary.BigEndian.Uint16(addrs[10:12]))
	case afInet6:
		src, dst := netip.AddrFrom16([16]byte(addrs[0:16])), netip.AddrFrom16([16]byte(addrs[16:32]))
		h.Source = netip.AddrPortFrom(src, binary.BigEndian.Uint16(addrs[32:34]))
		h.Dest = netip.AddrPortFrom(dst, binary.BigEndian.Uint16(addrs[34:36]))
	case afUnix:
		h.Unix = true
		h.SourcePath = cString(addrs[0:108])
		h.DestPath = cString(addrs[108:216])
	}
	return h, total, nil
}

// cString is a sockaddr_un path: up to its first NUL.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}
