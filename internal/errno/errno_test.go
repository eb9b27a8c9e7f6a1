package errno

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/luasock/luasock/internal/testprog"
	"golang.org/x/sys/unix"
)

// TestOf: the one mapping from Go errors to `errstr, errno`, for the
// error chains the I/O path and the runtime produce.
func TestOf(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		errstr string
		errno  int
	}{
		{"bare errno", unix.EADDRINUSE, Strerror(int(unix.EADDRINUSE)), int(unix.EADDRINUSE)},
		{"wrapped errno", &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", unix.ECONNREFUSED)}, Strerror(int(unix.ECONNREFUSED)), int(unix.ECONNREFUSED)},
		{"deadline", os.ErrDeadlineExceeded, Strerror(int(unix.ETIMEDOUT)), int(unix.ETIMEDOUT)},
		{"wrapped deadline", fmt.Errorf("read: %w", os.ErrDeadlineExceeded), Strerror(int(unix.ETIMEDOUT)), int(unix.ETIMEDOUT)},
		{"context deadline", context.DeadlineExceeded, Strerror(int(unix.ETIMEDOUT)), int(unix.ETIMEDOUT)},
		{"closed by another task", &os.PathError{Op: "read", Err: os.ErrClosed}, "Bad file descriptor", int(unix.EBADF)},
		{"net closed", net.ErrClosed, "Bad file descriptor", int(unix.EBADF)},
		{"failure", New("x"), "x", 0},
		{"wrapped failure", fmt.Errorf("y: %w", FromSyscall(unix.ENAMETOOLONG)), "File name too long", int(unix.ENAMETOOLONG)},
		{"file not found", &fs.PathError{Op: "open", Path: "x", Err: fs.ErrNotExist}, "No such file or directory", int(unix.ENOENT)},
		{"context", Wrap("cannot open x.lua", &os.PathError{Op: "open", Path: "x.lua", Err: unix.EACCES}), "cannot open x.lua: Permission denied", int(unix.EACCES)},
		{"context on context", Wrap("TLS handshake failed", fmt.Errorf("z: %w", Wrap("read", unix.ECONNRESET))), "TLS handshake failed: read: Connection reset by peer", int(unix.ECONNRESET)},
		{"other", errors.New("odd"), "odd", 0},
	}
	for _, tt := range tests {
		msg, code := Of(tt.err)
		if msg != tt.errstr || code != tt.errno {
			t.Errorf("%s: got %q (%d), want %q (%d)", tt.name, msg, code, tt.errstr, tt.errno)
		}
		if Text(tt.err) != msg {
			t.Errorf("%s: Text gives %q, Of %q", tt.name, Text(tt.err), msg)
		}
	}
}

func TestStrerror(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("skipped: these are glibc's numbers and texts")
	}
	// glibc 2.36's texts.
	for n, want := range map[int]string{
		0: "Success", 1: "Operation not permitted", 2: "No such file or directory", 9: "Bad file descriptor",
		13: "Permission denied", 32: "Broken pipe", 36: "File name too long", 41: "Unknown error 41",
		95: "Operation not supported", 98: "Address already in use", 104: "Connection reset by peer",
		110: "Connection timed out", 111: "Connection refused", 133: "Memory page has hardware error",
		-1: "Unknown error -1", 4000: "Unknown error 4000",
	} {
		if got := Strerror(n); got != want {
			t.Errorf("Strerror(%d) = %q, want %q", n, got, want)
		}
	}
	if syscall.Errno(98).Error() != "address already in use" {
		t.Fatal("Go's errno texts changed: Strerror's capitalisation no longer gives glibc's")
	}
}

// TestNamesAsPython: Names has every name Python's errno module (the C
// library's names, aliases included) has, with its number.
func TestNamesAsPython(t *testing.T) {
	python := testprog.Need(t, "python3", "python3")
	out, err := exec.Command(python, "-c",
		"import errno\nfor n in sorted(x for x in dir(errno) if x.startswith('E')): print(n, getattr(errno, n))").Output()
	if err != nil {
		t.Fatal(err)
	}
	names := Names()
	var missing []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		name, n, _ := strings.Cut(l, " ")
		if num, ok := names[name]; !ok || strconv.Itoa(num) != n {
			missing = append(missing, l)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("Names lacks (name number): %v", missing)
	}
}
