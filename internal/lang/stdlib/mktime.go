package stdlib

import (
	"math"
	"time"

	"github.com/luasock/luasock/internal/clock"
)

// cTime is C's struct tm: what os.time's table fills and localtime
// returns. year counts from 1900, mon from 0, yday from 0; isdst is -1
// when unknown.
type cTime struct {
	sec, min, hour, mday, mon, year, yday, isdst int32
}

// mktime is glibc's mktime (the one lua5.1 calls on Debian), kept to its
// algorithm because Lua 5.1's os.time is whatever it returns: a date in
// DST's gap or its repeated hour, a tm_isdst that disagrees with the zone,
// out-of-range fields. Like glibc's, it remembers the last offset it found
// and starts the next search there, which decides the repeated hour when
// isdst is not given; each Lua state has its own, as each lua5.1 process.
type mktime struct {
	offset int64 // UTC minus local time, in seconds, of the last result
}

// localtime is localtime_r in the clock's zone; false where the year
// does not fit tm_year, as glibc's EOVERFLOW.
func localtime(t int64) (cTime, bool) {
	if t < -1<<59 || t > 1<<59 {
		return cTime{}, false
	}
	lt := time.Unix(t, 0).In(clock.Zone())
	year := int64(lt.Year()) - 1900
	if year < math.MinInt32 || year > math.MaxInt32 {
		return cTime{}, false
	}
	isdst := int32(0)
	if lt.IsDST() {
		isdst = 1
	}
	return cTime{sec: int32(lt.Second()), min: int32(lt.Minute()), hour: int32(lt.Hour()), mday: int32(lt.Day()),
		mon: int32(lt.Month()) - 1, year: int32(year), yday: int32(lt.YearDay() - 1), isdst: isdst}, true
}

// rangedConvert is glibc's ranged_convert: localtime of t, or of the
// representable time nearest t between 0 and t, found by bisection.
func rangedConvert(t *int64) (cTime, bool) {
	if tm, ok := localtime(*t); ok {
		return tm, true
	}
	bad, good := *t, int64(0)
	var goodTM cTime
	found := false
	for {
		mid := bad>>1 + good>>1 + (bad|good)&1
		if mid == good || mid == bad {
			break
		}
		if tm, ok := localtime(mid); ok {
			good, goodTM, found = mid, tm, true
		} else {
			bad = mid
		}
	}
	if !found {
		return cTime{}, false
	}
	*t = good
	return goodTM, true
}

// ydhmsDiff is the seconds from (year0, yday0, hour0, min0, sec0) to
// (year1, ...), years counted from 1900, on the proleptic Gregorian calendar.
func ydhmsDiff(year1, yday1, hour1, min1, sec1, year0, yday0, hour0, min0, sec0 int64) int64 {
	b2i := func(b bool) int64 {
		if b {
			return 1
		}
		return 0
	}
	a4 := year1>>2 + 1900>>2 - b2i(year1&3 == 0)
	b4 := year0>>2 + 1900>>2 - b2i(year0&3 == 0)
	a100 := (a4+b2i(a4 < 0))/25 - b2i(a4 < 0)
	b100 := (b4+b2i(b4 < 0))/25 - b2i(b4 < 0)
	a400, b400 := a100>>2, b100>>2
	leapDays := (a4 - b4) - (a100 - b100) + (a400 - b400)
	days := 365*(year1-year0) + yday1 - yday0 + leapDays
	return 60*(60*(24*days+hour1-hour0)+min1-min0) + sec1 - sec0
}

func tmDiff(year, yday, hour, minute, sec int64, tm cTime) int64 {
	return ydhmsDiff(year, yday, hour, minute, sec, int64(tm.year), int64(tm.yday), int64(tm.hour), int64(tm.min), int64(tm.sec))
}

func isdstDiffer(a, b int32) bool { return (a == 0) != (b == 0) && a >= 0 && b >= 0 }

func leapYear(year int64) bool { // year counted from 1900
	return year&3 == 0 && (year%100 != 0 || (year/100)&3 == (-(1900/100))&3)
}

var monYday = [2][13]int64{
	{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365},
	{0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366},
}

// time is mktime(tp): the seconds since the epoch, false where glibc
// returns -1 with EOVERFLOW.
func (m *mktime) time(tp cTime) (int64, bool) {
	sec, minute, hour := int64(tp.sec), int64(tp.min), int64(tp.hour)
	isdst := tp.isdst
	remainingProbes := 6
	dst2 := false

	monRemainder := int64(tp.mon % 12)
	negative := int64(0)
	if monRemainder < 0 {
		negative = 1
	}
	year := int64(tp.year) + int64(tp.mon/12) - negative
	leap := 0
	if leapYear(year) {
		leap = 1
	}
	yday := monYday[leap][monRemainder+12*negative] - 1 + int64(tp.mday)

	secRequested := sec
	sec = max(0, min(sec, 59)) // every minute has 60 seconds while probing

	negativeOffsetGuess := -m.offset
	t0 := ydhmsDiff(year, yday, hour, minute, sec, 1970-1900, 0, 0, 0, negativeOffsetGuess)
	t, t1, t2 := t0, t0, t0
	var tm cTime
	var ok bool
	for {
		if tm, ok = rangedConvert(&t); !ok {
			return 0, false
		}
		dt := tmDiff(year, yday, hour, minute, sec, tm)
		if dt == 0 {
			break
		}
		// Oscillating between two times: the date is in DST's gap. glibc
		// takes this one unless it is the wrong side of the gap.
		wrongSide := (isdst != 0) == (tm.isdst != 0)
		if isdst < 0 {
			wrongSide = dst2 && tm.isdst == 0
		}
		if t == t1 && t != t2 && (tm.isdst < 0 || !wrongSide) {
			goto found
		}
		remainingProbes--
		if remainingProbes == 0 {
			return 0, false
		}
		t1, t2, t, dst2 = t2, t, t+dt, tm.isdst != 0
	}

	if isdstDiffer(isdst, tm.isdst) {
		// The zone says otherwise at that time: take the offset of the
		// nearest time whose isdst is the one asked for, else one hour.
		dstDifference := int64(0)
		if isdst == 0 {
			dstDifference++
		}
		if tm.isdst == 0 {
			dstDifference--
		}
		const stride, durationMax = 601200, 457243209
		for delta := int64(stride); delta < durationMax/2+stride; delta += stride {
			for direction := int64(-1); direction <= 1; direction += 2 {
				ot := t + delta*direction
				otm, ok := rangedConvert(&ot)
				if !ok {
					return 0, false
				}
				if !isdstDiffer(isdst, otm.isdst) {
					gt := ot + tmDiff(year, yday, hour, minute, sec, otm)
					if gtm, ok := localtime(gt); ok {
						t, tm = gt, gtm
						goto found
					}
				}
			}
		}
		t += 60 * 60 * dstDifference
		if tm, ok = localtime(t); !ok {
			return 0, false
		}
	}

found:
	m.offset = t - t0 - negativeOffsetGuess
	if secRequested != int64(tm.sec) {
		adjustment := int64(0)
		if sec == 0 && tm.sec == 60 {
			adjustment = 1
		}
		t += adjustment - sec + secRequested
		if _, ok := localtime(t); !ok {
			return 0, false
		}
	}
	return t, true
}
