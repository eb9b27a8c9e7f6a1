//go:build !luasock_plainlock

package host

import (
	"sync"
	"testing"
)

// TestFairLockOrder: waiters get the lock in the order they asked for it.
func TestFairLockOrder(t *testing.T) {
	var l fairLock
	l.Lock()
	var order []int
	var wg sync.WaitGroup
	for i := range 5 {
		queued := make(chan struct{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			close(queued)
			l.Lock()
			order = append(order, i)
			l.Unlock()
		}()
		<-queued
		for { // wait until goroutine i is in the queue
			l.mu.Lock()
			n := len(l.waiters)
			l.mu.Unlock()
			if n == i+1 {
				break
			}
		}
	}
	l.Unlock()
	wg.Wait()
	for i, v := range order {
		if v != i {
			t.Fatalf("order %v", order)
		}
	}
	if l.held {
		t.Fatal("the lock is still held")
	}
}
