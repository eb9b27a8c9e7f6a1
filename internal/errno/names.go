package errno

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// aliases are the second names glibc gives to some numbers.
var aliases = map[string]syscall.Errno{
	"EWOULDBLOCK": unix.EAGAIN,
	"ENOTSUP":     unix.EOPNOTSUPP,
	"EOPNOTSUPP":  unix.EOPNOTSUPP,
	"EDEADLOCK":   unix.EDEADLK,
}

// Names maps every Linux errno name, glibc's aliases included, to its number.
func Names() map[string]int {
	names := map[string]int{}
	for n := 1; n < 256; n++ {
		if name := unix.ErrnoName(syscall.Errno(n)); name != "" {
			names[name] = n
		}
	}
	for name, n := range aliases {
		names[name] = int(n)
	}
	return names
}
