package luabind_test

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/luasock/luasock/internal/testutil"
)

// trustingServer is proxyServer with proxy_trusted = arg[2] (networks
// separated by commas) and proxy_untrusted = arg[3].
const trustingServer = `
local trusted = {}
for net in arg[2]:gmatch("[^,]+") do trusted[#trusted + 1] = net end
local s = assert(stream_socket_server("tcp://127.0.0.1:0", nil,
  {socket = {proxy_protocol = true, proxy_trusted = trusted, proxy_untrusted = arg[3]}}))
print(s:name())
for i = 1, tonumber(arg[1]) do
  local conn, peer = stream_socket_accept(s, 10)
  if not conn then print(peer) break end
  local line = fgets(conn) or "EOF"
  print(peer, (line:gsub("\r?\n$", "")))
  fwrite(conn, "ok\n")
  fclose(conn)
end
`

// dialFrom connects to addr from the loopback address source, sends data,
// and returns what the server answers before it closes.
func dialFrom(t testing.TB, source, addr, data string) (answer, self string, err error) {
	d := net.Dialer{Timeout: 10 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(source)}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		return "", "", err
	}
	defer c.Close()
	c.Write([]byte(data))
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, err := io.ReadAll(c)
	return string(b), c.LocalAddr().String(), err
}

const forged = "PROXY TCP4 203.0.113.66 127.0.0.1 4444 80\r\nhello\n"

// TestProxyTrustedRefuses: with proxy_trusted, a client outside it that
// forges a header is closed unread (trace and warning say why), while the
// balancer's header is believed.
func TestProxyTrustedRefuses(t *testing.T) {
	peer := func(t testing.TB, lines, _ <-chan string) {
		addr := testutil.NextLine(t, lines)
		if answer, _, err := dialFrom(t, "127.0.0.2", addr, forged); answer != "" {
			t.Errorf("the forger got %q, %v; want the connection closed", answer, err)
		}
		if answer, _, err := dialFrom(t, "127.0.0.1", addr, forged); answer != "ok\n" {
			t.Errorf("the balancer got %q, %v", answer, err)
		}
	}
	r := runProxyTraced(t, trustingServer, peer, "1", "127.0.0.1,10.0.0.0/8", "refuse")
	r.WantStatus(t, 0)
	if !strings.HasSuffix(r.Stdout, "\n203.0.113.66:4444\thello\n") || strings.Count(r.Stdout, "\n") != 2 {
		r.Fatalf(t, "want only the balancer's client, then hello")
	}
	r.wantRefused(t, "the forger", `127\.0\.0\.2:\d+`, "not from a trusted address (proxy_trusted) (1)")
}

// TestProxyUntrustedDirect: proxy_untrusted = "direct" serves a client
// outside proxy_trusted as a direct connection: its own address is the
// peer, and the header it forged is its first line of data.
func TestProxyUntrustedDirect(t *testing.T) {
	var forger string
	peer := func(t testing.TB, lines <-chan string) {
		addr := testutil.NextLine(t, lines)
		var answer string
		var err error
		if answer, forger, err = dialFrom(t, "127.0.0.2", addr, forged); answer != "ok\n" {
			t.Errorf("the direct client got %q, %v", answer, err)
		}
		if answer, _, err = dialFrom(t, "127.0.0.1", addr, forged); answer != "ok\n" {
			t.Errorf("the balancer got %q, %v", answer, err)
		}
	}
	r := testutil.Run(t, trustingServer, peer, "2", "127.0.0.1/32", "direct")
	r.WantStatus(t, 0)
	want := "\n" + forger + "\tPROXY TCP4 203.0.113.66 127.0.0.1 4444 80\n203.0.113.66:4444\thello\n"
	if !strings.HasSuffix(r.Stdout, want) {
		r.Fatalf(t, "want the direct client with its forged header as data, then the balancer's client:%s", want)
	}
}

// TestProxyTrustedOptions: what proxy_trusted and proxy_untrusted accept,
// and the servers they do not apply to.
func TestProxyTrustedOptions(t *testing.T) {
	dir := t.TempDir()
	testutil.Expect(t, `
local function try(options, address)
  local ok, s, errstr, errno = pcall(stream_socket_server, address or "tcp://127.0.0.1:0", nil, {socket = options})
  if not ok then print(s) elseif s then print("ok") fclose(s) else print(s, errstr, errno) end
end
try({proxy_protocol = true, proxy_trusted = "127.0.0.1"})
try({proxy_protocol = true, proxy_trusted = {"::1", "10.0.0.0/8", "::ffff:127.0.0.0/104"}, proxy_untrusted = "direct"})
try({proxy_protocol = true, proxy_trusted = "10.0.0.0/33"})
try({proxy_protocol = true, proxy_trusted = "localhost"})
try({proxy_protocol = true, proxy_trusted = {}})
try({proxy_protocol = true, proxy_trusted = {1}})
try({proxy_protocol = true, proxy_trusted = 5})
try({proxy_protocol = true, proxy_untrusted = "direct"})
try({proxy_protocol = true, proxy_untrusted = "maybe"})
try({proxy_protocol = true, proxy_untrusted = true})
try({proxy_trusted = "127.0.0.1"})
try({proxy_protocol = true, proxy_trusted = "127.0.0.1"}, "unix://" .. arg[1] .. "/s.sock")
`, `ok
ok
bad argument #3 to 'stream_socket_server' (socket option 'proxy_trusted': "10.0.0.0/33" is not an IP address or network ("127.0.0.1", "10.0.0.0/8", "::1"))
bad argument #3 to 'stream_socket_server' (socket option 'proxy_trusted': "localhost" is not an IP address or network ("127.0.0.1", "10.0.0.0/8", "::1"))
bad argument #3 to 'stream_socket_server' (socket option 'proxy_trusted' is empty: it would trust no one)
bad argument #3 to 'stream_socket_server' (socket option 'proxy_trusted' must hold strings, got number)
bad argument #3 to 'stream_socket_server' (socket option 'proxy_trusted' must be an address, a network or a table of them, got number)
nil	socket option 'proxy_untrusted' needs proxy_trusted (who is trusted)	0
bad argument #3 to 'stream_socket_server' (socket option 'proxy_untrusted' must be "refuse" or "direct", got "maybe")
bad argument #3 to 'stream_socket_server' (socket option 'proxy_untrusted' must be "refuse" or "direct", got boolean)
nil	socket option 'proxy_trusted' needs proxy_protocol = true	0
nil	socket option 'proxy_trusted' needs an IP server (tcp, tls), not unix	0
`, nil, dir)
}
