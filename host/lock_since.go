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
