package luabind_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/luasock/luasock/internal/testprog"
	"github.com/luasock/luasock/internal/testutil"
)

// tlsFiles writes the certificates the TLS tests use into a temp folder:
// ca.pem (a CA), cert.pem + key.pem (localhost and 127.0.0.1, signed by the
// CA), self.pem (a self-signed localhost certificate with its key in the
// same file) and other.pem (a key that matches nothing).
func tlsFiles(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, blocks ...*pem.Block) {
		var out []byte
		for _, b := range blocks {
			out = append(out, pem.EncodeToMemory(b)...)
		}
		if err := os.WriteFile(filepath.Join(dir, name), out, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	newKey := func() (*ecdsa.PrivateKey, *pem.Block) {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return k, &pem.Block{Type: "PRIVATE KEY", Bytes: der}
	}
	cert := func(tmpl, parent *x509.Certificate, pub, priv any) (*x509.Certificate, *pem.Block) {
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, priv)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := x509.ParseCertificate(der)
		return c, &pem.Block{Type: "CERTIFICATE", Bytes: der}
	}
	now := time.Now()
	caKey, _ := newKey()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "luasock test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	ca, caPEM := cert(caTmpl, caTmpl, &caKey.PublicKey, caKey)
	write("ca.pem", caPEM)

	leaf := func(serial int64) *x509.Certificate {
		return &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "localhost"},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), DNSNames: []string{"localhost"},
			IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	}
	key, keyPEM := newKey()
	_, certPEM := cert(leaf(2), ca, &key.PublicKey, caKey)
	write("cert.pem", certPEM)
	write("key.pem", keyPEM)

	selfKey, selfKeyPEM := newKey()
	_, selfPEM := cert(leaf(3), leaf(3), &selfKey.PublicKey, selfKey)
	write("self.pem", selfPEM, selfKeyPEM)
	_, otherPEM := newKey()
	write("other.pem", otherPEM)
	return dir
}

// encryptKey writes tlsFiles' key.pem in dir encrypted with "secret" three
// ways by openssl: PKCS#8 AES-256/SHA-256 (enc.pem), PKCS#8 AES-128/SHA-1
// (enc-sha1.pem), and the old PEM encryption (enc-legacy.pem).
func encryptKey(t *testing.T, dir string) {
	t.Helper()
	openssl := testprog.Need(t, "openssl", "openssl")
	in := filepath.Join(dir, "key.pem")
	for name, args := range map[string][]string{
		"enc.pem":        {"pkey", "-in", in, "-aes256"},
		"enc-sha1.pem":   {"pkcs8", "-topk8", "-in", in, "-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA1"},
		"enc-legacy.pem": {"pkey", "-in", in, "-aes256", "-traditional"},
	} {
		testprog.Output(t, openssl, append(args, "-passout", "pass:secret", "-out", filepath.Join(dir, name))...)
	}
}

// tlsServer starts a tls:// echo server with the given ssl options (a Lua
// table constructor over `dir`), prints its address, and serves one line per
// connection until `count` connections were made.
const tlsEchoServer = `
local dir = arg[1]
local server = assert(stream_socket_server("tls://127.0.0.1:0", STREAM_SERVER_BIND + STREAM_SERVER_LISTEN,
  {ssl = {local_cert = dir .. "/cert.pem", local_pk = dir .. "/key.pem"}}))
local address = "tls://" .. server:name()
spawn(function()
  while true do
    local conn = server:accept()
    if conn then
      spawn(function()
        local line = fgets(conn)
        while line do fwrite(conn, line) line = fgets(conn) end
        fclose(conn)
      end)
    end
  end
end)
local function try(ssl, target)
  local c, err, code = stream_socket_client(target or address, 5, STREAM_CLIENT_CONNECT, {ssl = ssl})
  if not c then print(err, code) return end
  fwrite(c, "ping\n")
  print("ok", fgets(c), stream_get_meta_data(c).crypto.protocol)
  fclose(c)
end
`

// TestTLSClientVerification: PHP's ssl options decide what a client accepts.
func TestTLSClientVerification(t *testing.T) {
	dir := tlsFiles(t)
	self := `
local s = assert(stream_socket_server("tls://127.0.0.1:0", STREAM_SERVER_BIND + STREAM_SERVER_LISTEN,
  {ssl = {local_cert = dir .. "/self.pem"}}))
spawn(function() while true do local c = s:accept() if c then fwrite(c, "self\n") fclose(c) end end end)
local selfaddr = "tls://" .. s:name()
local function trySelf(ssl)
  local c, err, code = stream_socket_client(selfaddr, 5, STREAM_CLIENT_CONNECT, {ssl = ssl})
  if not c then print(err, code) return end
  print("ok", fgets(c))
  fclose(c)
end
`
	unknown := "TLS handshake with 127.0.0.1:\\d+ failed: certificate verification failed: it is signed by an unknown authority " +
		"\\(give its CA in ssl.cafile, or set allow_self_signed for a self-signed one\\)\t0"
	tests := []struct{ name, src, want string }{
		{"with the CA", `try({cafile = dir .. "/ca.pem"})`, "ok\tping\n\tTLSv1.3"},
		{"by name", `try({cafile = dir .. "/ca.pem"}, "tls://localhost:" .. server:name():match("%d+$"))`, "ok\tping\n\tTLSv1.3"},
		{"ssl:// too", `try({cafile = dir .. "/ca.pem"}, "ssl://" .. server:name())`, "ok\tping\n\tTLSv1.3"},
		{"TLS 1.2 by crypto_method", `try({cafile = dir .. "/ca.pem", crypto_method = STREAM_CRYPTO_METHOD_TLSv1_2_CLIENT})`, "ok\tping\n\tTLSv1.2"},
		{"unknown CA", `try({})`, unknown},
		{"wrong name", `try({cafile = dir .. "/ca.pem", peer_name = "example.com"})`,
			"TLS handshake with 127.0.0.1:\\d+ failed: certificate verification failed: certificate is valid for localhost, not example.com\t0"},
		{"name not checked", `try({cafile = dir .. "/ca.pem", peer_name = "example.com", verify_peer_name = false})`, "ok\tping\n\tTLSv1.3"},
		{"nothing checked", `try({verify_peer = false})`, "ok\tping\n\tTLSv1.3"},
		{"self-signed refused", `trySelf({})`, unknown},
		{"self-signed allowed", `trySelf({allow_self_signed = true})`, "ok\tself\n"},
		{"self-signed, wrong name", `trySelf({allow_self_signed = true, peer_name = "example.com"})`,
			"TLS handshake with 127.0.0.1:\\d+ failed: certificate verification failed: certificate is valid for localhost, not example.com\t0"},
		{"missing cafile", `try({cafile = dir .. "/none.pem"})`, "Unable to read ssl.cafile '.*/none.pem': No such file or directory\t2"},
		{"cafile without certificates", `try({cafile = dir .. "/key.pem"})`, "ssl.cafile '.*/key.pem' holds no PEM certificate\t0"},
		{"a plain server", `local p = assert(stream_socket_server("tcp://127.0.0.1:0"))
spawn(function() local c = p:accept() fwrite(c, "plain text, not TLS\n") fclose(c) end)
try({verify_peer = false}, "tls://" .. p:name())`, "TLS handshake with 127.0.0.1:\\d+ failed: first record does not look like a TLS handshake\t0"},
	}
	fds := testutil.OpenFDs(t)
	defer func() {
		if got := testutil.OpenFDs(t); got > fds { // fewer: another test's fd closed meanwhile
			t.Errorf("fds: %d before, %d after", fds, got)
		}
	}()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testutil.Run(t, tlsEchoServer+self+tt.src+"\nos.exit(0)", nil, dir).WantMatch(t, tt.want+"\n")
		})
	}
}

// TestTLSServerCertificates: what is wrong with a server's certificate or
// key is said when the server is created.
func TestTLSServerCertificates(t *testing.T) {
	dir := tlsFiles(t)
	tests := []struct{ name, ssl, want string }{
		{"no certificate", `{}`, "a TLS server needs ssl.local_cert \\(a PEM file with its certificate\\)\t0"},
		{"missing file", `{local_cert = dir .. "/none.pem"}`, "Unable to read ssl.local_cert '.*/none.pem': No such file or directory\t2"},
		{"a key, not a certificate", `{local_cert = dir .. "/key.pem"}`, "ssl.local_cert '.*/key.pem' holds no PEM certificate\t0"},
		{"no key", `{local_cert = dir .. "/cert.pem"}`, "ssl.local_cert '.*/cert.pem' holds no PEM private key \\(set ssl.local_pk\\)\t0"},
		{"key that does not match", `{local_cert = dir .. "/cert.pem", local_pk = dir .. "/other.pem"}`,
			"ssl.local_cert and its private key do not match: tls: private key does not match public key\t0"},
		{"encrypted, no passphrase", `{local_cert = dir .. "/cert.pem", local_pk = dir .. "/enc.pem"}`,
			"the private key is encrypted: set ssl.passphrase\t0"},
		{"wrong passphrase", `{local_cert = dir .. "/cert.pem", local_pk = dir .. "/enc.pem", passphrase = "guess"}`,
			"ssl.passphrase does not decrypt the private key \\(wrong passphrase\\)\t0"},
		{"wrong passphrase, legacy", `{local_cert = dir .. "/cert.pem", local_pk = dir .. "/enc-legacy.pem", passphrase = "guess"}`,
			"ssl.passphrase does not decrypt the private key \\(wrong passphrase\\)\t0"},
		{"passphrase, PKCS#8 AES-256", `{local_cert = dir .. "/cert.pem", local_pk = dir .. "/enc.pem", passphrase = "secret"}`, "ok"},
		{"passphrase, PKCS#8 AES-128 SHA-1", `{local_cert = dir .. "/cert.pem", local_pk = dir .. "/enc-sha1.pem", passphrase = "secret"}`, "ok"},
		{"passphrase, legacy", `{local_cert = dir .. "/cert.pem", local_pk = dir .. "/enc-legacy.pem", passphrase = "secret"}`, "ok"},
		{"key in the same file", `{local_cert = dir .. "/self.pem"}`, "ok"},
	}
	encrypted := false
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if strings.Contains(tt.ssl, "/enc") && !encrypted {
				encryptKey(t, dir) // skips the cases that need it when openssl is missing
				encrypted = true
			}
			src := `local dir = arg[1]
local s, err, code = stream_socket_server("tls://127.0.0.1:0", STREAM_SERVER_BIND + STREAM_SERVER_LISTEN, {ssl = ` + tt.ssl + `})
if s then print("ok") else print(err, code) end`
			testutil.Run(t, src, nil, dir).WantMatch(t, tt.want+"\n")
		})
	}
}

// TestTLSStreams: the stream API over TLS: lines, select, meta data,
// shutdown, a handshake that fails or times out on the first read, and the
// argument errors.
func TestTLSStreams(t *testing.T) {
	dir := tlsFiles(t)
	src := `
local dir = arg[1]
local ssl = {local_cert = dir .. "/cert.pem", local_pk = dir .. "/key.pem", cafile = dir .. "/ca.pem"}
local server = assert(stream_socket_server("tls://127.0.0.1:0", STREAM_SERVER_BIND + STREAM_SERVER_LISTEN, {ssl = ssl}))
local accepted = channel.make(1)
spawn(function()
  local x = assert(server:accept())
  assert(stream_get_meta_data(x).crypto) -- the handshake runs on first use
  accepted:send(x)
end)
local c = assert(stream_socket_client("tls://" .. server:name(), 5, STREAM_CLIENT_CONNECT, {ssl = ssl}))
local _, conn = assert(accepted:receive(10))
local meta = stream_get_meta_data(c)
print(meta.stream_type, meta.crypto.protocol, meta.crypto.cipher_bits > 0, tostring(c):match("^tcp stream"))

-- three lines in three records: select sees each one coming
for i = 1, 3 do fwrite(c, "line " .. i .. "\n") end
local seen = {}
for _ = 1, 3 do
  local r = {conn}
  assert(stream_select(r, nil, nil, 5) == 1)
  seen[#seen + 1] = fgets(conn)
end
print(table.concat(seen):gsub("\n", " "))
local r = {conn}
print(stream_select(r, nil, nil, 0)) -- nothing left

-- fread cuts a record; the rest stays buffered
fwrite(c, "abcdefgh")
print(fread(conn, 3), fread(conn, 100))

-- non-blocking read with nothing there
stream_set_blocking(conn, false)
print(fread(conn, 10) == "")
stream_set_blocking(conn, true)
stream_set_timeout(conn, 0.1)
print(fread(conn, 10))
print(stream_get_meta_data(conn).timed_out)

-- a big write arrives whole
local big = ("x"):rep(100000)
spawn(function() fwrite(c, big) end)
local got = {}
local n = 0
while n < #big do local d = assert(fread(conn, 65536)) got[#got + 1] = d n = n + #d end
print(table.concat(got) == big)

-- shutdown sends close_notify: the other side reads the end
stream_socket_shutdown(c, STREAM_SHUT_WR)
print(fread(conn, 10), feof(conn))
print(stream_socket_sendto(c, "x", STREAM_OOB))
print(stream_socket_recvfrom(conn, 10, STREAM_PEEK))
fclose(c) fclose(conn)

-- a client that is not TLS, and one that never speaks: accept returns at
-- once, the first read fails (the mute one after the stream's timeout)
local plain = assert(stream_socket_client("tcp://" .. server:name()))
fwrite(plain, "GET / HTTP/1.0\r\n\r\n")
local x = assert(server:accept(5))
local _, err, code = fread(x, 10)
print(nil, (err:gsub(":%d+ ", ":PORT ")), code)
fclose(x) fclose(plain)
local mute = assert(stream_socket_client("tcp://" .. server:name()))
x = assert(server:accept(5))
stream_set_timeout(x, 0.2)
_, err, code = fread(x, 10)
print(nil, (err:gsub(":%d+ ", ":PORT ")), code)
fclose(x) fclose(mute)
`
	want := "tcp_socket/ssl\tTLSv1.3\ttrue\ttcp stream\n" +
		"line 1 line 2 line 3 \t3\n" +
		"0\n" +
		"abc\tdefgh\n" +
		"true\n" +
		"nil\tConnection timed out\t110\n" +
		"true\n" +
		"true\n" +
		"nil\ttrue\n" +
		"nil\ta TLS stream sends only to its peer, without flags\t0\n" +
		"nil\tSTREAM_PEEK and STREAM_OOB do not apply to TLS streams\t0\n" +
		"nil\tTLS handshake with 127.0.0.1:PORT failed: first record does not look like a TLS handshake\t0\n" +
		"nil\tTLS handshake with 127.0.0.1:PORT failed: Connection timed out\t110\n"
	testutil.Expect(t, src, want, nil, dir)
}

// TestSTARTTLS: a plain connection turns to TLS with
// stream_socket_enable_crypto on both sides, and back.
func TestSTARTTLS(t *testing.T) {
	dir := tlsFiles(t)
	src := `
local dir = arg[1]
local server = assert(stream_socket_server("tcp://127.0.0.1:0", STREAM_SERVER_BIND + STREAM_SERVER_LISTEN,
  {ssl = {local_cert = dir .. "/cert.pem", local_pk = dir .. "/key.pem"}}))
spawn(function()
  local conn = assert(server:accept())
  print("server got", fgets(conn))
  fwrite(conn, "220 go ahead\n")
  assert(stream_socket_enable_crypto(conn, true))
  print("server got", fgets(conn))
  fwrite(conn, "secret answer\n")
  print("server end", fread(conn, 10))
  print("server plain", stream_socket_enable_crypto(conn, false))
  print("server got", fgets(conn))
  fwrite(conn, "printed\n")
  fclose(conn)
end)
local c = assert(stream_socket_client("tcp://" .. server:name(), 5, STREAM_CLIENT_CONNECT, {ssl = {cafile = dir .. "/ca.pem", peer_name = "localhost"}}))
fwrite(c, "STARTTLS\n")
print("client got", fgets(c))
print("client tls", stream_socket_enable_crypto(c, true, STREAM_CRYPTO_METHOD_TLS_CLIENT))
print(stream_get_meta_data(c).crypto.protocol, select(2, stream_socket_enable_crypto(c, true)))
fwrite(c, "secret question\n")
print("client got", fgets(c))
print("client plain", c:enablecrypto(false))
fwrite(c, "plain again\n")
fgets(c) -- the server printed what it got
print(select(2, stream_socket_enable_crypto(c, false)))
print(pcall(stream_socket_enable_crypto, c))
print(pcall(stream_socket_enable_crypto, c, true, "x"))
local u = assert(stream_socket_server("udp://127.0.0.1:0", STREAM_SERVER_BIND))
print(stream_socket_enable_crypto(u, true))
`
	want := "server got\tSTARTTLS\n\n" +
		"client got\t220 go ahead\n\n" +
		"client tls\ttrue\n" +
		"TLSv1.3\tthe stream already speaks TLS\t0\n" +
		"server got\tsecret question\n\n" +
		"client got\tsecret answer\n\n" +
		"client plain\ttrue\n" +
		"server end\tnil\n" +
		"server plain\ttrue\n" +
		"server got\tplain again\n\n" +
		"the stream does not speak TLS\t0\n" +
		"false\tbad argument #2 to 'stream_socket_enable_crypto' (boolean expected, got no value)\n" +
		"false\tbad argument #3 to 'stream_socket_enable_crypto' (number expected, got string)\n" +
		"nil\tTLS needs a connected stream\t0\n"
	testutil.Expect(t, src, want, nil, dir)
}

// TestSSLContextOptions: wrong types and unknown names raise.
func TestSSLContextOptions(t *testing.T) {
	src := `
print(pcall(stream_context_create, {ssl = {verify_peer = "yes"}}))
print(pcall(stream_context_create, {ssl = {cafile = 1}}))
print(pcall(stream_context_create, {ssl = {crypto_method = "tls"}}))
print(pcall(stream_context_create, {ssl = {verfy_peer = false}}))
print(pcall(stream_context_create, {ssl = {verify_peer = 0, SNI_enabled = true, peer_name = "x"}}))
`
	want := "false\tbad argument #1 to 'stream_context_create' (ssl option 'verify_peer' must be a boolean, got string)\n" +
		"false\tbad argument #1 to 'stream_context_create' (ssl option 'cafile' must be a string, got number)\n" +
		"false\tbad argument #1 to 'stream_context_create' (ssl option 'crypto_method' must be a number, got string)\n" +
		"false\tbad argument #1 to 'stream_context_create' (unknown ssl option 'verfy_peer' (known: SNI_enabled, allow_self_signed, cafile, crypto_method, local_cert, local_pk, passphrase, peer_name, verify_peer, verify_peer_name))\n" +
		"true\tstream context\n"
	testutil.Expect(t, src, want, nil)
}
