//go:build !luasock_plainlock

package host

import (
	"sync"
	"sync/atomic"
	"time"
)

// fairLock is the Lua lock. Unlike sync.Mutex it is handed to waiters in
// the order they came: a task that releases the lock in a blocking call and
// asks for it again queues behind the tasks already waiting, so a busy task
// cannot keep the others from running.
type fairLock struct {
	mu      sync.Mutex
	held    bool
	waiters []chan struct{}
	waiting atomic.Int32 // len(waiters), read without mu
	since   time.Time    // when the holder took the lock; only the holder touches it
}

func (l *fairLock) Lock() {
	l.mu.Lock()
	if !l.held {
		l.held = true
		l.mu.Unlock()
		l.since = time.Now()
		return
	}
	turn := make(chan struct{})
	l.waiters = append(l.waiters, turn)
	l.waiting.Add(1)
	l.mu.Unlock()
	<-turn // Unlock handed the lock over: held stays true
	l.since = time.Now()
}

// reserve queues a turn, for the holder, on behalf of a task that does not
// run yet (spawn's): the task takes the lock with lockTurn before any task
// that asks for it later, so the spawner's next wait lets it run. The turn
// must be taken: the lock is handed to it.
func (l *fairLock) reserve() chan struct{} {
	turn := make(chan struct{})
	l.mu.Lock()
	l.waiters = append(l.waiters, turn)
	l.waiting.Add(1)
	l.mu.Unlock()
	return turn
}

// lockTurn is Lock on a turn from reserve; nil is Lock.
func (l *fairLock) lockTurn(turn chan struct{}) {
	if turn == nil {
		l.Lock()
		return
	}
	<-turn // Unlock handed the lock over: held stays true
	l.since = time.Now()
}

// overdue reports, to the holder, that others wait and it has held the
// lock for longer than slice.
func (l *fairLock) overdue(slice time.Duration) bool {
	return l.waiting.Load() > 0 && time.Since(l.since) > slice
}

func (l *fairLock) Unlock() {
	l.mu.Lock()
	if len(l.waiters) == 0 {
		l.held = false
		l.mu.Unlock()
		return
	}
	next := l.waiters[0]
	l.waiters[0] = nil
	l.waiters = l.waiters[1:]
	l.waiting.Add(-1)
	l.mu.Unlock()
	close(next)
}
