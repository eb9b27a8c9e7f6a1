package host_test

import (
	"strings"
	"testing"
)

// TestMistakesAreExplained: the uncaught errors of common mistakes, through
// the whole runtime: Lua 5.1's message naming the culprit, Lua 5.1's
// traceback, then a hint. (internal/lang/diagnose has the full table, checked
// against lua5.1.)
func TestMistakesAreExplained(t *testing.T) {
	tests := []struct {
		name, src, msg, hint string
	}{
		{"typo in a function name", `stream_socket_acept(nil)`,
			"test.lua:1: attempt to call global 'stream_socket_acept' (a nil value)",
			"did you mean 'stream_socket_accept'?"},
		{"the result of a failed server", "local srv = stream_socket_server(\"tcp://127.0.0.1:99999\")\nlocal c = stream_socket_accept(srv)",
			"bad argument #1 to 'stream_socket_accept' (stream expected, got nil)",
			"'srv' is nil because stream_socket_server(...) on line 1 failed"},
		{"a method of a failed server", "local srv = stream_socket_server(\"tcp://127.0.0.1:99999\")\nsrv:accept()",
			"test.lua:2: attempt to index local 'srv' (a nil value)",
			"'srv' is nil because stream_socket_server(...) on line 1 failed"},
		{"concatenating nil", "local name\nprint(\"hello \" .. name)",
			"test.lua:2: attempt to concatenate local 'name' (a nil value)",
			"use tostring(name)"},
		{"a counter never started", "count = count + 1",
			"test.lua:1: attempt to perform arithmetic on global 'count' (a nil value)",
			"give it a starting value first"},
		{"a string from a socket used as a number", "local data = \"12\\r\\n x\"\nlocal n = data * 2",
			"test.lua:2: attempt to perform arithmetic on local 'data' (a string value)",
			"convert it with tonumber()"},
		{"dot for colon", "local a, b = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0)\na.write(\"hi\")",
			"bad argument #1 to 'write' (stream expected, got string)",
			"call it as a method, a:write(...)"},
		{"walking a table without pairs", "local t = {1, 2}\nfor k, v in t do end",
			"test.lua:2: attempt to call a table value",
			"for k, v in pairs(t) do"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runBounded(t, tt.src)
			lines := strings.Split(strings.TrimSpace(r.Stderr), "\n")
			hint := lines[len(lines)-1]
			if r.Code != 1 || !strings.Contains(lines[0], tt.msg) || len(lines) < 3 || lines[1] != "stack traceback:" ||
				!strings.HasPrefix(hint, "hint: ") || !strings.Contains(hint, tt.hint) {
				r.Fatalf(t, "want exit 1, the message %q and a hint with %q", tt.msg, tt.hint)
			}
		})
	}
}
