package luanum

import (
	"math"
	"time"
)

// Duration converts a Lua number of seconds to a duration, saturating at
// the longest durations either way (about 292 years: "until the run
// stops"), where a plain conversion would wrap (sleep(1e10) returned at
// once). NaN is 0.
func Duration(seconds float64) time.Duration {
	ns := seconds * float64(time.Second)
	switch {
	case math.IsNaN(ns):
		return 0
	case ns >= 0x1p63:
		return math.MaxInt64
	case ns <= -0x1p63:
		return math.MinInt64
	}
	return time.Duration(ns)
}

// IsInteger64 reports whether f is a whole number that an int64 holds, so
// that int64(f) neither wraps nor truncates.
func IsInteger64(f float64) bool {
	return f == math.Trunc(f) && f >= -0x1p63 && f < 0x1p63
}
