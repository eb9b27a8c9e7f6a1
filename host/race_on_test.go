//go:build race

package host_test

// raceFrames: the race detector's instrumented frames are larger, so
// TestIdleTaskStack's bound is doubled under it.
const raceFrames = 2
