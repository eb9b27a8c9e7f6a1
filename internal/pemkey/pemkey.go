// Package pemkey loads a TLS certificate and its private key from PEM files,
// decrypting an encrypted key with a passphrase: PKCS#8 with PBES2 (what
// OpenSSL 3 and PHP write) or the older "Proc-Type: 4,ENCRYPTED". Its errors
// are plain Go errors: ErrNeedPassphrase, ErrWrongPassphrase, and the types
// FileError, UnsupportedError and MismatchError, which say what went wrong
// and where.
package pemkey

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"os"
	"strings"
)

var (
	// ErrNoCertificate: a certificate file holds no PEM certificate.
	ErrNoCertificate = errors.New("no PEM certificate")
	// ErrNoKey: the file the key is read from holds no PEM private key.
	ErrNoKey = errors.New("no PEM private key")
	// ErrNeedPassphrase: the key is encrypted and no passphrase was given.
	ErrNeedPassphrase = errors.New("the private key is encrypted")
	// ErrWrongPassphrase is what every cipher says when the passphrase is
	// not the key's: the padding or the decrypted key does not check out.
	ErrWrongPassphrase = errors.New("wrong passphrase")
)

// Part names one of the files Load reads.
type Part int

const (
	CertFile Part = iota // the certificate chain (and the key, when there is no key file)
	KeyFile              // the private key
)

func (p Part) String() string {
	if p == KeyFile {
		return "key file"
	}
	return "certificate file"
}

// FileError is a file that cannot be read, or that lacks what it should
// hold (Err is ErrNoCertificate or ErrNoKey).
type FileError struct {
	Part Part
	Path string
	Err  error
}

func (e *FileError) Error() string { return fmt.Sprintf("%s %s: %v", e.Part, e.Path, e.Err) }
func (e *FileError) Unwrap() error { return e.Err }

// UnsupportedError is a key encrypted in a way this package cannot decrypt.
type UnsupportedError struct{ Err error }

func (e *UnsupportedError) Error() string {
	return "unsupported private key encryption: " + e.Err.Error()
}
func (e *UnsupportedError) Unwrap() error { return e.Err }

// MismatchError is a certificate and a key that do not make a pair (Err is
// crypto/tls's reason).
type MismatchError struct{ Err error }

func (e *MismatchError) Error() string {
	return "the certificate and the private key do not match: " + e.Err.Error()
}
func (e *MismatchError) Unwrap() error { return e.Err }

// Load reads certFile (PEM: the certificate chain, and the key unless
// keyFile names another file) and keyFile, decrypting the key with
// passphrase.
func Load(certFile, keyFile, passphrase string) (tls.Certificate, error) {
	certPEM, err := read(CertFile, certFile)
	if err != nil {
		return tls.Certificate{}, err
	}
	keyPEM, keyPart, keyPath := certPEM, CertFile, certFile
	if keyFile != "" {
		if keyPEM, err = read(KeyFile, keyFile); err != nil {
			return tls.Certificate{}, err
		}
		keyPart, keyPath = KeyFile, keyFile
	}
	var certs []byte
	for rest := certPEM; ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		if block.Type == "CERTIFICATE" {
			certs = append(certs, pem.EncodeToMemory(block)...)
		}
	}
	if certs == nil {
		return tls.Certificate{}, &FileError{Part: CertFile, Path: certFile, Err: ErrNoCertificate}
	}
	key, err := privateKeyPEM(keyPEM, passphrase)
	if err != nil {
		return tls.Certificate{}, err
	}
	if key == nil {
		return tls.Certificate{}, &FileError{Part: keyPart, Path: keyPath, Err: ErrNoKey}
	}
	cert, err := tls.X509KeyPair(certs, key)
	if err != nil {
		return tls.Certificate{}, &MismatchError{Err: err}
	}
	return cert, nil
}

func read(part Part, path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &FileError{Part: part, Path: path, Err: err}
	}
	return b, nil
}

// privateKeyPEM finds the private key in PEM data and returns it as an
// unencrypted PEM block (nil when there is none). Encrypted keys are PKCS#8
// with PBES2 (what OpenSSL 3 writes) or the older "Proc-Type: 4,ENCRYPTED".
func privateKeyPEM(data []byte, passphrase string) ([]byte, error) {
	for rest := data; ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			return nil, nil
		}
		if !strings.HasSuffix(block.Type, "PRIVATE KEY") {
			continue
		}
		encrypted := block.Type == "ENCRYPTED PRIVATE KEY" || block.Headers["Proc-Type"] == "4,ENCRYPTED"
		if !encrypted {
			return pem.EncodeToMemory(block), nil
		}
		if passphrase == "" {
			return nil, ErrNeedPassphrase
		}
		var der []byte
		var err error
		if block.Type == "ENCRYPTED PRIVATE KEY" {
			der, err = decryptPKCS8(block.Bytes, passphrase)
			block = &pem.Block{Type: "PRIVATE KEY"}
		} else {
			//lint:ignore SA1019 legacy PEM encryption is insecure, but keys made by older OpenSSL use it
			der, err = x509.DecryptPEMBlock(block, []byte(passphrase))
			if errors.Is(err, x509.IncorrectPasswordError) || err == nil && !isPrivateKey(der) {
				// Its padding check passes a wrong password about once in 256 tries.
				err = ErrWrongPassphrase
			}
			block = &pem.Block{Type: block.Type}
		}
		if errors.Is(err, ErrWrongPassphrase) {
			return nil, err
		}
		if err != nil {
			return nil, &UnsupportedError{Err: err}
		}
		block.Bytes = der
		return pem.EncodeToMemory(block), nil
	}
}

var (
	oidPBES2  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	// pbkdf2PRFs are the HMAC hashes PBKDF2 may use (RFC 8018 B.1), by OID.
	pbkdf2PRFs = map[string]func() hash.Hash{
		"1.2.840.113549.2.7":  sha1.New,
		"1.2.840.113549.2.8":  sha256.New224,
		"1.2.840.113549.2.9":  sha256.New,
		"1.2.840.113549.2.10": sha512.New384,
		"1.2.840.113549.2.11": sha512.New,
	}
	// pbes2Ciphers are the CBC ciphers OpenSSL's PKCS#8 encryption writes
	// (openssl pkcs8 -v2 NAME, PHP's openssl_pkey_export), by OID.
	pbes2Ciphers = map[string]pbes2Cipher{
		"2.16.840.1.101.3.4.1.2":  {16, aes.NewCipher},          // aes-128-cbc
		"2.16.840.1.101.3.4.1.22": {24, aes.NewCipher},          // aes-192-cbc
		"2.16.840.1.101.3.4.1.42": {32, aes.NewCipher},          // aes-256-cbc
		"1.2.840.113549.3.7":      {24, des.NewTripleDESCipher}, // des-ede3-cbc
		"1.3.14.3.2.7":            {8, des.NewCipher},           // des-cbc
	}
)

// pbes2Cipher is a block cipher used in CBC mode: its key size and maker.
type pbes2Cipher struct {
	keySize int
	new     func(key []byte) (cipher.Block, error)
}

type algorithm struct {
	OID    asn1.ObjectIdentifier
	Params asn1.RawValue `asn1:"optional"`
}

type encryptedPrivateKeyInfo struct {
	Algorithm algorithm
	Data      []byte
}

type pbes2Params struct {
	KDF, Cipher algorithm
}

type pbkdf2Params struct {
	Salt       []byte
	Iterations int
	KeyLength  int       `asn1:"optional"`
	PRF        algorithm `asn1:"optional"`
}

// decryptPKCS8 decrypts an EncryptedPrivateKeyInfo (RFC 5958) protected by
// PBES2 with PBKDF2 and one of pbes2Ciphers (RFC 8018), and returns the
// PKCS#8 DER; ErrWrongPassphrase when the passphrase is not the key's.
func decryptPKCS8(der []byte, passphrase string) ([]byte, error) {
	var info encryptedPrivateKeyInfo
	if _, err := asn1.Unmarshal(der, &info); err != nil {
		return nil, err
	}
	if !info.Algorithm.OID.Equal(oidPBES2) {
		return nil, fmt.Errorf("unsupported encryption %s, want PBES2", info.Algorithm.OID)
	}
	var params pbes2Params
	if _, err := asn1.Unmarshal(info.Algorithm.Params.FullBytes, &params); err != nil {
		return nil, err
	}
	var kdf pbkdf2Params
	if !params.KDF.OID.Equal(oidPBKDF2) {
		return nil, fmt.Errorf("unsupported key derivation %s", params.KDF.OID)
	}
	if _, err := asn1.Unmarshal(params.KDF.Params.FullBytes, &kdf); err != nil {
		return nil, err
	}
	c, ok := pbes2Ciphers[params.Cipher.OID.String()]
	if !ok {
		return nil, fmt.Errorf("unsupported cipher %s", params.Cipher.OID)
	}
	prf := sha1.New
	if kdf.PRF.OID != nil {
		if prf, ok = pbkdf2PRFs[kdf.PRF.OID.String()]; !ok {
			return nil, fmt.Errorf("unsupported PBKDF2 hash %s", kdf.PRF.OID)
		}
	}
	if kdf.KeyLength != 0 && kdf.KeyLength != c.keySize {
		return nil, errors.New("bad PBKDF2 key length")
	}
	key, err := pbkdf2.Key(prf, passphrase, kdf.Salt, kdf.Iterations, c.keySize)
	if err != nil {
		return nil, err
	}
	block, err := c.new(key)
	if err != nil {
		return nil, err
	}
	size := block.BlockSize()
	var iv []byte
	if _, err := asn1.Unmarshal(params.Cipher.Params.FullBytes, &iv); err != nil || len(iv) != size {
		return nil, errors.New("bad CBC parameters")
	}
	if len(info.Data) == 0 || len(info.Data)%size != 0 {
		return nil, errors.New("bad encrypted data length")
	}
	plain := make([]byte, len(info.Data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, info.Data)
	pad := int(plain[len(plain)-1])
	if pad == 0 || pad > size || !bytes.Equal(plain[len(plain)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return nil, ErrWrongPassphrase
	}
	plain = plain[:len(plain)-pad]
	if !isPrivateKey(plain) {
		return nil, ErrWrongPassphrase
	}
	return plain, nil
}

// isPrivateKey tells whether der parses as a private key: the only proof
// that a passphrase was right.
func isPrivateKey(der []byte) bool {
	if _, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return true
	}
	if _, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return true
	}
	_, err := x509.ParseECPrivateKey(der)
	return err == nil
}
