package luabind_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
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

// selfSignedCert is one self-signed server certificate that a client with
// allow_self_signed meets: what is wrong with it, if anything, and the
// errstr a luasock client gets (a regular expression; "" = it connects).
type selfSignedCert struct {
	name    string
	edit    func(c *x509.Certificate) // changes a good template
	forged  bool                      // signed by another key than its own
	luaWant string
}

const verifyFailed = `TLS handshake with 127.0.0.1:\d+ failed: certificate verification failed: `

var selfSignedCerts = []selfSignedCert{
	{name: "good", edit: func(*x509.Certificate) {}},
	{name: "expired", edit: func(c *x509.Certificate) {
		c.NotBefore, c.NotAfter = c.NotBefore.Add(-72*time.Hour), c.NotBefore.Add(-24*time.Hour)
	}, luaWant: verifyFailed + `certificate has expired or is not yet valid: current time \S+ is after \S+`},
	{name: "not yet valid", edit: func(c *x509.Certificate) {
		c.NotBefore, c.NotAfter = c.NotAfter.Add(24*time.Hour), c.NotAfter.Add(72*time.Hour)
	}, luaWant: verifyFailed + `certificate has expired or is not yet valid: current time \S+ is before \S+`},
	{name: "wrong name", edit: func(c *x509.Certificate) {
		c.Subject.CommonName, c.DNSNames = "example.com", []string{"example.com"}
	}, luaWant: verifyFailed + `certificate is valid for example.com, not localhost`},
	{name: "client usage only", edit: func(c *x509.Certificate) {
		c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}, luaWant: verifyFailed + `certificate specifies an incompatible key usage`},
	{name: "signed by another key", edit: func(*x509.Certificate) {}, forged: true,
		luaWant: verifyFailed + `it is signed by an unknown authority \(give its CA in ssl.cafile, or set allow_self_signed for a self-signed one\)`},
}

// serveSelfSigned starts one TLS server on loopback per certificate of
// selfSignedCerts, each sending "hello\n" to a client that completes the
// handshake, and returns their addresses in the same order.
func serveSelfSigned(t *testing.T) []string {
	t.Helper()
	now := time.Now()
	var addrs []string
	for i, sc := range selfSignedCerts {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(100 + i)), Subject: pkix.Name{CommonName: "localhost"},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), DNSNames: []string{"localhost"},
			IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
		sc.edit(tmpl)
		signer := key
		if sc.forged {
			if signer, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
				t.Fatal(err)
			}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, signer)
		if err != nil {
			t.Fatal(err)
		}
		addrs = append(addrs, serveHello(t, tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}))
	}
	return addrs
}

// serveHello runs a Go TLS server with cert on loopback that sends
// "hello\n" to every client that completes the handshake, until the test
// ends; it returns the server's address.
func serveHello(t *testing.T, cert tls.Certificate) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { ln.Close(); <-done })
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			if c.(*tls.Conn).Handshake() == nil {
				_, _ = c.Write([]byte("hello\n"))
			}
			c.Close()
		}
	}()
	return ln.Addr().String()
}

// selfSignedClient tries every address in arg with the ssl options given
// (a Lua table constructor), one line per address.
const selfSignedClient = `
for i = 1, #arg do
  local c, err, code = stream_socket_client("tls://" .. arg[i], 5, STREAM_CLIENT_CONNECT, {ssl = %s})
  if c then print("ok", (fgets(c):gsub("\n$", ""))) fclose(c) else print(err, code) end
end
`

// TestTLSAllowSelfSigned: allow_self_signed forgives only that nobody
// vouches for the certificate (OpenSSL's X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
// the one error PHP's verify callback lets through): its dates, its
// extended key usage, its name and its own signature are still checked.
func TestTLSAllowSelfSigned(t *testing.T) {
	addrs := serveSelfSigned(t)
	each := func(want func(sc selfSignedCert) string) string {
		var lines []string
		for _, sc := range selfSignedCerts {
			lines = append(lines, want(sc))
		}
		return strings.Join(lines, "\n") + "\n"
	}
	unknown := verifyFailed + `it is signed by an unknown authority \(give its CA in ssl.cafile, or set allow_self_signed for a self-signed one\)\t0`
	tests := []struct {
		name, ssl string
		want      func(sc selfSignedCert) string
	}{
		{"allowed", `{allow_self_signed = true, peer_name = "localhost"}`, func(sc selfSignedCert) string {
			if sc.luaWant == "" {
				return "ok\thello"
			}
			return sc.luaWant + "\t0"
		}},
		{"not allowed", `{peer_name = "localhost"}`, func(sc selfSignedCert) string {
			switch sc.name { // Go checks dates and the name before the chain
			case "expired", "not yet valid", "wrong name":
				return sc.luaWant + "\t0"
			}
			return unknown
		}},
		{"name not checked", `{allow_self_signed = true, peer_name = "localhost", verify_peer_name = false}`, func(sc selfSignedCert) string {
			if sc.luaWant == "" || sc.name == "wrong name" {
				return "ok\thello"
			}
			return sc.luaWant + "\t0"
		}},
		{"nothing checked", `{verify_peer = false}`, func(selfSignedCert) string { return "ok\thello" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testutil.Run(t, strings.Replace(selfSignedClient, "%s", tt.ssl, 1), nil, addrs...).WantMatch(t, each(tt.want))
		})
	}
}

// phpSelfSignedClient is selfSignedClient in PHP: "ok" or "failed: " and
// PHP's warnings, per address.
const phpSelfSignedClient = `<?php
$warnings = [];
set_error_handler(function ($no, $msg) use (&$warnings) { $warnings[] = $msg; return true; });
$ctx = stream_context_create(['ssl' => ['allow_self_signed' => true, 'peer_name' => 'localhost']]);
foreach (array_slice($argv, 1) as $addr) {
  $warnings = [];
  $c = stream_socket_client("tls://$addr", $errno, $errstr, 5, STREAM_CLIENT_CONNECT, $ctx);
  if ($c) { echo "ok\n"; fclose($c); continue; }
  echo "failed: ", str_replace("\n", " ", implode(" / ", $warnings)), "\n";
}
`

// TestTLSAllowSelfSignedAsPHP: PHP's client, with allow_self_signed, takes
// and refuses the same certificates as luasock's. Not compared: a forged
// one, which PHP 8.2 with OpenSSL 3.0 accepts (OpenSSL does not check the
// signature of a lone self-signed leaf) and luasock refuses.
func TestTLSAllowSelfSignedAsPHP(t *testing.T) {
	php := testprog.Need(t, "php", "php-cli")
	addrs := serveSelfSigned(t)
	script := filepath.Join(t.TempDir(), "client.php")
	if err := os.WriteFile(script, []byte(phpSelfSignedClient), 0o600); err != nil {
		t.Fatal(err)
	}
	out := testprog.Output(t, php, append([]string{script}, addrs...)...)
	got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(got) != len(selfSignedCerts) {
		t.Fatalf("php printed %d lines for %d servers:\n%s", len(got), len(selfSignedCerts), out)
	}
	r := testutil.Run(t, strings.Replace(selfSignedClient, "%s", `{allow_self_signed = true, peer_name = "localhost"}`, 1), nil, addrs...)
	lua := strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
	if r.Code != 0 || r.Stderr != "" || len(lua) != len(selfSignedCerts) {
		r.Fatalf(t, "want exit 0 and a line for each of %d servers", len(selfSignedCerts))
	}
	for i, sc := range selfSignedCerts {
		phpOK, luaOK := got[i] == "ok", strings.HasPrefix(lua[i], "ok\t")
		t.Logf("%s: php %s | luasock %s", sc.name, got[i], lua[i])
		if sc.forged { // TestTLSAllowSelfSigned checks that luasock refuses it
			continue
		}
		if phpOK != luaOK {
			t.Errorf("%s: php %q, luasock %q", sc.name, got[i], lua[i])
		}
	}
}
