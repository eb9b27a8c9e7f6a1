package phplib

import (
	"fmt"
	"time"

	"github.com/luasock/luasock/internal/clock"
	"github.com/luasock/luasock/internal/lang/luaarg"
	"github.com/luasock/luasock/internal/phpdate"
	lua "github.com/yuin/gopher-lua"
)

// dater keeps one state's last date() of the current time: a server
// formats the same format many times a second, and the result changes once
// a second (PHP's u and v are always zero).
type dater struct {
	format string
	second int64
	zone   *time.Location
	value  lua.LValue
}

// date is `date(format [, timestamp])` → string, PHP's date(): the format
// characters of PHP 8.2, `\` escaping the next character. A bad argument raises.
func (d *dater) date(L *lua.LState) int {
	format := luaarg.CheckString(L, 1, "date")
	if L.Get(2) != lua.LNil {
		t := time.Unix(luaarg.CheckInt64(L, 2, "date"), 0).In(clock.Zone())
		L.Push(lua.LString(phpdate.Format(make([]byte, 0, 64), format, t)))
		return 1
	}
	now, zone := clock.Now(), clock.Zone()
	if d.value == nil || d.second != now.Unix() || d.format != format || d.zone != zone {
		d.format, d.second, d.zone = format, now.Unix(), zone
		d.value = lua.LString(phpdate.Format(make([]byte, 0, 64), format, now.In(zone)))
	}
	L.Push(d.value)
	return 1
}

// microtime is `microtime([as_float])` → PHP's microtime: the time as
// "msec sec" ("0.65432100 1700000000"), or with as_float true as seconds
// with a fraction. Both count microseconds, and the float adds them to the
// seconds as PHP does (sec + usec/1e6: .25 s stays exact, where
// nanoseconds/1e9 would round). It never fails.
func microtime(L *lua.LState) int {
	now := clock.Now()
	usec := float64(now.Nanosecond()/1000) / 1e6
	if L.Get(1) != lua.LNil && luaarg.CheckBool(L, 1, "microtime") {
		L.Push(lua.LNumber(float64(now.Unix()) + usec))
		return 1
	}
	L.Push(lua.LString(fmt.Sprintf("%.8f %d", usec, now.Unix())))
	return 1
}

// hrtimeOrigin is hrtime's zero: luasock's start. Go's time.Since of it
// reads the monotonic clock, which never steps, unlike the wall clock.
// PHP counts from the machine's boot; counting from the start keeps the
// number exact (below 2^53 ns) for 104 days of a run, whatever the uptime.
var hrtimeOrigin = time.Now()

// hrtime is `hrtime([as_number])` → PHP's hrtime: {seconds, nanoseconds}
// of the monotonic clock, or with as_number true the nanoseconds as a number.
// It does not read internal/clock: tests stop that wall clock at an instant,
// and a stopped hrtime would make a deadline ticker's waits grow without end,
// while sleep and timeouts go on with the real time it measures.
func hrtime(L *lua.LState) int {
	ns := time.Since(hrtimeOrigin).Nanoseconds()
	if L.Get(1) != lua.LNil && luaarg.CheckBool(L, 1, "hrtime") {
		L.Push(lua.LNumber(ns))
		return 1
	}
	t := L.CreateTable(2, 0)
	t.RawSetInt(1, lua.LNumber(ns/1e9))
	t.RawSetInt(2, lua.LNumber(ns%1e9))
	L.Push(t)
	return 1
}
