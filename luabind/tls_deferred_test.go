package luabind_test

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/luasock/luasock/internal/testutil"
)

// deferredServer is a tls:// echo server with a task per connection, as
// examples/tls_echo.lua is. Its first line is the server's and a control
// server's address; a connection to the control server ends the run. Each
// task's first use of its stream (arg[2]: "read", "write", "timeout": a read
// under a 0.2 s stream timeout, "meta": the crypto meta data, "enable":
// stream_socket_enable_crypto, "greet": a write from a second task while the
// first reads) runs the handshake; a failure prints "<mode>\terrstr\terrno",
// then what later calls on the stream get.
const deferredServer = `
local dir, mode = arg[1], arg[2]
local server = assert(stream_socket_server("tls://127.0.0.1:0", STREAM_SERVER_BIND + STREAM_SERVER_LISTEN,
  {ssl = {local_cert = dir .. "/cert.pem", local_pk = dir .. "/key.pem"}}))
local control = assert(stream_socket_server("tcp://127.0.0.1:0"))
spawn(function() control:accept() os.exit(0) end)

local function first(conn)
  if mode == "write" then return fwrite(conn, "hello\n") end
  if mode == "meta" then
    local crypto = stream_get_meta_data(conn).crypto
    if crypto then return crypto.protocol end
    return fgets(conn) -- the failure, from the read after it
  end
  if mode == "enable" then return stream_socket_enable_crypto(conn, true) end
  if mode == "timeout" then stream_set_timeout(conn, 0.2) end
  if mode == "greet" then spawn(function() fwrite(conn, "hello\n") end) end
  return true
end

local function serve(conn)
  local ok, err, code = first(conn)
  local line
  if ok then line, err, code = fgets(conn) end
  if not line and err then
    print(mode, err, code)
    print("again", select(2, fwrite(conn, "x")), select(2, fgets(conn)), stream_get_meta_data(conn).crypto)
  end
  while line do fwrite(conn, line) line = fgets(conn) end
  fclose(conn)
end

print(server:name() .. " " .. control:name())
while true do
  local conn, err, code = server:accept()
  if conn then spawn(serve, conn) else print("accept", err, code) end
end
`

// deferredPeer runs peer against deferredServer in mode, then ends the run.
// dir holds tlsFiles' certificates.
func deferredPeer(t *testing.T, dir, mode string, peer func(t testing.TB, addr string, lines <-chan string)) {
	r := testutil.Run(t, deferredServer, func(t testing.TB, lines <-chan string) {
		addrs := strings.Fields(nextLineWithin(t, lines))
		if len(addrs) != 2 {
			t.Errorf("want two addresses, got %q", addrs)
			return
		}
		defer func() { // ends the run
			if c, err := net.Dial("tcp", addrs[1]); err == nil {
				c.Close()
			}
		}()
		peer(t, addrs[0], lines)
	}, dir, mode)
	if r.Code != 0 || r.Stderr != "" {
		r.Fatalf(t, "want exit 0 and nothing on stderr")
	}
}

// nextLineWithin is testutil.NextLine bounded by 10 s, so that a server that
// hangs (as one whose accept waits for a mute client's handshake does) fails
// the test rather than stalling it.
func nextLineWithin(t testing.TB, lines <-chan string) string {
	select {
	case l, ok := <-lines:
		if !ok {
			t.Error("the script ended before printing the expected line")
		}
		return l
	case <-time.After(10 * time.Second):
		t.Error("no line from the script within 10 s")
		return ""
	}
}

// tlsEcho makes a TLS connection to addr that trusts the test CA, sends a
// line and checks it comes back, all within 10 s (well before the 60 s a
// handshake may take). greeting, if not empty, is the line the server sends
// first.
func tlsEcho(t testing.TB, dir, addr, greeting string) {
	t.Helper()
	pem, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	start := time.Now()
	d := &net.Dialer{Timeout: 10 * time.Second} // covers the handshake too
	c, err := tls.DialWithDialer(d, "tcp", addr, &tls.Config{RootCAs: roots, ServerName: "localhost"})
	if err != nil {
		t.Errorf("TLS client after %v: %v", time.Since(start).Round(time.Millisecond), err)
		return
	}
	defer c.Close()
	_ = c.SetDeadline(start.Add(10 * time.Second))
	r := bufio.NewReader(c)
	if greeting != "" {
		if got, err := r.ReadString('\n'); got != greeting {
			t.Errorf("greeting %q, %v; want %q", got, err, greeting)
		}
	}
	if _, err := c.Write([]byte("ping\n")); err != nil {
		t.Errorf("write: %v", err)
		return
	}
	if got, err := r.ReadString('\n'); got != "ping\n" {
		t.Errorf("echo %q, %v after %v", got, err, time.Since(start).Round(time.Millisecond))
	}
}

// TestTLSAcceptDoesNotWaitForAMuteClient: a client that connects and never
// speaks no longer holds up the next TLS client (accept ran the handshake,
// for up to 60 s); its own task reports the failure when it leaves, with the
// errstr and errno accept gave.
func TestTLSAcceptDoesNotWaitForAMuteClient(t *testing.T) {
	dir := tlsFiles(t)
	deferredPeer(t, dir, "read", func(t testing.TB, addr string, lines <-chan string) {
		mute := testutil.Dial(t, "tcp", addr)
		if mute == nil {
			return
		}
		defer mute.Close()
		// The kernel hands connections to accept in order: the mute one first.
		tlsEcho(t, dir, addr, "")
		tlsEcho(t, dir, addr, "")
		mute.Close()
		want := "read\tTLS handshake with " + mute.LocalAddr().String() + " failed: the peer closed the connection\t0"
		if got := nextLineWithin(t, lines); got != want {
			t.Errorf("got  %q\nwant %q", got, want)
		}
	})
}

// TestTLSDeferredHandshakeFailures: a client that speaks plain text to a TLS
// server: the first read, write, crypto meta data or enable_crypto in the
// connection's task fails with what accept used to return, and so does
// every later call on the stream, whose meta data has no crypto table. A
// mute client fails the handshake under the stream's timeout (0.2 s).
func TestTLSDeferredHandshakeFailures(t *testing.T) {
	dir := tlsFiles(t)
	notTLS := " failed: first record does not look like a TLS handshake\t0"
	for _, tt := range []struct{ mode, send, fails string }{
		{"read", "GET / HTTP/1.0\r\n\r\n", notTLS},
		{"write", "GET / HTTP/1.0\r\n\r\n", notTLS},
		{"meta", "GET / HTTP/1.0\r\n\r\n", notTLS},
		{"enable", "GET / HTTP/1.0\r\n\r\n", notTLS},
		{"timeout", "", " failed: Connection timed out\t110"},
	} {
		t.Run(tt.mode, func(t *testing.T) {
			deferredPeer(t, dir, tt.mode, func(t testing.TB, addr string, lines <-chan string) {
				c := testutil.Dial(t, "tcp", addr)
				if c == nil {
					return
				}
				defer c.Close()
				if tt.send != "" {
					if _, err := c.Write([]byte(tt.send)); err != nil {
						t.Error(err)
					}
				}
				failure := "TLS handshake with " + c.LocalAddr().String() + tt.fails
				errstr, _, _ := strings.Cut(failure, "\t")
				for _, want := range []string{tt.mode + "\t" + failure, "again\t" + errstr + "\t" + errstr + "\tnil"} {
					if got := nextLineWithin(t, lines); got != want {
						t.Errorf("got  %q\nwant %q", got, want)
						break
					}
				}
			})
		})
	}
}

// TestTLSDeferredHandshakeOnFirstUse: the handshake a task's first call runs
// leaves a working session, whatever that call is; two tasks that use a
// pending stream at once ("greet") share one handshake.
func TestTLSDeferredHandshakeOnFirstUse(t *testing.T) {
	dir := tlsFiles(t)
	for _, mode := range []string{"read", "write", "meta", "enable", "greet"} {
		t.Run(mode, func(t *testing.T) {
			greeting := ""
			if mode == "write" || mode == "greet" {
				greeting = "hello\n"
			}
			deferredPeer(t, dir, mode, func(t testing.TB, addr string, lines <-chan string) {
				tlsEcho(t, dir, addr, greeting)
			})
		})
	}
}
