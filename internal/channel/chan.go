// Package channel is luasock's `channel` library: Go-style channels between
// the tasks of one Lua state, with gopher-lua's API (channel.make, ch:send,
// ch:receive, ch:close, channel.select). Unlike gopher-lua's own, a task that
// waits on a channel gives the Lua lock back (Host.Block), so the other
// tasks run, and a run that stops wakes it.
//
// Every channel operation runs on a task's goroutine with the Lua lock
// held. The lock does not guard a waiting task's side, though: a task whose
// wait ends (a timer, the run stopping) settles it without the Lua lock. So
// the channels' state and their waiters are guarded by one mutex, mu.
package channel

import (
	"slices"
	"sync"

	lua "github.com/yuin/gopher-lua"
)

// mu guards every Chan's fields and every group's.
var mu sync.Mutex

// Chan is a channel: a queue of at most capacity values, and the tasks
// waiting to send into it or receive from it.
type Chan struct {
	capacity int
	queue    []lua.LValue
	closed   bool
	recvq    []*waiter // tasks waiting for a value, oldest first
	sendq    []*waiter // tasks waiting to hand one over, oldest first
	watchers []*Watcher
}

// group is one waiting task: a receive, a send, or a select whose cases
// each put a waiter in a queue. The first case to complete fires the group;
// the others are void from then on.
type group struct {
	wake  chan struct{} // closed when fired
	fired bool
	index int        // the case that fired
	value lua.LValue // what a receive got
	ok    bool       // a value passed (false: the channel was closed)
}

func newGroup() *group { return &group{wake: make(chan struct{})} }

func (g *group) fire(index int, v lua.LValue, ok bool) {
	g.fired, g.index, g.value, g.ok = true, index, v, ok
	close(g.wake)
}

// waiter is one case of a waiting group on one channel's queue.
type waiter struct {
	g     *group
	index int
	value lua.LValue // a sender's value
}

// firstLive removes the void waiters at the head of q and returns the
// first one still waiting, or nil.
func firstLive(q *[]*waiter) *waiter {
	for len(*q) > 0 {
		w := (*q)[0]
		if !w.g.fired {
			return w
		}
		(*q)[0] = nil
		*q = (*q)[1:]
	}
	return nil
}

func pop(q *[]*waiter) {
	(*q)[0] = nil
	*q = (*q)[1:]
}

// tryRecv takes a value if one is there (ready), or tells that the channel
// is closed and drained (ready, !ok). Not ready: the caller must wait.
func (c *Chan) tryRecv() (v lua.LValue, ok, ready bool) {
	if len(c.queue) > 0 {
		v = c.queue[0]
		c.queue[0] = nil
		c.queue = c.queue[1:]
		if s := firstLive(&c.sendq); s != nil { // its value takes the freed place
			c.queue = append(c.queue, s.value)
			pop(&c.sendq)
			s.g.fire(s.index, lua.LNil, true)
		}
		c.notify()
		return v, true, true
	}
	if s := firstLive(&c.sendq); s != nil { // unbuffered: straight from the sender
		pop(&c.sendq)
		s.g.fire(s.index, lua.LNil, true)
		c.notify()
		return s.value, true, true
	}
	if c.closed {
		return lua.LNil, false, true
	}
	return nil, false, false
}

// trySend hands v over if a receiver waits or the queue has room (ready),
// or tells that the channel is closed (ready, !ok).
func (c *Chan) trySend(v lua.LValue) (ok, ready bool) {
	if c.closed {
		return false, true
	}
	if r := firstLive(&c.recvq); r != nil {
		pop(&c.recvq)
		r.g.fire(r.index, v, true)
		c.notify()
		return true, true
	}
	if len(c.queue) < c.capacity {
		c.queue = append(c.queue, v)
		c.notify()
		return true, true
	}
	return false, false
}

// close closes c: waiting receivers get nothing, waiting senders fail.
// Values already queued can still be received.
func (c *Chan) close() {
	if c.closed {
		return
	}
	c.closed = true
	for _, q := range []*[]*waiter{&c.recvq, &c.sendq} {
		for w := firstLive(q); w != nil; w = firstLive(q) {
			pop(q)
			w.g.fire(w.index, lua.LNil, false)
		}
	}
	c.notify()
}

// wait puts a waiter for a receive (send false) or a send of v in c's
// queue: a waiting receiver makes c writable, a waiting sender readable.
func (c *Chan) wait(g *group, index int, send bool, v lua.LValue) {
	w := &waiter{g: g, index: index, value: v}
	if send {
		c.sendq = append(c.sendq, w)
	} else {
		c.recvq = append(c.recvq, w)
	}
	c.notify()
}

// leave takes the waiters of a group that gave up (or fired on another
// case) out of c's queues.
func (c *Chan) leave(g *group) {
	drop := func(w *waiter) bool { return w.g == g }
	c.recvq = slices.DeleteFunc(c.recvq, drop)
	c.sendq = slices.DeleteFunc(c.sendq, drop)
}

// readable tells whether a receive would not wait.
func (c *Chan) readable() bool {
	return len(c.queue) > 0 || c.closed || firstLive(&c.sendq) != nil
}

// writable tells whether a send would not wait.
func (c *Chan) writable() bool {
	return c.closed || len(c.queue) < c.capacity || firstLive(&c.recvq) != nil
}

// Watcher is told when a channel it watches changes (stream_select waits
// on sockets and channels together with one).
type Watcher struct{ notify func() }

func (c *Chan) notify() {
	for _, w := range c.watchers {
		w.notify()
	}
}

// Watch calls notify, from the goroutine that changes one of chans, each
// time one of them may have become readable or writable, until stop is
// called. notify must not block.
func Watch(chans []*Chan, notify func()) (stop func()) {
	w := &Watcher{notify: notify}
	mu.Lock()
	for _, c := range chans {
		c.watchers = append(c.watchers, w)
	}
	mu.Unlock()
	return func() {
		mu.Lock()
		for _, c := range chans {
			c.watchers = slices.DeleteFunc(c.watchers, func(x *Watcher) bool { return x == w })
		}
		mu.Unlock()
	}
}

// Readable tells whether a receive on c would not wait: a value is there, a
// sender waits, or c is closed.
func (c *Chan) Readable() bool {
	mu.Lock()
	defer mu.Unlock()
	return c.readable()
}

// Writable tells whether a send on c would not wait: there is room, a
// receiver waits, or c is closed (the send fails at once).
func (c *Chan) Writable() bool {
	mu.Lock()
	defer mu.Unlock()
	return c.writable()
}
