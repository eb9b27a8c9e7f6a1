package luabind

import "golang.org/x/sys/unix"

// unreadRequest is the ioctl that tells how many bytes a TCP socket has
// received that no read took yet: SIOCINQ, which is FIONREAD's number
// under Linux's socket name (x/sys names no FIONREAD on Linux).
const unreadRequest = unix.SIOCINQ
