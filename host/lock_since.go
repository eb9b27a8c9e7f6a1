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
