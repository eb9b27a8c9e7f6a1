package scripts

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/testutil"
)

// listNames prints every name the runtime gives a script, one per line:
// "function NAME", "method NAME", "constant NAME VALUE", "errno NAME VALUE".
const listNames = `
if WORKER ~= 1 then return end
local m = require("luasock")
for k, v in pairs(m) do
  if type(v) == "function" then print("function " .. k)
  elseif type(v) == "number" then print("constant " .. k .. " " .. v)
  elseif k == "errno" then
    for name, n in pairs(v) do print("errno " .. name .. " " .. n) end
  else print("other " .. k .. " " .. type(v)) end
end
for _, f in ipairs({"pack", "unpack", "packsize"}) do
  if type(string[f]) == "function" then print("function string." .. f) end
end
for _, lib in ipairs({"bit32", "bit", "channel"}) do
  for k, v in pairs(_G[lib]) do
    if type(v) == "function" then print("function " .. lib .. "." .. k) end
  end
end
for k, v in pairs(require("codec")) do
  local name = (rawget(_G, k) == v and "" or "codec.") .. k
  if type(v) == "function" then print("function " .. name)
  elseif type(v) == "number" then print("constant " .. name .. " " .. v)
  else print("value " .. name) end
end
local a, b = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0)
for k in pairs(getmetatable(a).__index) do print("method " .. k) end
fclose(a) fclose(b)
for k in pairs(getmetatable(channel.make()).__index) do print("channel method " .. k) end
`

var (
	annotatedFunction = regexp.MustCompile(`(?m)^function ([A-Za-z_][\w.]*)\(`)
	annotatedMethod   = regexp.MustCompile(`(?m)^function stream:(\w+)\(`)
	annotatedChannel  = regexp.MustCompile(`(?m)^function Channel:(\w+)\(`)
	annotatedConstant = regexp.MustCompile(`(?m)^([A-Z][A-Za-z0-9_]*) = (\d+|nil)$`)
	annotatedErrno    = regexp.MustCompile(`(?m)^  (E[A-Z0-9]+) = (\d+),$`)
	annotatedValue    = regexp.MustCompile(`(?m)^([a-z][a-z0-9_]*) = nil$`)
)

// TestAnnotations checks editor/luasock.lua and editor/codec.lua (what
// require("codec") returns), the lua-language-server annotations, against
// the runtime: the same functions, methods, constants (with their values),
// other values and errno names, none missing on either side.
func TestAnnotations(t *testing.T) {
	// Two workers, so that WORKER and WORKERS exist too.
	r := testutil.RunOptions(host.Options{Script: "names.lua", Source: []byte(listNames), Workers: 2}).WantStatus(t, 0)
	runtime := strings.Split(strings.TrimSpace(r.Stdout), "\n")
	runtime = append(runtime, "constant WORKER nil", "constant WORKERS nil") // numbers only in a worker
	for i, l := range runtime {
		if f := strings.Fields(l); f[0] == "constant" && (f[1] == "WORKER" || f[1] == "WORKERS") {
			runtime[i] = "constant " + f[1] + " nil"
		}
	}

	var src []byte
	for _, file := range []string{"../editor/luasock.lua", "../editor/codec.lua"} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		src = append(src, b...)
	}
	var annotated []string
	for _, m := range annotatedFunction.FindAllStringSubmatch(string(src), -1) {
		annotated = append(annotated, "function "+m[1])
	}
	for _, m := range annotatedMethod.FindAllStringSubmatch(string(src), -1) {
		annotated = append(annotated, "method "+m[1])
	}
	for _, m := range annotatedChannel.FindAllStringSubmatch(string(src), -1) {
		annotated = append(annotated, "channel method "+m[1])
	}
	for _, m := range annotatedConstant.FindAllStringSubmatch(string(src), -1) {
		annotated = append(annotated, "constant "+m[1]+" "+m[2])
	}
	for _, m := range annotatedErrno.FindAllStringSubmatch(string(src), -1) {
		annotated = append(annotated, "errno "+m[1]+" "+m[2])
	}
	for _, m := range annotatedValue.FindAllStringSubmatch(string(src), -1) {
		annotated = append(annotated, "value "+m[1])
	}
	missing, extra := difference(runtime, annotated), difference(annotated, runtime)
	if len(missing) > 0 || len(extra) > 0 {
		t.Fatalf("not annotated: %v\nannotated but not in the runtime: %v", missing, extra)
	}
	if len(annotated) < 200 {
		t.Fatalf("only %d names compared", len(annotated))
	}
	t.Logf("%d names annotated", len(annotated))
}

// difference lists what is in a but not in b, sorted, without duplicates.
func difference(a, b []string) []string {
	in := map[string]bool{}
	for _, x := range b {
		in[x] = true
	}
	var out []string
	for _, x := range a {
		if !in[x] {
			out = append(out, x)
			in[x] = true
		}
	}
	sort.Strings(out)
	return out
}
