//go:build linux || freebsd

package luabind

import "golang.org/x/sys/unix"

// pollPeerShut is the poll(2) event of a peer that shut its side down
// while bytes it sent before are still unread. It is the system's, not a
// fast path: POLLHUP means more here (both sides down), so the portable
// build on Linux uses it too.
const pollPeerShut = unix.POLLRDHUP
