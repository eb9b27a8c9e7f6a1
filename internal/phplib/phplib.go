// Package phplib is PHP's functions that need no socket, under PHP's names
// and with PHP's results: date, microtime, hrtime, strerror, and the errno
// table that names strerror's numbers. The socket functions are luabind's;
// the codecs and digests are package codec's.
package phplib

import (
	"github.com/luasock/luasock/internal/errno"
	"github.com/luasock/luasock/internal/lang/luaarg"
	lua "github.com/yuin/gopher-lua"
)

// Open returns the library's values for one state, by the global name
// each takes (the host sets them as globals and fields of
// require("luasock")).
func Open(L *lua.LState) map[string]lua.LValue {
	d := &dater{}
	return map[string]lua.LValue{
		"date":      L.NewFunction(d.date),
		"microtime": L.NewFunction(microtime),
		"hrtime":    L.NewFunction(hrtime),
		"strerror":  L.NewFunction(strerror),
		"errno":     errnoTable(L),
	}
}

// errnoTable builds the `errno` table: every errno name to its number.
func errnoTable(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	for name, n := range errno.Names() {
		t.RawSetString(name, lua.LNumber(n))
	}
	return t
}

// strerror is `strerror(errno)` → the C library's text for errno.
// A non-number raises.
func strerror(L *lua.LState) int {
	n := luaarg.CheckInt(L, 1, "strerror")
	L.Push(lua.LString(errno.Strerror(n)))
	return 1
}
