//go:build unix

package stdlib

import (
	"syscall"

	lua "github.com/yuin/gopher-lua"
)

// osClock: os.clock() -> seconds of CPU time the process has used, as C's
// clock() (gopher-lua's counts wall time since start).
func osClock(L *lua.LState) int {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		L.Push(lua.LNumber(-1)) // clock() returns (clock_t)-1 when it cannot tell
		return 1
	}
	usec := (ru.Utime.Sec+ru.Stime.Sec)*1e6 + int64(ru.Utime.Usec+ru.Stime.Usec)
	L.Push(lua.LNumber(float64(usec) / 1e6))
	return 1
}

func openOSClock(L *lua.LState) {
	register(L, "os", map[string]lua.LGFunction{"clock": osClock})
}
