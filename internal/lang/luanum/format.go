// Package luanum converts numbers to and from text as Lua 5.1 does on Linux
// (its C library's printf "%.14g" and strtod), which gopher-lua does not:
// it prints 1e15 in full, 1/0 as +Inf and cannot read "1e2".
package luanum

import (
	"math"
	"strconv"
)

// Format is Lua 5.1's tostring of a number: "%.14g", with glibc's spelling
// of the special values ("inf", "-inf", "nan", "-nan": NaN keeps its sign).
func Format(f float64) string {
	return string(AppendFormat(nil, f))
}

// AppendFormat appends Format(f) to b.
func AppendFormat(b []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(b, "inf"...)
	case math.IsInf(f, -1):
		return append(b, "-inf"...)
	case math.IsNaN(f):
		if math.Signbit(f) {
			return append(b, "-nan"...)
		}
		return append(b, "nan"...)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e14 && (f != 0 || !math.Signbit(f)) { // the common case: an integer %.14g prints whole
		return strconv.AppendInt(b, int64(f), 10)
	}
	return strconv.AppendFloat(b, f, 'g', 14, 64)
}
