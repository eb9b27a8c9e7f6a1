package diagnose

import (
	"strings"

	"github.com/luasock/luasock/internal/lang/compile"
	lua "github.com/yuin/gopher-lua"
)

// OpenDebug replaces debug.getinfo with Lua 5.1's: the fields of the
// options asked for, short_src among them, "C" for a Go function. Call it
// after the debug library is open.
func OpenDebug(L *lua.LState) {
	dbg, ok := L.GetGlobal("debug").(*lua.LTable)
	if !ok {
		dbg = L.NewTable()
		L.SetGlobal("debug", dbg)
	}
	dbg.RawSetString("getinfo", L.NewFunction(debugGetInfo))
}

// debug.getinfo([thread,] f or level [, what]) -> table or nil; raises on
// an argument that is neither a function nor a level, or an unknown option.
func debugGetInfo(L *lua.LState) int {
	co, arg := L, 1
	if th, ok := L.Get(1).(*lua.LState); ok {
		co, arg = th, 2
	}
	what := L.OptString(arg+1, "flnSu")
	for _, c := range what {
		if !strings.ContainsRune("SlnufL", c) {
			L.RaiseError("bad argument #%d to 'getinfo' (invalid option)", arg+1)
		}
	}
	var d *lua.Debug
	var fv lua.LValue
	var err error
	switch v := L.Get(arg).(type) {
	case *lua.LFunction:
		d = &lua.Debug{}
		fv, err = co.GetInfo(">Slnuf", d, v)
	case lua.LNumber:
		if v < 0 {
			L.Push(tailCallInfo(L, what))
			return 1
		}
		// Level 0 is this function, as in Lua.
		var ok bool
		if d, ok = co.GetStack(int(v)); !ok {
			L.Push(lua.LNil)
			return 1
		}
		fv, err = co.GetInfo("Slnuf", d, lua.LNil)
	default:
		L.RaiseError("bad argument #%d to 'getinfo' (function or level expected)", arg)
	}
	fn, ok := fv.(*lua.LFunction)
	if err != nil || !ok {
		L.Push(lua.LNil)
		return 1
	}
	t := L.NewTable()
	for _, c := range what {
		switch c {
		case 'S':
			if fn.IsG {
				t.RawSetString("source", lua.LString("=[C]"))
				t.RawSetString("short_src", lua.LString("[C]"))
				t.RawSetString("what", lua.LString("C"))
				t.RawSetString("linedefined", lua.LNumber(-1))
				t.RawSetString("lastlinedefined", lua.LNumber(-1))
				continue
			}
			t.RawSetString("source", lua.LString(d.Source))
			t.RawSetString("short_src", lua.LString(ShortSrc(d.Source)))
			// gopher-lua says main for any bottom frame, Lua for a loaded
			// chunk called from Lua, tail for a tail-called function; Lua 5.1
			// says main for a chunk (whose lines it gives as 0, 0).
			w, last := "Lua", fn.Proto.LastLineDefined
			if fn.Proto.LineDefined == 0 {
				w, last = "main", 0
			}
			t.RawSetString("what", lua.LString(w))
			t.RawSetString("linedefined", lua.LNumber(fn.Proto.LineDefined))
			t.RawSetString("lastlinedefined", lua.LNumber(last))
		case 'l':
			line := d.CurrentLine
			if fn.IsG || line == 0 {
				line = -1
			}
			t.RawSetString("currentline", lua.LNumber(line))
		case 'u':
			t.RawSetString("nups", lua.LNumber(len(fn.Upvalues)))
		case 'n':
			// gopher-lua invents names ("main chunk", "<file:3>"); Lua has none.
			if n := d.Name; n != "" && !strings.HasPrefix(n, "<") && !strings.HasPrefix(n, "(") &&
				n != "main chunk" && n != "corountine" {
				t.RawSetString("name", lua.LString(n))
			}
			t.RawSetString("namewhat", lua.LString(""))
		case 'f':
			t.RawSetString("func", fn)
		case 'L':
			if fn.IsG {
				continue // Lua 5.1 has none for a C function
			}
			lines := L.NewTable()
			for _, l := range fn.Proto.DbgSourcePositions {
				lines.RawSetInt(l, lua.LTrue)
			}
			t.RawSetString("activelines", lines)
		}
	}
	L.Push(t)
	return 1
}

// tailCallInfo is what Lua 5.1 gives for a negative level: the record of
// a frame lost to a tail call.
func tailCallInfo(L *lua.LState, what string) *lua.LTable {
	t := L.NewTable()
	for _, c := range what {
		switch c {
		case 'S':
			t.RawSetString("source", lua.LString("=(tail call)"))
			t.RawSetString("short_src", lua.LString("(tail call)"))
			t.RawSetString("what", lua.LString("tail"))
			t.RawSetString("linedefined", lua.LNumber(-1))
			t.RawSetString("lastlinedefined", lua.LNumber(-1))
		case 'l':
			t.RawSetString("currentline", lua.LNumber(-1))
		case 'u':
			t.RawSetString("nups", lua.LNumber(0))
		case 'n':
			t.RawSetString("namewhat", lua.LString(""))
		}
	}
	return t
}

// ShortSrc is a chunk's source as Lua 5.1 shows it (luaO_chunkid, as
// compile.ChunkID writes it). A name with neither prefix and no line break
// is shown as it is: luasock compiles every chunk under the name its
// messages show, and gopher-lua names a file's chunk by its path.
func ShortSrc(source string) string {
	if !strings.HasPrefix(source, "=") && !strings.HasPrefix(source, "@") && !strings.ContainsAny(source, "\n\r") {
		return source
	}
	return compile.ChunkID(source)
}
