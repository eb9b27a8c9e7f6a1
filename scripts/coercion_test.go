package scripts

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/testutil"
)

// annotatedParam is one parameter of an annotated function.
type annotatedParam struct{ name, typ string }

// annotatedFunc is an annotated function; method is true for a stream
// method.
type annotatedFunc struct {
	name   string
	method bool
	params []annotatedParam
}

var (
	paramLine    = regexp.MustCompile(`^---@param (\w+)\??\s+(\S+)`)
	functionLine = regexp.MustCompile(`^function (stream:)?([A-Za-z_][\w.]*)\(([^)]*)\)`)
)

// annotatedFunctions reads every function of the annotations with its
// parameters' types.
func annotatedFunctions(t *testing.T, file string) (funcs []annotatedFunc) {
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]string{}
	for _, line := range strings.Split(string(src), "\n") {
		if m := paramLine.FindStringSubmatch(line); m != nil {
			types[m[1]] = m[2]
			continue
		}
		if m := functionLine.FindStringSubmatch(line); m != nil {
			f := annotatedFunc{name: m[2], method: m[1] != ""}
			for _, p := range strings.Split(m[3], ",") {
				if p = strings.TrimSpace(p); p != "" {
					f.params = append(f.params, annotatedParam{p, types[p]})
				}
			}
			funcs = append(funcs, f)
		}
		if !strings.HasPrefix(line, "---") {
			types = map[string]string{}
		}
	}
	return funcs
}

// fixture is a Lua expression of a valid-looking value of an annotated
// type, so that the calls get as far as the number under test.
func fixture(p annotatedParam) string {
	typ := strings.TrimSuffix(p.typ, "?")
	switch {
	case strings.HasPrefix(typ, "luasock.stream"):
		return "S()"
	case strings.HasPrefix(typ, "luasock.context"):
		return "stream_context_create()"
	case strings.HasPrefix(typ, "Channel"), strings.HasPrefix(typ, "channel"):
		return "channel.make()"
	case strings.HasPrefix(typ, "string"):
		if strings.Contains(p.name, "address") || p.name == "remote" || p.name == "target" {
			return `"tcp://127.0.0.1:1"`
		}
		return `"x"`
	case strings.HasPrefix(typ, "table"):
		return "{}"
	case strings.HasPrefix(typ, "fun"):
		return "function() end"
	case strings.HasPrefix(typ, "boolean"):
		return "false"
	case strings.HasPrefix(typ, "number"), strings.HasPrefix(typ, "integer"):
		return "1"
	}
	return "nil"
}

// TestNumberArgumentsReadAsTonumber calls every annotated function of the
// socket API that takes a number with that argument as a string: "1_000"
// (which tonumber refuses) must raise `number expected, got string` at that
// argument; " 0x1 " (an integer) or " 0x1p-8 " (seconds), which tonumber
// reads, must not. One reading of numbers for every function, whoever
// wrote it.
func TestNumberArgumentsReadAsTonumber(t *testing.T) {
	var prog strings.Builder
	prog.WriteString(`
local kept = {}
function S()
  local a, b = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0)
  fwrite(b, ("line\n"):rep(50))
  stream_set_timeout(a, 0.05) -- a read that finds too little ends soon
  kept[#kept + 1] = b
  return a
end
local function case(label, f)
  local ok, err = pcall(f)
  print(label .. "\t" .. (ok and "" or tostring(err)))
end
`)
	type want struct {
		label, name string
		arg         int
	}
	var cases []want
	funcs := annotatedFunctions(t, "../editor/luasock.lua")
	for _, f := range funcs {
		for i, p := range f.params {
			typ := strings.TrimSuffix(p.typ, "?")
			if typ != "number" && typ != "integer" {
				continue // "string|number" and the like take a string too
			}
			readable := `" 0x1 "`
			if typ == "number" {
				readable = `" 0x1p-8 "`
			}
			for _, s := range []string{`"1_000"`, readable} {
				args := make([]string, len(f.params))
				for j, q := range f.params {
					args[j] = fixture(q)
				}
				args[i] = s
				call := f.name + "(" + strings.Join(args, ", ") + ")"
				if f.method {
					call = "S():" + call
				}
				label := fmt.Sprintf("%s %d %s", f.name, i+1, s)
				fmt.Fprintf(&prog, "case(%q, function() local r = %s return r end)\n", label, call)
				// a method counts its stream as argument #1 (docs/lua.md: Lua
				// 5.1 would not); a library function is named by its field
				arg, name := i+1, f.name[strings.LastIndex(f.name, ".")+1:]
				if f.method {
					arg++
				}
				cases = append(cases, want{label, name, arg})
			}
		}
	}
	if len(cases) < 60 {
		t.Fatalf("only %d number arguments found in the annotations", len(cases))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r := testutil.RunOptionsContext(ctx, host.Options{Script: "coercion.lua", Source: []byte(prog.String())}).WantStatus(t, 0)
	got := map[string]string{}
	for _, line := range strings.Split(r.Stdout, "\n") {
		if label, msg, ok := strings.Cut(line, "\t"); ok {
			got[label] = msg
		}
	}
	for _, c := range cases {
		msg, ran := got[c.label]
		switch {
		case !ran:
			t.Errorf("%s: did not run", c.label)
		case strings.HasSuffix(c.label, `"1_000"`):
			wantMsg := fmt.Sprintf("bad argument #%d to '%s' (number expected, got string)", c.arg, c.name)
			if !strings.HasSuffix(msg, wantMsg) {
				t.Errorf("%s: %q, want %q", c.label, msg, wantMsg)
			}
		case strings.Contains(msg, "number expected"):
			t.Errorf("%s: %q: a string tonumber reads is refused", c.label, msg)
		}
	}
	t.Logf("%d number arguments of %d functions", len(cases)/2, len(funcs))
}
