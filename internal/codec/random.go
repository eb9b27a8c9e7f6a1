package codec

import (
	"crypto/rand"
	"math/big"

	"github.com/luasock/luasock/internal/lang/luaarg"
	lua "github.com/yuin/gopher-lua"
)

// maxExact is 2^53: every integer up to it is a Lua number exactly.
const maxExact = 1 << 53

// luaRandomBytes is `random_bytes(n)` → n bytes from the kernel's
// cryptographic generator. n < 1 raises (PHP's ValueError).
func luaRandomBytes(L *lua.LState) int {
	n := luaarg.CheckLength(L, 1, "random_bytes")
	b := make([]byte, n)
	rand.Read(b) // never fails on Linux (getrandom), as its doc says
	L.Push(lua.LString(b))
	return 1
}

// luaRandomInt is `random_int(min, max)` → an integer uniformly drawn from
// min .. max inclusive by the cryptographic generator. Both must be
// integers within ±2^53 (what a Lua number holds exactly); min > max
// raises, as PHP's ValueError.
func luaRandomInt(L *lua.LState) int {
	lo := checkExactInt(L, 1)
	hi := checkExactInt(L, 2)
	if lo > hi {
		luaarg.Error(L, 1, "random_int", "must be less than or equal to argument #2 ($max)")
	}
	n, err := rand.Int(rand.Reader, big.NewInt(hi-lo+1))
	if err != nil { // cannot happen: the generator does not fail, the bound is > 0
		luaarg.Error(L, 1, "random_int", err.Error())
	}
	L.Push(lua.LNumber(lo + n.Int64()))
	return 1
}

// checkExactInt reads random_int's argument n: an integer within ±2^53.
func checkExactInt(L *lua.LState, n int) int64 {
	v := luaarg.CheckInteger(L, n, "random_int")
	if v < -maxExact || v > maxExact {
		luaarg.Error(L, n, "random_int", "must be between -2^53 and 2^53")
	}
	return v
}
