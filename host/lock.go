//go:build !luasock_plainlock

package host

import (
	"sync"
)

// fairLock is the Lua lock. Unlike sync.Mutex it is handed to waiters in
// the order they came: a task that releases the lock in a blocking call and
// asks for it again queues behind the tasks already waiting, so a busy task
// cannot keep the others from running.
type fairLock struct {
	mu        sync.Mutex
	held      bool
	waiters   []*turn
	holdState // waiting: the waiters that asked (not reserved turns)
}

// turn is a place in the lock's queue. Unlock hands the lock to the first
// turn (granted); a goroutine waiting on it is woken through ch, one that
// has not come yet (a spawned task's, reserve) finds it granted.
type turn struct {
	granted bool          // under mu
	ch      chan struct{} // made by the goroutine that waits; under mu
	counted bool          // in waiting: a task that asked (not a reserved turn)
}

func (l *fairLock) Lock() {
	l.mu.Lock()
	if !l.held {
		l.held = true
		l.mu.Unlock()
		l.since.take()
		return
	}
	t := &turn{ch: make(chan struct{}), counted: true}
	l.waiters = append(l.waiters, t)
	l.waiting.Add(1)
	l.mu.Unlock()
	<-t.ch // Unlock handed the lock over: held stays true
	l.since.take()
}

// reserve queues a turn, for the holder, on behalf of a task that does not
// run yet (spawn's): the task takes the lock with lockTurn before any task
// that asks for it later, so the spawner's next wait lets it run. The turn
// must be taken: the lock is handed to it. It counts as waiting (overdue)
// only once its goroutine waits on it, as a task that asked does: a task
// that spawns many is not cut short by tasks that have not come yet.
func (l *fairLock) reserve() *turn {
	t := &turn{}
	l.mu.Lock()
	l.waiters = append(l.waiters, t)
	l.mu.Unlock()
	return t
}

// lockTurn is Lock on a turn from reserve; nil is Lock. A turn granted
// before its goroutine came costs no wait (a task spawned just before its
// spawner waited).
func (l *fairLock) lockTurn(t *turn) {
	if t == nil {
		l.Lock()
		return
	}
	l.mu.Lock()
	if !t.granted { // it waits now: from here it counts, as Lock's waiters do
		t.ch, t.counted = make(chan struct{}), true
		l.waiting.Add(1)
		l.mu.Unlock()
		<-t.ch
	} else {
		l.mu.Unlock()
	}
	l.since.take()
}

func (l *fairLock) Unlock() {
	l.since.release()
	l.mu.Lock()
	if len(l.waiters) == 0 {
		l.held = false
		l.mu.Unlock()
		return
	}
	next := l.waiters[0]
	l.waiters[0] = nil
	l.waiters = l.waiters[1:]
	if next.counted {
		l.waiting.Add(-1)
	}
	next.granted = true
	if next.ch != nil {
		close(next.ch)
	}
	l.mu.Unlock()
}
