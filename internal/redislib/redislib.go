// Package redislib is luasock's Redis client, require("redis"): a library
// written in Lua (redis.lua) on the stream functions, so that the trace,
// the capture, the recording and impairment see its traffic as they see a
// script's. It needs the globals luabind, channel and the host install
// (stream_socket_client, fwrite, fgets, stream_get_contents, spawn,
// channel, errno) and reads them when a script first requires it.
package redislib

import (
	_ "embed"
	"sync"

	"github.com/luasock/luasock/internal/lang/compile"
	lua "github.com/yuin/gopher-lua"
)

//go:embed redis.lua
var source []byte

// The module compiles once per process; each Lua state (a worker) runs
// the same prototype.
var (
	compileOnce sync.Once
	proto       *lua.FunctionProto
	compileErr  error
)

// Open makes require("redis") load the client in L.
func Open(L *lua.LState) {
	L.PreloadModule("redis", load)
}

func load(L *lua.LState) int {
	compileOnce.Do(func() { proto, compileErr = compile.Compile("=redis", source) })
	if compileErr != nil {
		L.RaiseError("%v", compileErr)
	}
	L.Push(L.NewFunctionFromProto(proto))
	L.Call(0, 1)
	return 1
}
