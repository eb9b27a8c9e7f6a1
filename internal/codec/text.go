package codec

import (
	"encoding/base64"
	"encoding/hex"

	"github.com/luasock/luasock/internal/lang/luaarg"
	lua "github.com/yuin/gopher-lua"
)

// luaBase64Encode is `base64_encode(s)` → string, PHP's: the standard
// alphabet with "=" padding. A non-string raises.
func luaBase64Encode(L *lua.LState) int {
	s := luaarg.CheckString(L, 1, "base64_encode")
	L.Push(lua.LString(base64.StdEncoding.EncodeToString([]byte(s))))
	return 1
}

// luaBase64Decode is `base64_decode(s [, strict])` → string |
// `nil, errstr, 0`. As PHP's: characters outside the alphabet are skipped;
// strict fails on them (whitespace excepted), on data after "=", on a wrong
// padding and on a lone last character.
func luaBase64Decode(L *lua.LState) int {
	s := luaarg.CheckString(L, 1, "base64_decode")
	strict := optBool(L, 2, "base64_decode")
	return pushDecoded(L, s, strict, &stdAlphabet, base64.RawStdEncoding)
}

// luaBase64URLEncode is `codec.base64url_encode(s [, padding])` → string:
// RFC 4648's URL alphabet ("-" and "_"), without "=" unless padding is true
// (JWT and most URL uses leave it out). A non-string raises.
func luaBase64URLEncode(L *lua.LState) int {
	s := luaarg.CheckString(L, 1, "base64url_encode")
	enc := base64.RawURLEncoding
	if optBool(L, 2, "base64url_encode") {
		enc = base64.URLEncoding
	}
	L.Push(lua.LString(enc.EncodeToString([]byte(s))))
	return 1
}

// luaBase64URLDecode is `codec.base64url_decode(s [, strict])` → string |
// `nil, errstr, 0`: base64_decode's rules over the URL alphabet, padding
// optional.
func luaBase64URLDecode(L *lua.LState) int {
	s := luaarg.CheckString(L, 1, "base64url_decode")
	strict := optBool(L, 2, "base64url_decode")
	return pushDecoded(L, s, strict, &urlAlphabet, base64.RawURLEncoding)
}

// alphabet marks the bytes of a base64 alphabet.
type alphabet [256]bool

func newAlphabet(chars string) alphabet {
	var a alphabet
	for i := 0; i < len(chars); i++ {
		a[chars[i]] = true
	}
	return a
}

var (
	stdAlphabet = newAlphabet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
	urlAlphabet = newAlphabet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
)

// pushDecoded pushes what PHP's base64_decode gives for s, or a failure.
func pushDecoded(L *lua.LState, s string, strict bool, a *alphabet, enc *base64.Encoding) int {
	data, ok := base64Digits(s, strict, a)
	if !ok {
		return pushFailure(L, "Invalid base64 data")
	}
	out, err := enc.DecodeString(data)
	if err != nil { // cannot happen: data holds only alphabet characters, of a decodable count
		return pushFailure(L, "Invalid base64 data")
	}
	L.Push(lua.LString(out))
	return 1
}

// base64Digits keeps the characters of s that PHP's base64_decode decodes,
// without padding, for enc's unpadded decoder; ok is false where strict
// PHP fails. "=" anywhere only counts towards the padding check;
// non-strict, every other character outside the alphabet is skipped, and a
// lone last character (6 bits, no whole byte) is dropped.
func base64Digits(s string, strict bool, a *alphabet) (digits string, ok bool) {
	kept := make([]byte, 0, len(s))
	padding := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '=':
			padding++
		case !a[c]:
			if strict && c != ' ' && c != '\t' && c != '\n' && c != '\r' {
				return "", false
			}
		case strict && padding > 0:
			return "", false // data after padding
		default:
			kept = append(kept, c)
		}
	}
	if len(kept)%4 == 1 {
		if strict {
			return "", false
		}
		kept = kept[:len(kept)-1]
	}
	if strict && padding > 0 && (padding > 2 || (len(kept)+padding)%4 != 0) {
		return "", false
	}
	return string(kept), true
}

// luaBin2Hex is `bin2hex(s)` → lower-case hex digits, PHP's. A non-string
// raises.
func luaBin2Hex(L *lua.LState) int {
	s := luaarg.CheckString(L, 1, "bin2hex")
	L.Push(lua.LString(hex.EncodeToString([]byte(s))))
	return 1
}

// luaHex2Bin is `hex2bin(s)` → string | `nil, errstr, 0`: digits of either
// case; an odd length or a non-hex character fails with PHP's warning text.
func luaHex2Bin(L *lua.LState) int {
	s := luaarg.CheckString(L, 1, "hex2bin")
	if len(s)%2 != 0 {
		return pushFailure(L, "Hexadecimal input string must have an even length")
	}
	out, err := hex.DecodeString(s)
	if err != nil {
		return pushFailure(L, "Input string must be hexadecimal string")
	}
	L.Push(lua.LString(out))
	return 1
}
