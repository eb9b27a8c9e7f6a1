package luabind_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/netip"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/testutil"
	"github.com/luasock/luasock/luabind"
)

// proxyServer accepts arg[1] connections on a PROXY protocol server and
// prints, for each, the peer accept returned, stream_socket_get_name's
// and the stream's, and the first line the client sent after its header;
// then answers "ok".
const proxyServer = `
local s = assert(stream_socket_server(arg[2] or "tcp://127.0.0.1:0", nil, {socket = {proxy_protocol = true}}))
print(s:name())
for i = 1, tonumber(arg[1]) do
  local conn, peer = stream_socket_accept(s, 10)
  if not conn then print(peer) break end
  local line = fgets(conn) or "EOF"
  print(peer, stream_socket_get_name(conn, true), conn:peer(), (line:gsub("\n$", "")))
  fwrite(conn, "ok\n")
  fclose(conn)
end
`

func v2Header(verCmd, famProto byte, body []byte) []byte {
	b := append([]byte("\r\n\r\n\x00\r\nQUIT\n"), verCmd, famProto, 0, 0)
	binary.BigEndian.PutUint16(b[14:], uint16(len(body)))
	return append(b, body...)
}

func v2Inet(src, dst string, sport, dport uint16) []byte {
	s, d := netip.MustParseAddr(src), netip.MustParseAddr(dst)
	var b []byte
	if s.Is4() {
		a, c := s.As4(), d.As4()
		b = append(a[:], c[:]...)
	} else {
		a, c := s.As16(), d.As16()
		b = append(a[:], c[:]...)
	}
	b = binary.BigEndian.AppendUint16(b, sport)
	return binary.BigEndian.AppendUint16(b, dport)
}

// proxyClient connects, sends the pieces one write each, and returns the
// server's answer and the client's own address.
func proxyClient(t testing.TB, addr string, pieces ...[]byte) (answer, self string) {
	c := testutil.Dial(t, "tcp", addr)
	if c == nil {
		return "", ""
	}
	defer c.Close()
	for _, p := range pieces {
		if _, err := c.Write(p); err != nil {
			t.Error(err)
		}
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, _ := io.ReadAll(c)
	return string(b), c.LocalAddr().String()
}

// TestProxyProtocol: the header's source is the peer accept returns, and
// stream_socket_get_name's and the stream's; the bytes after the header
// are the client's, whole, however the header arrives.
func TestProxyProtocol(t *testing.T) {
	unixBody := make([]byte, 216)
	copy(unixBody, "/run/client.sock")
	copy(unixBody[108:], "/run/lb.sock")
	tlv := []byte{0x04, 0x00, 0x02, 'h', 'i'}
	tests := []struct {
		name   string
		pieces [][]byte
		peer   string // "self": the client's own address (no address in the header)
	}{
		{"v1 TCP4", [][]byte{[]byte("PROXY TCP4 192.0.2.7 127.0.0.1 40312 8000\r\nhello\n")}, "192.0.2.7:40312"},
		{"v1 TCP6", [][]byte{[]byte("PROXY TCP6 2001:db8::7 ::1 40312 8000\r\nhello\n")}, "[2001:db8::7]:40312"},
		{"v1 UNKNOWN", [][]byte{[]byte("PROXY UNKNOWN\r\nhello\n")}, "self"},
		{"v1 in pieces", [][]byte{[]byte("PRO"), []byte("XY TCP4 192.0.2.8 127.0.0.1 1 2"), []byte("\r"), []byte("\nhello\n")}, "192.0.2.8:1"},
		{"v1 then data later", [][]byte{[]byte("PROXY TCP4 192.0.2.9 127.0.0.1 1 2\r\n"), []byte("hello\n")}, "192.0.2.9:1"},
		{"v2 PROXY TCP4", [][]byte{append(v2Header(0x21, 0x11, v2Inet("192.0.2.7", "127.0.0.1", 40312, 8000)), "hello\n"...)}, "192.0.2.7:40312"},
		{"v2 PROXY TCP6", [][]byte{append(v2Header(0x21, 0x21, v2Inet("2001:db8::7", "::1", 40312, 8000)), "hello\n"...)}, "[2001:db8::7]:40312"},
		{"v2 with TLVs", [][]byte{append(v2Header(0x21, 0x11, append(v2Inet("192.0.2.7", "127.0.0.1", 5, 6), tlv...)), "hello\n"...)}, "192.0.2.7:5"},
		{"v2 unix", [][]byte{append(v2Header(0x21, 0x31, unixBody), "hello\n"...)}, "/run/client.sock"},
		{"v2 LOCAL: a health check", [][]byte{append(v2Header(0x20, 0x00, nil), "hello\n"...)}, "self"},
		{"v2 PROXY UNSPEC", [][]byte{append(v2Header(0x21, 0x00, nil), "hello\n"...)}, "self"},
		{"v2 in pieces", func() [][]byte {
			h := append(v2Header(0x21, 0x11, v2Inet("192.0.2.10", "127.0.0.1", 7, 8)), "hello\n"...)
			return [][]byte{h[:5], h[5:15], h[15:20], h[20:]}
		}(), "192.0.2.10:7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var self string
			peer := func(t testing.TB, lines <-chan string) {
				addr := testutil.NextLine(t, lines)
				var answer string
				answer, self = proxyClient(t, addr, tt.pieces...)
				if answer != "ok\n" {
					t.Errorf("answer %q", answer)
				}
			}
			r := testutil.Run(t, proxyServer, peer, "1")
			want := tt.peer
			if want == "self" {
				want = self
			}
			if r.Code != 0 || r.Stderr != "" || !strings.HasSuffix(r.Stdout, "\n"+strings.Repeat(want+"\t", 3)+"hello\n") {
				r.Fatalf(t, "want peer %s three times, then hello", want)
			}
		})
	}
}

// TestProxyProtocolRefuses: a connection without a valid header is closed
// without ever reaching the script, whose accept goes on to the next
// client; --trace and --warnings say why. The clients that send something
// have a header timeout that no late write reaches (10 s); the silent one,
// on its own, a short one that must expire (TestProxyProtocolRefusesSilent).
func TestProxyProtocolRefuses(t *testing.T) {
	defer luabind.SetProxyHeaderTimeout(10 * time.Second)()
	bad := []struct {
		name   string
		pieces [][]byte
		reason string
	}{
		{"plain data", [][]byte{[]byte("GET / HTTP/1.0\r\n\r\n")}, "no PROXY header (bad signature) (71)"},
		{"malformed v1", [][]byte{[]byte("PROXY TCP4 1.2.3.4\r\nhello\n")}, "v1 header needs 4 addresses and ports after TCP4 (71)"},
		{"v1 too long", [][]byte{[]byte("PROXY UNKNOWN " + strings.Repeat("x", 120))}, "v1 header longer than 107 bytes (71)"},
		{"v2 bad version", [][]byte{v2Header(0x31, 0x11, v2Inet("1.2.3.4", "1.2.3.4", 1, 2))}, "v2 header with version 3 (71)"},
		{"closed mid-header", [][]byte{[]byte("PROXY TCP4 1.2")}, "connection closed before the header (71)"},
	}
	peer := func(t testing.TB, lines, _ <-chan string) {
		addr := testutil.NextLine(t, lines)
		for _, b := range bad {
			c := testutil.Dial(t, "tcp", addr)
			if c == nil {
				return
			}
			for _, p := range b.pieces {
				c.Write(p)
			}
			if b.name == "closed mid-header" {
				c.(*net.TCPConn).CloseWrite()
			}
			expectClosed(t, b.name, c)
		}
		if answer, _ := proxyClient(t, addr, []byte("PROXY TCP4 192.0.2.7 127.0.0.1 1 2\r\nhello\n")); answer != "ok\n" {
			t.Errorf("the good client's answer: %q", answer)
		}
	}
	r := runProxyTraced(t, proxyServer, peer, "1")
	r.WantStatus(t, 0)
	if r.Stderr != "" || !strings.HasSuffix(r.Stdout, "\t192.0.2.7:1\t192.0.2.7:1\thello\n") {
		r.Fatalf(t, "want the good client's peer, then hello")
	}
	for _, b := range bad {
		r.wantRefused(t, b.name, `127\.0\.0\.1:\d+`, b.reason)
	}
	if !regexp.MustCompile(`accept   <- client 1 \(192\.0\.2\.7:1\)  \(PROXY v1 via 127\.0\.0\.1:\d+\)\n`).MatchString(r.trace) {
		t.Errorf("no accept line naming the balancer in\n%s", r.trace)
	}
}

// TestProxyProtocolRefusesSilent: a client that sends nothing is closed
// when the header timeout expires, never reaching the script, and --trace
// and --warnings say why. With one place in the intake, the accept waiting
// meanwhile looks again every intakeFullRecheck, so it reports the failure
// with no other client (whose own header would race the short timeout).
func TestProxyProtocolRefusesSilent(t *testing.T) {
	defer luabind.SetProxyHeaderTimeout(300 * time.Millisecond)()
	defer luabind.SetMaxPendingHeaders(1)()
	src := `
local s = assert(stream_socket_server("tcp://127.0.0.1:0", nil, {socket = {proxy_protocol = true}}))
local done = assert(stream_socket_server("tcp://127.0.0.1:0"))
print(s:name() .. " " .. done:name())
spawn(function() print((stream_socket_accept(s, 30))) end) -- nil: closed with no client
assert(stream_socket_accept(done, 30)) -- the peer saw the failure reported
fclose(s)
`
	var silentAddr string
	peer := func(t testing.TB, lines, warned <-chan string) {
		addrs := strings.Fields(testutil.NextLine(t, lines))
		if len(addrs) != 2 {
			t.Errorf("want two addresses, got %q", addrs)
			return
		}
		defer func() { // the script closes its server: accept returns
			if c := testutil.Dial(t, "tcp", addrs[1]); c != nil {
				c.Close()
			}
		}()
		c := testutil.Dial(t, "tcp", addrs[0])
		if c == nil {
			return
		}
		silentAddr = c.LocalAddr().String()
		expectClosed(t, "silent", c)
		select { // reported before the run ends
		case <-warned:
		case <-time.After(10 * time.Second):
			t.Error("no warning within 10 s of the close")
		}
	}
	r := runProxyTraced(t, src, peer)
	r.WantStatus(t, 0)
	if r.Stderr != "" || !strings.HasSuffix(r.Stdout, "\nnil\n") || strings.Count(r.Stdout, "\n") != 2 {
		r.Fatalf(t, "want the addresses, then nil from accept")
	}
	r.wantRefused(t, "silent", regexp.QuoteMeta(silentAddr), "no header within 300ms (110)")
}

// expectClosed reads c until the server closes it, which it must do
// without sending anything; then closes c.
func expectClosed(t testing.TB, name string, c net.Conn) {
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, err := io.ReadAll(c)
	c.Close()
	// Closed with bytes unread, the connection is reset.
	if len(got) != 0 || (err != nil && !errors.Is(err, syscall.ECONNRESET)) {
		t.Errorf("%s: read %q, %v; want the connection closed", name, got, err)
	}
}

// tracedRun is what runProxyTraced's run printed, traced and warned.
type tracedRun struct {
	testutil.Result
	trace, warning string
}

// runProxyTraced runs src with args and --trace and --warnings; peer
// receives the lines of stdout and of the warnings as they come.
func runProxyTraced(t *testing.T, src string, peer func(t testing.TB, lines, warned <-chan string), args ...string) tracedRun {
	var trace, warnings bytes.Buffer
	lines, warned := make(chan string, 64), make(chan string, 64)
	done := make(chan struct{})
	go func() { defer close(done); peer(t, lines, warned) }()
	r := testutil.RunOptions(host.Options{Script: "test.lua", Source: []byte(src), Args: args,
		Stdout: lineWriter{lines: lines}, Trace: &trace, Warnings: lineWriter{&warnings, warned}})
	close(lines)
	close(warned)
	<-done
	return tracedRun{r, trace.String(), warnings.String()}
}

// wantRefused fails the test unless the trace and the warnings say that
// the connection from the address matching from was refused for reason.
func (r tracedRun) wantRefused(t *testing.T, name, from, reason string) {
	t.Helper()
	traced := regexp.MustCompile(`tcp stream 127\.0\.0\.1:\d+  error    <- ` + from + `  accept: PROXY protocol: ` + regexp.QuoteMeta(reason) + "\n")
	if !traced.MatchString(r.trace) {
		t.Errorf("%s: no trace line for %q in\n%s", name, reason, r.trace)
	}
	warned := regexp.MustCompile(`Warning: stream_socket_accept\(\): PROXY protocol: ` + regexp.QuoteMeta(reason) + `: connection from ` + from + ` closed\n`)
	if !warned.MatchString(r.warning) {
		t.Errorf("%s: no warning for %q in\n%s", name, reason, r.warning)
	}
}

// lineWriter is stdout for host.Run: kept (when all is set), and each
// line handed on.
type lineWriter struct {
	all   *bytes.Buffer
	lines chan<- string
}

func (w lineWriter) Write(p []byte) (int, error) {
	if w.all != nil {
		w.all.Write(p)
	}
	for _, l := range strings.SplitAfter(string(p), "\n") {
		if strings.HasSuffix(l, "\n") {
			w.lines <- strings.TrimSuffix(l, "\n")
		}
	}
	return len(p), nil
}

// TestProxyProtocolSilentClient: a client that connects and says nothing
// holds up no one: accept returns the clients after it as their headers
// come, and the silent one once it speaks; stream_select sees a connection
// whose header was read while the listener's queue is empty.
func TestProxyProtocolSilentClient(t *testing.T) {
	src := `
local s = assert(stream_socket_server("tcp://127.0.0.1:0", nil, {socket = {proxy_protocol = true}}))
print(s:name())
local conn, peer = assert(stream_socket_accept(s, 10))
print(peer)
fwrite(conn, "ok\n") fclose(conn)
local r = {s}
print(stream_select(r, nil, nil, 10))
conn, peer = assert(stream_socket_accept(s, 0))
print(peer)
fwrite(conn, "ok\n") fclose(conn)
`
	peer := func(t testing.TB, lines <-chan string) {
		addr := testutil.NextLine(t, lines)
		silent := testutil.Dial(t, "tcp", addr)
		if silent == nil {
			return
		}
		defer silent.Close()
		if answer, _ := proxyClient(t, addr, []byte("PROXY TCP4 192.0.2.2 127.0.0.1 2 2\r\n")); answer != "ok\n" {
			t.Errorf("the second client's answer: %q", answer)
		}
		if l := testutil.NextLine(t, lines); l != "192.0.2.2:2" {
			t.Errorf("first accepted: %q", l)
		}
		silent.Write([]byte("PROXY TCP4 192.0.2.1 127.0.0.1 1 1\r\n"))
		silent.SetReadDeadline(time.Now().Add(10 * time.Second))
		if b, _ := io.ReadAll(silent); string(b) != "ok\n" {
			t.Errorf("the silent client's answer: %q", b)
		}
	}
	r := testutil.Run(t, src, peer)
	if r.Code != 0 || r.Stderr != "" || !strings.HasSuffix(r.Stdout, "\n192.0.2.2:2\n1\n192.0.2.1:1\n") {
		r.Fatalf(t, "want the second client first, then select's 1 and the silent one")
	}
}

// TestProxyProtocolServers: the option is for stream servers; a unix
// server reads headers as a TCP one does.
func TestProxyProtocolServers(t *testing.T) {
	testutil.Expect(t, `print(stream_socket_server("udp://127.0.0.1:0", STREAM_SERVER_BIND, {socket = {proxy_protocol = true}}))`,
		"nil\tPROXY protocol needs a stream server (tcp, tls, unix), not udp\t0\n", nil)
	path := t.TempDir() + "/p.sock"
	peer := func(t testing.TB, lines <-chan string) {
		testutil.NextLine(t, lines)
		c := testutil.Dial(t, "unix", path)
		if c == nil {
			return
		}
		defer c.Close()
		c.Write([]byte("PROXY TCP6 2001:db8::1 ::1 9 9\r\nhello\n"))
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if b, _ := io.ReadAll(c); string(b) != "ok\n" {
			t.Errorf("answer %q", b)
		}
	}
	r := testutil.Run(t, proxyServer, peer, "1", "unix://"+path)
	if r.Code != 0 || !strings.HasSuffix(r.Stdout, "\n"+strings.Repeat("[2001:db8::1]:9\t", 3)+"hello\n") {
		r.Fatalf(t, "want the header's peer")
	}
}

// TestProxyProtocolIntakeFull: with every place taken by silent clients,
// the next client waits in the listen queue, and is served once their
// headers time out and free the places.
func TestProxyProtocolIntakeFull(t *testing.T) {
	defer luabind.SetProxyHeaderTimeout(200 * time.Millisecond)()
	defer luabind.SetMaxPendingHeaders(2)()
	peer := func(t testing.TB, lines <-chan string) {
		addr := testutil.NextLine(t, lines)
		for range 2 {
			silent := testutil.Dial(t, "tcp", addr)
			if silent == nil {
				return
			}
			defer silent.Close()
		}
		start := time.Now()
		if answer, _ := proxyClient(t, addr, []byte("PROXY TCP4 192.0.2.3 127.0.0.1 3 3\r\nhello\n")); answer != "ok\n" {
			t.Errorf("the third client's answer: %q", answer)
		}
		// Served when the places free up (200 ms), not when accept's own
		// timeout (10 s) ends its wait.
		if waited := time.Since(start); waited > 5*time.Second {
			t.Errorf("the third client waited %v", waited)
		}
	}
	r := testutil.Run(t, proxyServer, peer, "1")
	if r.Code != 0 || !strings.HasSuffix(r.Stdout, "\n192.0.2.3:3\t192.0.2.3:3\t192.0.2.3:3\thello\n") {
		r.Fatalf(t, "want the third client served")
	}
}
