package luanum

import (
	"math"
	"testing"
	"time"
)

func TestDurationSaturates(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want time.Duration
	}{
		{0, 0}, {1.5, 1500 * time.Millisecond}, {-2, -2 * time.Second},
		{1e10, math.MaxInt64}, {math.Inf(1), math.MaxInt64}, {9.3e9, math.MaxInt64},
		{-1e10, math.MinInt64}, {math.Inf(-1), math.MinInt64}, {math.NaN(), 0},
	} {
		if got := Duration(c.in); got != c.want {
			t.Errorf("Duration(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}

func TestIsInteger64(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want bool
	}{
		{0, true}, {-1, true}, {0x1p62, true}, {-0x1p63, true}, {0x1p63, false},
		{1e300, false}, {0.5, false}, {math.NaN(), false}, {math.Inf(1), false},
	} {
		if got := IsInteger64(c.in); got != c.want {
			t.Errorf("IsInteger64(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
