package iolib

import "testing"

type handCase struct {
	name, snippet, stdin string
	files                map[string]string
}

var sample = map[string]string{
	"a.txt":   "first line\nsecond\n\n12 3.5 -7e2 0x1F nan inf x\nlast no newline",
	"crlf":    "one\r\ntwo\r\n",
	"empty":   "",
	"nums":    "  1  2\n3\t-4.5e1 +.5 1e 1e+ 0x 0x1p4 -inf infinity nano inx 1.2.3 --5 5",
	"dirfile": "x",
}

// handCases exercise every function, its results and every bad argument.
var handCases = []handCase{
	{name: "open modes", snippet: `
for _, m in ipairs({"r", "w", "a", "r+", "w+", "a+", "rb", "wb", "ab", "r+b", "rb+", "z", "", "rw", "rx", "w+x", "wx", "r\0w", "+r", "bw"}) do
  try(function() local f, e, c = io.open(D .. "/m_" .. #m, m); if f then f:write("data") f:close() end return f ~= nil, e, c end)
end
try(function() return io.open(D .. "/a.txt", "wx") end)
try(function() return io.open(D .. "/nope") end)
try(function() return io.open(D .. "/nope/deeper", "w") end)
try(function() return io.open(D, "w") end)
try(function() return io.open("") end)
try(function() return io.open(D .. "/a.txt\0zzz"):read("*l") end)
`, files: sample},
	{name: "open bad args", snippet: `
try(function() return io.open() end)
try(function() return io.open({}) end)
try(function() return io.open(D .. "/a.txt", {}) end)
try(function() return io.open(D .. "/a.txt", false) end)
try(function() return io.open(12) end)
`, files: sample},
	{name: "read formats", snippet: `
f = io.open(D .. "/a.txt")
try(function() return f:read() end)
try(function() return f:read("*l", "*line") end)
try(function() return f:read("*l") end)
try(function() return f:read("*n", "*n", "*number", "*n") end)
try(function() return f:read("*n", "*n", "*n") end)
try(function() return f:read(0) end)
try(function() return f:read(3, 0, 2.9, -0.5) end)
try(function() return f:read("*a") end)
try(function() return f:read("*a", "*a", 0, "*l", 1) end)
try(function() return f:read(0) end)
try(function() return f:read("*l", "*a") end)
try(function() return f:read(5) end)
try(function() return f:seek("set", 3) end)
try(function() return f:read(-1) end)
try(function() return f:read(-1) end)
try(function() return f:seek("set") end)
try(function() return f:read(1e10) end)
f:close()
`, files: sample},
	{name: "read numbers", snippet: `
f = io.open(D .. "/nums")
for i = 1, 40 do try(function() return f:read("*n"), f:read(1) end) end
f:close()
`, files: sample},
	{name: "read bad args", snippet: `
f = io.open(D .. "/a.txt")
try(function() return f:read("x") end)
try(function() return f:read("*x") end)
try(function() return f:read("*") end)
try(function() return f:read("") end)
try(function() return f:read({}) end)
try(function() return f:read(nil) end)
try(function() return f:read("*l", "bad") end)
try(function() return f:read("5") end)
try(function() return f:read(true) end)
try(function() return io.read("x") end)
try(function() return io.read("*z") end)
try(function() return io.read({}) end)
try(function() return f.read() end)
try(function() return f.read("*l") end)
try(function() return f.read({}) end)
f:close()
try(function() return f:read() end)
`, files: sample},
	{name: "crlf and empty", snippet: `
for l in io.lines(D .. "/crlf") do show(l) end
for l in io.lines(D .. "/empty") do show(l) end
f = io.open(D .. "/empty")
try(function() return f:read("*l") end)
try(function() return f:read("*a") end)
try(function() return f:read(0) end)
try(function() return f:read("*n") end)
try(function() return f:read(4) end)
try(function() return f:read("*a", "*l", "*a") end)
f:close()
`, files: sample},
	{name: "lines", snippet: `
n = 0
for l in io.lines(D .. "/a.txt") do n = n + 1; show(n, l) end
try(function() return io.lines(D .. "/nope") end)
try(function() return io.lines({}) end)
try(function() return io.lines(nil) end)
try(function() return io.lines(false) end)
it = io.lines(D .. "/crlf")
try(it) try(it) try(it) try(it)
f = io.open(D .. "/crlf")
for l in f:lines() do show(l) end
try(function() return f:read("*a") end)
show(io.type(f))
it = f:lines()
f:close()
try(it)
try(function() return f:lines() end)
try(function() return f.lines() end)
try(function() return f.lines("x") end)
try(function() for l in io.lines(D) do show(l) end end)
`, files: sample},
	{name: "stdin", stdin: "alpha\nbeta 42 7\n\ngamma\r\nno newline", snippet: `
try(function() return io.read() end)
try(function() return io.read("*l", "*n", "*n") end)
try(function() return io.read("*l", "*l") end)
for l in io.lines() do show(l) end
try(function() return io.read() end)
try(function() return io.read("*a") end)
try(function() return io.read(0) end)
try(function() return io.stdin:read(1) end)
try(function() return io.stdin:seek() end)
try(function() return io.stdin:write("x") end)
try(function() return io.stdin:close() end)
try(function() return io.close(io.stdin) end)
`},
	{name: "stdin lines method", stdin: "1\n2\n3", snippet: `
for l in io.stdin:lines() do show(l) end
show(io.type(io.stdin))
`},
	{name: "write", snippet: `
try(function() return io.write("a", 1, 2.5, 1e15, 1/0, -1/0, 2^53, 1e-5, 123456789012345) end)
io.write("\n")
try(function() return io.write() end)
try(function() return io.write("x", {}, "y") end)
io.write("\n")
try(function() return io.write(nil) end)
try(function() return io.write(true) end)
try(function() return io.stdout:write("s", 2, "\n") end)
try(function() return io.stdout:write({}) end)
try(function() return io.stdout.write("x") end)
try(function() return io.stderr:write("to stderr ", 3, "\n") end)
try(function() return io.stdout:read() end)
try(function() return io.stdout:seek("set", 0) end)
try(function() return io.stdout:close() end)
try(function() return io.stderr:close() end)
try(function() return io.stdout:flush() end)
try(function() return io.flush() end)
try(function() return io.stdout:setvbuf("no") end)
`},
	{name: "write files", snippet: `
f = io.open(D .. "/w.txt", "w")
try(function() return f:write("abc", 12, "\n", 0.1) end)
try(function() return f:read() end)
try(function() return f:read(0) end)
try(function() return f:seek() end)
try(function() return f:seek("set", 1) end)
try(function() return f:write("Z") end)
try(function() return f:seek("end") end)
try(function() return f:close() end)
try(function() return f:close() end)
try(function() return f:write("x") end)
show(io.open(D .. "/w.txt"):read("*a"))
f = io.open(D .. "/w.txt", "a")
try(function() return f:write("more") end)
try(function() return f:seek("set", 0) end)
try(function() return f:write("end") end)
f:close()
show(io.open(D .. "/w.txt"):read("*a"))
f = io.open(D .. "/a.txt", "r")
try(function() return f:write("nope") end)
try(function() return f:write() end)
try(function() return f:read(5) end)
f:close()
`, files: sample},
	{name: "read write mixed", snippet: `
f = io.open(D .. "/a.txt", "r+")
try(function() return f:read("*l") end)
try(function() return f:write("XY") end)
try(function() return f:seek("cur") end)
try(function() return f:read("*l") end)
try(function() return f:seek("set") end)
try(function() return f:read("*a") end)
try(function() return f:seek("set", 2) end)
try(function() return f:write("__") end)
try(function() return f:seek("cur", -4) end)
try(function() return f:read(8) end)
f:close()
f = io.open(D .. "/new", "w+")
try(function() return f:write("hello\nworld") end)
try(function() return f:seek("set") end)
try(function() return f:read("*l", "*l", "*l") end)
f:close()
f = io.open(D .. "/crlf", "a+")
try(function() return f:read("*l") end)
try(function() return f:write("tail") end)
try(function() return f:seek("set") end)
try(function() return f:read("*a") end)
f:close()
`, files: sample},
	{name: "seek", snippet: `
f = io.open(D .. "/a.txt")
try(function() return f:seek() end)
try(function() return f:seek("end") end)
try(function() return f:seek("end", -4) end)
try(function() return f:read("*a") end)
try(function() return f:seek("set", -1) end)
try(function() return f:seek("cur", "2") end)
try(function() return f:seek("cur", " 0x10 ") end)
try(function() return f:seek("set", 2.9) end)
try(function() return f:seek("set", nil) end)
try(function() return f:seek(nil, 1) end)
try(function() return f:seek("foo") end)
try(function() return f:seek({}) end)
try(function() return f:seek(1) end)
try(function() return f:seek("set", "x") end)
try(function() return f:seek("set", {}) end)
try(function() return f.seek() end)
try(function() return f.seek(1) end)
try(function() return f:setvbuf("no") end)
try(function() return f:setvbuf("full", 100) end)
try(function() return f:setvbuf("line", "20") end)
try(function() return f:setvbuf("bad") end)
try(function() return f:setvbuf() end)
try(function() return f:setvbuf(nil) end)
try(function() return f:setvbuf("no", "x") end)
try(function() return f:setvbuf("no", {}) end)
try(function() return f.setvbuf() end)
try(function() return f:flush() end)
try(function() return f.flush() end)
f:close()
try(function() return f:seek() end)
try(function() return f:setvbuf("no") end)
try(function() return f:flush() end)
`, files: sample},
	{name: "setvbuf writes", snippet: `
f = io.open(D .. "/v", "w")
g = io.open(D .. "/v")
f:setvbuf("no")
f:write("a")
try(function() return g:read("*a") end)
f:setvbuf("line")
f:write("b")
f:write("c\nd")
try(function() return g:read("*a") end)
f:flush()
try(function() return g:read("*a") end)
f:close() g:close()
`},
	{name: "input output", stdin: "from stdin\nline2\n", snippet: `
try(function() return io.input() == io.stdin, io.output() == io.stdout end)
try(function() return io.input(D .. "/a.txt") end)
try(function() return io.read("*l") end)
for l in io.lines() do show(l) end
try(function() return io.input(io.stdin) == io.stdin end)
try(function() return io.read() end)
try(function() return io.output(D .. "/out.txt") end)
try(function() return io.write("to file ", 7, "\n") end)
try(function() return io.close() end)
try(function() return io.write("x") end)
try(function() return io.flush() end)
try(function() return io.close() end)
try(function() return io.output(io.stdout) == io.stdout end)
show(io.open(D .. "/out.txt"):read("*a"))
f = io.open(D .. "/a.txt")
io.input(f)
f:close()
try(function() return io.read() end)
try(function() return io.lines() end)
try(function() return io.input() end)
try(function() return io.input(D .. "/nope") end)
try(function() return io.output(D .. "/nope/x") end)
try(function() return io.input({}) end)
try(function() return io.input(f) end)
try(function() return io.input(false) end)
try(function() return io.output(true) end)
try(function() return io.input(nil) end)
io.input(io.stdin)
try(function() return io.read("*a") end)
`, files: sample},
	{name: "type tostring close", snippet: `
f = io.open(D .. "/a.txt")
try(function() return io.type(f), io.type(io.stdout), io.type(42), io.type(nil), io.type({}) end)
try(function() return string.find(tostring(f), "^file %(0x%x+%)$") ~= nil, string.find(tostring(io.stdin), "^file %(0x%x+%)$") ~= nil end)
try(function() return io.close(f) end)
try(function() return io.type(f), tostring(f) end)
try(function() return io.type() end)
try(function() return io.close(f) end)
try(function() return io.close({}) end)
try(function() return io.close(nil) end)
try(function() return io.close(42) end)
try(function() return f:close() end)
try(function() return f.close() end)
try(function() return f.close("x") end)
try(function() return getmetatable(io.stdout).__index == getmetatable(io.stdout) end)
try(function() return io.stdout.close == io.close end)
try(function() return getmetatable(io.stdout).__tostring(1) end)
try(function() return getmetatable(io.stdout).__tostring() end)
try(function() return io.type(io.tmpfile(1, 2)) end)
`, files: sample},
	{name: "tmpfile", snippet: `
f = io.tmpfile()
try(function() return io.type(f) end)
try(function() return f:write("tmp", 1, "\n", 2) end)
try(function() return f:seek("set") end)
try(function() return f:read("*l", "*n") end)
try(function() return f:close() end)
`},
	{name: "popen", snippet: `
f = io.popen("printf 'a\\nb\\n'")
try(function() return io.type(f) end)
try(function() return f:read("*l", "*l", "*l") end)
try(function() return f:seek() end)
try(function() return f:close() end)
try(function() return io.popen("echo x", "x") end)
try(function() return io.popen("echo x", "rw") end)
try(function() return io.popen("echo x", "rb") end)
try(function() return io.popen() end)
try(function() return io.popen({}) end)
try(function() return io.popen("exit 3"):close() end)
for l in io.popen("echo one; echo two"):lines() do show(l) end
w = io.popen("cat > " .. D .. "/piped", "w")
try(function() return w:write("through ", 1, " pipe") end)
try(function() return w:read() end)
try(function() return w:close() end)
show(io.open(D .. "/piped"):read("*a"))
c = io.popen("cat", "w")
c:write("via cat\n")
try(function() return c:close() end)
e = io.popen("echo to stderr >&2; echo out")
try(function() return e:read("*a"), e:close() end)
`},
}

func TestHandCases(t *testing.T) {
	lua51 := need(t)
	for _, c := range handCases {
		t.Run(c.name, func(t *testing.T) {
			compare(t, lua51, c.name, c.snippet, c.stdin, c.files)
		})
	}
}
