package luabind_test

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luasock/luasock/internal/testprog"
	"github.com/luasock/luasock/internal/testutil"
)

// phpMakeCert writes to argv[1] a self-signed certificate and its key made
// as PHP's manual shows: openssl_csr_new with the subject in argv[2]
// ("CN" or "O"), value argv[3], then openssl_csr_sign. No subjectAltName.
const phpMakeCert = `$k = openssl_pkey_new(["private_key_type" => OPENSSL_KEYTYPE_EC, "curve_name" => "prime256v1"]);
$dn = $argv[2] == "CN" ? ["commonName" => $argv[3]] : ["organizationName" => $argv[3]];
$x = openssl_csr_sign(openssl_csr_new($dn, $k), null, $k, 1);
openssl_x509_export($x, $c) && openssl_pkey_export($k, $p) && file_put_contents($argv[1], $c . $p) or exit(1);`

// cnCase is a client naming peer (its peer_name) to a server whose
// certificate has only the subject field=value; ok says whether PHP's
// rules accept it, luaWant is luasock's errstr when they do not.
type cnCase struct {
	field, value, peer string
	ok                 bool
	luaWant            string
}

func cnMismatch(cn, peer string) string {
	return "TLS handshake with 127.0.0.1:\\d+ failed: certificate verification failed: peer certificate CN=`" +
		strings.ReplaceAll(cn, "*", "\\*") + "' did not match expected CN=`" + peer + "'\t0"
}

var cnCases = []cnCase{
	{"CN", "localhost", "localhost", true, ""},
	{"CN", "localhost", "LocalHost", true, ""},
	{"CN", "localhost", "example.com", false, cnMismatch("localhost", "example.com")},
	{"CN", "*.example.com", "www.example.com", true, ""},
	{"CN", "*.example.com", "a.b.example.com", false, cnMismatch("*.example.com", "a.b.example.com")},
	{"CN", "*.example.com", "example.com", false, cnMismatch("*.example.com", "example.com")},
	{"CN", "w*.example.com", "www.example.com", true, ""},
	{"CN", "w*.example.com", "xww.example.com", false, cnMismatch("w*.example.com", "xww.example.com")},
	{"CN", "www.*.com", "www.example.com", false, cnMismatch("www.*.com", "www.example.com")},
	{"O", "no CN here", "localhost", false,
		"TLS handshake with 127.0.0.1:\\d+ failed: certificate verification failed: unable to locate peer certificate CN \\(and it has no subjectAltName\\)\t0"},
}

// serveCNCerts makes one certificate per case with php, serves it from a
// Go TLS server that sends "hello\n", and returns the folder with the
// certificates (cert<i>.pem) and the servers' addresses.
func serveCNCerts(t *testing.T, php string) (string, []string) {
	dir := t.TempDir()
	var addrs []string
	for i, c := range cnCases {
		file := filepath.Join(dir, "cert"+itoa(i)+".pem")
		testprog.Output(t, php, "-r", phpMakeCert, "--", file, c.field, c.value)
		cert, err := tls.LoadX509KeyPair(file, file)
		if err != nil {
			t.Fatal(err)
		}
		addrs = append(addrs, serveHello(t, cert))
	}
	return dir, addrs
}

// cnClient connects to each "address cafile peer_name [verify_peer_name]"
// in arg and prints "ok hello" or the errstr and errno.
const cnClient = `
for i = 1, #arg do
  local addr, cafile, peer, vpn = arg[i]:match("^(%S+) (%S+) (%S+) ?(%S*)$")
  local c, err, code = stream_socket_client("tls://" .. addr, 5, STREAM_CLIENT_CONNECT,
    {ssl = {cafile = cafile, peer_name = peer, verify_peer_name = vpn ~= "false"}})
  if c then print("ok", (fgets(c):gsub("\n$", ""))) fclose(c) else print(err, code) end
end
`

// phpCNClient is cnClient in PHP: "ok" or "failed: " and its warnings.
const phpCNClient = `<?php
$warnings = [];
set_error_handler(function ($no, $msg) use (&$warnings) { $warnings[] = $msg; return true; });
foreach (array_slice($argv, 1) as $a) {
  [$addr, $cafile, $peer] = explode(" ", $a);
  $warnings = [];
  $ctx = stream_context_create(["ssl" => ["cafile" => $cafile, "peer_name" => $peer]]);
  $c = stream_socket_client("tls://$addr", $errno, $errstr, 5, STREAM_CLIENT_CONNECT, $ctx);
  if ($c) { echo "ok\n"; fclose($c); continue; }
  echo "failed: ", str_replace("\n", " ", implode(" / ", $warnings)), "\n";
}
`

// TestTLSCommonName: a certificate without subjectAltName, as PHP's
// openssl_csr_sign makes it, is matched by its CN with PHP's wildcard
// rules (a '*' in the leftmost label stands for part of one label), and a
// PHP client takes and refuses the same ones.
func TestTLSCommonName(t *testing.T) {
	php := testprog.Need(t, "php", "php-cli")
	dir, addrs := serveCNCerts(t, php)
	var args []string
	want := ""
	for i, c := range cnCases {
		args = append(args, addrs[i]+" "+filepath.Join(dir, "cert"+itoa(i)+".pem")+" "+c.peer)
		if c.ok {
			want += "ok\thello\n"
		} else {
			want += c.luaWant + "\n"
		}
	}
	testutil.Run(t, cnClient, nil, args...).WantMatch(t, want)

	// verify_peer_name = false takes any name, but still checks the chain.
	r := testutil.Run(t, cnClient, nil, addrs[2]+" "+filepath.Join(dir, "certc.pem")+" example.com false",
		addrs[2]+" "+filepath.Join(dir, "certa.pem")+" localhost false")
	unknown := "TLS handshake with 127.0.0.1:\\d+ failed: certificate verification failed: it is signed by an unknown authority " +
		"\\(give its CA in ssl.cafile, or set allow_self_signed for a self-signed one\\)\t0"
	r.WantMatch(t, "ok\thello\n"+unknown+"\n") // verify_peer_name = false

	script := filepath.Join(t.TempDir(), "client.php")
	if err := os.WriteFile(script, []byte(phpCNClient), 0o600); err != nil {
		t.Fatal(err)
	}
	out := testprog.Output(t, php, append([]string{script}, args...)...)
	got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(got) != len(cnCases) {
		t.Fatalf("php printed %d lines for %d cases:\n%s", len(got), len(cnCases), out)
	}
	for i, c := range cnCases {
		t.Logf("%s=%s, peer_name %s: php %s", c.field, c.value, c.peer, got[i])
		if (got[i] == "ok") != c.ok {
			t.Errorf("%s=%s, peer_name %s: php %q, want ok=%v", c.field, c.value, c.peer, got[i], c.ok)
		}
	}
}
