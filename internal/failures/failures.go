// Package failures remembers, per Lua thread and call site, the nil that an
// API call last returned (`nil, errstr, errno`, or `nil` alone at the end of
// a stream), so that an error raised later on that nil can say why (package
// diagnose's hints). luabind notes, diagnose reads; both run with the Lua
// lock held. It knows nothing of sockets.
package failures

import lua "github.com/yuin/gopher-lua"

// Failure is the nil a call returned.
type Failure struct {
	Errstr string // "" for a nil alone
	Errno  int
	// End: the nil alone of a read at the end of the stream.
	End bool
	// Address is what a server or client call was given ("tcp://...");
	// "" for other calls.
	Address string
	// Advice says what may have caused it, or what to do, in a sentence
	// ("" when the call has none).
	Advice string
}

// site is where a call was made: the calling thread (a task, a coroutine),
// the chunk, the line, and the function's name.
type site struct {
	L      *lua.LState
	source string
	line   int
	fname  string
}

// record is one Lua state's notes: every thread's, in the registry.
type record map[site]Failure

// maxSites bounds the notes: past it they start again (a prompt, whose
// every line is a chunk, or tasks by the thousand would grow them).
const maxSites = 512

const registryKey = "luasock.failures"

// Note remembers that the function fname, called by the Lua function at
// level 1 of L, returned the nil f. A call from Go (pcall(f, ...)) is not
// noted: its site is no line of Lua.
func Note(L *lua.LState, fname string, f Failure) {
	dbg, ok := L.GetStack(1)
	if !ok {
		return
	}
	if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil || dbg.CurrentLine <= 0 {
		return
	}
	r := notes(L, true)
	if len(r) >= maxSites {
		clear(r)
	}
	r[site{L, dbg.Source, dbg.CurrentLine, fname}] = f
}

// Find returns the nil that fname, called on line of source by L, last
// returned.
func Find(L *lua.LState, source string, line int, fname string) (Failure, bool) {
	f, ok := notes(L, false)[site{L, source, line, fname}]
	return f, ok
}

func notes(L *lua.LState, create bool) record {
	if ud, ok := L.G.Registry.RawGetString(registryKey).(*lua.LUserData); ok {
		if r, ok := ud.Value.(record); ok {
			return r
		}
	}
	if !create {
		return nil
	}
	r := record{}
	ud := L.NewUserData()
	ud.Value = r
	L.G.Registry.RawSetString(registryKey, ud)
	return r
}
