package luabind_test

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/luasock/luasock/internal/testprog"
	"github.com/luasock/luasock/internal/testutil"
)

// TestTLSUnsupportedKeyCipher: a key encrypted with a cipher luasock lacks
// (Camellia, which PHP opens) says so, not that the passphrase is wrong.
func TestTLSUnsupportedKeyCipher(t *testing.T) {
	openssl := testprog.Need(t, "openssl", "openssl")
	dir := t.TempDir()
	plain, key := filepath.Join(dir, "plain.pem"), filepath.Join(dir, "key.pem")
	for _, args := range [][]string{
		{"genrsa", "-out", plain, "2048"},
		{"pkcs8", "-topk8", "-in", plain, "-v2", "camellia-256-cbc", "-passout", "pass:secret", "-out", key},
		{"req", "-x509", "-new", "-key", plain, "-subj", "/CN=localhost", "-days", "1", "-out", filepath.Join(dir, "cert.pem")},
	} {
		if out, err := exec.Command(openssl, args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %q: %v\n%s", args, err, out)
		}
	}
	src := `local dir = arg[1]
print(stream_socket_server("tls://127.0.0.1:0", STREAM_SERVER_BIND + STREAM_SERVER_LISTEN,
  {ssl = {local_cert = dir .. "/cert.pem", local_pk = dir .. "/key.pem", passphrase = "secret"}}))`
	r := testutil.Run(t, src, nil, dir)
	want := "nil\tthe private key's encryption is not supported (unsupported cipher 1.2.392.200011.61.1.1.1.4)\t0\n"
	if r.Code != 0 || r.Stderr != "" || r.Stdout != want {
		t.Fatalf("exit %d\nstdout: %q\nwant:   %q\nstderr: %s", r.Code, r.Stdout, want, r.Stderr)
	}
}

func itoa(i int) string { return string(rune('a' + i)) }
