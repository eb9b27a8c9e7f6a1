package luanum

import (
	"math"
	"testing"
)

func TestFormatSpecials(t *testing.T) {
	negZero := math.Copysign(0, -1)
	for _, c := range []struct {
		in   float64
		want string
	}{
		{1e15, "1e+15"}, {math.Pow(2, 53), "9.007199254741e+15"}, {math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"}, {math.Copysign(math.NaN(), -1), "-nan"}, {math.NaN(), "nan"},
		{0.1, "0.1"}, {1e100, "1e+100"}, {99999999999999, "99999999999999"},
		{123456789012345678, "1.2345678901235e+17"}, {negZero, "-0"}, {-3, "-3"}, {1e-5, "1e-05"},
	} {
		if got := Format(c.in); got != c.want {
			t.Errorf("Format(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}
