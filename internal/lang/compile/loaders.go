package compile

import (
	"errors"
	"io"
	"io/fs"
	"os"

	"github.com/luasock/luasock/internal/errno"
	"github.com/luasock/luasock/internal/lang/luaarg"
	lua "github.com/yuin/gopher-lua"
)

// Loader is the part of one Lua state that loads code: it replaces
// loadstring, load, loadfile, dofile, require and its loaders with
// versions that compile through Compile, and remembers the sources.
// Its functions run with the Lua lock held, like every Lua function.
type Loader struct {
	stdin   io.Reader // loadfile() and dofile() without a name
	sources []source  // newest last; at most keptSources
}

type source struct {
	id  string // ChunkID of the chunk name
	src []byte
}

// keptSources bounds the memory of sources: a loop that loadstrings new
// code keeps only the last ones.
const keptSources = 32

// Open installs the loading functions into L. stdin is what loadfile()
// reads without a file name (nil: none).
func Open(L *lua.LState, stdin io.Reader) *Loader {
	ld := &Loader{stdin: stdin}
	L.SetGlobal("loadstring", L.NewFunction(ld.loadstring))
	L.SetGlobal("load", L.NewFunction(ld.load))
	L.SetGlobal("loadfile", L.NewFunction(ld.loadfile))
	L.SetGlobal("dofile", L.NewFunction(ld.dofile))
	ld.openPackage(L) // require.go
	SetCheck(L, func(L *lua.LState) int { L.Push(lua.LNumber(CheckEvery)); return 1 })
	return ld
}

// SetCheck installs check as what a loop calls every CheckEvery passes
// (loopcheck.go); it returns the passes until the next check, or raises.
// Open installs one that does nothing.
func SetCheck(L *lua.LState, check lua.LGFunction) {
	if strs, ok := L.GetGlobal("string").(*lua.LTable); ok {
		strs.RawSetString(CheckKey, L.NewFunction(check))
	}
}

// Source returns the text of a chunk compiled through this loader lately,
// by the name messages show (ChunkID).
func (ld *Loader) Source(id string) ([]byte, bool) {
	for i := len(ld.sources) - 1; i >= 0; i-- {
		if ld.sources[i].id == id {
			return ld.sources[i].src, true
		}
	}
	return nil, false
}

// Remember keeps src as the text of the chunk named chunkname (the host
// compiles the script before the state exists).
func (ld *Loader) Remember(chunkname string, src []byte) {
	id := ChunkID(chunkname)
	for i, s := range ld.sources {
		if s.id == id {
			ld.sources = append(ld.sources[:i], ld.sources[i+1:]...)
			break
		}
	}
	if len(ld.sources) == keptSources {
		ld.sources = ld.sources[1:]
	}
	ld.sources = append(ld.sources, source{id, src})
}

// compile compiles and remembers a chunk, and pushes the function (with the
// thread's globals as its environment, as Lua's loaders give) or nil and
// the message. It returns the number of results.
func (ld *Loader) compile(L *lua.LState, chunkname string, src []byte) int {
	return ld.push(L, chunkname, src, Compile)
}

// compileFile is compile for a file's source (a #! line is skipped).
func (ld *Loader) compileFile(L *lua.LState, chunkname string, src []byte) int {
	return ld.push(L, chunkname, src, CompileFile)
}

func (ld *Loader) push(L *lua.LState, chunkname string, src []byte, compile func(string, []byte) (*lua.FunctionProto, error)) int {
	proto, err := compile(chunkname, src)
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	ld.Remember(chunkname, src)
	L.Push(L.NewFunctionFromProto(proto))
	return 1
}

// loadstring(s [, chunkname]) -> function | nil, message; raises on a
// non-string s.
func (ld *Loader) loadstring(L *lua.LState) int {
	s := luaarg.CheckString(L, 1, "?")
	return ld.compile(L, luaarg.OptString(L, 2, "?", s), []byte(s))
}

// load(reader [, chunkname]) -> function | nil, message: reader returns
// the source piece by piece, nil or "" at the end; an error in the reader
// is returned as the message. Raises on a non-function.
func (ld *Loader) load(L *lua.LState) int {
	chunkname := luaarg.OptString(L, 2, "?", "=(load)")
	fn, ok := L.Get(1).(*lua.LFunction)
	if !ok {
		luaarg.TypeError(L, 1, "?", "function")
	}
	var buf []byte
	for {
		L.Push(fn)
		if err := L.PCall(0, 1, nil); err != nil {
			L.Push(lua.LNil)
			if ae, ok := err.(*lua.ApiError); ok {
				L.Push(ae.Object)
			} else {
				L.Push(lua.LString(err.Error()))
			}
			return 2
		}
		piece := L.Get(-1)
		L.Pop(1)
		if piece == lua.LNil {
			break
		}
		if !lua.LVCanConvToString(piece) {
			L.Push(lua.LNil)
			L.Push(lua.LString("reader function must return a string"))
			return 2
		}
		s := lua.LVAsString(piece)
		if s == "" {
			break
		}
		buf = append(buf, s...)
	}
	return ld.compile(L, chunkname, buf)
}

// loadfile([path]) -> function | nil, message: without a path it reads
// standard input; raises on a path that is not a string.
func (ld *Loader) loadfile(L *lua.LState) int {
	chunkname, src, err := ld.readFile(L)
	if err != "" {
		L.Push(lua.LNil)
		L.Push(lua.LString(err))
		return 2
	}
	return ld.compileFile(L, chunkname, src)
}

// dofile([path]) -> what the chunk returns; raises what loadfile would
// return as a message, and what the chunk raises.
func (ld *Loader) dofile(L *lua.LState) int {
	top := L.GetTop()
	if ld.loadfile(L) == 2 {
		L.Error(L.Get(-1), 0)
	}
	L.Call(0, lua.MultRet)
	return L.GetTop() - top
}

// readFile reads loadfile's argument: a path, or standard input when there
// is none. err is Lua's message ("cannot open x: No such file or directory").
func (ld *Loader) readFile(L *lua.LState) (chunkname string, src []byte, err string) {
	if L.Get(1) == lua.LNil {
		if ld.stdin == nil {
			return "", nil, "cannot read stdin"
		}
		src, e := io.ReadAll(ld.stdin)
		if e != nil {
			return "", nil, "cannot read stdin: " + errno.Text(e)
		}
		return "=stdin", src, ""
	}
	path := luaarg.CheckString(L, 1, "?")
	src, e := os.ReadFile(path)
	if e != nil {
		verb := "open"
		var pe *fs.PathError
		if errors.As(e, &pe) && pe.Op == "read" {
			verb = "read"
		}
		return "", nil, "cannot " + verb + " " + path + ": " + errno.Text(e)
	}
	return "@" + path, src, ""
}

// searchPath is require's searcher for Lua files along package.path
// (package.loaders[2]): it returns the compiled chunk, or the lines
// saying where it looked.
func (ld *Loader) searchPath(L *lua.LState) int {
	name := luaarg.CheckString(L, 1, "?")
	found, ok := find(L, "path", name)
	if !ok {
		return 1
	}
	src, err := os.ReadFile(found)
	if err != nil {
		L.RaiseError("error loading module '%s' from file '%s':\n\tcannot read %s: %s", name, found, found, errno.Text(err))
	}
	proto, cerr := CompileFile("@"+found, src)
	if cerr != nil {
		L.RaiseError("error loading module '%s' from file '%s':\n\t%s", name, found, cerr.Error())
	}
	ld.Remember("@"+found, src)
	L.Push(L.NewFunctionFromProto(proto))
	return 1
}
