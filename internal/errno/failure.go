package errno

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"syscall"
)

// Failure is a failure as a script sees it: `nil, Msg, Errno`. Errno is the
// failing system call's errno, or 0 when no system call was made.
type Failure struct {
	Msg   string
	Errno int
}

func (f *Failure) Error() string { return f.Msg }

// New is a failure found before any system call: errno 0.
func New(msg string) *Failure { return &Failure{Msg: msg} }

// FromSyscall is the failure of a system call that returned e.
func FromSyscall(e syscall.Errno) *Failure {
	return &Failure{Msg: Strerror(int(e)), Errno: int(e)}
}

// Wrapped is an error with what was being done when it happened: a script
// reads "Context: " and the error's own text, with the error's errno.
type Wrapped struct {
	Context string
	Err     error
}

// Wrap puts context before err's text; err keeps its errno.
func Wrap(context string, err error) *Wrapped { return &Wrapped{Context: context, Err: err} }

func (w *Wrapped) Error() string { return Text(w) }
func (w *Wrapped) Unwrap() error { return w.Err }

// Of maps any error to what a script sees: its text and errno. It is the
// one place where Go errors become `errstr, errno`: a Failure as it is, a
// system call's errno with glibc's text, a deadline as ETIMEDOUT, a handle
// closed meanwhile (by another task) as EBADF; another error keeps its text
// with errno 0.
func Of(err error) (msg string, code int) {
	var w *Wrapped
	var f *Failure
	var en syscall.Errno
	switch {
	case errors.As(err, &w):
		msg, code = Of(w.Err)
		return w.Context + ": " + msg, code
	case errors.As(err, &f):
		return f.Msg, f.Errno
	case errors.As(err, &en):
		return Strerror(int(en)), int(en)
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		return Strerror(int(syscall.ETIMEDOUT)), int(syscall.ETIMEDOUT)
	case errors.Is(err, os.ErrClosed), errors.Is(err, net.ErrClosed):
		return Strerror(int(syscall.EBADF)), int(syscall.EBADF)
	case errors.Is(err, fs.ErrNotExist):
		return Strerror(int(syscall.ENOENT)), int(syscall.ENOENT)
	}
	return err.Error(), 0
}

// Text is what a script reads of err: the C library's text for a system
// call's failure ("No such file or directory"), else the error's own.
func Text(err error) string {
	msg, _ := Of(err)
	return msg
}
