package host

import "testing"

// BenchmarkFairLockUncontended also runs with -tags luasock_plainlock, for
// the plain sync.Mutex's figure.
func BenchmarkFairLockUncontended(b *testing.B) {
	var l fairLock
	n := 0
	for b.Loop() {
		l.Lock()
		n++
		l.Unlock()
	}
	if n == 0 {
		b.Fatal("no iterations")
	}
}
