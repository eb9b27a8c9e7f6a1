package luabind_test

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/luasock/luasock/internal/testutil"
)

// TestDatagrams: recvfrom cuts a datagram to length and discards the rest,
// PEEK leaves it queued, "" is an empty datagram, and sendto answers the
// sender, on udp and on udg (to a path).
func TestDatagrams(t *testing.T) {
	dir := t.TempDir()
	src := `
local s = assert(stream_socket_server(..., STREAM_SERVER_BIND))
print(s:name())
print(stream_socket_recvfrom(s, 5, STREAM_PEEK) == "hello")
local data, from = stream_socket_recvfrom(s, 5)
print(data, from ~= nil and from ~= "")
print(stream_socket_recvfrom(s, 100) == "next")
print(stream_socket_recvfrom(s, 100) == "")
local big = s:recvfrom(1000000) -- a huge length is fine: it allocates what arrives
print(#big)
print(stream_socket_sendto(s, "reply", 0, from))
print(s:sendto("again", from))
print(stream_socket_sendto(s, "nowhere")) -- not connected, no address
`
	for _, network := range []string{"udp", "unixgram"} {
		t.Run(network, func(t *testing.T) {
			address, unconnected := "udp://127.0.0.1:0", "nil\tDestination address required\t89\n"
			var client net.PacketConn
			var err error
			if network == "udp" {
				client, err = net.ListenPacket("udp", "127.0.0.1:0")
			} else {
				address = "udg://" + filepath.Join(dir, "server.sock")
				unconnected = "nil\tTransport endpoint is not connected\t107\n"
				client, err = net.ListenPacket("unixgram", filepath.Join(dir, "client.sock"))
			}
			if err != nil {
				t.Fatal(err)
			}
			defer client.Close()
			peer := func(t testing.TB, lines <-chan string) {
				name := testutil.NextLine(t, lines)
				var to net.Addr
				if network == "udp" {
					to, _ = net.ResolveUDPAddr("udp", name)
				} else {
					to = &net.UnixAddr{Net: "unixgram", Name: name}
				}
				for _, d := range []string{"hello world", "next", "", strings.Repeat("x", 3000)} {
					if _, err := client.WriteTo([]byte(d), to); err != nil {
						t.Error(err)
					}
				}
				buf := make([]byte, 100)
				for _, want := range []string{"reply", "again"} {
					n, _, err := client.ReadFrom(buf)
					if err != nil || string(buf[:n]) != want {
						t.Errorf("got %q, %v; want %q", buf[:n], err, want)
					}
				}
			}
			r := testutil.Run(t, src, peer, address)
			want := "true\nhello\ttrue\ntrue\ntrue\n3000\n5\n5\n" + unconnected
			r.WantSuffix(t, want)
		})
	}
}

// TestSendtoTargets: IP targets with or without a transport, host names,
// IPv4 to an IPv6 socket, and the ways a target can be wrong.
func TestSendtoTargets(t *testing.T) {
	client, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	port := client.LocalAddr().(*net.UDPAddr).Port
	src := `
local port = ...
local s = assert(stream_socket_server("udp://127.0.0.1:0", STREAM_SERVER_BIND))
print(s:sendto("a", "127.0.0.1:" .. port))
print(s:sendto("b", "udp://127.0.0.1:" .. port))
print(s:sendto("c", "localhost:" .. port))
local s6 = assert(stream_socket_server("udp://[::]:0", STREAM_SERVER_BIND))
print(s6:sendto("d", "127.0.0.1:" .. port))
print(s:sendto("x", "127.0.0.1"))
print(s:sendto("x", "nosuchhost.invalid:9"))
print(s:sendto("x", "[::1]:9"))
`
	testutil.Expect(t, src, "1\n1\n1\n1\n"+
		"nil\tFailed to parse address \"127.0.0.1\"\t0\n"+
		"nil\tgetaddrinfo for nosuchhost.invalid failed: Name or service not known\t0\n"+
		"nil\tAddress family not supported by protocol\t97\n", nil, strconv.Itoa(port))
	buf := make([]byte, 10)
	var got string
	for range 4 {
		n, _, err := client.ReadFrom(buf)
		if err != nil {
			t.Fatal(err)
		}
		got += string(buf[:n])
	}
	if got != "abcd" {
		t.Fatalf("the client got %q", got)
	}
}

// TestStreamReads covers fread, fgets, stream_get_line, stream_get_contents,
// feof and recvfrom on an accepted stream, including the read-ahead buffer
// that fgets leaves for the others.
func TestStreamReads(t *testing.T) {
	src := `
local s = assert(stream_socket_server("tcp://127.0.0.1:0"))
print(s:name())
local c = assert(stream_socket_accept(s))
print(fgets(c))                       -- "line one\n"
print(fgets(c, 4))                    -- at most 3 bytes
print(c:gets())                       -- the rest of the line
print(stream_get_line(c, 100, "||"))  -- up to the delimiter, which is consumed
print(stream_get_line(c, 3, "||"))    -- length first
print(fread(c, 2))                    -- from the buffer
print((stream_socket_recvfrom(c, 3, STREAM_PEEK)))
local data, from = stream_socket_recvfrom(c, 3)
print(data, from == c:peer())
print(feof(c))
print(stream_get_meta_data(c).unread_bytes > 0)
print(stream_get_contents(c, 4))
print(#stream_get_contents(c))
print(feof(c), stream_get_meta_data(c).eof)
print(fread(c, 10))
print(fgets(c))
print(stream_get_line(c, 10))
print(stream_get_contents(c) == "")
print(stream_socket_recvfrom(c, 10))
`
	peer := testutil.StreamPeer("tcp", func(t testing.TB, c net.Conn, _ <-chan string) {
		c.Write([]byte("line one\nabcdef\nfirst||second||and then some more" + strings.Repeat("z", 20000)))
	})
	want := "line one\n\nabc\ndef\n\nfirst\nsec\non\nd||\nd||\ttrue\nfalse\ntrue\nand \n20014\ntrue\ttrue\nnil\nnil\nnil\ntrue\nnil\n"
	r := testutil.Run(t, src, peer)
	r.WantSuffix(t, want)
}

// TestStreamWrites: fwrite writes everything, length cuts, a peer that went
// away gives EPIPE or ECONNRESET, and feof sees a closed peer without a read.
func TestStreamWrites(t *testing.T) {
	src := `
local s = assert(stream_socket_server("tcp://127.0.0.1:0"))
print(s:name())
local c = assert(stream_socket_accept(s))
print(fwrite(c, string.rep("x", 1000000)))
print(fwrite(c, "abcdef", 3), fputs(c, "!\n"), c:write("z", 0))
print(fwrite(c, "", 5))
print(fread(c, 3)) -- the peer says bye and closes
print(feof(c))    -- nothing buffered, no EOF seen yet: feof does not block
print(stream_socket_recvfrom(c, 1, STREAM_PEEK)) -- waits for the close; a peek changes nothing
print(feof(c))    -- feof looks at the socket itself
local n, err, code
for i = 1, 100 do -- the first writes may still land in the socket buffer
  n, err, code = fwrite(c, string.rep("y", 65536))
  if not n then break end
end
print(n, err, code == errno.EPIPE or code == errno.ECONNRESET)
`
	peer := testutil.StreamPeer("tcp", func(t testing.TB, c net.Conn, lines <-chan string) {
		got, err := io.ReadAll(io.LimitReader(c, 1000000+5))
		if err != nil || len(got) != 1000005 || string(got[1000000:]) != "abc!\n" {
			t.Errorf("peer read %d bytes, tail %q, %v", len(got), got[max(0, len(got)-5):], err)
		}
		c.Write([]byte("bye"))
		for l := range lines { // close only once the script has called feof
			if l == "false" {
				break
			}
		}
	})
	want := "1000000\n3\t2\t0\n0\nbye\nfalse\nnil\ntrue\nnil\t"
	r := testutil.Run(t, src, peer)
	if r.Code != 0 || !strings.Contains(r.Stdout, want) || !strings.HasSuffix(r.Stdout, "\ttrue\n") {
		r.Fatalf(t, "want stdout holding %q and ending in a tab and true", want)
	}
}

// TestOOB: STREAM_OOB reads the urgent byte.
func TestOOB(t *testing.T) {
	src := `
local s = assert(stream_socket_server("tcp://127.0.0.1:0"))
print(s:name())
local c = assert(stream_socket_accept(s))
print(fread(c, 6))
print(stream_socket_recvfrom(c, 1, STREAM_OOB))
`
	peer := testutil.StreamPeer("tcp", func(t testing.TB, c net.Conn, _ <-chan string) {
		testutil.SendOOB(t, c, "normal!")
		bufio.NewReader(c).ReadByte() // hold the connection until the script ends
	})
	r := testutil.Run(t, src, peer)
	if r.Code != 0 || !strings.HasSuffix(r.Stdout, "normal\n!\t") && !strings.Contains(r.Stdout, "normal\n!\t127.0.0.1:") {
		r.Fatalf(t, "want the normal data, then the urgent byte")
	}
}

// TestFgetsTimeoutKeepsPartialLine: a timeout returns `nil, errstr, 110`,
// sets timed_out, and the partial line comes whole with the next call.
func TestFgetsTimeoutKeepsPartialLine(t *testing.T) {
	src := `
local s = assert(stream_socket_server("tcp://127.0.0.1:0"))
print(s:name())
local c = assert(stream_socket_accept(s))
assert(stream_select({c}, nil, nil, 10) == 1) -- "par" came: the timeout below waits for the newline alone
stream_set_timeout(c, 0, 50000)
print(fgets(c))
print(stream_get_meta_data(c).timed_out, stream_get_meta_data(c).unread_bytes)
stream_set_timeout(c, 10)
print(fgets(c))
print(stream_get_meta_data(c).timed_out)
`
	peer := testutil.StreamPeer("tcp", func(t testing.TB, c net.Conn, lines <-chan string) {
		c.Write([]byte("par"))
		testutil.NextLine(t, lines) // the timeout
		c.Write([]byte("tial\n"))
		io.Copy(io.Discard, c)
	})
	r := testutil.Run(t, src, peer)
	want := "nil\tConnection timed out\t110\ntrue\t3\npartial\n\nfalse\n"
	r.WantSuffix(t, want)
}

// TestHugeLength: a huge length allocates only what arrives, on datagram
// and stream sockets alike.
func TestHugeLength(t *testing.T) {
	src := `
local s = assert(stream_socket_server("udp://127.0.0.1:0", STREAM_SERVER_BIND))
s:sendto(string.rep("d", 3000), s:name())
print(#stream_socket_recvfrom(s, 1073741824))
local srv = assert(stream_socket_server("tcp://127.0.0.1:0"))
print(srv:name())
local c = assert(stream_socket_accept(srv))
print(#fread(c, 1073741824))
`
	peer := func(t testing.TB, lines <-chan string) {
		testutil.NextLine(t, lines)
		testutil.StreamPeer("tcp", func(t testing.TB, c net.Conn, _ <-chan string) {
			c.Write([]byte("stream"))
			io.Copy(io.Discard, c)
		})(t, lines)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r := testutil.Run(t, src, peer)
	runtime.ReadMemStats(&after)
	if r.Code != 0 || !strings.HasPrefix(r.Stdout, "3000\n") || !strings.HasSuffix(r.Stdout, "\n6\n") {
		r.Fatalf(t, "want 3000 and 6 bytes read")
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
		t.Fatalf("the run allocated %d MiB", grew>>20)
	}
}

// TestShutdownAndNonBlocking: after SHUT_WR the peer sees EOF and can still
// answer; non-blocking reads with nothing complete give "".
func TestShutdownAndNonBlocking(t *testing.T) {
	src := `
local s = assert(stream_socket_server("tcp://127.0.0.1:0"))
print(s:name())
local c = assert(stream_socket_accept(s))
stream_set_blocking(c, false)
print(fread(c, 10) == "", stream_get_meta_data(c).blocked)
fwrite(c, "question")
print(stream_socket_shutdown(c, STREAM_SHUT_WR))
stream_set_blocking(c, true)
print(fread(c, 3))               -- "par": the peer answered after our EOF
stream_set_blocking(c, false)
print(fgets(c) == "")            -- no complete line yet; the partial one stays
stream_set_blocking(c, true)
print(fgets(c))
print(fread(c, 10))
print(c:shutdown(STREAM_SHUT_RDWR)) -- the peer is gone
`
	peer := testutil.StreamPeer("tcp", func(t testing.TB, c net.Conn, lines <-chan string) {
		got, err := io.ReadAll(c) // ends at the script's SHUT_WR
		if string(got) != "question" || err != nil {
			t.Errorf("peer read %q, %v", got, err)
		}
		c.Write([]byte("partial"))
		testutil.NextLine(t, lines) // "par"
		testutil.NextLine(t, lines) // the non-blocking fgets
		c.Write([]byte(" answer\n"))
	})
	r := testutil.Run(t, src, peer)
	want := "true\tfalse\ntrue\npar\ntrue\ntial answer\n\nnil\nnil\tTransport endpoint is not connected\t107\n"
	r.WantSuffix(t, want)
}

// TestDatagramsReceivedAhead: datagrams that one recvfrom took from the
// kernel together come out one per call, in order, each with its sender,
// each cut to its call's length; PEEK keeps the next one; stream_select sees
// them; fclose drops them.
func TestDatagramsReceivedAhead(t *testing.T) {
	src := `
local s = assert(stream_socket_server("udp://127.0.0.1:0", STREAM_SERVER_BIND))
local done = assert(stream_socket_server("tcp://127.0.0.1:0"))
print(s:name() .. " " .. done:name())
-- The peer connects here once it has sent all ten: loopback UDP queues a
-- datagram before sendto returns, so all are waiting now.
assert(stream_socket_accept(done))
local first, from1 = stream_socket_recvfrom(s, 100)
print(first, from1 ~= nil)
print("received ahead", stream_get_meta_data(s).unread_bytes) -- 2..8: one recvmmsg takes eight
local from2
for i = 2, 10 do
  local r = {s}
  local ready = stream_select(r, nil, nil, 0)
  if i == 3 then print("peek", stream_socket_recvfrom(s, 3, STREAM_PEEK)) end
  local data, from = stream_socket_recvfrom(s, i == 4 and 2 or 100000)
  if i == 2 then from2 = from end
  print(ready, data, from == (i % 2 == 1 and from1 or from2) and from1 ~= from2)
end
local r = {s}
print(stream_select(r, nil, nil, 0))
fclose(s)
`
	peer := func(t testing.TB, lines <-chan string) {
		addrs := strings.Fields(testutil.NextLine(t, lines))
		to, _ := net.ResolveUDPAddr("udp", addrs[0])
		a, _ := net.DialUDP("udp", nil, to)
		b, _ := net.DialUDP("udp", nil, to)
		defer a.Close()
		defer b.Close()
		for i := 1; i <= 10; i++ {
			c := a
			if i%2 == 0 {
				c = b
			}
			c.Write([]byte("datagram " + strconv.Itoa(i)))
		}
		if c, err := net.Dial("tcp", addrs[1]); err == nil {
			c.Close()
		}
	}
	ahead := "70" // datagrams 2..8, eight bytes each but the tenth
	if testutil.Portable {
		ahead = "0" // the batch of one: a recvfrom a call, no recvmmsg
	}
	want := "datagram 1\ttrue\nreceived ahead\t" + ahead + "\n"
	for i := 2; i <= 10; i++ {
		if i == 3 {
			want += "peek\tdat\tPEER\n"
		}
		data := "datagram " + strconv.Itoa(i)
		if i == 4 {
			data = "da"
		}
		want += "1\t" + data + "\ttrue\n"
	}
	want += "0\n"
	r := testutil.Run(t, src, peer)
	got := regexp.MustCompile(`peek\tdat\t127\.0\.0\.1:\d+\n`).ReplaceAllString(r.Stdout, "peek\tdat\tPEER\n")
	got = got[strings.Index(got, "\n")+1:] // the address line
	if r.Code != 0 || got != want {
		r.Fatalf(t, "stdout with the peer's address as PEER, after the address line: %s", testutil.Diff(want, got))
	}
}

// TestLongLineTimeoutKeepsIt: a timeout in the middle of a line longer than
// the read-ahead buffer keeps all of it, and the next fgets returns it whole.
func TestLongLineTimeoutKeepsIt(t *testing.T) {
	src := `
local s = assert(stream_socket_server("tcp://127.0.0.1:0"))
print(s:name())
local c = assert(stream_socket_accept(s))
stream_set_timeout(c, 0, 200000)
local line, err, code = fgets(c)
while code == errno.ETIMEDOUT and stream_get_meta_data(c).unread_bytes < 300000 do
  line, err, code = fgets(c) -- the peer may still be sending
end
print(line, err, code, stream_get_meta_data(c).unread_bytes)
stream_set_timeout(c, 10)
line = fgets(c)
print(#line, line == string.rep("0123456789", 30000) .. "end\n")
print(fgets(c))
`
	peer := testutil.StreamPeer("tcp", func(t testing.TB, c net.Conn, lines <-chan string) {
		c.Write([]byte(strings.Repeat("0123456789", 30000)))
		testutil.NextLine(t, lines) // the timeout
		c.Write([]byte("end\nnext\n"))
		io.Copy(io.Discard, c)
	})
	r := testutil.Run(t, src, peer)
	want := "nil\tConnection timed out\t110\t300000\n300004\ttrue\nnext\n\n"
	r.WantSuffix(t, want)
}

// TestTLSLongLine: lines longer than a TLS record come back from fgets in
// order (the rest of a record used to go ahead of the bytes before it), on
// both sides of the read-ahead size where a line starts to gather in chunks.
func TestTLSLongLine(t *testing.T) {
	dir := tlsFiles(t)
	src := `
local dir = ...
local s = assert(stream_socket_server("tls://127.0.0.1:0", STREAM_SERVER_BIND + STREAM_SERVER_LISTEN,
  {ssl = {local_cert = dir .. "/cert.pem", local_pk = dir .. "/key.pem"}}))
print(s:name())
local c = assert(stream_socket_accept(s))
local line = fgets(c)
while line do
  fwrite(c, line)
  line = fgets(c)
end
`
	var want []byte
	for _, n := range []int{40000, 300000} {
		for i := 0; i < n; i += 8 {
			want = append(want, fmt.Sprintf("%08d", i)...)
		}
		want = append(want, '\n')
	}
	peer := func(t testing.TB, lines <-chan string) {
		c, err := tls.Dial("tcp", testutil.NextLine(t, lines), &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		go c.Write(want)
		got := make([]byte, len(want))
		if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, want) {
			i := 0
			for i < len(got) && got[i] == want[i] {
				i++
			}
			t.Errorf("echoed %d bytes, first difference at %d: %v", len(got), i, err)
		}
	}
	testutil.Run(t, src, peer, dir).WantStatus(t, 0)
}
