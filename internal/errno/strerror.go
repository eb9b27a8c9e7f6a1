// Package errno has glibc's texts for errno values, shared by the socket
// binding and the parts of the runtime that read files.
package errno

import (
	"errors"
	"io/fs"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Strerror is glibc's text for errno n. Go's texts are glibc's in lower case,
// checked for every Linux errno against glibc 2.36.
func Strerror(n int) string {
	if n <= 0 || unix.ErrnoName(syscall.Errno(n)) == "" {
		if n == 0 {
			return "Success"
		}
		return "Unknown error " + strconv.Itoa(n)
	}
	s := syscall.Errno(n).Error()
	if strings.HasPrefix(s, "errno ") { // Go's table stops short of EHWPOISON
		return "Memory page has hardware error"
	}
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		s = string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

// Text is the C library's text for a Go error from a system call or a file
// operation ("No such file or directory"), or the error's own text.
func Text(err error) string {
	var en syscall.Errno
	switch {
	case errors.As(err, &en):
		return Strerror(int(en))
	case errors.Is(err, fs.ErrNotExist):
		return "No such file or directory"
	}
	return err.Error()
}
