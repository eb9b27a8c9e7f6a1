package host

import (
	"github.com/luasock/luasock/internal/bitlib"
	"github.com/luasock/luasock/internal/codec"
	"github.com/luasock/luasock/internal/compile"
	"github.com/luasock/luasock/internal/diagnose"
	"github.com/luasock/luasock/internal/protect"
	"github.com/luasock/luasock/internal/stdlib"
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
	rt.protector = protect.Open(L, func(L *lua.LState, obj lua.LValue) lua.LValue {
		msg, _ := diagnose.Explain(L, obj, rt.loader.Source)
		return msg // a caught error keeps Lua's message; hints are for people
	})
	diagnose.OpenDebug(L)
	stdlib.Open(L)
	bitlib.Open(L)
	codec.Open(L) // PHP's base64, hex, digests, random and JSON functions
}
