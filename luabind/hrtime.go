package luabind

import (
	"time"

	"github.com/luasock/luasock/internal/lang/luaarg"
	lua "github.com/yuin/gopher-lua"
)

// hrtimeOrigin is hrtime's zero: luasock's start. Go's time.Since of it
// reads the monotonic clock, which never steps, unlike the wall clock.
// PHP counts from the machine's boot; counting from the start keeps the
// number exact (below 2^53 ns) for 104 days of a run, whatever the uptime.
var hrtimeOrigin = time.Now()

// luaHrtime is `hrtime([as_number])` → PHP's hrtime: {seconds, nanoseconds}
// of the monotonic clock, or with as_number true the nanoseconds as a number.
// It does not read internal/clock: tests stop that wall clock at an instant,
// and a stopped hrtime would make a deadline ticker's waits grow without end,
// while sleep and timeouts go on with the real time it measures.
func luaHrtime(L *lua.LState, fname string) int {
	ns := time.Since(hrtimeOrigin).Nanoseconds()
	if L.Get(1) != lua.LNil && luaarg.CheckBool(L, 1, fname) {
		L.Push(lua.LNumber(ns))
		return 1
	}
	t := L.CreateTable(2, 0)
	t.RawSetInt(1, lua.LNumber(ns/1e9))
	t.RawSetInt(2, lua.LNumber(ns%1e9))
	L.Push(t)
	return 1
}
