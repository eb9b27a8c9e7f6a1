package luabind_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/luasock/luasock/internal/testprog"
	"github.com/luasock/luasock/internal/testutil"
)

// TestErrnoNamesAsPython: the errno table has every name Python's errno
// module (the C library's names, aliases included) has, with its number.
func TestErrnoNamesAsPython(t *testing.T) {
	python := testprog.Need(t, "python3", "python3")
	out, err := exec.Command(python, "-c",
		"import errno\nfor n in sorted(x for x in dir(errno) if x.startswith('E')): print(n, getattr(errno, n))").Output()
	if err != nil {
		t.Fatal(err)
	}
	r := testutil.Run(t, `
local names = {}
for name in pairs(errno) do names[#names + 1] = name end
table.sort(names)
for _, name in ipairs(names) do print(name .. " " .. errno[name]) end
`, nil)
	have := map[string]bool{}
	for _, l := range strings.Split(r.Stdout, "\n") {
		have[l] = true
	}
	var missing []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if !have[l] {
			missing = append(missing, l)
		}
	}
	if len(missing) > 0 || r.Code != 0 {
		t.Fatalf("errno lacks (name number): %v\n%s", missing, r.Stderr)
	}
}
