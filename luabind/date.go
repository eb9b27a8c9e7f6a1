package luabind

import (
	"fmt"
	"time"

	"github.com/luasock/luasock/internal/clock"
	"github.com/luasock/luasock/internal/lang/luaarg"
	"github.com/luasock/luasock/internal/phpdate"
	lua "github.com/yuin/gopher-lua"
)

// dateCache keeps the last date() of the current time: a server formats
// the same format many times a second, and the result changes once a
// second (PHP's u and v are always zero).
type dateCache struct {
	format string
	second int64
	zone   *time.Location
	value  lua.LValue
}

// date is `date(format [, timestamp])` → string, PHP's date(): the format
// characters of PHP 8.2, `\` escaping the next character. A bad argument raises.
func (a *api) date(L *lua.LState, fname string) int {
	format := luaarg.CheckString(L, 1, fname)
	if L.Get(2) != lua.LNil {
		t := time.Unix(int64(luaarg.CheckInt(L, 2, fname)), 0).In(clock.Zone())
		L.Push(lua.LString(phpdate.Format(make([]byte, 0, 64), format, t)))
		return 1
	}
	now, zone := clock.Now(), clock.Zone()
	c := &a.lastDate
	if c.value == nil || c.second != now.Unix() || c.format != format || c.zone != zone {
		c.format, c.second, c.zone = format, now.Unix(), zone
		c.value = lua.LString(phpdate.Format(make([]byte, 0, 64), format, now.In(zone)))
	}
	L.Push(c.value)
	return 1
}

// luaMicrotime is `microtime([as_float])` → PHP's microtime: the time as
// "msec sec" ("0.65432100 1700000000"), or with as_float true as seconds
// with a fraction. Both count microseconds, and the float adds them to the
// seconds as PHP does (sec + usec/1e6: .25 s stays exact, where
// nanoseconds/1e9 would round). It never fails.
func luaMicrotime(L *lua.LState, fname string) int {
	now := clock.Now()
	usec := float64(now.Nanosecond()/1000) / 1e6
	if L.Get(1) != lua.LNil && luaarg.CheckBool(L, 1, fname) {
		L.Push(lua.LNumber(float64(now.Unix()) + usec))
		return 1
	}
	L.Push(lua.LString(fmt.Sprintf("%.8f %d", usec, now.Unix())))
	return 1
}
