package host

import (
	"reflect"

	"github.com/luasock/luasock/internal/lang/luaarg"
	lua "github.com/yuin/gopher-lua"
	luar "layeh.com/gopher-luar"
)

var errorType = reflect.TypeFor[error]()

// setGlobals sets an embedder's Go values as globals of L (Options.Globals),
// converted by gopher-luar. A function whose last result is an error
// follows luasock's convention instead of gopher-luar's (which returns the
// zero values and the error as a userdata): on failure it returns
// `nil, errstr, errno`; on success its other results, or true when the
// error was its only one.
func setGlobals(L *lua.LState, globals map[string]any) {
	for name, v := range globals {
		lv := luar.New(L, v)
		if fn, ok := lv.(*lua.LFunction); ok && failsWithError(v) {
			lv = L.NewFunction(conventionalResults(fn))
		}
		L.SetGlobal(name, lv)
	}
}

// failsWithError tells whether v is a func whose last result is an error.
func failsWithError(v any) bool {
	t := reflect.TypeOf(v)
	return t != nil && t.Kind() == reflect.Func && t.NumOut() > 0 && t.Out(t.NumOut()-1) == errorType
}

// conventionalResults calls fn (gopher-luar's conversion of a Go function
// whose last result is an error) and rewrites its results.
func conventionalResults(fn *lua.LFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		base := L.GetTop()
		L.Insert(fn, 1)
		L.Call(base, lua.MultRet)
		n := L.GetTop()
		if ud, ok := L.Get(n).(*lua.LUserData); ok {
			if err, ok := ud.Value.(error); ok {
				L.SetTop(0)
				return luaarg.Failure(L, err)
			}
		}
		L.Pop(1) // the nil error
		if n == 1 {
			L.Push(lua.LTrue)
			return 1
		}
		return n - 1
	}
}
