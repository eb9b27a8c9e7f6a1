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

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// Compile compiles src under Lua's chunk name: "@path" for a file, "=name"
// for a name shown as it is, anything else for a string (shown as
// [string "..."]). A first line starting with '#' (a #! line) is skipped,
// as the Lua interpreter does. Errors read as Lua's: "name:line: message".
func Compile(chunkname string, src []byte) (*lua.FunctionProto, error) {
	name := ChunkID(chunkname)
	if bytes.HasPrefix(src, []byte("#")) {
		src = append([]byte("--"), src...) // a comment keeps the line numbers
	}
	chunk, err := parse.Parse(bytes.NewReader(src), name)
	if err != nil {
		return nil, syntaxError(name, src, err)
	}
	chunk = orderAssignments.chunk(chunk) // rewrite.go
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

// syntaxError rewrites gopher-lua's parse error as Lua prints one:
// `name:line: message near 'token'`.
func syntaxError(name string, src []byte, err error) error {
	var pe *parse.Error
	if !errors.As(err, &pe) {
		return fmt.Errorf("%s: %v", name, err)
	}
	line, near := pe.Pos.Line, "'"+pe.Token+"'"
	if line <= 0 { // the parser ran off the end
		line, near = bytes.Count(src, []byte("\n"))+1, "'<eof>'"
	}
	msg := strings.TrimSpace(pe.Message)
	return fmt.Errorf("%s:%d: %s near %s", name, line, msg, near)
}

// idSize is Lua 5.1's LUA_IDSIZE: the longest chunk id, with its NUL.
const idSize = 60

// ChunkID is how Lua 5.1 shows a chunk name in messages (luaO_chunkid):
// "=name" as name, "@file" as file (its tail when long), a string as
// [string "its first line..."].
func ChunkID(chunkname string) string {
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
