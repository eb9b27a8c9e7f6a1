package host

import (
	"strconv"
	"time"

	"github.com/luasock/luasock/internal/codec"
	"github.com/luasock/luasock/internal/lang/bitlib"
	"github.com/luasock/luasock/internal/lang/compile"
	"github.com/luasock/luasock/internal/lang/diagnose"
	"github.com/luasock/luasock/internal/lang/protect"
	"github.com/luasock/luasock/internal/lang/stdlib"
	lua "github.com/yuin/gopher-lua"
)

// openLanguage installs luasock's fixes of the Lua language over
// gopher-lua's: every chunk compiles through package compile (multiple
// assignment in Lua's order), and pcall/xpcall keep the enclosing
// functions' locals (package protect), and errors name their culprit as
// Lua 5.1's do (package diagnose). script is the main chunk's name and
// src its text, remembered to explain its errors. It adds Lua 5.2's bit32
// and LuaJIT's bit (package bitlib).
func (rt *scriptRun) openLanguage(L *lua.LState, chunk string, src []byte) {
	rt.loader = compile.Open(L, nil)
	rt.loader.Remember(chunk, src)
	compile.SetCheck(L, rt.loopCheck)
	rt.protector = protect.Open(L, func(L *lua.LState, obj lua.LValue) lua.LValue {
		msg, _ := diagnose.Explain(L, obj, rt.loader.Source)
		return msg // a caught error keeps Lua's message; hints are for people
	})
	diagnose.OpenDebug(L)
	stdlib.Open(L)
	bitlib.Open(L)
	codec.Open(L) // PHP's base64, hex, digests, random and JSON functions
}

// loopCheck is what every loop calls every compile.CheckEvery passes, with
// the Lua lock held: it ends a task that has held the lock for longer
// than the busy limit (it never waited, so no other task ran), and an
// evaluation at the prompt that Ctrl-C interrupted, by raising an error
// where the loop is; once the run stops, it ends the task there, as a
// wait would (so SIGINT ends a loop too).
func (rt *scriptRun) loopCheck(L *lua.LState) int {
	if rt.stopping.Load() {
		rt.endTask()
	}
	if ctx := rt.Interrupted(L); ctx != nil && ctx.Err() != nil {
		L.RaiseError("%s", errInterrupted)
	}
	if rt.busyLimit > 0 && min(rt.lock.heldFor(), rt.calls.sinceLast()) > rt.busyLimit {
		L.RaiseError("task ran %s%s", seconds(rt.busyLimit), busyText)
	}
	L.Push(lua.LNumber(compile.CheckEvery))
	return 1
}

// busyText ends the error of a task that ran too long without waiting;
// busyHint is what the learner reads after it.
const (
	busyText = " without waiting"
	busyHint = "this loop calls nothing that waits (a read, an accept, sleep, a channel), so no " +
		"other task ran meanwhile; wait somewhere in it, or raise the limit with --busy-limit " +
		"(0: none)"
)

// seconds says a duration as a learner reads it: "5 s", "0.5 s".
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " s"
}
