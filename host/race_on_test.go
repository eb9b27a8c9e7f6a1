//go:build race

package host_test

import "time"

// fairnessBound is the p99 round trip TestStreamingClientDoesNotStarveOthers
// allows: the race detector slows every task several times.
const fairnessBound = 250 * time.Millisecond

// raceFrames: the race detector's instrumented frames are larger, so
// TestIdleTaskStack's bound is doubled under it.
const raceFrames = 2
