package diagnose

import (
	"strings"
	"testing"

	"github.com/luasock/luasock/internal/testprog"
	"github.com/luasock/luasock/internal/testutil/fakehost"
	"github.com/luasock/luasock/luabind"
	lua "github.com/yuin/gopher-lua"
)

// mistake is one error students make with sockets in Lua: the snippet, the
// message luasock must give (after "mistake.lua:"), and the hint.
type mistake struct {
	name string
	code string
	// want is the message after "mistake.lua:" when lua5.1 cannot give it:
	// a snippet that needs luasock's socket API, or a message raised by a
	// gopher-lua library function (which Explain leaves as it is).
	// Empty: lua5.1 prints the expected message.
	want string
	hint string
}

var mistakes = []mistake{
	{
		name: "typo in a socket function's name",
		code: "local srv\nlocal c = stream_socket_acept(srv, 1)",
		want: "2: attempt to call global 'stream_socket_acept' (a nil value)",
		hint: "did you mean 'stream_socket_accept'?",
	},
	{
		name: "typo in a standard function's name",
		code: "prnt(\"hello\")",
		hint: "did you mean 'print'?",
	},
	{
		name: "typo in a library field",
		code: "local s = string.fromat(\"%d\", 5)",
		hint: "did you mean 'format'?",
	},
	{
		name: "typo in a string method",
		code: "local s = \"a,b\"\nlocal u = s:uper()",
		hint: "did you mean 'upper'?",
	},
	{
		name: "the result of a failed stream_socket_server passed on",
		code: "local srv = stream_socket_server(\"bogus://x\")\nlocal c = stream_socket_accept(srv)",
		want: "2: bad argument #1 to 'stream_socket_accept' (stream expected, got nil)",
		hint: "'srv' is nil because stream_socket_server(...) on line 1 failed: Unable to find the socket transport \"bogus\". A function that can fail returns nil and an error message. Check it: local srv, err = stream_socket_server(...); if not srv then print(err) end",
	},
	{
		name: "a method called on a failed stream_socket_server",
		code: "local srv = stream_socket_server(\"bogus://x\")\nlocal c = srv:accept()",
		want: "2: attempt to index local 'srv' (a nil value)",
		hint: "'srv' is nil because stream_socket_server(...) on line 1 failed: Unable to find the socket transport \"bogus\". A function that can fail returns nil and an error message. Check it: local srv, err = stream_socket_server(...); if not srv then print(err) end",
	},
	{
		name: "a method called on a failed io.open",
		code: "local f = io.open(\"/nonexistent/file\")\nlocal data = f:read(\"*a\")",
		hint: "'f' is nil because io.open(...) on line 1 failed: a function that can fail returns nil and an error message. Check it: local f, err = io.open(...); if not f then print(err) end",
	},
	{
		name: "a method called on a call that failed",
		code: "local line = io.open(\"/nonexistent/file\"):read(\"*l\")",
		hint: "its result is nil because io.open(...) failed: a function that can fail returns nil and an error message. Check it: local r, err = io.open(...); if not r then print(err) end",
	},
	{
		name: "a local used outside its block",
		code: "local function setup()\n  local port = 8080\nend\nsetup()\nprint(\"port \" .. port + 1)",
		hint: "'port' is declared 'local' on line 2, but that local is not visible here: a local is visible only from its declaration to the end of its block",
	},
	{
		name: "a counter without a starting value",
		code: "function tick()\n  count = count + 1\nend\ntick()",
		hint: "'count' has no value before this line: give it a starting value first (count = 0)",
	},
	{
		name: "a function called before its definition",
		code: "greet(\"bob\")\nfunction greet(n) print(\"hi \" .. n) end",
		hint: "'greet' gets its value on line 2, which has not run yet: define it before the code that uses it",
	},
	{
		name: ".. on nil",
		code: "local name\nprint(\"hello \" .. name)",
		hint: "local 'name' is nil here: give it a value before this line; to print a value that may be nil, use tostring(name)",
	},
	{
		name: ".. on a table",
		code: "local t = {1, 2}\nprint(\"t = \" .. t)",
		hint: "'..' joins only strings and numbers, and 't' is a table: use tostring(t)",
	},
	{
		name: "# on nil",
		code: "local lines\nprint(#lines)",
		hint: "local 'lines' is nil here: give it a value before this line",
	},
	{
		name: ". instead of : on a string",
		code: "local s = \"hello\"\nprint(s.upper())",
		want: "2: bad argument #1 to upper (string expected, got nil)",
		hint: "call it as a method, s:upper(...): with ':' the object s is passed as argument #1",
	},
	{
		name: ". instead of : on a stream",
		code: "local a, b = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP)\na.write(\"hi\")",
		want: "2: bad argument #1 to 'write' (stream expected, got string)",
		hint: "call it as a method, a:write(...): with ':' the object a is passed as argument #1",
	},
	{
		name: "typo in a stream method",
		code: "local a, b = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP)\na:wirte(\"hi\")",
		want: "2: attempt to call method 'wirte' (a nil value)",
		hint: "did you mean 'write'?",
	},
	{
		name: "typo in a local's name",
		code: "local count = 0\nprint(\"n = \" .. cuont)",
		hint: "did you mean 'count'?",
	},
	{
		name: "a table walked without pairs",
		code: "local t = {1, 2}\nfor k, v in t do print(k, v) end",
		hint: "a generic for calls what follows 'in': to walk a table write for k, v in pairs(t) do (ipairs(t) for a list)",
	},
	{
		name: "a table library function called as a method",
		code: "local list = {}\nlist:insert(\"x\")",
		hint: "a table has no methods of its own: call table.insert(list, ...)",
	},
	{
		name: "+ to join strings",
		code: "local host = \"example.com\"\nlocal url = \"http://\" + host",
		hint: "'+' adds numbers: to join strings use '..' (\"a\" .. \"b\")",
	},
	{
		name: "calling a number",
		code: "local port = 8080\nport()",
		hint: "'port' is a number, not a function: was the name given another value?",
	},
	{
		name: "indexing a number",
		code: "local n = 5\nprint(n.x)",
		hint: "'n' is a number: only tables can be indexed (and strings, for their methods: s:upper())",
	},
	{
		name: "arithmetic on a string that is not a number",
		code: "local data = \"abc\\r\\n\"\nprint(data + 1)",
		hint: "'data' is the string \"abc\\r\\n\", which is not a number: convert it with tonumber() and check the result (data read from a socket is always a string)",
	},
	{
		name: "comparing a number with a string",
		code: "local n = \"10\"\nif n > 5 then print(\"big\") end",
		hint: "Lua does not turn strings into numbers when comparing: convert the string with tonumber() first (data read from a socket is always a string)",
	},
	{
		name: "tonumber of a string that is not a number",
		code: "local n = tonumber(\"12abc\")\nprint(n + 1)",
		hint: "'n' is nil because tonumber on line 1 got a string that is not a number; check it: if not n then ... end",
	},
	{
		name: "forgetting to return",
		code: "local function parse(s)\n  local n = tonumber(s)\nend\nlocal v = parse(\"5\")\nprint(v * 2)",
		hint: "parse returns nothing, so 'v' is nil: end parse with 'return <value>'",
	},
	{
		name: "an upvalue still nil when a callback runs",
		code: "local handler\nlocal function on_data(d)\n  handler(d)\nend\non_data(\"x\")\nhandler = print",
		hint: "'handler' is a local of an enclosing function and is nil when this function runs: assign it before the function is called",
	},
	{
		name: "arguments in the wrong order (socket)",
		code: "local a, b = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP)\nfwrite(\"hello\", a)",
		want: "2: bad argument #1 to 'fwrite' (stream expected, got string)",
		hint: "argument #2 is the stream: are the arguments in the wrong order?",
	},
	{
		name: "arguments in the wrong order",
		code: "print(string.rep(3, \"ab\"))",
		want: "1: bad argument #2 to rep (number expected, got string)",
		hint: "argument #1 is the number: are the arguments in the wrong order?",
	},
	{
		name: "nil in table.concat",
		code: "local parts = {\"a\", nil, \"c\"}\nprint(table.concat(parts, \",\"))",
		want: "2: invalid value (nil) at index 2 in table for concat",
		hint: "table.concat needs a string or number at every index from 1 to #t: a nil leaves a hole (append with t[#t + 1] = v, and never store nil)",
	},
	{
		name: "a string as a for limit",
		code: "local n = \"abc\"\nfor i = 1, n do end",
		hint: "a numeric for needs numbers: convert a string with tonumber() first",
	},
}

// explainRun runs code as chunk name with Explain as the error handler, and
// returns the message and hint ("" when it ran without error).
func explainRun(t *testing.T, name, code string) (msg, hint string) {
	t.Helper()
	L := lua.NewState()
	defer L.Close()
	h := fakehost.New(t)
	defer h.Close()
	luabind.Open(L, h, luabind.Config{})
	raised, hint, err := explainChunk(L, name, code, sources(map[string]string{name: code}))
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	if raised == nil {
		return "", hint
	}
	return raised.String(), hint
}

// lua51Message runs code with lua5.1 as mistake.lua and returns its message
// after "mistake.lua:".
func lua51Message(t *testing.T, lua51, code string) string {
	t.Helper()
	out, _ := runLua51File(t, lua51, "mistake.lua", code)
	first, _, _ := strings.Cut(string(out), "\nstack traceback:")
	_, msg, ok := strings.Cut(first, "mistake.lua:")
	if !ok {
		t.Fatalf("lua5.1 gave no error for %q: %s", code, out)
	}
	return msg
}

func TestMistakes(t *testing.T) {
	lua51 := testprog.Need(t, "lua5.1", "lua5.1")
	for _, m := range mistakes {
		t.Run(m.name, func(t *testing.T) {
			want := m.want
			if want == "" {
				want = lua51Message(t, lua51, m.code)
			}
			msg, hint := explainRun(t, "mistake.lua", m.code)
			got, ok := strings.CutPrefix(msg, "mistake.lua:")
			if !ok {
				t.Fatalf("message %q lacks the chunk name", msg)
			}
			t.Logf("mistake.lua:%s\nhint: %s", got, hint)
			if got != want {
				t.Errorf("%q:\nmessage %q\n   want %q", m.code, got, want)
			}
			if hint != m.hint {
				t.Errorf("%q:\nhint %q\nwant %q", m.code, hint, m.hint)
			}
		})
	}
}
