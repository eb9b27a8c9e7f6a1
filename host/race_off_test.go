//go:build !race

package host_test

import "time"

// fairnessBound is the p99 round trip TestStreamingClientDoesNotStarveOthers
// allows (the target).
const fairnessBound = 50 * time.Millisecond

// raceFrames multiplies TestIdleTaskStack's bound.
const raceFrames = 1
