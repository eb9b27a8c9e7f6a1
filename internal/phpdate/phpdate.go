// Package phpdate is PHP 8.2's date() formatting: every format character,
// checked against PHP itself, and PHP's name for the local zone. It needs
// no Lua: luabind's date() formats with it.
package phpdate

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// zoneID is the name date("e") gives for the local zone.
var zoneID = sync.OnceValue(func() string {
	tz, set := os.LookupEnv("TZ")
	localtime, _ := filepath.EvalSymlinks("/etc/localtime")
	return zoneName(tz, set, localtime)
})

// zoneName names the local zone as PHP would: TZ's name, as a PHP user
// sets date.timezone to the same name (an empty TZ is UTC, as in C);
// else the system zone's, from the path /etc/localtime links to, where a
// system on UTC under any of its names is UTC, PHP's default.
func zoneName(tz string, set bool, localtime string) string {
	if set {
		if tz = strings.TrimPrefix(tz, ":"); tz == "" {
			return "UTC"
		}
		return tz
	}
	if i := strings.Index(localtime, "zoneinfo/"); i >= 0 {
		if name := localtime[i+len("zoneinfo/"):]; !utcNames[name] {
			return name
		}
	}
	return "UTC"
}

// utcNames are the tz database's links to UTC.
var utcNames = map[string]bool{
	"Etc/UTC": true, "Etc/UCT": true, "Etc/Universal": true, "Etc/Zulu": true,
	"UCT": true, "Universal": true, "Zulu": true, "UTC": true,
}

var (
	dayNames   = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	monthNames = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
)

// Format appends t formatted by PHP's date() format to buf.
func Format(buf []byte, format string, t time.Time) []byte {
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	for i := 0; i < len(format); i++ {
		c := format[i]
		switch c {
		case 'd':
			buf = pad2(buf, day)
		case 'D':
			buf = append(buf, dayNames[t.Weekday()][:3]...)
		case 'j':
			buf = strconv.AppendInt(buf, int64(day), 10)
		case 'l':
			buf = append(buf, dayNames[t.Weekday()]...)
		case 'N':
			buf = strconv.AppendInt(buf, int64((int(t.Weekday())+6)%7+1), 10)
		case 'S':
			buf = append(buf, ordinalSuffix(day)...)
		case 'w':
			buf = strconv.AppendInt(buf, int64(t.Weekday()), 10)
		case 'z':
			buf = strconv.AppendInt(buf, int64(t.YearDay()-1), 10)
		case 'W':
			_, week := t.ISOWeek()
			buf = pad2(buf, week)
		case 'F':
			buf = append(buf, monthNames[month-1]...)
		case 'm':
			buf = pad2(buf, int(month))
		case 'M':
			buf = append(buf, monthNames[month-1][:3]...)
		case 'n':
			buf = strconv.AppendInt(buf, int64(month), 10)
		case 't':
			buf = strconv.AppendInt(buf, int64(daysIn(month, year)), 10)
		case 'L':
			buf = appendBool(buf, daysIn(time.February, year) == 29)
		case 'o':
			isoYear, _ := t.ISOWeek()
			buf = strconv.AppendInt(buf, int64(isoYear), 10)
		case 'Y':
			buf = appendYear(buf, year, false)
		case 'x':
			buf = appendYear(buf, year, year >= 10000)
		case 'X':
			buf = appendYear(buf, year, true)
		case 'y':
			buf = pad2(buf, abs(year)%100)
		case 'a', 'A':
			ampm := "am"
			if hour >= 12 {
				ampm = "pm"
			}
			if c == 'A' {
				ampm = strings.ToUpper(ampm)
			}
			buf = append(buf, ampm...)
		case 'B':
			beat := ((int(t.Unix()%86400) + 3600) * 10)
			if beat < 0 {
				beat += 864000
			}
			buf = pad3(buf, (beat/864)%1000)
		case 'g':
			buf = strconv.AppendInt(buf, int64(hour12(hour)), 10)
		case 'G':
			buf = strconv.AppendInt(buf, int64(hour), 10)
		case 'h':
			buf = pad2(buf, hour12(hour))
		case 'H':
			buf = pad2(buf, hour)
		case 'i':
			buf = pad2(buf, minute)
		case 's':
			buf = pad2(buf, sec)
		case 'u':
			buf = append(buf, "000000"...)
		case 'v':
			buf = append(buf, "000"...)
		case 'e':
			if t.Location() == time.Local {
				buf = append(buf, zoneID()...)
			} else {
				buf = append(buf, t.Location().String()...)
			}
		case 'I':
			buf = appendBool(buf, t.IsDST())
		case 'O', 'P', 'p':
			name, off := t.Zone()
			if c == 'p' && (name == "UTC" || name == "Z") { // PHP: by abbreviation, not offset
				buf = append(buf, 'Z')
			} else {
				buf = appendOffset(buf, off, c != 'O')
			}
		case 'T':
			name, _ := t.Zone()
			buf = append(buf, name...)
		case 'Z':
			_, off := t.Zone()
			buf = strconv.AppendInt(buf, int64(off), 10)
		case 'c':
			buf = Format(buf, `Y-m-d\TH:i:sP`, t)
		case 'r':
			buf = Format(buf, `D, d M Y H:i:s O`, t)
		case 'U':
			buf = strconv.AppendInt(buf, t.Unix(), 10)
		case '\\':
			if i+1 < len(format) {
				i++
				buf = append(buf, format[i])
			}
		default:
			buf = append(buf, c)
		}
	}
	return buf
}

func pad2(buf []byte, n int) []byte {
	if n < 10 {
		buf = append(buf, '0')
	}
	return strconv.AppendInt(buf, int64(n), 10)
}

func pad3(buf []byte, n int) []byte {
	if n < 100 {
		buf = append(buf, '0')
	}
	return pad2(buf, n)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func appendBool(buf []byte, b bool) []byte {
	if b {
		return append(buf, '1')
	}
	return append(buf, '0')
}

// appendYear writes at least four digits, "-" before the common era and,
// when plus is set, "+" after it.
func appendYear(buf []byte, year int, plus bool) []byte {
	if year < 0 {
		buf = append(buf, '-')
	} else if plus {
		buf = append(buf, '+')
	}
	y := abs(year)
	for d := 1000; d > 1 && y < d; d /= 10 {
		buf = append(buf, '0')
	}
	return strconv.AppendInt(buf, int64(y), 10)
}

func appendOffset(buf []byte, off int, colon bool) []byte {
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	buf = pad2(append(buf, sign), off/3600)
	if colon {
		buf = append(buf, ':')
	}
	return pad2(buf, off%3600/60)
}

func hour12(h int) int {
	if h%12 == 0 {
		return 12
	}
	return h % 12
}

func ordinalSuffix(day int) string {
	switch {
	case day >= 11 && day <= 13:
		return "th"
	case day%10 == 1:
		return "st"
	case day%10 == 2:
		return "nd"
	case day%10 == 3:
		return "rd"
	}
	return "th"
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
