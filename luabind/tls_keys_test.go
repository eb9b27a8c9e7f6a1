package luabind_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/luasock/luasock/internal/testprog"
	"github.com/luasock/luasock/internal/testutil"
)

// encryptedKey is one way OpenSSL or PHP encrypts a private key with the
// passphrase "secret": the command that writes it to out (from plain, an
// unencrypted RSA key), run by openssl or php.
type encryptedKey struct {
	name string
	prog string // "openssl" or "php"
	args func(plain, out string) []string
	// phpRefuses: PHP 8.2 on OpenSSL 3 does not load the legacy provider,
	// so it cannot open a single-DES key; luasock can.
	phpRefuses bool
}

// legacy loads OpenSSL 3's legacy provider, which single DES needs.
var legacy = []string{"-provider", "legacy", "-provider", "default"}

var encryptedKeys = []encryptedKey{
	{"genrsa -des3", "openssl", func(_, out string) []string {
		return []string{"genrsa", "-des3", "-passout", "pass:secret", "-out", out, "2048"}
	}, false},
	{"genrsa -aes256", "openssl", func(_, out string) []string {
		return []string{"genrsa", "-aes256", "-passout", "pass:secret", "-out", out, "2048"}
	}, false},
	{"genrsa -des3 -traditional", "openssl", func(_, out string) []string {
		return []string{"genrsa", "-des3", "-traditional", "-passout", "pass:secret", "-out", out, "2048"}
	}, false},
	{"pkey -des -traditional", "openssl", func(plain, out string) []string {
		return append([]string{"pkey", "-in", plain, "-des", "-traditional", "-passout", "pass:secret", "-out", out}, legacy...)
	}, true},
	{"pkey -aes128 -traditional", "openssl", func(plain, out string) []string {
		return []string{"pkey", "-in", plain, "-aes128", "-traditional", "-passout", "pass:secret", "-out", out}
	}, false},
	{"pkcs8 -v2 des3", "openssl", func(plain, out string) []string {
		return []string{"pkcs8", "-topk8", "-in", plain, "-v2", "des3", "-passout", "pass:secret", "-out", out}
	}, false},
	{"pkcs8 -v2 des-cbc", "openssl", func(plain, out string) []string {
		return append([]string{"pkcs8", "-topk8", "-in", plain, "-v2", "des-cbc", "-passout", "pass:secret", "-out", out}, legacy...)
	}, true},
	{"pkcs8 -v2 aes-128-cbc", "openssl", func(plain, out string) []string {
		return []string{"pkcs8", "-topk8", "-in", plain, "-v2", "aes-128-cbc", "-passout", "pass:secret", "-out", out}
	}, false},
	{"pkcs8 -v2 aes-192-cbc -v2prf hmacWithSHA512", "openssl", func(plain, out string) []string {
		return []string{"pkcs8", "-topk8", "-in", plain, "-v2", "aes-192-cbc", "-v2prf", "hmacWithSHA512", "-passout", "pass:secret", "-out", out}
	}, false},
	{"pkcs8 -v2 aes-256-cbc", "openssl", func(plain, out string) []string {
		return []string{"pkcs8", "-topk8", "-in", plain, "-v2", "aes-256-cbc", "-passout", "pass:secret", "-out", out}
	}, false},
	{"php openssl_pkey_export", "php", func(_, out string) []string {
		return []string{"-r", `openssl_pkey_export(openssl_pkey_new(), $pem, "secret") && file_put_contents($argv[1], $pem) or exit(1);`, out}
	}, false},
	{"php openssl_pkey_export AES-256", "php", func(_, out string) []string {
		return []string{"-r", `openssl_pkey_export(openssl_pkey_new(), $pem, "secret", ["encrypt_key_cipher" => OPENSSL_CIPHER_AES_256_CBC])
  && file_put_contents($argv[1], $pem) or exit(1);`, out}
	}, false},
}

// encryptedKeyFiles writes every key of encryptedKeys into a temp folder
// as key<i>.pem, each with a self-signed certificate cert<i>.pem made by
// openssl, and returns the folder.
func encryptedKeyFiles(t *testing.T) string {
	openssl := testprog.Need(t, "openssl", "openssl")
	php := testprog.Need(t, "php", "php-cli")
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.pem")
	testprog.Output(t, openssl, "genrsa", "-out", plain, "2048")
	for i, k := range encryptedKeys {
		key, cert := filepath.Join(dir, "key"+itoa(i)+".pem"), filepath.Join(dir, "cert"+itoa(i)+".pem")
		prog := openssl
		if k.prog == "php" {
			prog = php
		}
		testprog.Output(t, prog, k.args(plain, key)...)
		testprog.Output(t, openssl, append([]string{"req", "-x509", "-new", "-key", key, "-passin", "pass:secret", "-subj", "/CN=localhost", "-days", "1", "-out", cert}, legacy...)...)
	}
	return dir
}

func itoa(i int) string { return string(rune('a' + i)) }

// keyServerClient starts a tls:// server per key named in arg (dir, then
// the passphrase, then indexes), and prints what a client that
// reaches it reads back, or why the server could not start.
const keyServerClient = `
local dir, pass = arg[1], arg[2]
for i = 3, #arg do
  local s, err, code = stream_socket_server("tls://127.0.0.1:0", STREAM_SERVER_BIND + STREAM_SERVER_LISTEN,
    {ssl = {local_cert = dir .. "/cert" .. arg[i] .. ".pem", local_pk = dir .. "/key" .. arg[i] .. ".pem", passphrase = pass}})
  if not s then
    print(err, code)
  else
    spawn(function() local c = s:accept() fwrite(c, fgets(c)) fclose(c) end)
    local c = assert(stream_socket_client("tls://" .. s:name(), 5, STREAM_CLIENT_CONNECT, {ssl = {verify_peer = false}}))
    fwrite(c, "ping " .. arg[i] .. "\n")
    print((fgets(c):gsub("\n$", "")))
    fclose(c)
    fclose(s)
  end
end
`

// phpOpensKeys prints, per key file in argv, whether PHP opens it with the
// passphrase in argv[1].
const phpOpensKeys = `foreach (array_slice($argv, 2) as $f)
  echo openssl_pkey_get_private(file_get_contents($f), $argv[1]) ? "ok" : "refused", "\n";`

// TestTLSEncryptedKeys: every key OpenSSL and PHP encrypt (PEM's DEK-Info
// and PKCS#8's PBES2, with AES, 3DES and DES) serves a tls:// server, as
// it does for PHP (but for single DES, see phpRefuses); a wrong passphrase
// says so in the same words for every one, as PHP refuses it for every one.
func TestTLSEncryptedKeys(t *testing.T) {
	dir := encryptedKeyFiles(t)
	php := testprog.Need(t, "php", "php-cli")
	var indexes, files []string
	for i := range encryptedKeys {
		indexes = append(indexes, itoa(i))
		files = append(files, filepath.Join(dir, "key"+itoa(i)+".pem"))
	}
	for _, pass := range []string{"secret", "guess"} {
		t.Run(pass, func(t *testing.T) {
			out := testprog.Output(t, php, append([]string{"-r", phpOpensKeys, "--", pass}, files...)...)
			phpSays := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			r := testutil.Run(t, keyServerClient, nil, append([]string{dir, pass}, indexes...)...)
			got := strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
			if r.Code != 0 || r.Stderr != "" || len(got) != len(encryptedKeys) || len(phpSays) != len(encryptedKeys) {
				r.Fatalf(t, "want a line for each of %d keys from luasock and from php:\n%s", len(encryptedKeys), out)
			}
			for i, k := range encryptedKeys {
				want := "ping " + itoa(i)
				if pass != "secret" {
					want = "ssl.passphrase does not decrypt the private key (wrong passphrase)\t0"
				}
				if got[i] != want {
					t.Errorf("%s: got %q, want %q", k.name, got[i], want)
				}
				if phpOK := phpSays[i] == "ok"; phpOK != (pass == "secret" && !k.phpRefuses) {
					t.Errorf("%s: php says %q with passphrase %q", k.name, phpSays[i], pass)
				}
			}
		})
	}
}

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
		testprog.Output(t, openssl, args...)
	}
	src := `local dir = arg[1]
print(stream_socket_server("tls://127.0.0.1:0", STREAM_SERVER_BIND + STREAM_SERVER_LISTEN,
  {ssl = {local_cert = dir .. "/cert.pem", local_pk = dir .. "/key.pem", passphrase = "secret"}}))`
	want := "nil\tthe private key's encryption is not supported (unsupported cipher 1.2.392.200011.61.1.1.1.4)\t0\n"
	testutil.Expect(t, src, want, nil, dir)
}
