package testutil

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/luasock/luasock/host"
)

// failRecorder is a testing.TB whose Fatalf notes the message instead of
// ending the test.
type failRecorder struct {
	testing.TB
	failures []string
}

func (f *failRecorder) Helper() {}

func (f *failRecorder) Fatalf(format string, args ...any) {
	f.failures = append(f.failures, fmt.Sprintf(format, args...))
}

// TestRunOptionsWantStatus: RunOptions keeps stdout and stderr apart, hands
// them to the writers opts has too, and gives the exit status; WantStatus
// passes on that status and otherwise shows all three.
func TestRunOptionsWantStatus(t *testing.T) {
	var also bytes.Buffer
	r := RunOptions(host.Options{Script: "s.lua", Source: []byte(`print("out") io.stderr:write("err\n") os.exit(3)`), Stdout: &also})
	if r.Code != 3 || r.Stdout != "out\n" || r.Stderr != "err\n" || also.String() != "out\n" {
		t.Fatalf("%+v, opts.Stdout got %q", r, also.String())
	}
	r.WantStatus(t, 3)
	f := &failRecorder{TB: t}
	r.WantStatus(f, 0)
	if len(f.failures) != 1 || !strings.HasPrefix(f.failures[0], "want exit 0\nexit 3\nstdout:\nout\n") || !strings.HasSuffix(f.failures[0], "stderr:\nerr\n") {
		t.Fatalf("failures %q", f.failures)
	}
}

// TestExited: a process's status from what Wait returned; an error that is
// no exit status fails the test.
func TestExited(t *testing.T) {
	cmd := exec.Command("sh", "-c", "echo out; echo err >&2; exit 4")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := Exited(t, err, stdout.String(), stderr.String()).WantStatus(t, 4)
	if r.Stdout != "out\n" || r.Stderr != "err\n" {
		t.Fatalf("%+v", r)
	}
	Exited(t, nil, "", "").WantStatus(t, 0)
	f := &failRecorder{TB: t}
	Exited(f, errors.New("exec: not started"), "", "")
	if len(f.failures) != 1 || !strings.HasPrefix(f.failures[0], "exec: not started\n") {
		t.Fatalf("failures %q", f.failures)
	}
}
