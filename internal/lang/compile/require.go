package compile

import (
	"os"
	"strings"

	"github.com/luasock/luasock/internal/lang/luaarg"
	lua "github.com/yuin/gopher-lua"
)

// Lua 5.1's paths as Debian builds it (luaconf.h); LUA_PATH and LUA_CPATH
// replace them, and ";;" in those stands for them.
const (
	defaultPath  = "./?.lua;/usr/local/share/lua/5.1/?.lua;/usr/local/share/lua/5.1/?/init.lua;/usr/local/lib/lua/5.1/?.lua;/usr/local/lib/lua/5.1/?/init.lua;/usr/share/lua/5.1/?.lua;/usr/share/lua/5.1/?/init.lua"
	defaultCPath = "./?.so;/usr/local/lib/lua/5.1/?.so;/usr/lib/x86_64-linux-gnu/lua/5.1/?.so;/usr/lib/lua/5.1/?.so;/usr/local/lib/lua/5.1/loadall.so"
)

// openPackage makes require and package Lua 5.1's (loadlib.c): the four
// loaders in package.loaders (preload, Lua files, C libraries, C roots:
// the C ones only say where they looked, as luasock loads no C code),
// require's message listing every place tried, package.path, cpath and
// config, and package.loaded.package.
func (ld *Loader) openPackage(L *lua.LState) {
	pkg, ok := L.GetGlobal("package").(*lua.LTable)
	if !ok {
		return
	}
	pkg.RawSetString("path", lua.LString(envPath("LUA_PATH", defaultPath)))
	pkg.RawSetString("cpath", lua.LString(envPath("LUA_CPATH", defaultCPath)))
	pkg.RawSetString("config", lua.LString("/\n;\n?\n!\n-"))
	loaders := L.NewTable()
	for _, fn := range []lua.LGFunction{loadPreload, ld.searchPath, loadC, loadCRoot} {
		loaders.RawSetInt(loaders.Len()+1, L.NewFunction(fn))
	}
	pkg.RawSetString("loaders", loaders)
	pkg.RawSetString("loadlib", L.NewFunction(loadlib))
	if loaded, ok := pkg.RawGetString("loaded").(*lua.LTable); ok {
		loaded.RawSetString("package", pkg)
	}
	L.SetGlobal("require", L.NewFunction(require))
}

// envPath is a path from the environment, ";;" standing for the default.
func envPath(name, def string) string {
	p, ok := os.LookupEnv(name)
	if !ok {
		return def
	}
	return strings.Replace(p, ";;", ";"+def+";", 1)
}

// loading marks a module whose loader runs (ll_require's sentinel).
var loading = &lua.LUserData{}

// require(name) -> package.loaded[name], loading it first with the first
// loader of package.loaders that finds it; raises "module 'name' not
// found:" and every place tried, or what the module raises.
func require(L *lua.LState) int {
	name := luaarg.CheckString(L, 1, "?")
	pkg, _ := L.GetGlobal("package").(*lua.LTable)
	var loaded *lua.LTable
	if pkg != nil {
		loaded, _ = pkg.RawGetString("loaded").(*lua.LTable)
	}
	if loaded == nil {
		L.RaiseError("'package.loaded' must be a table")
	}
	if v := loaded.RawGetString(name); lua.LVAsBool(v) {
		if v == loading {
			L.RaiseError("loop or previous error loading module '%s'", name)
		}
		L.Push(v)
		return 1
	}
	loaders, ok := pkg.RawGetString("loaders").(*lua.LTable)
	if !ok {
		L.RaiseError("'package.loaders' must be a table")
	}
	var tried strings.Builder
	var loader lua.LValue
	for i := 1; ; i++ {
		fn := loaders.RawGetInt(i)
		if fn == lua.LNil {
			L.RaiseError("module '%s' not found:%s", name, tried.String())
		}
		L.Push(fn)
		L.Push(lua.LString(name))
		L.Call(1, 1)
		r := L.Get(-1)
		L.Pop(1)
		if _, isFn := r.(*lua.LFunction); isFn {
			loader = r
			break
		}
		if s, isStr := r.(lua.LString); isStr {
			tried.WriteString(string(s))
		} else if n, isNum := r.(lua.LNumber); isNum {
			tried.WriteString(lua.LVAsString(n))
		}
	}
	loaded.RawSetString(name, loading)
	L.Push(loader)
	L.Push(lua.LString(name))
	L.Call(1, 1)
	if r := L.Get(-1); r != lua.LNil {
		loaded.RawSetString(name, r)
	}
	L.Pop(1)
	if loaded.RawGetString(name) == loading {
		loaded.RawSetString(name, lua.LTrue)
	}
	L.Push(loaded.RawGetString(name))
	return 1
}

// loadPreload is package.loaders[1]: package.preload[name].
func loadPreload(L *lua.LState) int {
	name := luaarg.CheckString(L, 1, "?")
	preload, ok := L.GetField(L.GetGlobal("package"), "preload").(*lua.LTable)
	if !ok {
		L.RaiseError("'package.preload' must be a table")
	}
	if fn := preload.RawGetString(name); fn != lua.LNil {
		L.Push(fn)
		return 1
	}
	L.Push(lua.LString("\n\tno field package.preload['" + name + "']"))
	return 1
}

// loadC is package.loaders[3]: C libraries along package.cpath. luasock
// runs no C code: a library found is an error that says so.
func loadC(L *lua.LState) int {
	name := luaarg.CheckString(L, 1, "?")
	return searchC(L, name, name)
}

// loadCRoot is package.loaders[4]: for a.b.c, the C library a.
func loadCRoot(L *lua.LState) int {
	name := luaarg.CheckString(L, 1, "?")
	root, _, dotted := strings.Cut(name, ".")
	if !dotted {
		return 0
	}
	return searchC(L, name, root)
}

func searchC(L *lua.LState, name, file string) int {
	found, ok := find(L, "cpath", file)
	if !ok {
		return 1
	}
	L.RaiseError("error loading module '%s' from file '%s':\n\tluasock cannot load C libraries (it runs Lua only)", name, found)
	return 0
}

// find looks for name along package[field] (path or cpath): found, or
// false with the places tried pushed, as a loader returns them.
func find(L *lua.LState, field, name string) (string, bool) {
	path, ok := L.GetField(L.GetGlobal("package"), field).(lua.LString)
	if !ok {
		L.RaiseError("'package.%s' must be a string", field)
	}
	found, tried := findFile(string(path), name)
	if found == "" {
		L.Push(lua.LString(tried))
		return "", false
	}
	return found, true
}

// loadlib: package.loadlib(path, funcname) -> nil, message, "open": a file
// that is not there says so as dlopen does; luasock loads no C library.
func loadlib(L *lua.LState) int {
	path := luaarg.CheckString(L, 1, "?")
	luaarg.CheckString(L, 2, "?")
	msg := path + ": cannot open shared object file: No such file or directory"
	if _, err := os.Stat(path); err == nil {
		msg = path + ": luasock cannot load C libraries (it runs Lua only)"
	}
	L.Push(lua.LNil)
	L.Push(lua.LString(msg))
	L.Push(lua.LString("open"))
	return 3
}

// findFile is loadlib.c's findfile: the first readable file along path
// for name (dots as folders), or the "\n\tno file '...'" lines of each
// place tried.
func findFile(path, name string) (found, tried string) {
	file := strings.ReplaceAll(name, ".", string(os.PathSeparator))
	var b strings.Builder
	for _, pattern := range strings.Split(path, ";") {
		if pattern == "" {
			continue
		}
		candidate := strings.ReplaceAll(pattern, "?", file)
		if f, err := os.Open(candidate); err == nil {
			f.Close()
			return candidate, ""
		}
		b.WriteString("\n\tno file '" + candidate + "'")
	}
	return "", b.String()
}
