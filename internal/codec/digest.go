package codec

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/hex"
	"hash"
	"hash/adler32"
	"hash/crc32"
	"hash/fnv"
	"math/bits"
	"strings"

	"github.com/luasock/luasock/internal/lang/luaarg"
	lua "github.com/yuin/gopher-lua"
)

// algo is one of hash()'s algorithms under PHP's name; crypto ones are
// also hash_hmac's.
type algo struct {
	name   string
	new    func() hash.Hash
	crypto bool
}

// algos are the algorithms PHP names that Go's standard library computes
// exactly as PHP does, in hash_algos()'s order.
var algos = []algo{
	{"md5", md5.New, true},
	{"sha1", sha1.New, true},
	{"sha224", sha256.New224, true},
	{"sha256", sha256.New, true},
	{"sha384", sha512.New384, true},
	{"sha512/224", sha512.New512_224, true},
	{"sha512/256", sha512.New512_256, true},
	{"sha512", sha512.New, true},
	{"sha3-224", func() hash.Hash { return sha3.New224() }, true},
	{"sha3-256", func() hash.Hash { return sha3.New256() }, true},
	{"sha3-384", func() hash.Hash { return sha3.New384() }, true},
	{"sha3-512", func() hash.Hash { return sha3.New512() }, true},
	{"adler32", func() hash.Hash { return adler32.New() }, false},
	{"crc32", newBzip2CRC, false},
	{"crc32b", func() hash.Hash { return crc32.NewIEEE() }, false},
	{"crc32c", func() hash.Hash { return crc32.New(crc32.MakeTable(crc32.Castagnoli)) }, false},
	{"fnv132", func() hash.Hash { return fnv.New32() }, false},
	{"fnv1a32", func() hash.Hash { return fnv.New32a() }, false},
	{"fnv164", func() hash.Hash { return fnv.New64() }, false},
	{"fnv1a64", func() hash.Hash { return fnv.New64a() }, false},
}

// findAlgo looks name up as PHP does, ignoring case.
func findAlgo(name string) (algo, bool) {
	name = strings.ToLower(name)
	for _, a := range algos {
		if a.name == name {
			return a, true
		}
	}
	return algo{}, false
}

// bzip2CRC is PHP's "crc32" algorithm: the CRC-32 of bzip2 (polynomial
// 0x04C11DB7 taken most significant bit first), whose digest PHP prints
// with its bytes reversed. Go's crc32 only takes bits least significant
// first; reversing every input byte and the result turns one into the other.
type bzip2CRC struct{ ieee hash.Hash32 }

func newBzip2CRC() hash.Hash { return &bzip2CRC{crc32.NewIEEE()} }

func (c *bzip2CRC) Write(p []byte) (int, error) {
	r := make([]byte, len(p))
	for i, b := range p {
		r[i] = bits.Reverse8(b)
	}
	return c.ieee.Write(r)
}

func (c *bzip2CRC) Sum(b []byte) []byte {
	v := bits.Reverse32(c.ieee.Sum32())
	return append(b, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
}

func (c *bzip2CRC) Reset()         { c.ieee.Reset() }
func (c *bzip2CRC) Size() int      { return 4 }
func (c *bzip2CRC) BlockSize() int { return 1 }

// pushDigest pushes sum as lower-case hex, or as raw bytes when binary.
func pushDigest(L *lua.LState, sum []byte, binary bool) int {
	if binary {
		L.Push(lua.LString(sum))
	} else {
		L.Push(lua.LString(hex.EncodeToString(sum)))
	}
	return 1
}

// luaMD5 is `md5(s [, binary])` → 32 hex digits, or 16 bytes when binary.
// A non-string raises.
func luaMD5(L *lua.LState) int {
	s := luaarg.CheckString(L, 1, "md5")
	sum := md5.Sum([]byte(s))
	return pushDigest(L, sum[:], optBool(L, 2, "md5"))
}

// luaSHA1 is `sha1(s [, binary])` → 40 hex digits, or 20 bytes when
// binary. A non-string raises.
func luaSHA1(L *lua.LState) int {
	s := luaarg.CheckString(L, 1, "sha1")
	sum := sha1.Sum([]byte(s))
	return pushDigest(L, sum[:], optBool(L, 2, "sha1"))
}

// luaCRC32 is `crc32(s)` → integer 0 .. 2^32-1, PHP's (on 64 bits):
// hash("crc32b", s) as a number. A non-string raises.
func luaCRC32(L *lua.LState) int {
	s := luaarg.CheckString(L, 1, "crc32")
	L.Push(lua.LNumber(crc32.ChecksumIEEE([]byte(s))))
	return 1
}

// luaHash is `hash(algo, data [, binary])` → hex digest, or raw bytes when
// binary. An algorithm hash_algos() does not list raises, as PHP's
// ValueError.
func luaHash(L *lua.LState) int {
	name := luaarg.CheckString(L, 1, "hash")
	data := luaarg.CheckString(L, 2, "hash")
	binary := optBool(L, 3, "hash")
	a, ok := findAlgo(name)
	if !ok {
		luaarg.Error(L, 1, "hash", "must be a valid hashing algorithm")
	}
	h := a.new()
	h.Write([]byte(data))
	return pushDigest(L, h.Sum(nil), binary)
}

// luaHashAlgos is `hash_algos()` → the names hash() takes, in PHP's order.
func luaHashAlgos(L *lua.LState) int {
	return pushNames(L, false)
}

// luaHashHMACAlgos is `hash_hmac_algos()` → the names hash_hmac() takes.
func luaHashHMACAlgos(L *lua.LState) int {
	return pushNames(L, true)
}

func pushNames(L *lua.LState, cryptoOnly bool) int {
	t := L.NewTable()
	for _, a := range algos {
		if a.crypto || !cryptoOnly {
			t.Append(lua.LString(a.name))
		}
	}
	L.Push(t)
	return 1
}

// luaHashHMAC is `hash_hmac(algo, data, key [, binary])` → hex digest, or
// raw bytes when binary. algo must be one of hash_hmac_algos() (PHP refuses
// checksums such as crc32b); another raises, as PHP's ValueError.
func luaHashHMAC(L *lua.LState) int {
	name := luaarg.CheckString(L, 1, "hash_hmac")
	data := luaarg.CheckString(L, 2, "hash_hmac")
	key := luaarg.CheckString(L, 3, "hash_hmac")
	binary := optBool(L, 4, "hash_hmac")
	a, ok := findAlgo(name)
	if !ok || !a.crypto {
		luaarg.Error(L, 1, "hash_hmac", "must be a valid cryptographic hashing algorithm")
	}
	m := hmac.New(a.new, []byte(key))
	m.Write([]byte(data))
	return pushDigest(L, m.Sum(nil), binary)
}

// luaHashEquals is `hash_equals(known, user)` → boolean: whether the two
// strings are equal, in a time that does not depend on where they differ
// (for comparing a received MAC). A non-string raises.
func luaHashEquals(L *lua.LState) int {
	known := luaarg.CheckString(L, 1, "hash_equals")
	user := luaarg.CheckString(L, 2, "hash_equals")
	L.Push(lua.LBool(subtle.ConstantTimeCompare([]byte(known), []byte(user)) == 1))
	return 1
}
