package luaparse

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/yuin/gopher-lua/parse"
)

// TestTreesAsGopherLua: on the examples and the test programs (which both
// parsers take) the tree is gopher-lua's own, positions included, so that
// its compiler gives every instruction the line it gave before. Numbers
// are compared by value: gopher-lua keeps their text.
func TestTreesAsGopherLua(t *testing.T) {
	var files []string
	for _, glob := range []string{"../../../examples/*.lua", "../../../scripts/*.lua"} {
		f, _ := filepath.Glob(glob)
		files = append(files, f...)
	}
	if len(files) < 10 {
		t.Fatalf("found %d programs", len(files))
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.HasPrefix(src, []byte("#")) {
			src = append([]byte("--"), src...)
		}
		ours, err := Parse(src, f)
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := parse.Parse(bytes.NewReader(src), f)
		if err != nil {
			t.Fatal(err)
		}
		if a, b := dump(ours), dump(theirs); a != b {
			t.Errorf("%s: the trees differ:\n%s", f, firstDifference(a, b))
		}
	}
}

func firstDifference(a, b string) string {
	la, lb := bytes.Split([]byte(a), []byte("\n")), bytes.Split([]byte(b), []byte("\n"))
	for i := range min(len(la), len(lb)) {
		if !bytes.Equal(la[i], lb[i]) {
			return fmt.Sprintf("line %d: ours %s\n gopher-lua's %s", i+1, la[i], lb[i])
		}
	}
	return "one is longer"
}
