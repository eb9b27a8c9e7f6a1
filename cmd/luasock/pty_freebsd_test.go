package main

import (
	"strconv"

	"golang.org/x/sys/unix"
)

// openPTYMaster opens a new pseudo-terminal's master (posix_openpt: FreeBSD
// needs neither grantpt nor unlockpt) and names its terminal.
func openPTYMaster() (int, string, error) {
	r, _, errno := unix.Syscall(unix.SYS_POSIX_OPENPT, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0, 0)
	if errno != 0 {
		return -1, "", errno
	}
	fd := int(r)
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		unix.Close(fd)
		return -1, "", err
	}
	return fd, "/dev/pts/" + strconv.Itoa(n), nil
}
