package stdlib

import (
	"runtime"
	"strings"

	"github.com/luasock/luasock/internal/lang/luaarg"
	"github.com/luasock/luasock/internal/lang/luanum"
	lua "github.com/yuin/gopher-lua"
)

func openBase(L *lua.LState) {
	gc := &gcState{pause: 200, stepmul: 200}
	register(L, "_G", map[string]lua.LGFunction{
		"tostring":       baseToString,
		"tonumber":       baseToNumber,
		"unpack":         baseUnpack,
		"select":         baseSelect,
		"collectgarbage": gc.collectGarbage,
	})
}

// baseToString: tostring(v) -> string (or what __tostring returns); raises
// without an argument.
func baseToString(L *lua.LState) int {
	L.Push(toStringMeta(L, checkAny(L, 1)))
	return 1
}

// baseToNumber: tonumber(v [, base]) -> number or nil; raises on a base
// outside 2..36 and, with a base other than 10, on a non-string v.
func baseToNumber(L *lua.LState) int {
	base := optInt(L, 2, 10)
	if base == 10 {
		checkAny(L, 1)
		if f, ok := luaarg.ToNumber(L.Get(1)); ok {
			L.Push(lua.LNumber(f))
			return 1
		}
		L.Push(lua.LNil)
		return 1
	}
	s := checkString(L, 1)
	if base < 2 || base > 36 {
		argError(L, 2, "base out of range")
	}
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	n, end := luanum.Strtoul(s, base)
	if end > 0 {
		for end < len(s) && luanum.IsSpace(s[end]) {
			end++
		}
		if end == len(s) {
			L.Push(lua.LNumber(float64(n)))
			return 1
		}
	}
	L.Push(lua.LNil)
	return 1
}

// baseUnpack: unpack(t [, i [, j]]) -> t[i], ..., t[j]; raises on a
// non-table and on more than Lua 5.1's 8000 results.
func baseUnpack(L *lua.LState) int {
	t := checkTable(L, 1)
	i := optInt(L, 2, 1)
	e := optInt(L, 3, t.Len())
	if i > e {
		return 0
	}
	n := int64(e) - int64(i) + 1
	if int64(L.GetTop())+n > maxCStack {
		raise(L, "too many results to unpack")
	}
	for k := i; ; k++ {
		L.Push(rawGetInt(t, k))
		if k == e {
			break
		}
	}
	return int(n)
}

// baseSelect: select(n, ...) -> the arguments from n on; select('#', ...) ->
// their count; raises on an index out of range.
func baseSelect(L *lua.LState) int {
	n := L.GetTop()
	if s, ok := L.Get(1).(lua.LString); ok && strings.HasPrefix(string(s), "#") {
		L.Push(lua.LNumber(n - 1))
		return 1
	}
	i := checkInt(L, 1)
	if i < 0 {
		i = n + i
	} else if i > n {
		i = n
	}
	if i < 1 {
		argError(L, 1, "index out of range")
	}
	return n - i
}

// gcState keeps the values collectgarbage("setpause"/"setstepmul") return.
type gcState struct{ pause, stepmul int }

var gcOptions = []string{"stop", "restart", "collect", "count", "step", "setpause", "setstepmul"}

// collectGarbage: collectgarbage([opt [, arg]]) -> number ("count": KB in
// use, "setpause"/"setstepmul": the previous value, others 0), boolean for
// "step"; raises on an unknown option. Go's collector does the work.
func (g *gcState) collectGarbage(L *lua.LState) int {
	o := gcOptions[checkOption(L, 1, "collect", gcOptions)]
	ex := optInt(L, 2, 0)
	switch o {
	case "count":
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		L.Push(lua.LNumber(float64(ms.HeapAlloc) / 1024))
	case "step":
		runtime.GC()
		L.Push(lua.LTrue)
	case "collect":
		runtime.GC()
		L.Push(lua.LNumber(0))
	case "setpause":
		L.Push(lua.LNumber(g.pause))
		g.pause = ex
	case "setstepmul":
		L.Push(lua.LNumber(g.stepmul))
		g.stepmul = ex
	default:
		L.Push(lua.LNumber(0))
	}
	return 1
}
