package iolib

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/luasock/luasock/internal/testprog"
)

// prelude gives snippets show(...), which prints values the same way under
// both interpreters (numbers through io.write, strings escaped, files by
// io.type), and try(f, ...), which shows f's results or its error without
// the "file:line:" prefix. Both keep their state in locals of their own.
const prelude = `
function esc(s)
  return (string.gsub(s, "[^%w%p ]", function(c) return "\\" .. string.byte(c) end))
end
function show(...)
  local n = select("#", ...)
  for i = 1, n do
    local v = select(i, ...)
    if i > 1 then io.write(" ") end
    local ty = type(v)
    if ty == "number" then io.write(v)
    elseif ty == "string" then io.write('"', esc(v), '"')
    elseif ty == "userdata" then
      local s = tostring(v)
      if string.find(s, "^file %(0x%x+%)$") then s = "file (addr)" end
      io.write(tostring(io.type(v)), "<", s, ">")
    elseif ty == "function" or ty == "table" then io.write(ty)
    else io.write(tostring(v)) end
  end
  io.write("\n")
end
function try(f, ...)
  local r = {pcall(f, ...)}
  if r[1] then
    show("ok", unpack(r, 2, table.maxn(r)))
  else
    local msg = r[2]
    if type(msg) == "string" then msg = string.gsub(msg, "^[^:\n]*:%d+: ", "") end
    show("error", msg)
  end
end
`

// outcome is what a snippet printed, with its temp folder replaced by $D.
type outcome struct{ stdout, stderr, err string }

var positionRE = regexp.MustCompile(`^[^:\n]*:\d+: `)

// runRef runs snippet under lua5.1 with D set to a fresh folder holding files.
func runRef(t *testing.T, lua51, snippet, stdin string, files map[string]string) outcome {
	t.Helper()
	dir := makeDir(t, files)
	script := filepath.Join(t.TempDir(), "snippet.lua")
	if err := os.WriteFile(script, []byte(prelude+snippet), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(lua51, "-e", "D=[["+dir+"]]", script)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	runErr := cmd.Run()
	o := outcome{stdout: out.String(), stderr: errOut.String()}
	if runErr != nil {
		first, _, _ := strings.Cut(o.stderr, "\n")
		o.err = positionRE.ReplaceAllString(strings.TrimPrefix(first, lua51+": "), "")
		o.stderr = ""
	}
	return o.replace(dir)
}

// runOurs runs snippet in gopher-lua with this package's io.
func runOurs(t *testing.T, snippet, stdin string, files map[string]string) outcome {
	t.Helper()
	dir := makeDir(t, files)
	L := lua.NewState()
	defer L.Close()
	var out, errOut bytes.Buffer
	lib := Open(L, Options{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut})
	L.SetGlobal("D", lua.LString(dir))
	o := outcome{}
	if err := L.DoString(prelude + snippet); err != nil {
		first, _, _ := strings.Cut(err.Error(), "\n")
		o.err = positionRE.ReplaceAllString(first, "")
	}
	lib.CloseAll() // as lua5.1 closes its files at exit; commands finish writing
	o.stdout, o.stderr = out.String(), errOut.String()
	return o.replace(dir)
}

func (o outcome) replace(dir string) outcome {
	return outcome{strings.ReplaceAll(o.stdout, dir, "$D"), strings.ReplaceAll(o.stderr, dir, "$D"), strings.ReplaceAll(o.err, dir, "$D")}
}

func makeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// compare runs snippet under both and reports any difference.
func compare(t *testing.T, lua51, name, snippet, stdin string, files map[string]string) bool {
	t.Helper()
	want := runRef(t, lua51, snippet, stdin, files)
	got := runOurs(t, snippet, stdin, files)
	if want == got {
		return true
	}
	t.Errorf("%s: differs from lua5.1\nsnippet:\n%s\nstdin: %q\nlua5.1 stdout:\n%s\nours stdout:\n%s\nlua5.1 stderr: %q\nours stderr: %q\nlua5.1 error: %q\nours error: %q",
		name, snippet, stdin, want.stdout, got.stdout, want.stderr, got.stderr, want.err, got.err)
	return false
}

func need(t *testing.T) string {
	return testprog.Need(t, "lua5.1", "lua5.1")
}
