//go:build !linux || luasock_portable

package testutil

// Portable tells whether this build is the portable one (the tag
// luasock_portable, or a system other than Linux), without what only
// Linux has: abstract unix names, recvmmsg batches (luabind/sys_*.go).
const Portable = true
