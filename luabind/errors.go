package luabind

import (
	"context"
	"errors"
	"net"
	"os"
	"syscall"

	"github.com/luasock/luasock/internal/errno"
	"github.com/luasock/luasock/internal/luaarg"
	lua "github.com/yuin/gopher-lua"
	"golang.org/x/sys/unix"
)

// Failure is an environmental failure as a script sees it: `nil, Msg, Errno`.
// Errno is the failing system call's errno, or 0 when no system call was made.
type Failure struct {
	Msg   string
	Errno int
}

func (f *Failure) Error() string { return f.Msg }

// errnoFailure is the failure of a system call that returned e.
func errnoFailure(e syscall.Errno) *Failure {
	return &Failure{Msg: Strerror(int(e)), Errno: int(e)}
}

// userFailure is a failure found before any system call (errno 0).
func userFailure(msg string) *Failure { return &Failure{Msg: msg} }

var errTimedOut = errnoFailure(unix.ETIMEDOUT)

// failureOf maps any error of the I/O path to what the script sees. It is the
// one place where Go errors become `errstr, errno`.
func failureOf(err error) *Failure {
	var f *Failure
	var en syscall.Errno
	switch {
	case errors.As(err, &f):
		return f
	case errors.As(err, &en):
		return errnoFailure(en)
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		return errTimedOut
	case errors.Is(err, os.ErrClosed), errors.Is(err, net.ErrClosed):
		// Another task closed the handle while this one waited on it.
		return errnoFailure(unix.EBADF)
	}
	return userFailure(err.Error())
}

// pushFailure pushes `nil, errstr, errno` and returns the count for an LGFunction.
func pushFailure(L *lua.LState, err error) int {
	f := failureOf(err)
	L.Push(lua.LNil)
	L.Push(lua.LString(f.Msg))
	L.Push(lua.LNumber(f.Errno))
	return 3
}

// Strerror is glibc's text for errno n.
func Strerror(n int) string { return errno.Strerror(n) }

// errnoAliases are the second names glibc gives to some numbers.
var errnoAliases = map[string]syscall.Errno{
	"EWOULDBLOCK": unix.EAGAIN,
	"ENOTSUP":     unix.EOPNOTSUPP,
	"EOPNOTSUPP":  unix.EOPNOTSUPP,
	"EDEADLOCK":   unix.EDEADLK,
}

// errnoTable builds the `errno` table: every Linux errno name to its number.
func errnoTable(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	for n := 1; n < 256; n++ {
		if name := unix.ErrnoName(syscall.Errno(n)); name != "" {
			t.RawSetString(name, lua.LNumber(n))
		}
	}
	for name, n := range errnoAliases {
		t.RawSetString(name, lua.LNumber(n))
	}
	return t
}

// luaStrerror is `strerror(errno)` → the C library's text for errno.
// A non-number raises.
func luaStrerror(L *lua.LState) int {
	n := luaarg.CheckInt(L, 1, "strerror")
	L.Push(lua.LString(Strerror(n)))
	return 1
}
