// Package errno is how a failure reaches a script as `nil, errstr, errno`:
// the Linux errno names, glibc's texts, and the one mapping from a Go error
// to the pair (Of). The socket binding, the io library and the runtime's own
// failures (a script that cannot be read) all use it.
package errno

import (
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
