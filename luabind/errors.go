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
	return luaarg.Failure(L, err)
}
