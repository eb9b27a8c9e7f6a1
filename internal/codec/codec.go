// Package codec is luasock's library of codecs and digests under PHP's names
// and with PHP's results: base64 and hex, md5/sha1/hash/hash_hmac/crc32,
// random_bytes/random_int and json_encode/json_decode. Every algorithm is
// Go's standard library; this package maps Lua values onto it and PHP's
// rules (which input is refused, how output is spelled) around it.
//
// Wrong arguments raise `bad argument #n to 'f' (...)`, as PHP's TypeError
// and ValueError do; input that cannot be decoded is a value failure,
// `nil, errstr, 0` (PHP's false, with PHP's warning or json_last_error_msg
// text as errstr).
package codec

import (
	"github.com/luasock/luasock/internal/lang/luaarg"
	lua "github.com/yuin/gopher-lua"
)

// Name is the module name: require("codec") returns the library's table.
const Name = "codec"

// onlyInTable are the functions PHP has no builtin for: they live in the
// codec table and are not set as globals.
var onlyInTable = map[string]bool{"base64url_encode": true, "base64url_decode": true}

// library holds one state's json_null, which the JSON functions compare with.
type library struct {
	null *lua.LUserData
}

// Open builds the codec table, sets its PHP-named functions, the JSON_*
// constants and json_null as globals, and registers the table in
// package.loaded so that require("codec") returns it.
func Open(L *lua.LState) *lua.LTable {
	lib := &library{null: newNull(L)}
	funcs := map[string]lua.LGFunction{
		"base64_encode":    luaBase64Encode,
		"base64_decode":    luaBase64Decode,
		"base64url_encode": luaBase64URLEncode,
		"base64url_decode": luaBase64URLDecode,
		"bin2hex":          luaBin2Hex,
		"hex2bin":          luaHex2Bin,
		"md5":              luaMD5,
		"sha1":             luaSHA1,
		"crc32":            luaCRC32,
		"hash":             luaHash,
		"hash_algos":       luaHashAlgos,
		"hash_hmac":        luaHashHMAC,
		"hash_hmac_algos":  luaHashHMACAlgos,
		"hash_equals":      luaHashEquals,
		"random_bytes":     luaRandomBytes,
		"random_int":       luaRandomInt,
		"json_encode":      lib.luaJSONEncode,
		"json_decode":      lib.luaJSONDecode,
	}
	mod := L.SetFuncs(L.CreateTable(0, len(funcs)+len(jsonFlags)+1), funcs)
	for name, v := range jsonFlags {
		mod.RawSetString(name, lua.LNumber(v))
	}
	mod.RawSetString("json_null", lib.null)
	mod.ForEach(func(k, v lua.LValue) {
		if name := k.String(); !onlyInTable[name] {
			L.SetGlobal(name, v)
		}
	})
	if loaded, ok := L.FindTable(L.Get(lua.RegistryIndex).(*lua.LTable), "_LOADED", 1).(*lua.LTable); ok {
		loaded.RawSetString(Name, mod)
	}
	return mod
}

// newNull makes json_null: a userdata that only equals itself, printed as
// "json_null".
func newNull(L *lua.LState) *lua.LUserData {
	ud := L.NewUserData()
	mt := L.NewTable()
	mt.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString("json_null"))
		return 1
	}))
	mt.RawSetString("__metatable", lua.LFalse) // getmetatable cannot reach it
	ud.Metatable = mt
	return ud
}

// pushFailure pushes `nil, msg, 0`: the input could not be used, and no
// system call was made.
func pushFailure(L *lua.LState, msg string) int {
	return luaarg.FailureText(L, msg, 0)
}

// optBool reads an optional PHP bool argument (false when missing).
func optBool(L *lua.LState, n int, fname string) bool {
	if n > L.GetTop() {
		return false
	}
	return luaarg.CheckBool(L, n, fname)
}
