package host

import (
	"sync/atomic"
	"time"
)

// lockEpoch is what heldSince counts from: monotonic, as time.Since is.
var lockEpoch = time.Now()

// heldSince is when the Lua lock's holder took it: written by the holder,
// read by anyone (a stopping run asks whether a task is still running Lua).
type heldSince struct{ at atomic.Int64 } // time.Since(lockEpoch)+1; 0: free

func (h *heldSince) take()    { h.at.Store(int64(time.Since(lockEpoch)) + 1) }
func (h *heldSince) release() { h.at.Store(0) }

func (h *heldSince) heldFor() time.Duration {
	at := h.at.Load()
	if at == 0 {
		return 0
	}
	return time.Since(lockEpoch) - time.Duration(at-1)
}

// holdState is what both builds of fairLock keep for Turn and the busy
// check: how many wait, and since when the holder holds the lock.
type holdState struct {
	waiting atomic.Int32 // goroutines that asked and wait, read without a lock
	since   heldSince
}

// overdue reports, to the holder, that others wait and it has held the
// lock for longer than slice.
func (h *holdState) overdue(slice time.Duration) bool {
	return h.waiting.Load() > 0 && h.since.heldFor() > slice
}

// heldFor is how long the holder has held the lock (0: nobody holds it);
// any goroutine may ask.
func (h *holdState) heldFor() time.Duration { return h.since.heldFor() }

// callClock tells how long ago the Lua lock's holder last called the API
// (Turn), where it would have let waiting tasks run: a task busy with
// sockets that are always ready is not one that never waits. Turn counts
// the calls and the loops' check reads the clock, both with the lock held,
// so the clock is only as exact as the checks are frequent.
type callClock struct {
	count, seen uint64
	at          time.Duration // since lockEpoch, when a check saw a new count
}

func (c *callClock) sinceLast() time.Duration {
	now := time.Since(lockEpoch)
	if c.count != c.seen {
		c.seen, c.at = c.count, now
	}
	return now - c.at
}
