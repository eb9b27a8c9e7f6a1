package luabind

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
	"hash"
	"os"
	"strings"

	"github.com/luasock/luasock/internal/errno"
)

// loadCertificate reads a server's ssl.local_cert (PEM: the certificate
// chain, and the key unless local_pk names another file) and ssl.local_pk,
// decrypting the key with passphrase. Failures say which option is wrong;
// a file that cannot be read keeps its errno.
func loadCertificate(certFile, keyFile, passphrase string) (tls.Certificate, error) {
	if certFile == "" {
		return tls.Certificate{}, errno.New("a TLS server needs ssl.local_cert (a PEM file with its certificate)")
	}
	certPEM, err := readOption("ssl.local_cert", certFile)
	if err != nil {
		return tls.Certificate{}, err
	}
	keyPEM := certPEM
	if keyFile != "" {
		if keyPEM, err = readOption("ssl.local_pk", keyFile); err != nil {
			return tls.Certificate{}, err
		}
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
		return tls.Certificate{}, errno.New("ssl.local_cert '" + certFile + "' holds no PEM certificate")
	}
	key, err := privateKeyPEM(keyPEM, passphrase)
	if err != nil {
		return tls.Certificate{}, err
	}
	if key == nil {
		where := "ssl.local_cert '" + certFile + "'"
		if keyFile != "" {
			where = "ssl.local_pk '" + keyFile + "'"
		}
		return tls.Certificate{}, errno.New(where + " holds no PEM private key (set ssl.local_pk)")
	}
	cert, err := tls.X509KeyPair(certs, key)
	if err != nil {
		return tls.Certificate{}, errno.New("ssl.local_cert and its private key do not match: " + err.Error())
	}
	return cert, nil
}

// readOption reads the file an ssl option names.
func readOption(option, path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, errno.Wrap("Unable to read "+option+" '"+path+"'", err)
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
			return nil, errno.New("the private key is encrypted: set ssl.passphrase")
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
				err = errWrongPassphrase
			}
			block = &pem.Block{Type: block.Type}
		}
		if errors.Is(err, errWrongPassphrase) {
			return nil, errno.New("ssl.passphrase does not decrypt the private key (wrong passphrase)")
		}
		if err != nil {
			return nil, errno.New("the private key's encryption is not supported (" + err.Error() + ")")
		}
		block.Bytes = der
		return pem.EncodeToMemory(block), nil
	}
}

// errWrongPassphrase is what every cipher says when the passphrase is not
// the key's: the padding or the decrypted key does not check out.
var errWrongPassphrase = errors.New("wrong passphrase")

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
// PKCS#8 DER; errWrongPassphrase when the passphrase is not the key's.
func decryptPKCS8(der []byte, passphrase string) ([]byte, error) {
	var info encryptedPrivateKeyInfo
	if _, err := asn1.Unmarshal(der, &info); err != nil {
		return nil, err
	}
	if !info.Algorithm.OID.Equal(oidPBES2) {
		return nil, errors.New("unsupported encryption " + info.Algorithm.OID.String() + ", want PBES2")
	}
	var params pbes2Params
	if _, err := asn1.Unmarshal(info.Algorithm.Params.FullBytes, &params); err != nil {
		return nil, err
	}
	var kdf pbkdf2Params
	if !params.KDF.OID.Equal(oidPBKDF2) {
		return nil, errors.New("unsupported key derivation " + params.KDF.OID.String())
	}
	if _, err := asn1.Unmarshal(params.KDF.Params.FullBytes, &kdf); err != nil {
		return nil, err
	}
	c, ok := pbes2Ciphers[params.Cipher.OID.String()]
	if !ok {
		return nil, errors.New("unsupported cipher " + params.Cipher.OID.String())
	}
	prf := sha1.New
	if kdf.PRF.OID != nil {
		if prf, ok = pbkdf2PRFs[kdf.PRF.OID.String()]; !ok {
			return nil, errors.New("unsupported PBKDF2 hash " + kdf.PRF.OID.String())
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
		return nil, errWrongPassphrase
	}
	plain = plain[:len(plain)-pad]
	if !isPrivateKey(plain) {
		return nil, errWrongPassphrase
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
