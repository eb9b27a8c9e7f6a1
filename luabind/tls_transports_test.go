package luabind_test

import (
	"crypto/tls"
	"net"
	"testing"

	"github.com/luasock/luasock/internal/testprog"
	"github.com/luasock/luasock/internal/testutil"
)

// TestTLSTransportList: stream_get_transports lists what PHP's does,
// tlsv1.0 to tlsv1.3 included.
func TestTLSTransportList(t *testing.T) {
	php := testprog.Need(t, "php", "php-cli")
	out := testprog.Output(t, php, "-r", `echo implode(",", stream_get_transports()), "\n";`)
	testutil.Expect(t, `print(table.concat(stream_get_transports(), ","))`, out, nil) // php's list
}

// pinnedPair starts a server on arg[2]'s transport and connects with arg[3]'s
// (crypto_method arg[4] on both when given), printing the protocol or the
// errstr and errno.
const pinnedPair = `
local dir, sv, cv, method = arg[1], arg[2], arg[3], tonumber(arg[4])
local s = assert(stream_socket_server(sv .. "://127.0.0.1:0", STREAM_SERVER_BIND + STREAM_SERVER_LISTEN,
  {ssl = {local_cert = dir .. "/self.pem", crypto_method = method}}))
spawn(function() local c = s:accept() if c then fwrite(c, "hi\n") fclose(c) end end)
local c, err, code = stream_socket_client(cv .. "://" .. s:name(), 5, STREAM_CLIENT_CONNECT,
  {ssl = {verify_peer = false, crypto_method = method}})
if c then print("ok", stream_get_meta_data(c).crypto.protocol, fgets(c)) fclose(c) else print(err, code) end
os.exit(0)
`

// TestTLSPinnedVersions: tlsv1.x:// pins that TLS version on a client and
// on a server, whatever crypto_method says, as PHP's transports do.
func TestTLSPinnedVersions(t *testing.T) {
	dir := tlsFiles(t)
	refused := "TLS handshake with 127.0.0.1:\\d+ failed: remote error: protocol version not supported\t0\n"
	tests := []struct{ server, client, method, want string }{
		{"tls", "tlsv1.2", "", "ok\tTLSv1.2\thi\n\n"},
		{"tls", "tlsv1.3", "", "ok\tTLSv1.3\thi\n\n"},
		{"tlsv1.2", "tls", "", "ok\tTLSv1.2\thi\n\n"},
		{"tlsv1.3", "ssl", "", "ok\tTLSv1.3\thi\n\n"},
		{"tlsv1.0", "tlsv1.0", "", "ok\tTLSv1.0\thi\n\n"},
		{"tlsv1.1", "tlsv1.1", "", "ok\tTLSv1.1\thi\n\n"},
		{"tlsv1.2", "tlsv1.3", "", refused},
		{"tlsv1.3", "tlsv1.2", "", refused},
		{"tls", "tlsv1.0", "", refused}, // a tls:// server takes 1.2 and 1.3 only
		// crypto_method 64 (TLS 1.3 only) does not unpin tlsv1.2.
		{"tlsv1.2", "tlsv1.2", "64", "ok\tTLSv1.2\thi\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.server+"-"+tt.client, func(t *testing.T) {
			args := []string{dir, tt.server, tt.client}
			if tt.method != "" {
				args = append(args, tt.method)
			}
			testutil.Run(t, pinnedPair, nil, args...).WantMatch(t, tt.want)
		})
	}
}

// phpPinnedClient connects over each transport in argv[2..] to argv[1]
// and prints the protocol, or "failed".
const phpPinnedClient = `$ctx = stream_context_create(["ssl" => ["verify_peer" => false]]);
foreach (array_slice($argv, 2) as $tr) {
  $c = @stream_socket_client("$tr://" . $argv[1], $errno, $errstr, 5, STREAM_CLIENT_CONNECT, $ctx);
  echo $c ? stream_get_meta_data($c)["crypto"]["protocol"] : "failed", "\n";
}`

// luaPinnedClient is phpPinnedClient in Lua.
const luaPinnedClient = `for i = 2, #arg do
  local c = stream_socket_client(arg[i] .. "://" .. arg[1], 5, STREAM_CLIENT_CONNECT, {ssl = {verify_peer = false}})
  print(c and stream_get_meta_data(c).crypto.protocol or "failed")
end`

// TestTLSPinnedVersionsAsPHP: PHP's client and luasock's agree on the
// version each transport gets from a server that offers TLS 1.2 and 1.3.
func TestTLSPinnedVersionsAsPHP(t *testing.T) {
	php := testprog.Need(t, "php", "php-cli")
	dir := tlsFiles(t)
	cert, err := tls.LoadX509KeyPair(dir+"/self.pem", dir+"/self.pem")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) { _ = c.(*tls.Conn).Handshake(); c.Close() }(c)
		}
	}()
	defer func() { ln.Close(); <-done }()
	args := []string{ln.Addr().String(), "tls", "ssl", "tlsv1.0", "tlsv1.1", "tlsv1.2", "tlsv1.3"}
	out := testprog.Output(t, php, append([]string{"-r", phpPinnedClient, "--"}, args...)...)
	r := testutil.Run(t, luaPinnedClient, nil, args...)
	t.Logf("transports %v\nphp:\n%sluasock:\n%s", args[1:], out, r.Stdout)
	r.Want(t, out) // php's
}
