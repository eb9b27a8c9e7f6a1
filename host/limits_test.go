package host_test

import (
	"strings"
	"testing"

	"github.com/luasock/luasock/internal/testutil"
)

// TestHugeNumbersSaturate: a number past what a Go duration or integer
// holds saturates or raises; it never wraps. sleep(1e10) and
// sleep(math.huge) used to return at once.
func TestHugeNumbersSaturate(t *testing.T) {
	src := `
for _, d in ipairs({1e10, math.huge, 2^63}) do
  spawn(function() sleep(d) print("woke early from " .. tostring(d)) end)
end
sleep(0.1) -- long enough for a wrapped sleep to end
print(pcall(strerror, 2^63))
print(pcall(strerror, -2^64))
print(pcall(date, "Y", 1e300))
print(date("Y", 2^40))
local a, b = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0)
print(stream_set_timeout(a, 1e300, 1e300), stream_set_timeout(a, 0/0))
fwrite(b, "x")
print(fread(a, 1))
os.exit(0)
`
	r := runBounded(t, src)
	want := "false\tbad argument #1 to 'strerror' (number has no integer representation)\n" +
		"false\tbad argument #1 to 'strerror' (number has no integer representation)\n" +
		"false\tbad argument #2 to 'date' (number has no integer representation)\n" +
		"36812\ntrue\ttrue\nx\n"
	if r.Code != 0 || r.Stdout != want || strings.Contains(r.Stdout, "woke early") {
		r.Fatalf(t, "%s", testutil.Diff(want, r.Stdout))
	}
}
