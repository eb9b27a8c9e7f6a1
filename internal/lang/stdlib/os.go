package stdlib

import (
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/luasock/luasock/internal/clock"
	"github.com/luasock/luasock/internal/lang/luaarg"
	lua "github.com/yuin/gopher-lua"
)

func openOS(L *lua.LState) {
	m := &mktime{} // os.time's and %s's, as lua5.1 has one a process
	register(L, "os", map[string]lua.LGFunction{
		"date":     m.osDate,
		"time":     m.osTime,
		"difftime": osDifftime,
		"getenv":   osGetenv,
	})
	openOSClock(L)
}

// osGetenv: os.getenv(name) -> string or nil; raises on a non-string.
func osGetenv(L *lua.LState) int {
	name := checkString(L, 1)
	if i := strings.IndexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	if v, ok := os.LookupEnv(name); ok {
		L.Push(lua.LString(v))
	} else {
		L.Push(lua.LNil)
	}
	return 1
}

// osDifftime: os.difftime(t2 [, t1]) -> t2 - t1 in whole seconds (time_t);
// raises on a non-number (the second checked first, as Lua 5.1 does).
func osDifftime(L *lua.LState) int {
	var t1 int64 // gcc evaluates difftime's arguments right to left
	if L.Get(2) != lua.LNil {
		t1 = luaarg.CInteger(checkNumber(L, 2))
	}
	t2 := luaarg.CInteger(checkNumber(L, 1))
	L.Push(lua.LNumber(float64(t2) - float64(t1)))
	return 1
}

// osTime: os.time([t]) -> seconds since the epoch, from local date fields
// as glibc's mktime reads them (isdst decides the repeated hour), or nil
// where mktime fails; raises "field 'day' missing in date table".
func (m *mktime) osTime(L *lua.LState) int {
	if L.Get(1) == lua.LNil {
		L.Push(lua.LNumber(clock.Now().Unix()))
		return 1
	}
	t := checkTable(L, 1)
	field := func(key string, def int) int {
		v := L.GetField(t, key)
		if f, ok := luaarg.ToNumber(v); ok {
			return int(int32(luaarg.CInteger(f)))
		}
		if def < 0 {
			raise(L, "field '%s' missing in date table", key)
		}
		return def
	}
	tm := cTime{
		sec:   int32(field("sec", 0)),
		min:   int32(field("min", 0)),
		hour:  int32(field("hour", 12)),
		mday:  int32(field("day", -1)),
		mon:   int32(field("month", -1)) - 1,
		year:  int32(field("year", -1)) - 1900,
		isdst: -1,
	}
	if v := L.GetField(t, "isdst"); v != lua.LNil {
		tm.isdst = 0
		if lua.LVAsBool(v) {
			tm.isdst = 1
		}
	}
	if sec, ok := m.time(tm); ok && sec != -1 {
		L.Push(lua.LNumber(sec))
	} else {
		L.Push(lua.LNil)
	}
	return 1
}

// osDate: os.date([format [, t]]) -> string, or a table for "*t"; a
// leading "!" means UTC. Conversions are C's strftime in the "C" locale.
// Raises on a non-string format or non-number time.
func (m *mktime) osDate(L *lua.LState) int {
	f := optString(L, 1, "%c")
	var t time.Time
	if L.Get(2) == lua.LNil {
		t = clock.Now()
	} else {
		t = time.Unix(luaarg.CInteger(checkNumber(L, 2)), 0)
	}
	if i := strings.IndexByte(f, 0); i >= 0 {
		f = f[:i]
	}
	if strings.HasPrefix(f, "!") {
		t = t.UTC()
		f = f[1:]
	} else {
		t = t.In(clock.Zone())
	}
	if f == "*t" {
		tb := L.NewTable()
		for k, v := range map[string]int{
			"sec": t.Second(), "min": t.Minute(), "hour": t.Hour(), "day": t.Day(),
			"month": int(t.Month()), "year": t.Year(), "wday": int(t.Weekday()) + 1, "yday": t.YearDay(),
		} {
			tb.RawSetString(k, lua.LNumber(v))
		}
		tb.RawSetString("isdst", lua.LBool(t.IsDST()))
		L.Push(tb)
		return 1
	}
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 == len(f) {
			b.WriteByte(f[i])
			continue
		}
		i++
		m.strftime(&b, f[i], t)
	}
	L.Push(lua.LString(b.String()))
	return 1
}

// strftime writes C's strftime("%c") of t in the "C" locale; an unknown
// conversion is written as it is.
func (m *mktime) strftime(b *strings.Builder, c byte, t time.Time) {
	num := func(n, width int, padding byte) {
		s := strconv.Itoa(n)
		for len(s) < width {
			s = string(padding) + s
		}
		b.WriteString(s)
	}
	hour12 := t.Hour() % 12
	if hour12 == 0 {
		hour12 = 12
	}
	yday := t.YearDay() - 1
	wday := int(t.Weekday())
	isoYear, isoWeek := t.ISOWeek()
	switch c {
	case 'a':
		b.WriteString(t.Weekday().String()[:3])
	case 'A':
		b.WriteString(t.Weekday().String())
	case 'b', 'h':
		b.WriteString(t.Month().String()[:3])
	case 'B':
		b.WriteString(t.Month().String())
	case 'c':
		b.WriteString(t.Format("Mon Jan _2 15:04:05 2006"))
	case 'C':
		num(t.Year()/100, 2, '0')
	case 'd':
		num(t.Day(), 2, '0')
	case 'D', 'x':
		b.WriteString(t.Format("01/02/06"))
	case 'e':
		num(t.Day(), 2, ' ')
	case 'F':
		b.WriteString(t.Format("2006-01-02"))
	case 'g':
		num(isoYear%100, 2, '0')
	case 'G':
		num(isoYear, 1, '0')
	case 'H':
		num(t.Hour(), 2, '0')
	case 'I':
		num(hour12, 2, '0')
	case 'j':
		num(yday+1, 3, '0')
	case 'k':
		num(t.Hour(), 2, ' ')
	case 'l':
		num(hour12, 2, ' ')
	case 'm':
		num(int(t.Month()), 2, '0')
	case 'M':
		num(t.Minute(), 2, '0')
	case 'n':
		b.WriteByte('\n')
	case 'p':
		b.WriteString(t.Format("PM"))
	case 'P':
		b.WriteString(t.Format("pm"))
	case 'r':
		b.WriteString(t.Format("03:04:05 PM"))
	case 'R':
		b.WriteString(t.Format("15:04"))
	case 's': // mktime of the fields: for a "!" date, as if they were local
		tm := cTime{sec: int32(t.Second()), min: int32(t.Minute()), hour: int32(t.Hour()), mday: int32(t.Day()),
			mon: int32(t.Month()) - 1, year: int32(t.Year() - 1900)}
		if t.IsDST() {
			tm.isdst = 1
		}
		sec, ok := m.time(tm)
		if !ok {
			sec = -1
		}
		b.WriteString(strconv.FormatInt(sec, 10))
	case 'S':
		num(t.Second(), 2, '0')
	case 't':
		b.WriteByte('\t')
	case 'T', 'X':
		b.WriteString(t.Format("15:04:05"))
	case 'u':
		num((wday+6)%7+1, 1, '0')
	case 'U':
		num((yday+7-wday)/7, 2, '0')
	case 'V':
		num(isoWeek, 2, '0')
	case 'w':
		num(wday, 1, '0')
	case 'W':
		num((yday+7-(wday+6)%7)/7, 2, '0')
	case 'y':
		num(t.Year()%100, 2, '0')
	case 'Y':
		num(t.Year(), 1, '0')
	case 'z':
		b.WriteString(t.Format("-0700"))
	case 'Z':
		name, _ := t.Zone()
		if t.Location() == time.UTC {
			name = "GMT" // glibc's name for gmtime's zone
		}
		b.WriteString(name)
	case '%':
		b.WriteByte('%')
	default:
		b.WriteByte('%')
		b.WriteByte(c)
	}
}
