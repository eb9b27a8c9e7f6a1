// Package clock is the wall clock scripts read: date() and microtime(),
// os.time() and os.date(). Production reads the system's clock and zone;
// luasock's own tests stop it at an instant of their choosing (Set), so
// that what a server prints at midnight, on the 1st of a month, on 29
// February or on both sides of a DST change is tested on any day. Only
// code inside this module can import it, and only tests call Set.
package clock

import (
	"sync/atomic"
	"time"
)

// stopped is the instant and zone a test set, or nil for the real clock.
type stopped struct {
	now  time.Time
	zone *time.Location
}

var current atomic.Pointer[stopped]

// Now is the current instant: the system's clock, or the one a test set.
func Now() time.Time {
	if s := current.Load(); s != nil {
		return s.now
	}
	return time.Now()
}

// Zone is the zone of local dates: time.Local (TZ, else /etc/localtime),
// or the one a test set.
func Zone() *time.Location {
	if s := current.Load(); s != nil && s.zone != nil {
		return s.zone
	}
	return time.Local
}

// Set stops the clock at now (it does not advance) and, unless zone is
// nil, moves local dates to zone, until restore is called. It is for
// tests: they run one at a time in a process, and restore before the next.
// Deadlines and timeouts keep the real clock.
func Set(now time.Time, zone *time.Location) (restore func()) {
	prev := current.Swap(&stopped{now: now.Round(0), zone: zone})
	return func() { current.Store(prev) }
}
