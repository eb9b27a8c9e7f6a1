package luabind

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// TestSocketOptionsDocumented checks the three places that list the
// `socket` context options for users against the option parser: the table
// under stream_context_create in docs/reference.md, the
// stream_context_create row of README.md's function table, and the
// `socket` field of luasock.context_options in editor/luasock.lua. Each
// must name every option the parser knows and none it does not.
func TestSocketOptionsDocumented(t *testing.T) {
	code := codeSocketOptions(t)
	lists := []struct {
		file    string
		extract func(t *testing.T, text string) []string
	}{
		{"../docs/reference.md", referenceSocketOptions},
		{"../README.md", readmeSocketOptions},
		{"../editor/luasock.lua", editorSocketOptions},
	}
	for _, l := range lists {
		b, err := os.ReadFile(l.file)
		if err != nil {
			t.Fatal(err)
		}
		listed := l.extract(t, string(b))
		if len(listed) == 0 {
			t.Errorf("%s: found no socket options where the test looks for them (did the list move?)", l.file)
			continue
		}
		missing, extra := optionsNotIn(code, listed), optionsNotIn(listed, code)
		if len(missing) > 0 || len(extra) > 0 {
			t.Errorf("%s drifted from the code: missing %v; listed but not an option %v", l.file, missing, extra)
		}
	}
	t.Logf("%d socket options: %s", len(code), strings.Join(code, ", "))
}

// codeSocketOptions returns the socket options as the code has them: the
// names the parser gives when it rejects an unknown one. Each must get past
// the parser's unknown-option check (a value of the wrong type makes it
// complain about that option instead), and every name the parser's switch
// compares an option with must be among them, so that the list cannot
// leave out an option the parser takes.
func codeSocketOptions(t *testing.T) []string {
	t.Helper()
	names := strings.Split(knownSocketOptions(), ", ")
	if len(names) < 5 {
		t.Fatalf("knownSocketOptions() = %q: too few to be the list", knownSocketOptions())
	}
	if msg := parseSocketOption(t, "no_such_option"); !strings.Contains(msg, "unknown socket option 'no_such_option'") {
		t.Fatalf("an unknown option raised %q, not the unknown-option error the check below relies on", msg)
	}
	for _, name := range names {
		msg := parseSocketOption(t, name)
		if strings.Contains(msg, "unknown socket option") || !strings.Contains(msg, "socket option '"+name+"'") {
			t.Errorf("%q is in the parser's list of known options, but a table for it raised %q", name, msg)
		}
	}
	for _, name := range switchSocketOptions(t) {
		if !slices.Contains(names, name) {
			t.Errorf("parseContext takes the socket option %q, but knownSocketOptions does not name it", name)
		}
	}
	slices.Sort(names)
	return names
}

// parseSocketOption runs the context parser on {socket = {[name] = {}}}
// (a table is the wrong type for every option) and returns the first line of
// what it raised.
func parseSocketOption(t *testing.T, name string) string {
	t.Helper()
	L := lua.NewState()
	defer L.Close()
	parse := L.NewFunction(func(L *lua.LState) int {
		parseContext(L, 1, "stream_context_create", L.CheckTable(1), &streamContext{Options: map[string]*lua.LTable{}})
		return 0
	})
	socket := L.NewTable()
	socket.RawSetString(name, L.NewTable())
	options := L.NewTable()
	options.RawSetString("socket", socket)
	if err := L.CallByParam(lua.P{Fn: parse, Protect: true}, options); err != nil {
		msg, _, _ := strings.Cut(err.Error(), "\n")
		return msg
	}
	return ""
}

// switchSocketOptions reads context.go and returns the strings that a case
// of parseContext compares with (`case name == "bindto":`), with the keys
// of boolSocketOptions.
func switchSocketOptions(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "context.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "parseContext" {
			continue
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			clause, ok := n.(*ast.CaseClause)
			if !ok {
				return true
			}
			for _, e := range clause.List {
				ast.Inspect(e, func(n ast.Node) bool {
					if cmp, ok := n.(*ast.BinaryExpr); ok && cmp.Op == token.EQL {
						for _, side := range []ast.Expr{cmp.X, cmp.Y} {
							if lit, ok := side.(*ast.BasicLit); ok && lit.Kind == token.STRING {
								s, _ := strconv.Unquote(lit.Value)
								names = append(names, s)
							}
						}
					}
					return true
				})
			}
			return true
		})
	}
	for name := range boolSocketOptions {
		names = append(names, name)
	}
	return names
}

var (
	backticked = regexp.MustCompile("`([^`]*)`")
	optionName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// optionNames returns the option names among the backticked spans of s;
// a span may hold several, separated by commas ("`backlog, bindto`").
// Values ("`\"0660\"`") and calls are left out.
func optionNames(s string) []string {
	var names []string
	for _, m := range backticked.FindAllStringSubmatch(s, -1) {
		for _, name := range strings.Split(m[1], ",") {
			if name = strings.TrimSpace(name); optionName.MatchString(name) {
				names = append(names, name)
			}
		}
	}
	return names
}

// referenceSocketOptions reads the first column of the table that follows
// "Socket options:" under stream_context_create's heading.
func referenceSocketOptions(t *testing.T, text string) []string {
	_, section, ok := strings.Cut(text, "\n### `stream_context_create(")
	if ok {
		_, section, ok = strings.Cut(section, "Socket options:\n")
	}
	if !ok {
		return nil
	}
	var names []string
	for _, line := range strings.Split(strings.TrimLeft(section, "\n"), "\n") {
		if !strings.HasPrefix(line, "|") {
			break // the table ended
		}
		cells := strings.Split(line, "|")
		if len(cells) < 3 {
			continue
		}
		names = append(names, optionNames(cells[1])...)
	}
	return names
}

// readmeSocketOptions reads the notes column of the stream_context_create
// row of README.md's function table.
func readmeSocketOptions(t *testing.T, text string) []string {
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "| `stream_context_create({socket") {
			continue
		}
		cells := strings.Split(line, " | ")
		if len(cells) != 3 {
			t.Fatalf("README.md: the stream_context_create row has %d columns, want 3: %s", len(cells), line)
		}
		return optionNames(cells[2])
	}
	return nil
}

var editorSocketField = regexp.MustCompile(`(?m)^---@field socket\? \{(.*)\}$`)
var editorFieldName = regexp.MustCompile(`(\w+)\?:`)

// editorSocketOptions reads the `socket` field of luasock.context_options.
func editorSocketOptions(t *testing.T, text string) []string {
	m := editorSocketField.FindStringSubmatch(text)
	if m == nil {
		return nil
	}
	var names []string
	for _, f := range editorFieldName.FindAllStringSubmatch(m[1], -1) {
		names = append(names, f[1])
	}
	return names
}

// optionsNotIn lists what is in a but not in b, sorted, without duplicates.
func optionsNotIn(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return out
}
