//go:build linux && !luasock_portable

package luabind

import (
	"testing"
	"unsafe"
)

// TestMmsghdrSize: struct mmsghdr as the kernel lays it out, on 32-bit
// systems (the Raspberry Pi's arm) as on 64-bit ones: recvmmsg(2) steps
// through the array by this size.
func TestMmsghdrSize(t *testing.T) {
	want := uintptr(64)
	if unsafe.Sizeof(uintptr(0)) == 4 {
		want = 32
	}
	if got := unsafe.Sizeof(mmsghdr{}); got != want {
		t.Fatalf("mmsghdr is %d bytes, want %d", got, want)
	}
}
