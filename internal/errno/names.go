package errno

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// aliases are the second names the C library gives to some numbers, as
// this system numbers them: on Linux ENOTSUP is EOPNOTSUPP, on macOS a
// number of its own (ErrnoName has it then), and only Linux has EDEADLOCK
// (edeadlock_linux.go).
var aliases = map[string]syscall.Errno{
	"EWOULDBLOCK": unix.EWOULDBLOCK,
	"ENOTSUP":     unix.ENOTSUP,
	"EOPNOTSUPP":  unix.EOPNOTSUPP,
}

// Names maps every errno name of this system, the C library's aliases
// included, to its number.
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
