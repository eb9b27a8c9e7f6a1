//go:build !linux && !freebsd

package luabind

import "golang.org/x/sys/unix"

// pollPeerShut is the poll(2) event of a peer that shut its side down
// while bytes it sent before are still unread: POLLHUP on macOS, whose
// poll reports a read side's end of file so (there is no POLLRDHUP).
const pollPeerShut = unix.POLLHUP
