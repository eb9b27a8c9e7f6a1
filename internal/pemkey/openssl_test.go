package pemkey

import (
	"bufio"
	"crypto/tls"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/luasock/luasock/internal/testprog"
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
	run := func(prog string, args ...string) {
		if out, err := exec.Command(prog, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %q: %v\n%s", prog, args, err, out)
		}
	}
	plain := filepath.Join(dir, "plain.pem")
	run(openssl, "genrsa", "-out", plain, "2048")
	for i, k := range encryptedKeys {
		key, cert := filepath.Join(dir, "key"+itoa(i)+".pem"), filepath.Join(dir, "cert"+itoa(i)+".pem")
		prog := openssl
		if k.prog == "php" {
			prog = php
		}
		run(prog, k.args(plain, key)...)
		run(openssl, append([]string{"req", "-x509", "-new", "-key", key, "-passin", "pass:secret", "-subj", "/CN=localhost", "-days", "1", "-out", cert}, legacy...)...)
	}
	return dir
}

func itoa(i int) string { return string(rune('a' + i)) }

// phpOpensKeys prints, per key file in argv, whether PHP opens it with the
// passphrase in argv[1].
const phpOpensKeys = `foreach (array_slice($argv, 2) as $f)
  echo openssl_pkey_get_private(file_get_contents($f), $argv[1]) ? "ok" : "refused", "\n";`

// TestEncryptedKeys: every key OpenSSL and PHP encrypt (PEM's DEK-Info and
// PKCS#8's PBES2, with AES, 3DES and DES) loads with its passphrase and
// serves a TLS session, as it does for PHP (but for single DES, see
// phpRefuses); a wrong passphrase is ErrWrongPassphrase for every one, as
// PHP refuses it for every one.
func TestEncryptedKeys(t *testing.T) {
	dir := encryptedKeyFiles(t)
	php := testprog.Need(t, "php", "php-cli")
	var files []string
	for i := range encryptedKeys {
		files = append(files, filepath.Join(dir, "key"+itoa(i)+".pem"))
	}
	for _, pass := range []string{"secret", "guess"} {
		t.Run(pass, func(t *testing.T) {
			out, err := exec.Command(php, append([]string{"-r", phpOpensKeys, "--", pass}, files...)...).CombinedOutput()
			if err != nil {
				t.Fatalf("php: %v\n%s", err, out)
			}
			phpSays := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
			if len(phpSays) != len(encryptedKeys) {
				t.Fatalf("php:\n%s", out)
			}
			for i, k := range encryptedKeys {
				cert, err := Load(filepath.Join(dir, "cert"+itoa(i)+".pem"), files[i], pass)
				switch {
				case pass == "secret" && err != nil:
					t.Errorf("%s: %v", k.name, err)
				case pass == "secret":
					if got := echoOverTLS(t, cert, "ping "+itoa(i)); got != "ping "+itoa(i) {
						t.Errorf("%s: the TLS session echoed %q", k.name, got)
					}
				case !errors.Is(err, ErrWrongPassphrase):
					t.Errorf("%s: got %v, want ErrWrongPassphrase", k.name, err)
				}
				if phpOK := phpSays[i] == "ok"; phpOK != (pass == "secret" && !k.phpRefuses) {
					t.Errorf("%s: php says %q with passphrase %q", k.name, phpSays[i], pass)
				}
			}
		})
	}
}

// echoOverTLS serves one TLS session on a loopback port with cert, in which
// the server echoes a line, and returns what a client read back.
func echoOverTLS(t *testing.T, cert tls.Certificate, line string) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		got, _ := bufio.NewReader(c).ReadString('\n')
		_, _ = c.Write([]byte(got))
	}()
	c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte(line + "\n")); err != nil {
		t.Fatal(err)
	}
	got, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(got, "\n")
}
