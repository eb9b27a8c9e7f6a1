package luabind

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"hash"
	"os"
	"strings"
)

// loadCertificate reads a server's ssl.local_cert (PEM: the certificate
// chain, and the key unless local_pk names another file) and ssl.local_pk,
// decrypting the key with passphrase. Failures say which option is wrong;
// a file that cannot be read keeps its errno.
func loadCertificate(certFile, keyFile, passphrase string) (tls.Certificate, error) {
	if certFile == "" {
		return tls.Certificate{}, userFailure("a TLS server needs ssl.local_cert (a PEM file with its certificate)")
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
		return tls.Certificate{}, userFailure("ssl.local_cert '" + certFile + "' holds no PEM certificate")
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
		return tls.Certificate{}, userFailure(where + " holds no PEM private key (set ssl.local_pk)")
	}
	cert, err := tls.X509KeyPair(certs, key)
	if err != nil {
		return tls.Certificate{}, userFailure("ssl.local_cert and its private key do not match: " + err.Error())
	}
	return cert, nil
}

// readOption reads the file an ssl option names.
func readOption(option, path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		f := failureOf(err)
		return nil, &Failure{Msg: "Unable to read " + option + " '" + path + "': " + f.Msg, Errno: f.Errno}
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
			return nil, userFailure("the private key is encrypted: set ssl.passphrase")
		}
		var der []byte
		var err error
		if block.Type == "ENCRYPTED PRIVATE KEY" {
			der, err = decryptPKCS8(block.Bytes, passphrase)
			block = &pem.Block{Type: "PRIVATE KEY"}
		} else {
			//lint:ignore SA1019 legacy PEM encryption is insecure, but keys made by older OpenSSL use it
			der, err = x509.DecryptPEMBlock(block, []byte(passphrase))
			if err == nil && !isPrivateKey(der) {
				// Its padding check passes a wrong password about once in 256 tries.
				err = x509.IncorrectPasswordError
			}
			block = &pem.Block{Type: block.Type}
		}
		if err != nil {
			return nil, userFailure("ssl.passphrase does not decrypt the private key (" + err.Error() + ")")
		}
		block.Bytes = der
		return pem.EncodeToMemory(block), nil
	}
}

var (
	oidPBES2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidAESCBC     = map[string]int{ // key sizes
		"2.16.840.1.101.3.4.1.2":  16,
		"2.16.840.1.101.3.4.1.22": 24,
		"2.16.840.1.101.3.4.1.42": 32,
	}
)

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
// PBES2 with PBKDF2 and AES-CBC (RFC 8018), and returns the PKCS#8 DER.
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
	keySize, ok := oidAESCBC[params.Cipher.OID.String()]
	if !ok {
		return nil, errors.New("unsupported cipher " + params.Cipher.OID.String())
	}
	var iv []byte
	if _, err := asn1.Unmarshal(params.Cipher.Params.FullBytes, &iv); err != nil || len(iv) != aes.BlockSize {
		return nil, errors.New("bad AES-CBC parameters")
	}
	prf := sha1.New
	switch {
	case kdf.PRF.OID == nil || kdf.PRF.OID.Equal(oidHMACSHA1):
	case kdf.PRF.OID.Equal(oidHMACSHA256):
		prf = sha256.New
	default:
		return nil, errors.New("unsupported PBKDF2 hash " + kdf.PRF.OID.String())
	}
	key, err := pbkdf2.Key(func() hash.Hash { return prf() }, passphrase, kdf.Salt, kdf.Iterations, keySize)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	if len(info.Data) == 0 || len(info.Data)%aes.BlockSize != 0 {
		return nil, errors.New("bad encrypted data length")
	}
	plain := make([]byte, len(info.Data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, info.Data)
	pad := int(plain[len(plain)-1])
	if pad == 0 || pad > aes.BlockSize || !bytes.Equal(plain[len(plain)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)) {
		return nil, errors.New("wrong passphrase")
	}
	plain = plain[:len(plain)-pad]
	if !isPrivateKey(plain) {
		return nil, errors.New("wrong passphrase")
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
