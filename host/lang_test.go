package host_test

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/testprog"
	"github.com/luasock/luasock/internal/testutil"
)

// TestLanguageMatchesLua51 runs each script of testdata/lang with Debian's
// lua5.1 and with luasock, from that folder, and compares everything they
// print (stdout and stderr) and their exit status. assign.lua covers
// multiple assignment on every path that compiles source; pcall.lua covers
// pcall, xpcall, error levels and tracebacks; chunks.lua the chunk names
// in messages; uncaught.lua an uncaught error's report; corners.lua the
// library functions gopher-lua lacks or checks otherwise; baseargs.lua every
// base-library function with every list of up to three arguments from a
// pool of wrong, missing and extra values (21,000 calls).
func TestLanguageMatchesLua51(t *testing.T) {
	lua51 := testprog.Need(t, "lua5.1", "lua5.1")
	t.Chdir("testdata/lang")
	scripts, _ := filepath.Glob("*.lua")
	ran := 0
	for _, script := range scripts {
		if strings.HasSuffix(script, "mod.lua") {
			continue // a module the scripts require
		}
		ran++
		t.Run(script, func(t *testing.T) {
			cmd := exec.Command(lua51, script)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			want := testutil.Exited(t, err, stdout.String(), stderr.String())
			// lua5.1 names itself before an uncaught error; luasock does not.
			wantOut := want.Stdout + "\n" + strings.Replace(want.Stderr, lua51+": ", "", 1)
			// No busy limit: baseargs.lua runs Lua for seconds without a wait
			// under an emulator on a loaded machine (qemu-user in CI).
			r := testutil.RunOptions(host.Options{Script: script, BusyLimit: -1})
			gotOut := r.Stdout + "\n" + r.Stderr
			if r.Code != want.Code || gotOut != wantOut {
				t.Fatalf("exit %d, lua5.1 %d; stdout, a blank line, then stderr, against lua5.1's: %s", r.Code, want.Code, testutil.Diff(wantOut, gotOut))
			}
		})
	}
	if ran < 2 {
		t.Fatalf("only %d scripts in testdata/lang", ran)
	}
}

// TestStdinAndFiles: io reads the run's stdin; io.write and print share
// stdout in order; a file the script forgets is closed when the run ends.
func TestStdinAndFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.txt")
	fds, goroutines := baseline(t)
	src := `
local n = 0
for line in io.lines() do n = n + 1 io.write(line:upper(), " ") end
print(n)
local f = assert(io.open(arg[1], "w"))
f:write("kept open ", 1e15)
f:flush()
print(io.open(arg[1]):read("*a"))
`
	r := testutil.RunOptions(host.Options{Script: "io.lua", Source: []byte(src), Args: []string{path},
		Stdin: strings.NewReader("a\nb\nc")}).WantStatus(t, 0)
	if want := "A B C 3\nkept open 1e+15\n"; r.Stdout != want {
		r.Fatalf(t, "%s", testutil.Diff(want, r.Stdout))
	}
	checkBaseline(t, fds, goroutines)
}

// TestTasksAreNotCoroutines: a task's thread (coroutine.running() in a
// spawned task) is never resumed from another task, and a task cannot yield.
func TestTasksAreNotCoroutines(t *testing.T) {
	src := `
local th, go_on = nil, channel.make()
spawn(function() th = coroutine.running(); go_on:receive(); print("task done") end)
sleep(0)
print(coroutine.status(th), coroutine.resume(th))
print(pcall(coroutine.yield))
go_on:send(true) -- the task waits until main has looked
`
	r := runBounded(t, src)
	want := "normal\tfalse\tcannot resume normal coroutine\nfalse\tattempt to yield across metamethod/C-call boundary\ntask done\n"
	if r.Code != 0 || r.Stdout != want {
		r.Fatalf(t, "%s", testutil.Diff(want, r.Stdout))
	}
}
