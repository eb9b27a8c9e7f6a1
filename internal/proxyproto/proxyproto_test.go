package proxyproto

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// v2 builds a v2 header: version and command byte, family and protocol
// byte, then the address block (and TLVs).
func v2(verCmd, famProto byte, body []byte) []byte {
	b := append([]byte{}, v2Signature...)
	b = append(b, verCmd, famProto, 0, 0)
	binary.BigEndian.PutUint16(b[14:], uint16(len(body)))
	return append(b, body...)
}

func inet4Body(src, dst [4]byte, sport, dport uint16) []byte {
	b := append(src[:], dst[:]...)
	b = binary.BigEndian.AppendUint16(b, sport)
	return binary.BigEndian.AppendUint16(b, dport)
}

func inet6Body(src, dst netip.Addr, sport, dport uint16) []byte {
	s, d := src.As16(), dst.As16()
	b := append(s[:], d[:]...)
	b = binary.BigEndian.AppendUint16(b, sport)
	return binary.BigEndian.AppendUint16(b, dport)
}

func unixBody(src, dst string) []byte {
	b := make([]byte, 216)
	copy(b, src)
	copy(b[108:], dst)
	return b
}

func TestParse(t *testing.T) {
	ap := netip.MustParseAddrPort
	v4 := inet4Body([4]byte{192, 0, 2, 7}, [4]byte{127, 0, 0, 1}, 40312, 8000)
	v6 := inet6Body(netip.MustParseAddr("2001:db8::7"), netip.MustParseAddr("::1"), 40312, 8000)
	tlv := []byte{0x04, 0x00, 0x03, 'a', 'b', 'c'} // PP2_TYPE_NOOP with 3 bytes
	const data = "GET / HTTP/1.0\r\n"              // what follows: never part of the header
	tests := []struct {
		name  string
		in    []byte
		want  Header
		n     int    // header length (the rest is data)
		error string // "" ok; "incomplete"; else the FormatError's reason
	}{
		// v1
		{name: "v1 TCP4", in: []byte("PROXY TCP4 192.0.2.7 127.0.0.1 40312 8000\r\n" + data),
			want: Header{Version: 1, Source: ap("192.0.2.7:40312"), Dest: ap("127.0.0.1:8000")}, n: 43},
		{name: "v1 TCP6", in: []byte("PROXY TCP6 2001:db8::7 ::1 40312 8000\r\n"),
			want: Header{Version: 1, Source: ap("[2001:db8::7]:40312"), Dest: ap("[::1]:8000")}, n: 39},
		{name: "v1 UNKNOWN", in: []byte("PROXY UNKNOWN\r\n" + data), want: Header{Version: 1, Local: true}, n: 15},
		{name: "v1 UNKNOWN with addresses", in: []byte("PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n"),
			want: Header{Version: 1, Local: true}, n: 59},
		{name: "v1 longest", in: []byte("PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n"),
			want: Header{Version: 1, Source: ap("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535"), Dest: ap("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535")}, n: 104},
		{name: "v1 so far", in: []byte("PROXY TCP4 192.0"), error: "incomplete"},
		{name: "v1 prefix so far", in: []byte("PRO"), error: "incomplete"},
		{name: "v1 too long", in: []byte("PROXY UNKNOWN " + strings.Repeat("x", 100)), error: "v1 header longer than 107 bytes"},
		{name: "v1 bare LF", in: []byte("PROXY UNKNOWN\n"), error: "v1 header does not end with CRLF"},
		{name: "v1 unknown protocol", in: []byte("PROXY UDP4 1.2.3.4 1.2.3.4 1 2\r\n"), error: `v1 header with unknown protocol "UDP4"`},
		{name: "v1 missing port", in: []byte("PROXY TCP4 1.2.3.4 1.2.3.4 1\r\n"), error: "v1 header needs 4 addresses and ports after TCP4"},
		{name: "v1 two spaces", in: []byte("PROXY TCP4  1.2.3.4 1.2.3.4 1 2\r\n"), error: "v1 header needs 4 addresses and ports after TCP4"},
		{name: "v1 TCP4 with IPv6", in: []byte("PROXY TCP4 ::1 1.2.3.4 1 2\r\n"), error: `v1 header: TCP4 with address "::1"`},
		{name: "v1 TCP6 with IPv4", in: []byte("PROXY TCP6 ::1 1.2.3.4 1 2\r\n"), error: `v1 header: TCP6 with address "1.2.3.4"`},
		{name: "v1 bad address", in: []byte("PROXY TCP4 1.2.3.256 1.2.3.4 1 2\r\n"), error: `v1 header: bad address "1.2.3.256"`},
		{name: "v1 port out of range", in: []byte("PROXY TCP4 1.2.3.4 1.2.3.4 65536 2\r\n"), error: `v1 header: bad port "65536"`},
		{name: "v1 port with leading zero", in: []byte("PROXY TCP4 1.2.3.4 1.2.3.4 080 2\r\n"), error: `v1 header: bad port "080"`},
		{name: "v1 lowercase", in: []byte("proxy TCP4 1.2.3.4 1.2.3.4 1 2\r\n"), error: "no PROXY header (bad signature)"},
		{name: "v1 bad prefix so far", in: []byte("PROXX"), error: "no PROXY header (bad signature)"},
		// v2
		{name: "v2 PROXY TCP4", in: append(v2(0x21, 0x11, v4), data...),
			want: Header{Version: 2, Source: ap("192.0.2.7:40312"), Dest: ap("127.0.0.1:8000")}, n: 28},
		{name: "v2 PROXY TCP6", in: v2(0x21, 0x21, v6),
			want: Header{Version: 2, Source: ap("[2001:db8::7]:40312"), Dest: ap("[::1]:8000")}, n: 52},
		{name: "v2 PROXY unix", in: v2(0x21, 0x31, unixBody("/run/client.sock", "/run/lb.sock")),
			want: Header{Version: 2, Unix: true, SourcePath: "/run/client.sock", DestPath: "/run/lb.sock"}, n: 232},
		{name: "v2 TLVs skipped", in: append(v2(0x21, 0x11, append(append([]byte{}, v4...), tlv...)), data...),
			want: Header{Version: 2, Source: ap("192.0.2.7:40312"), Dest: ap("127.0.0.1:8000")}, n: 34},
		{name: "v2 LOCAL", in: append(v2(0x20, 0x00, nil), data...), want: Header{Version: 2, Local: true}, n: 16},
		{name: "v2 LOCAL with addresses", in: v2(0x20, 0x11, v4), want: Header{Version: 2, Local: true}, n: 28},
		{name: "v2 PROXY UNSPEC", in: v2(0x21, 0x00, tlv), want: Header{Version: 2, Local: true}, n: 22},
		{name: "v2 signature so far", in: v2Signature[:5], error: "incomplete"},
		{name: "v2 fixed part so far", in: v2(0x21, 0x11, v4)[:15], error: "incomplete"},
		{name: "v2 truncated addresses", in: v2(0x21, 0x11, v4)[:20], error: "incomplete"},
		{name: "v2 bad signature", in: append([]byte("\r\n\r\n\x00\r\nQUIX\n"), 0x21, 0x11, 0, 0), error: "no PROXY header (bad signature)"},
		{name: "v2 version 1", in: v2(0x11, 0x11, v4), error: "v2 header with version 1"},
		{name: "v2 unknown command", in: v2(0x22, 0x11, v4), error: "v2 header with unknown command 2"},
		{name: "v2 unknown family", in: v2(0x21, 0x41, v4), error: "v2 header with unknown family or protocol 0x41"},
		{name: "v2 unknown protocol", in: v2(0x21, 0x13, v4), error: "v2 header with unknown family or protocol 0x13"},
		{name: "v2 length too short for TCP4", in: v2(0x21, 0x11, v4[:8]), error: "v2 header too short for its addresses: 8 bytes"},
		{name: "v2 length too short for TCP6", in: v2(0x21, 0x21, v4), error: "v2 header too short for its addresses: 12 bytes"},
		// neither
		{name: "nothing yet", in: nil, error: "incomplete"},
		{name: "plain data", in: []byte(data), error: "no PROXY header (bad signature)"},
		{name: "TLS hello", in: []byte{0x16, 0x03, 0x01}, error: "no PROXY header (bad signature)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, n, err := Parse(tt.in)
			var fe *FormatError
			switch {
			case tt.error == "incomplete":
				if !errors.Is(err, ErrIncomplete) {
					t.Fatalf("got %+v, %d, %v; want incomplete", h, n, err)
				}
			case tt.error != "":
				if !errors.As(err, &fe) || fe.Reason != tt.error {
					t.Fatalf("got %+v, %d, %v; want error %q", h, n, err, tt.error)
				}
			case err != nil || h != tt.want || n != tt.n:
				t.Fatalf("got %+v, %d, %v; want %+v, %d", h, n, err, tt.want, tt.n)
			}
		})
	}
}

// TestNeeded: how far a reader must look to finish a header.
func TestNeeded(t *testing.T) {
	full := v2(0x21, 0x11, inet4Body([4]byte{1, 2, 3, 4}, [4]byte{5, 6, 7, 8}, 1, 2))
	for _, tt := range []struct {
		in   []byte
		want int
	}{
		{nil, MaxV1},
		{[]byte("PROXY TCP4"), MaxV1},
		{full[:3], 16},
		{full[:16], 28},
		{full, 28},
	} {
		if got := Needed(tt.in); got != tt.want {
			t.Errorf("Needed(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

// TestParseEveryPrefix: every prefix of a valid header is incomplete,
// never an error nor a header, so a reader that sees it in pieces waits.
func TestParseEveryPrefix(t *testing.T) {
	for _, full := range [][]byte{
		[]byte("PROXY TCP4 192.0.2.7 127.0.0.1 40312 8000\r\n"),
		v2(0x21, 0x21, inet6Body(netip.MustParseAddr("::1"), netip.MustParseAddr("::2"), 1, 2)),
	} {
		for i := range len(full) {
			if _, _, err := Parse(full[:i]); !errors.Is(err, ErrIncomplete) {
				t.Fatalf("%q: %v", full[:i], err)
			}
		}
	}
}
