package luabind_test

import (
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/testutil"
	"golang.org/x/sys/unix"
)

// benchLua runs src with b.N as arg[1]; the loop in src is the measured work.
func benchLua(b *testing.B, src string, peer testutil.Peer, args ...string) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	testutil.Run(b, src, peer, append([]string{strconv.Itoa(b.N)}, args...)...).WantStatus(b, 0)
}

// BenchmarkCallBaseline is the cost of calling an API function that does no I/O.
func BenchmarkCallBaseline(b *testing.B) {
	benchLua(b, `local n = tonumber(...) for i = 1, n do strerror(0) end`, nil)
}

func BenchmarkDateCall(b *testing.B) {
	benchLua(b, `local n = tonumber(...) for i = 1, n do date("D M j H:i:s Y\r\n") end`, nil)
}

func BenchmarkSendto(b *testing.B) {
	sink, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer sink.Close()
	benchLua(b, `
local n, to = tonumber((...)), select(2, ...)
local s = assert(stream_socket_server("udp://127.0.0.1:0", STREAM_SERVER_BIND))
for i = 1, n do stream_socket_sendto(s, "x", 0, to) end`, nil, sink.LocalAddr().String())
}

// BenchmarkSendtoRecvfrom is one datagram to itself and back out of the
// socket: recvfrom's cost is this minus BenchmarkSendto.
func BenchmarkSendtoRecvfrom(b *testing.B) {
	benchLua(b, `
local n = tonumber(...)
local s = assert(stream_socket_server("udp://127.0.0.1:0", STREAM_SERVER_BIND))
local me = s:name()
for i = 1, n do
  stream_socket_sendto(s, "x", 0, me)
  stream_socket_recvfrom(s, 1)
end`, nil)
}

func BenchmarkFwrite(b *testing.B) {
	peer := testutil.StreamPeer("tcp", func(t testing.TB, c net.Conn, _ <-chan string) {
		io.Copy(io.Discard, c)
	})
	benchLua(b, `
local n = tonumber(...)
local s = assert(stream_socket_server("tcp://127.0.0.1:0"))
print(s:name())
local c = assert(stream_socket_accept(s))
for i = 1, n do fwrite(c, "The local time is 11/22/2026 6:25 am\n") end
fclose(c)`, peer)
}

// timeLineLoop sends the time server's line to itself and receives it, n
// times: what the observer benchmarks watch.
const timeLineLoop = `
local n = tonumber(...)
local s = assert(stream_socket_server("udp://127.0.0.1:0", STREAM_SERVER_BIND))
local me = s:name()
for i = 1, n do
  stream_socket_sendto(s, "The local time is 11/22/2026 6:25 am\n", 0, me)
  stream_socket_recvfrom(s, 100)
end`

// BenchmarkTrace is BenchmarkSendtoRecvfrom with the trace off and on (to
// io.Discard): off must cost what the untraced run costs, no allocation more.
func BenchmarkTrace(b *testing.B) {
	const src = timeLineLoop
	for _, mode := range []struct {
		name  string
		trace io.Writer
	}{{"off", nil}, {"on", io.Discard}} {
		b.Run(mode.name, func(b *testing.B) {
			b.ReportAllocs()
			testutil.RunOptions(host.Options{Script: "bench.lua", Source: []byte(src), Args: []string{strconv.Itoa(b.N)},
				Trace: mode.trace, TraceBytes: host.DefaultTraceBytes}).WantStatus(b, 0)
		})
	}
}

// BenchmarkPcap is BenchmarkTrace with --pcap instead (to io.Discard, and
// to a file), and both at once.
func BenchmarkPcap(b *testing.B) {
	const src = timeLineLoop
	for _, mode := range []struct {
		name        string
		trace, pcap io.Writer
	}{{"off", nil, nil}, {"on", nil, io.Discard}, {"file", nil, nil}, {"with-trace", io.Discard, io.Discard}} {
		b.Run(mode.name, func(b *testing.B) {
			if mode.name == "file" { // a real file: one write(2) per event
				f, err := os.Create(filepath.Join(b.TempDir(), "bench.pcapng"))
				if err != nil {
					b.Fatal(err)
				}
				defer f.Close()
				mode.pcap = f
			}
			b.ReportAllocs()
			testutil.RunOptions(host.Options{Script: "bench.lua", Source: []byte(src), Args: []string{strconv.Itoa(b.N)},
				Trace: mode.trace, TraceBytes: host.DefaultTraceBytes, Pcap: mode.pcap}).WantStatus(b, 0)
		})
	}
}

// BenchmarkFread: a 37-byte fread from a TCP stream with data waiting.
func BenchmarkFread(b *testing.B) {
	peer := testutil.StreamPeer("tcp", func(t testing.TB, c net.Conn, _ <-chan string) {
		line := []byte("The local time is 11/22/2026 6:25 am\n")
		for {
			if _, err := c.Write(line); err != nil {
				return
			}
		}
	})
	benchLua(b, `
local n = tonumber(...)
local s = assert(stream_socket_server("tcp://127.0.0.1:0"))
print(s:name())
local c = assert(stream_socket_accept(s))
for i = 1, n do assert(fread(c, 37)) end
fclose(c)`, peer)
}

// BenchmarkAcceptWriteClose is one connection of the manual's TCP time
// server: accept, a 37-byte fwrite, fclose. The client (raw system calls,
// no allocation) keeps one connection ahead, as a loaded server sees.
func BenchmarkAcceptWriteClose(b *testing.B) {
	peer := func(t testing.TB, lines <-chan string) {
		ap, err := netip.ParseAddrPort(testutil.NextLine(t, lines))
		if err != nil {
			t.Error(err)
			return
		}
		sa := &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
		var buf [64]byte
		dial := func() int {
			fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0) // blocking: the benchmark reads until the server closes
			if err == nil {
				err = unix.Connect(fd, sa)
			}
			if err != nil {
				t.Error(err)
				return -1
			}
			return fd
		}
		next := dial()
		for i := 0; i < b.N && next >= 0; i++ {
			fd := next
			if i+1 < b.N {
				next = dial()
			}
			for {
				if n, err := unix.Read(fd, buf[:]); n <= 0 || err != nil {
					break
				}
			}
			unix.Close(fd)
		}
	}
	benchLua(b, `
local n = tonumber(...)
local s = assert(stream_socket_server("tcp://127.0.0.1:0"))
print(s:name())
for i = 1, n do
  local conn = assert(stream_socket_accept(s))
  fwrite(conn, "The local time is " .. date("n/j/Y g:i a") .. "\n")
  fclose(conn)
end`, peer)
}
