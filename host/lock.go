package host

import "sync"

// fairLock is the Lua lock. Unlike sync.Mutex it is handed to waiters in
// the order they came: a task that releases the lock in a blocking call and
// asks for it again queues behind the tasks already waiting, so a busy task
// cannot keep the others from running.
type fairLock struct {
	mu      sync.Mutex
	held    bool
	waiters []chan struct{}
}

func (l *fairLock) Lock() {
	l.mu.Lock()
	if !l.held {
		l.held = true
		l.mu.Unlock()
		return
	}
	turn := make(chan struct{})
	l.waiters = append(l.waiters, turn)
	l.mu.Unlock()
	<-turn // Unlock handed the lock over: held stays true
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
	l.mu.Unlock()
	close(next)
}
