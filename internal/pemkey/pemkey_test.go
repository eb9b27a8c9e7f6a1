package pemkey

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// keyFiles writes into a temp folder: cert.pem (a self-signed certificate),
// key.pem (its key), both.pem (the two in one file), other.pem (a key that
// matches nothing), and key.pem encrypted with "secret": enc.pem (PKCS#8,
// PBES2 with AES-256-CBC and HMAC-SHA256), enc-legacy.pem (the old PEM
// encryption) and camellia.pem (PBES2 naming Camellia, which Load lacks).
func keyFiles(t *testing.T) string {
	t.Helper()
	key, keyDER := newKey(t)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"localhost"}}
	certDER, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 the old PEM encryption is what Load must still read
	legacy, err := x509.EncryptPEMBlock(rand.Reader, "EC PRIVATE KEY", ecDER, []byte("secret"), x509.PEMCipherAES128)
	if err != nil {
		t.Fatal(err)
	}
	_, otherDER := newKey(t)
	certPEM, keyPEM := &pem.Block{Type: "CERTIFICATE", Bytes: certDER}, &pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}
	encrypted := func(cipherOID asn1.ObjectIdentifier) *pem.Block {
		return &pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: encryptPKCS8(t, keyDER, "secret", cipherOID)}
	}
	files := map[string][]*pem.Block{
		"cert.pem":       {certPEM},
		"key.pem":        {keyPEM},
		"both.pem":       {certPEM, keyPEM},
		"other.pem":      {{Type: "PRIVATE KEY", Bytes: otherDER}},
		"enc.pem":        {encrypted(oidAES256CBC)},
		"camellia.pem":   {encrypted(oidCamellia256CBC)},
		"enc-legacy.pem": {legacy},
	}
	dir := t.TempDir()
	for name, blocks := range files {
		var data []byte
		for _, b := range blocks {
			data = append(data, pem.EncodeToMemory(b)...)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// newKey makes a P-256 key and its PKCS#8 DER.
func newKey(t *testing.T) (*ecdsa.PrivateKey, []byte) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err == nil {
		var der []byte
		if der, err = x509.MarshalPKCS8PrivateKey(key); err == nil {
			return key, der
		}
	}
	t.Fatal(err)
	return nil, nil
}

var (
	oidAES256CBC      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidCamellia256CBC = asn1.ObjectIdentifier{1, 2, 392, 200011, 61, 1, 1, 1, 4}
	oidHMACSHA256     = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
)

// encryptPKCS8 is what `openssl pkcs8 -topk8 -v2 aes-256-cbc` writes:
// der encrypted with PBES2 (PBKDF2 with HMAC-SHA256), the cipher named by
// cipherOID; AES-256-CBC encrypts whatever the OID says.
func encryptPKCS8(t *testing.T, der []byte, passphrase string, cipherOID asn1.ObjectIdentifier) []byte {
	t.Helper()
	salt, iv := make([]byte, 16), make([]byte, aes.BlockSize)
	_, _ = rand.Read(salt)
	_, _ = rand.Read(iv)
	key, err := pbkdf2.Key(sha256.New, passphrase, salt, 2048, 32)
	if err != nil {
		t.Fatal(err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	pad := aes.BlockSize - len(der)%aes.BlockSize
	plain := append(append([]byte{}, der...), make([]byte, pad)...)
	for i := len(der); i < len(plain); i++ {
		plain[i] = byte(pad)
	}
	data := make([]byte, len(plain))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(data, plain)
	raw := func(v any) asn1.RawValue {
		b, err := asn1.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return asn1.RawValue{FullBytes: b}
	}
	kdf := pbkdf2Params{Salt: salt, Iterations: 2048, PRF: algorithm{OID: oidHMACSHA256, Params: asn1.NullRawValue}}
	params := pbes2Params{KDF: algorithm{OID: oidPBKDF2, Params: raw(kdf)}, Cipher: algorithm{OID: cipherOID, Params: raw(iv)}}
	info := encryptedPrivateKeyInfo{Algorithm: algorithm{OID: oidPBES2, Params: raw(params)}, Data: data}
	out, err := asn1.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestLoad: the keys Load reads, and the error for each thing that can be
// wrong, as a value the caller can tell apart.
func TestLoad(t *testing.T) {
	dir := keyFiles(t)
	at := func(name string) string { return filepath.Join(dir, name) }
	fileError := func(part Part, name string, want error) func(error) bool {
		return func(err error) bool {
			var fe *FileError
			return errors.As(err, &fe) && fe.Part == part && fe.Path == at(name) && errors.Is(err, want)
		}
	}
	is := func(want error) func(error) bool { return func(err error) bool { return errors.Is(err, want) } }
	tests := []struct {
		name                  string
		cert, key, passphrase string
		ok                    func(error) bool // nil: Load succeeds
	}{
		{"key in the certificate file", "both.pem", "", "", nil},
		{"key file", "cert.pem", "key.pem", "", nil},
		{"PKCS#8 PBES2", "cert.pem", "enc.pem", "secret", nil},
		{"legacy PEM encryption", "cert.pem", "enc-legacy.pem", "secret", nil},
		{"no certificate file", "none.pem", "", "", fileError(CertFile, "none.pem", fs.ErrNotExist)},
		{"no key file", "cert.pem", "none.pem", "", fileError(KeyFile, "none.pem", fs.ErrNotExist)},
		{"a key, not a certificate", "key.pem", "", "", fileError(CertFile, "key.pem", ErrNoCertificate)},
		{"no key in the certificate file", "cert.pem", "", "", fileError(CertFile, "cert.pem", ErrNoKey)},
		{"no key in the key file", "cert.pem", "cert.pem", "", fileError(KeyFile, "cert.pem", ErrNoKey)},
		{"encrypted, no passphrase", "cert.pem", "enc.pem", "", is(ErrNeedPassphrase)},
		{"wrong passphrase", "cert.pem", "enc.pem", "guess", is(ErrWrongPassphrase)},
		{"wrong passphrase, legacy", "cert.pem", "enc-legacy.pem", "guess", is(ErrWrongPassphrase)},
		{"a key that does not match", "cert.pem", "other.pem", "", func(err error) bool {
			var me *MismatchError
			return errors.As(err, &me) && me.Err.Error() == "tls: private key does not match public key"
		}},
		{"an unsupported cipher", "cert.pem", "camellia.pem", "secret", func(err error) bool {
			var ue *UnsupportedError
			return errors.As(err, &ue) && ue.Err.Error() == "unsupported cipher 1.2.392.200011.61.1.1.1.4"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := tt.key
			if key != "" {
				key = at(key)
			}
			cert, err := Load(at(tt.cert), key, tt.passphrase)
			switch {
			case tt.ok == nil && (err != nil || cert.PrivateKey == nil):
				t.Fatalf("Load: %v", err)
			case tt.ok != nil && !tt.ok(err):
				t.Fatalf("Load: %#v (%v)", err, err)
			}
		})
	}
}
