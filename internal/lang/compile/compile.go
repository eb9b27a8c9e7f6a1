// Package compile turns Lua source into gopher-lua function prototypes on
// every path that loads code (the script, require, loadstring, load,
// loadfile, dofile), and fixes on the way what gopher-lua's compiler gets
// wrong (rewrite.go, zeros.go). It keeps the source of the chunks it compiled last,
// so an error can be explained from the code that raised it.
package compile

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/luasock/luasock/internal/lang/luaparse"
	lua "github.com/yuin/gopher-lua"
)

// CompileFile compiles a file's source as Lua 5.1's luaL_loadfile does:
// as Compile, but a first line starting with '#' (a #! line) is skipped.
func CompileFile(chunkname string, src []byte) (*lua.FunctionProto, error) {
	if bytes.HasPrefix(src, []byte("#")) {
		src = append([]byte("--"), src...) // a comment keeps the line numbers
	}
	return Compile(chunkname, src)
}

// Compile compiles src under Lua's chunk name: "@path" for a file, "=name"
// for a name shown as it is, anything else for a string (shown as
// [string "..."]). Errors read as Lua's: "name:line: message"; a syntax
// error is a *luaparse.Error, which may carry a hint.
func Compile(chunkname string, src []byte) (*lua.FunctionProto, error) {
	name := ChunkID(chunkname)
	chunk, err := luaparse.Parse(src, chunkID(chunkname, syntaxIDSize))
	if err != nil {
		return nil, err
	}
	chunk = orderAssignments.chunk(chunk) // rewrite.go
	chunk = padForExprs.chunk(chunk)      // rewrite.go
	chunk = checkLoops.chunk(chunk)       // loopcheck.go
	signZeros(chunk)                      // zeros.go
	proto, err := lua.Compile(chunk, name)
	if err != nil {
		var ce *lua.CompileError
		if errors.As(err, &ce) {
			return nil, fmt.Errorf("%s:%d: %s", name, ce.Line, ce.Message)
		}
		return nil, err
	}
	return proto, nil
}

// Lua 5.1 shows a chunk in at most LUA_IDSIZE bytes with the NUL at
// run time, and in MAXSRC bytes in a syntax error (llex.c).
const (
	idSize       = 60
	syntaxIDSize = 80
)

// ChunkID is how Lua 5.1 shows a chunk name in messages (luaO_chunkid):
// "=name" as name, "@file" as file (its tail when long), a string as
// [string "its first line..."].
func ChunkID(chunkname string) string { return chunkID(chunkname, idSize) }

func chunkID(chunkname string, idSize int) string {
	switch {
	case strings.HasPrefix(chunkname, "="):
		s := chunkname[1:]
		if len(s) > idSize-1 {
			s = s[:idSize-1]
		}
		return s
	case strings.HasPrefix(chunkname, "@"):
		s := chunkname[1:]
		if room := idSize - len(" '...' ") - 1; len(s) > room {
			s = "..." + s[len(s)-room:]
		}
		return s
	}
	room := idSize - len(` [string "..."] `) - 1
	n := strings.IndexAny(chunkname, "\n\r")
	if n < 0 {
		n = len(chunkname)
	}
	if n > room {
		n = room
	}
	if n < len(chunkname) {
		return `[string "` + chunkname[:n] + `..."]`
	}
	return `[string "` + chunkname + `"]`
}
