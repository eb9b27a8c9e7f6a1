package phplib_test

import (
	"strings"
	"testing"
	"time"

	"github.com/luasock/luasock/internal/clock"
	"github.com/luasock/luasock/internal/testprog"
	"github.com/luasock/luasock/internal/testutil"
)

// hrtimeShapes prints the shape of hrtime's result for each argument, and
// whether the two forms agree and the clock never goes back; hrtimeShapesPHP
// prints the same of PHP's.
const hrtimeShapes = `
local function kind(x)
  if type(x) == "number" and x == math.floor(x) then return "integer" end
  return type(x)
end
local function shape(v)
  if type(v) ~= "table" then return kind(v) end
  local count = 0
  for _ in pairs(v) do count = count + 1 end
  return "array " .. count .. " " .. kind(v[1]) .. " " .. kind(v[2]) ..
    ((v[2] >= 0 and v[2] < 1e9) and " nsec<1e9" or " nsec out of range")
end
print("hrtime(): " .. shape(hrtime()))
for _, arg in ipairs({false, true, 0, 1, 0.0, 2, -1}) do
  print("hrtime(" .. tostring(arg) .. "): " .. shape(hrtime(arg)))
end
local a, n, b = hrtime(), hrtime(true), hrtime()
print("agree: " .. tostring(a[1] * 1e9 + a[2] <= n and n <= b[1] * 1e9 + b[2]))
local ok, last = true, hrtime(true)
for _ = 1, 1000 do
  local t = hrtime(true)
  ok, last = ok and t >= last, t
end
print("monotonic: " .. tostring(ok))
`

const hrtimeShapesPHP = `
function shape($v) {
  if (!is_array($v)) return gettype($v);
  return "array " . count($v) . " " . gettype($v[0]) . " " . gettype($v[1]) .
    (($v[1] >= 0 && $v[1] < 1000000000) ? " nsec<1e9" : " nsec out of range");
}
echo "hrtime(): ", shape(hrtime()), "\n";
foreach ([false, true, 0, 1, 0.0, 2, -1] as $arg) {
  echo "hrtime(", var_export($arg, true), "): ", shape(hrtime($arg)), "\n";
}
$a = hrtime(); $n = hrtime(true); $b = hrtime();
echo "agree: ", var_export($a[0] * 1000000000 + $a[1] <= $n && $n <= $b[0] * 1000000000 + $b[1], true), "\n";
$ok = true; $last = hrtime(true);
for ($i = 0; $i < 1000; $i++) { $t = hrtime(true); $ok = $ok && $t >= $last; $last = $t; }
echo "monotonic: ", var_export($ok, true), "\n";
`

// hrtimeShapesWant is what both print: PHP's 0.0 prints as "0.0", Lua's as
// "0", which the comparison with PHP rewrites.
const hrtimeShapesWant = `hrtime(): array 2 integer integer nsec<1e9
hrtime(false): array 2 integer integer nsec<1e9
hrtime(true): integer
hrtime(0): array 2 integer integer nsec<1e9
hrtime(1): integer
hrtime(0): array 2 integer integer nsec<1e9
hrtime(2): integer
hrtime(-1): integer
agree: true
monotonic: true
`

// TestHrtime: {seconds, nanoseconds} without an argument or with false,
// the nanoseconds as a number with true (as_number read as PHP reads a
// bool); the forms agree, and the clock never goes back.
func TestHrtime(t *testing.T) {
	testutil.Expect(t, hrtimeShapes, hrtimeShapesWant, nil)
}

// TestHrtimeAsPHP: php's hrtime has the same shapes for the same arguments.
func TestHrtimeAsPHP(t *testing.T) {
	php := testprog.Need(t, "php", "php-cli")
	out := testprog.Output(t, php, "-r", hrtimeShapesPHP)
	out = strings.Replace(out, "hrtime(0.0)", "hrtime(0)", 1)
	if out != hrtimeShapesWant {
		t.Fatalf("php prints otherwise than luasock:\n%s", testutil.Diff(hrtimeShapesWant, out))
	}
}

// TestHrtimeBadArguments: as_number takes a boolean or a number; anything
// else raises, as microtime's as_float does.
func TestHrtimeBadArguments(t *testing.T) {
	for call, got := range map[string]string{
		`hrtime("1")`:                      "string",
		`hrtime("true")`:                   "string",
		`hrtime({})`:                       "table",
		`hrtime(print)`:                    "function",
		`require("luasock").hrtime("yes")`: "string",
	} {
		t.Run(call, func(t *testing.T) {
			src := "print(pcall(function() return " + call + " end))\n"
			testutil.Expect(t, src, "false\ttest.lua:1: bad argument #1 to 'hrtime' (boolean expected, got "+got+")\n", nil)
		})
	}
}

// TestHrtimeRunsWhenTheClockIsStopped: the tests' stopped wall clock
// (internal/clock) does not stop hrtime, which measures the real waits of
// sleep: sleep(0.002) lasts at least 2 ms on the monotonic clock.
func TestHrtimeRunsWhenTheClockIsStopped(t *testing.T) {
	defer clock.Set(time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC), nil)()
	testutil.Expect(t, `
local wall, mono, sec = microtime(true), hrtime(true), hrtime()
sleep(0.002)
local after = hrtime()
print(microtime(true) == wall, hrtime(true) - mono >= 2e6, (after[1] - sec[1]) * 1e9 + after[2] - sec[2] >= 2e6)
`, "true\ttrue\ttrue\n", nil)
}
