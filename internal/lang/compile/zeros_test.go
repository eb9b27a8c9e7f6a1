package compile

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/luasock/luasock/internal/testprog"
)

// zeroPrograms each return which infinities their divisions by zero give
// ("+" or "-" per division): in Lua 5.1 a function's zero constants all
// have its first one's sign.
var zeroPrograms = []string{
	`local s = 5e-324 / (-2^31) return (1/0 > 0 and "+" or "-")`,
	`local z = -0 return (1/0 > 0 and "+" or "-")`,
	`local a = 1/0 local z = -0 return (a > 0 and "+" or "-") .. (1/z > 0 and "+" or "-")`,
	`return (1/-0 > 0 and "+" or "-") .. (1/0 > 0 and "+" or "-")`,
	`local t = {[-0] = 1} return (1/0 > 0 and "+" or "-")`,
	`local function f() return 1/0 end local z = -0 return (f() > 0 and "+" or "-") .. (1/0 > 0 and "+" or "-")`,
	`local n = 0 * -1 return (1/0 > 0 and "+" or "-")`,
	`local x = 0 return (1/-0 > 0 and "+" or "-") .. (1/x > 0 and "+" or "-")`,
	`local a = {0, -0} return (1/a[1] > 0 and "+" or "-") .. (1/a[2] > 0 and "+" or "-")`,
	`local s = "" for i = -0, 0 do s = s .. (1/i > 0 and "+" or "-") end return s`,
	`local n = 3 % -1 return (1/0 > 0 and "+" or "-")`,
	`local x = 2 if x == -0 then x = 1 end return (1/0 > 0 and "+" or "-")`,
	`local q = 1e16 / (-1/0) local t = {0} return (1/t[1] > 0 and "+" or "-")`,
	`local q = 2^(-1/0) * -1 local t = {0} return (1/t[1] > 0 and "+" or "-")`,
	`local q = -1 % (1/0) local t = {0} return (1/t[1] > 0 and "+" or "-")`,
	`local q = (1/(1/0)) * (-2/(1/0)) local t = {0} return (1/t[1] > 0 and "+" or "-")`,
}

// TestZeroConstantsAsLua51 runs zeroPrograms through Compile and through
// Debian's lua5.1.
func TestZeroConstantsAsLua51(t *testing.T) {
	lua51 := testprog.Need(t, "lua5.1", "lua5.1")
	for _, src := range zeroPrograms {
		out, err := exec.Command(lua51, "-e", "print((function() "+src+" end)())").Output()
		if err != nil {
			t.Fatalf("lua5.1: %v", err)
		}
		want := strings.TrimSpace(string(out))
		proto, err := Compile("=zeros", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if got := run(t, proto); got != want {
			t.Errorf("%s\n  gives %s, lua5.1 %s", src, got, want)
		}
	}
}
