//go:build luasock_plainlock

package host

import (
	"sync"
)

// fairLock, in this build, is a plain sync.Mutex, which hands itself to
// whichever goroutine gets there first. It exists only so that
// BenchmarkFairLock (bench/) can measure what lock.go's FIFO hand-off
// costs; it is never in a release build. waiting and since are kept so that
// Turn behaves as with the fair lock.
type fairLock struct {
	mu        sync.Mutex
	holdState // waiting: the goroutines blocked in Lock
}

func (l *fairLock) Lock() {
	if !l.mu.TryLock() {
		l.waiting.Add(1)
		l.mu.Lock()
		l.waiting.Add(-1)
	}
	l.since.take()
}

func (l *fairLock) Unlock() {
	l.since.release()
	l.mu.Unlock()
}

// turn is nothing here: a plain mutex has no order.
type turn struct{}

func (l *fairLock) reserve() *turn { return nil }

func (l *fairLock) lockTurn(*turn) { l.Lock() }
