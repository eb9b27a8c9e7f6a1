package luabind

import (
	"github.com/luasock/luasock/internal/errno"
	"github.com/luasock/luasock/internal/lang/luaarg"
	lua "github.com/yuin/gopher-lua"
	"golang.org/x/sys/unix"
)

var errTimedOut = errno.FromSyscall(unix.ETIMEDOUT)

// pushFailure pushes `nil, errstr, errno` (package errno maps err) and
// returns the count for an LGFunction.
func pushFailure(L *lua.LState, err error) int {
	msg, code := errno.Of(err)
	L.Push(lua.LNil)
	L.Push(lua.LString(msg))
	L.Push(lua.LNumber(code))
	return 3
}

// errnoTable builds the `errno` table: every Linux errno name to its number.
func errnoTable(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	for name, n := range errno.Names() {
		t.RawSetString(name, lua.LNumber(n))
	}
	return t
}

// luaStrerror is `strerror(errno)` → the C library's text for errno.
// A non-number raises.
func luaStrerror(L *lua.LState) int {
	n := luaarg.CheckInt(L, 1, "strerror")
	L.Push(lua.LString(errno.Strerror(n)))
	return 1
}
