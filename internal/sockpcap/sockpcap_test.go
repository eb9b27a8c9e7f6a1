package sockpcap

import (
	"bytes"
	"encoding/hex"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/luasock/luasock/internal/sockevent"
	"github.com/luasock/luasock/internal/testprog"
)

// conversation is a run's events as luabind reports them: an IPv4 client
// that sends, reads an answer and the end of the stream, then closes; an
// IPv6 connection accepted, a large send (several segments) and a reset;
// UDP both ways; a unix stream, which is not captured; a refused connect
// (a SYN and an RST) and one that sent nothing; a close with bytes unread
// (an RST).
func conversation() ([]sockevent.Event, string) {
	big := strings.Repeat("0123456789abcdef", 10000) // 160000 bytes: 3 segments
	t := time.Date(2026, 11, 22, 8, 40, 7, 0, time.UTC)
	cli := sockevent.Event{Stream: 1, Transport: "tcp", Kind: "stream", Local: "127.0.0.1:51646", Peer: "127.0.0.1:1313"}
	v6 := sockevent.Event{Worker: 2, Stream: 1, Transport: "tcp", Kind: "stream", Local: "[::1]:8000", Peer: "[::1]:40000"}
	udp := sockevent.Event{Stream: 3, Transport: "udp", Kind: "socket", Local: "127.0.0.1:41113", Peer: "127.0.0.1:50738", Addressed: true}
	unixStream := sockevent.Event{Stream: 4, Transport: "unix", Kind: "stream", Local: "/tmp/s", Peer: ""}
	with := func(e sockevent.Event, change func(*sockevent.Event)) sockevent.Event {
		e.Time = t
		t = t.Add(time.Millisecond)
		change(&e)
		return e
	}
	return []sockevent.Event{
		with(cli, func(e *sockevent.Event) { e.Op = sockevent.Connect }),
		with(cli, func(e *sockevent.Event) { e.Op, e.Data = sockevent.Send, "hello\r\n" }),
		with(v6, func(e *sockevent.Event) { e.Op = sockevent.Accept }),
		with(cli, func(e *sockevent.Event) { e.Op, e.Data = sockevent.Recv, "Sunday, November 22, 2026\r\n" }),
		with(cli, func(e *sockevent.Event) { e.Op, e.Data, e.Peek = sockevent.Recv, "peeked", true }),
		with(cli, func(e *sockevent.Event) { e.Op, e.EOF = sockevent.Recv, true }),
		with(cli, func(e *sockevent.Event) { e.Op = sockevent.Close }),
		with(v6, func(e *sockevent.Event) { e.Op, e.Data = sockevent.Send, big }),
		with(v6, func(e *sockevent.Event) { e.Op, e.Err = sockevent.Recv, syscall.ECONNRESET }),
		with(v6, func(e *sockevent.Event) { e.Op = sockevent.Close }),
		with(udp, func(e *sockevent.Event) { e.Op, e.Data = sockevent.Recv, "\n" }),
		with(udp, func(e *sockevent.Event) { e.Op, e.Data = sockevent.Send, "Sun Nov 22 08:40:07 2026\r\n" }),
		with(unixStream, func(e *sockevent.Event) { e.Op, e.Data = sockevent.Send, "not captured" }),
		{Time: t, Op: sockevent.Connect, Transport: "tcp", Kind: "socket", Local: "127.0.0.1:54944", Peer: "127.0.0.1:1", Err: syscall.ECONNREFUSED},
		{Time: t, Stream: 5, Op: sockevent.Accept, Transport: "tcp", Kind: "stream", Local: "127.0.0.1:8000", Peer: "127.0.0.1:42188"},
		{Time: t, Stream: 5, Op: sockevent.Close, Transport: "tcp", Kind: "stream", Local: "127.0.0.1:8000", Peer: "127.0.0.1:42188", Unread: 7},
		{Time: t, Op: sockevent.Connect, Transport: "tcp", Kind: "socket", Peer: "127.0.0.1:2", Err: syscall.ENETUNREACH},
	}, big
}

func writeConversation(t *testing.T) (string, string) {
	events, big := conversation()
	var buf bytes.Buffer
	w, err := New(&buf, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range events {
		w.Observe(&events[i])
	}
	path := filepath.Join(t.TempDir(), "c.pcapng")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, big
}

// TestWithTshark: tshark reads the capture without a malformed packet or
// a bad checksum, shows the handshakes, FINs and the reset, and follows
// each TCP stream back to the bytes of the events.
func TestWithTshark(t *testing.T) {
	testprog.Need(t, "tshark", "tshark")
	path, big := writeConversation(t)
	run := func(args ...string) string {
		args = append([]string{"-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-r", path}, args...)
		out, err := exec.Command("tshark", args...).Output()
		if err != nil {
			t.Fatalf("tshark %v: %v", args, err)
		}
		return string(out)
	}
	summary := run()
	if bad := run("-Y", "_ws.malformed || _ws.expert.severity == error"); bad != "" {
		t.Fatalf("errors:\n%s\nin:\n%s", bad, summary)
	}
	for _, want := range []string{
		"127.0.0.1 → 127.0.0.1    TCP 48 51646 → 1313 [SYN] Seq=0 ",
		"1313 → 51646 [SYN, ACK] Seq=0 Ack=1 ",
		"51646 → 1313 [ACK] Seq=1 Ack=1 ",
		"51646 → 1313 [PSH, ACK] Seq=1 Ack=1 Win=1073725440 Len=7",
		"1313 → 51646 [PSH, ACK] Seq=1 Ack=8 Win=1073725440 Len=27",
		"1313 → 51646 [FIN, ACK] Seq=28 Ack=8 ",
		"51646 → 1313 [ACK] Seq=8 Ack=29 ",
		"51646 → 1313 [FIN, ACK] Seq=8 Ack=29 ",
		"1313 → 51646 [ACK] Seq=29 Ack=9 ",
		"::1 → ::1          TCP 68 40000 → 8000 [SYN] Seq=0 ",
		"40000 → 8000 [RST, ACK] Seq=1 Ack=160001 ",
		"127.0.0.1 → 127.0.0.1    UDP 29 50738 → 41113 Len=1",
		"127.0.0.1 → 127.0.0.1    UDP 54 41113 → 50738 Len=26",
		"127.0.0.1 → 127.0.0.1    TCP 48 54944 → 1 [SYN] Seq=0 ",
		"127.0.0.1 → 127.0.0.1    TCP 40 1 → 54944 [RST, ACK] Seq=1 Ack=1 ",
		"127.0.0.1 → 127.0.0.1    TCP 40 8000 → 42188 [RST, ACK] Seq=1 Ack=1 ",
	} {
		if !strings.Contains(summary, want) {
			t.Errorf("no %q in\n%s", want, summary)
		}
	}
	if n := strings.Count(summary, "\n"); n != 9+7+2+2+4 { // the IPv4 stream, the IPv6 one (3 data segments), UDP, the refused connect, the reset one
		t.Errorf("%d packets:\n%s", n, summary)
	}
	follow := run("-q", "-z", "follow,tcp,raw,1")
	var fromServer []byte
	for _, line := range strings.Split(follow, "\n") {
		if rest, ok := strings.CutPrefix(line, "\t"); ok {
			b, err := hex.DecodeString(rest)
			if err != nil {
				t.Fatal(err)
			}
			fromServer = append(fromServer, b...)
		}
	}
	if string(fromServer) != big {
		t.Errorf("stream 1: %d bytes from the server, want the %d sent", len(fromServer), len(big))
	}
}

// TestChecksums: every IP header and TCP/UDP checksum sums to 0xffff over
// what it covers, as a receiver checks it (and without tshark).
func TestChecksums(t *testing.T) {
	for _, tt := range []struct {
		name   string
		packet []byte
	}{
		{"tcp4 syn", tcpSegment(nil, ends{ap("10.0.0.1:1"), ap("10.0.0.2:2")}, 7, 0, tcpSYN, "", 1)},
		{"tcp4 odd", tcpSegment(nil, ends{ap("10.0.0.1:1"), ap("10.0.0.2:2")}, 7, 9, tcpPSH|tcpACK, "abc", 2)},
		{"tcp6", tcpSegment(nil, ends{ap("[fe80::1]:1"), ap("[2001:db8::2]:443")}, 1<<31, 5, tcpACK, "hello, world", 3)},
		{"udp4", udpDatagram(nil, ends{ap("127.0.0.1:1113"), ap("127.0.0.1:50738")}, "x", 4)},
		{"udp6 odd", udpDatagram(nil, ends{ap("[::1]:1"), ap("[::1]:2")}, "\xff\xff\xff", 5)},
		{"udp4 big", udpDatagram(nil, ends{ap("127.0.0.1:1"), ap("127.0.0.1:2")}, strings.Repeat("\xff", 65507), 6)},
	} {
		p := tt.packet
		var pseudo []byte
		var payload []byte
		if p[0]>>4 == 4 {
			if got := fold(sumBytes(0, p[:20])); got != 0xffff {
				t.Errorf("%s: IPv4 header sums to %#x", tt.name, got)
			}
			pseudo = append(append(append([]byte(nil), p[12:20]...), 0, p[9]), be.AppendUint16(nil, uint16(len(p)-20))...)
			payload = p[20:]
		} else {
			pseudo = append(append([]byte(nil), p[8:40]...), be.AppendUint32(nil, uint32(len(p)-40))...)
			pseudo = append(pseudo, 0, 0, 0, p[6])
			payload = p[40:]
		}
		if got := fold(sumBytes(sumBytes(0, pseudo), payload)); got != 0xffff {
			t.Errorf("%s: the transport checksum sums to %#x", tt.name, got)
		}
	}
}

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

// TestNotes: a trace_note is the comment of the packets of its handle's
// next message (every segment of it), joined with a TLS stream's own; a
// note that names no message, a name, a peek and a dropped datagram (no
// packet: its note goes with it) leave no comment on the packets after.
func TestNotes(t *testing.T) {
	testprog.Need(t, "tshark", "tshark")
	now := time.Now()
	cli := sockevent.Event{Time: now, Stream: 1, Transport: "tcp", Kind: "stream", Local: "127.0.0.1:51646", Peer: "127.0.0.1:1313"}
	tls := sockevent.Event{Time: now, Stream: 2, Transport: "tcp", TLS: true, Kind: "stream", Local: "127.0.0.1:51647", Peer: "127.0.0.1:1314"}
	udp := sockevent.Event{Time: now, Stream: 3, Transport: "udp", Kind: "socket", Local: "127.0.0.1:41113", Peer: "127.0.0.1:50738", Addressed: true}
	with := func(e sockevent.Event, op sockevent.Op, data, note string) sockevent.Event {
		e.Op, e.Data, e.Note = op, data, note
		return e
	}
	peek := with(cli, sockevent.Recv, "ab", "")
	peek.Peek = true
	events := []sockevent.Event{
		with(cli, sockevent.Connect, "", ""),
		with(cli, sockevent.NoteOp, "", "request"),
		with(cli, sockevent.NameOp, "", "the server"),
		with(cli, sockevent.Send, strings.Repeat("x", 70000), ""), // 2 segments
		with(cli, sockevent.NoteOp, "", "answer"),
		with(cli, sockevent.NoteOp, "", "in two\xff notes"),
		peek,
		with(cli, sockevent.Recv, "ab", ""),
		with(cli, sockevent.Send, "c", ""),
		with(cli, sockevent.NoteOp, "", "never sent"),
		with(cli, sockevent.Close, "", ""),
		with(tls, sockevent.Connect, "", ""),
		with(tls, sockevent.NoteOp, "", "secret"),
		with(tls, sockevent.Send, "s", ""),
		with(udp, sockevent.NoteOp, "", "lost"),
		with(udp, sockevent.Drop, "gone", ""),
		with(udp, sockevent.Send, "sent", ""),
	}
	var buf bytes.Buffer
	w, err := New(&buf, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range events {
		w.Observe(&events[i])
	}
	path := filepath.Join(t.TempDir(), "n.pcapng")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("tshark", "-r", path, "-Y", "frame.comment", "-T", "fields", "-e", "frame.number", "-e", "frame.comment").Output()
	if err != nil {
		t.Fatal(err)
	}
	want := "4\trequest\n5\trequest\n6\tanswer; in two\ufffd notes\n" +
		"13\tsecret; TLS plaintext: the bytes as the script saw them; on the wire they were encrypted\n"
	if string(out) != want {
		t.Errorf("comments:\n%s\nwant\n%s", out, want)
	}
	summary, err := exec.Command("tshark", "-r", path, "-Y", "udp").Output()
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(summary), "\n"); n != 1 || !strings.Contains(string(summary), "Len=4") {
		t.Errorf("want the one datagram sent, of 4 bytes:\n%s", summary)
	}
}
