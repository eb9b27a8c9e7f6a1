//go:build !linux

package luabind

// unreadRequest is the ioctl that tells how many bytes a socket has
// received that no read took yet: FIONREAD, _IOR('f', 127, int) on macOS
// and the BSDs alike (x/sys names none there).
const unreadRequest = 0x4004667f
