package main

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// openPTYMaster opens a new pseudo-terminal's master, granted and
// unlocked, and names its terminal as macOS's ptsname does: /dev/ttys and
// the master's minor number.
func openPTYMaster() (int, string, error) {
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, "", err
	}
	var st unix.Stat_t
	for _, req := range []uint{unix.TIOCPTYGRANT, unix.TIOCPTYUNLK} { // grantpt, unlockpt
		if err == nil {
			err = unix.IoctlSetInt(fd, req, 0)
		}
	}
	if err == nil {
		err = unix.Fstat(fd, &st)
	}
	if err != nil {
		unix.Close(fd)
		return -1, "", err
	}
	return fd, fmt.Sprintf("/dev/ttys%03d", unix.Minor(uint64(st.Rdev))), nil
}
