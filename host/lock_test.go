//go:build !luasock_plainlock

package host

import (
	"runtime"
	"sync"
	"testing"
	"time"
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
		for end := time.Now().Add(time.Minute); ; runtime.Gosched() { // until goroutine i is in the queue
			l.mu.Lock()
			n := len(l.waiters)
			l.mu.Unlock()
			if n == i+1 {
				break
			}
			if time.Now().After(end) { // a bound for the failure only
				t.Fatalf("%d waiters, want %d", n, i+1)
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

// TestFairLockReservedTurn: a turn reserved for a task that has not come
// yet (spawn's) gets the lock before a Lock asked later, without counting
// as waiting until its goroutine waits; taken after it was granted, it
// does not wait.
func TestFairLockReservedTurn(t *testing.T) {
	var l fairLock
	l.Lock()
	r := l.reserve()
	if n := l.waiting.Load(); n != 0 {
		t.Fatalf("waiting %d with only a reserved turn", n)
	}
	later, finished := make(chan struct{}), make(chan struct{})
	go func() {
		l.Lock()
		close(later)
		l.Unlock()
		close(finished)
	}()
	for end := time.Now().Add(time.Minute); l.waiting.Load() != 1; runtime.Gosched() { // until the later Lock is queued
		if time.Now().After(end) { // a bound for the failure only
			t.Fatalf("waiting %d, want 1", l.waiting.Load())
		}
	}
	l.Unlock() // to the reserved turn
	l.mu.Lock()
	granted := r.granted
	l.mu.Unlock()
	select {
	case <-later:
		t.Fatal("a later Lock went before the reserved turn")
	default:
	}
	if !granted {
		t.Fatal("Unlock did not grant the reserved turn")
	}
	l.lockTurn(r) // granted already: no wait
	l.Unlock()
	<-finished
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.held || len(l.waiters) != 0 || l.waiting.Load() != 0 {
		t.Fatalf("held %v, %d waiters, waiting %d after all unlocked", l.held, len(l.waiters), l.waiting.Load())
	}
}
