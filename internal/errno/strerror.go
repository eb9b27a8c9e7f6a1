// Package errno is how a failure reaches a script as `nil, errstr, errno`:
// the system's errno names and numbers, its C library's texts, and the one
// mapping from a Go error to the pair (Of). The socket binding, the io
// library and the runtime's own failures (a script that cannot be read)
// all use it.
package errno

import (
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Strerror is the C library's text for errno n: glibc's on Linux, macOS's
// and FreeBSD's libc's there. Go's texts are those in lower case, checked
// for every Linux errno against glibc 2.36.
func Strerror(n int) string {
	if n == 0 {
		return noError
	}
	known := n > 0 && unix.ErrnoName(syscall.Errno(n)) != ""
	var s string
	if known {
		s = syscall.Errno(n).Error()
		if strings.HasPrefix(s, "errno ") || strings.HasPrefix(s, "unknown error ") { // Go's table has no text (linux/arm: "unknown error 133")
			s, known = missingTexts[n], missingTexts[n] != ""
		}
	}
	if !known {
		return unknownError + strconv.Itoa(n)
	}
	if s[0] >= 'a' && s[0] <= 'z' {
		s = string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

// What the C library says of errno 0, and before a number it does not know.
var noError, unknownError = func() (string, string) {
	switch runtime.GOOS {
	case "darwin", "ios":
		return "Undefined error: 0", "Unknown error: "
	case "freebsd":
		return "No error: 0", "Unknown error: "
	}
	return "Success", "Unknown error " // glibc
}()

// missingTexts are the texts of the numbers x/sys names and Go's own table
// has no text for.
var missingTexts = map[string]map[int]string{
	"linux":   {133: "Memory page has hardware error"}, // EHWPOISON
	"freebsd": {97: "Integrity check failed"},          // EINTEGRITY
}[runtime.GOOS]
