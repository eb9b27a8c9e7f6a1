package testutil

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os/exec"
	"sync"
	"testing"

	"github.com/luasock/luasock/host"
)

// WantStatus ends the test unless the run or process exited with code,
// showing its exit status, stdout and stderr. It returns r, so that checks
// of the output can follow:
//
//	r := testutil.RunOptions(host.Options{Script: "x.lua", Source: src}).WantStatus(t, 0)
func (r Result) WantStatus(t testing.TB, code int) Result {
	t.Helper()
	if r.Code != code {
		r.Fatalf(t, "want exit %d", code)
	}
	return r
}

// RunOptions runs a script with host.Run as opts say and returns what it
// printed and its exit status. opts.Stdout and opts.Stderr, when set, get
// the output too.
func RunOptions(opts host.Options) Result {
	return RunOptionsContext(context.Background(), opts)
}

// RunOptionsContext is RunOptions with host.RunContext: the run stops when
// ctx is cancelled.
func RunOptionsContext(ctx context.Context, opts host.Options) Result {
	var stdout, stderr Buffer
	opts.Stdout = tee(&stdout, opts.Stdout)
	opts.Stderr = tee(&stderr, opts.Stderr)
	code := host.RunContext(ctx, opts)
	return Result{Stdout: stdout.String(), Stderr: stderr.String(), Code: code}
}

// Exited is the Result of a process that has ended, from what its
// (*exec.Cmd).Wait or Run returned and what it printed: a nil error is exit
// status 0, an *exec.ExitError gives the status; any other error (the
// program did not start, copying its output failed) ends the test.
func Exited(t testing.TB, err error, stdout, stderr string) Result {
	t.Helper()
	r := Result{Stdout: stdout, Stderr: stderr}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.Code = ee.ExitCode()
	case err != nil:
		r.Fatalf(t, "%v", err)
	}
	return r
}

// tee is w writing to buf too; buf alone when w is nil.
func tee(buf *Buffer, w io.Writer) io.Writer {
	if w == nil {
		return buf
	}
	return io.MultiWriter(buf, w)
}

// Buffer is output that goroutines may share: a run's workers write to it
// at once, a test reads it while a command still writes. Its zero value is
// empty and ready.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String is what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
