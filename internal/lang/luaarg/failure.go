package luaarg

import (
	"github.com/luasock/luasock/internal/errno"
	lua "github.com/yuin/gopher-lua"
)

// Failure pushes a failure in the shape every luasock library returns it,
// `nil, errstr, errno` (package errno maps err: a system call's errno and
// glibc's text, 0 when no system call failed), and returns 3, the count an
// LGFunction returns.
func Failure(L *lua.LState, err error) int {
	msg, code := errno.Of(err)
	return FailureText(L, msg, code)
}

// FailureText is Failure with the text and number already made (io's
// "name: text", a codec's input that could not be read: errno 0).
func FailureText(L *lua.LState, msg string, code int) int {
	L.Push(lua.LNil)
	L.Push(lua.LString(msg))
	L.Push(lua.LNumber(code))
	return 3
}
