package diagnose

import (
	"bytes"
	"sync"

	"github.com/luasock/luasock/internal/lang/luaparse"
	"github.com/yuin/gopher-lua/ast"
)

// cacheSize bounds the parsed chunks kept, so a loop that catches errors
// does not parse its chunk again each time.
const cacheSize = 16

type parsedChunk struct {
	name  string
	src   []byte
	stmts []ast.Stmt // nil: did not parse
}

var cache struct {
	sync.Mutex
	entries []*parsedChunk // most recently used last
}

// parsed returns the syntax tree of the chunk named name, nil when its
// source is unknown or does not parse. A chunk whose text changed under the
// same name is parsed again.
func parsed(name string, src Sources) []ast.Stmt {
	text, ok := src(name)
	if !ok {
		return nil
	}
	cache.Lock()
	defer cache.Unlock()
	for i, e := range cache.entries {
		if e.name == name && bytes.Equal(e.src, text) {
			cache.entries = append(append(cache.entries[:i:i], cache.entries[i+1:]...), e)
			return e.stmts
		}
	}
	parseCount++
	code := text
	if bytes.HasPrefix(code, []byte("#")) {
		code = append([]byte("--"), code...) // a #! line, as the compiler skips it
	}
	stmts, err := luaparse.Parse(code, name)
	if err != nil {
		stmts = nil
	}
	e := &parsedChunk{name: name, src: append([]byte(nil), text...), stmts: stmts}
	if len(cache.entries) >= cacheSize {
		cache.entries = cache.entries[1:]
	}
	cache.entries = append(cache.entries, e)
	return stmts
}

// parseCount is how many chunks have been parsed (for the cache's test).
var parseCount int
