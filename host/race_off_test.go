//go:build !race

package host_test

// raceFrames multiplies TestIdleTaskStack's bound.
const raceFrames = 1
