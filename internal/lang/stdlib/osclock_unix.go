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
	// Nano, not the fields: their types differ by system (int32 on 32-bit Linux)
	ns := ru.Utime.Nano() + ru.Stime.Nano()
	L.Push(lua.LNumber(float64(ns/1000) / 1e6))
	return 1
}

func openOSClock(L *lua.LState) {
	register(L, "os", map[string]lua.LGFunction{"clock": osClock})
}
