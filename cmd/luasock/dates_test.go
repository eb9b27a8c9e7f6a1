package main

import (
	"fmt"
	"math/rand"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/luasock/luasock/internal/testprog"
)

// The lines the examples print from the clock, each as a pattern that
// accepts every legal output and nothing else: PHP's j, n and g have one
// or two digits, d, H, i and s always two, and T is a zone's abbreviation
// (CET, ChST) or, for a zone that has none, its offset (-03, +0545). The
// .txtar files use them as $LINE_TIMESERVER, ... (TestScripts' Setup), and
// TestLinePatterns holds them to the instants below.
var (
	weekday  = `(Mon|Tue|Wed|Thu|Fri|Sat|Sun)`
	weekdayL = `(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)`
	month    = `(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)`
	monthF   = `(January|February|March|April|May|June|July|August|September|October|November|December)`
	monthN   = `([1-9]|1[0-2])`
	dayJ     = `([1-9]|[12][0-9]|3[01])`
	dayD     = `(0[1-9]|[12][0-9]|3[01])`
	hour12   = `([1-9]|1[0-2])`
	clock24  = `([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]`
	zoneAbbr = `([A-Za-z]{3,5}|[+-][0-9]{2}([0-9]{2})?)`
	// date("n/j/Y g:i a"), also $TIMESERVER_DATE in the .txtar files
	timeserverDate = monthN + `/` + dayJ + `/[0-9]{4} ` + hour12 + `:[0-5][0-9] (am|pm)`
	linePatts      = map[string]string{
		// timeserver.lua, concurrent_timeserver.lua, unix_timeserver.lua
		"LINE_TIMESERVER": `The local time is ` + timeserverDate + `\n`,
		// udp_timeserver.lua: date("D M j H:i:s Y\r\n")
		"LINE_UDP_TIMESERVER": weekday + ` ` + month + ` ` + dayJ + ` ` + clock24 + ` [0-9]{4}\r\n`,
		// daytime.lua: date("l, F j, Y H:i:s T") .. "\r\n"
		"LINE_DAYTIME": weekdayL + `, ` + monthF + ` ` + dayJ + `, [0-9]{4} ` + clock24 + ` ` + zoneAbbr + `\r\n`,
		// http_server.lua's /time: date("D, d M Y H:i:s O") .. "\n"
		"LINE_HTTP_TIME": weekday + `, ` + dayD + ` ` + month + ` [0-9]{4} ` + clock24 + ` [+-](0[0-9]|1[0-4])[0-5][0-9]\n`,
	}
)

// linePattern is the whole-output regexp of one of linePatts.
func linePattern(name string) *regexp.Regexp {
	return regexp.MustCompile(`\A` + linePatts[name] + `\z`)
}

// instant is a moment a test stops the clock at (package clock), in a
// zone, with what the examples must print then: the date-printing ones
// their line, time_rfc868.lua and sntp_server.lua the seconds since 1900
// that follow from the instant alone.
type instant struct {
	zone string
	when string // RFC 3339, with the zone's offset at that moment
	why  string
	// the lines of timeserver.lua, udp_timeserver.lua, daytime.lua and
	// http_server.lua's /time, as PHP's date() prints them
	timeserver, udp, daytime, http string
}

var instants = []instant{
	{"UTC", "2026-12-01T00:00:00Z", "the 1st, midnight",
		"The local time is 12/1/2026 12:00 am\n", "Tue Dec 1 00:00:00 2026\r\n", "Tuesday, December 1, 2026 00:00:00 UTC\r\n", "Tue, 01 Dec 2026 00:00:00 +0000\n"},
	{"UTC", "2026-12-09T12:00:00Z", "the 9th, noon",
		"The local time is 12/9/2026 12:00 pm\n", "Wed Dec 9 12:00:00 2026\r\n", "Wednesday, December 9, 2026 12:00:00 UTC\r\n", "Wed, 09 Dec 2026 12:00:00 +0000\n"},
	{"UTC", "2026-12-31T23:59:59Z", "the year's last second",
		"The local time is 12/31/2026 11:59 pm\n", "Thu Dec 31 23:59:59 2026\r\n", "Thursday, December 31, 2026 23:59:59 UTC\r\n", "Thu, 31 Dec 2026 23:59:59 +0000\n"},
	{"UTC", "2027-01-01T00:00:00Z", "the year's first second",
		"The local time is 1/1/2027 12:00 am\n", "Fri Jan 1 00:00:00 2027\r\n", "Friday, January 1, 2027 00:00:00 UTC\r\n", "Fri, 01 Jan 2027 00:00:00 +0000\n"},
	{"UTC", "2024-02-29T23:59:59Z", "29 February's last second",
		"The local time is 2/29/2024 11:59 pm\n", "Thu Feb 29 23:59:59 2024\r\n", "Thursday, February 29, 2024 23:59:59 UTC\r\n", "Thu, 29 Feb 2024 23:59:59 +0000\n"},
	{"UTC", "2026-07-04T09:05:07Z", "one digit wherever PHP allows one",
		"The local time is 7/4/2026 9:05 am\n", "Sat Jul 4 09:05:07 2026\r\n", "Saturday, July 4, 2026 09:05:07 UTC\r\n", "Sat, 04 Jul 2026 09:05:07 +0000\n"},
	{"UTC", "2026-12-07T13:00:00.25Z", "1 pm and a quarter second",
		"The local time is 12/7/2026 1:00 pm\n", "Mon Dec 7 13:00:00 2026\r\n", "Monday, December 7, 2026 13:00:00 UTC\r\n", "Mon, 07 Dec 2026 13:00:00 +0000\n"},

	{"Europe/Paris", "2026-12-01T00:00:00+01:00", "the 1st, midnight",
		"The local time is 12/1/2026 12:00 am\n", "Tue Dec 1 00:00:00 2026\r\n", "Tuesday, December 1, 2026 00:00:00 CET\r\n", "Tue, 01 Dec 2026 00:00:00 +0100\n"},
	{"Europe/Paris", "2026-12-09T12:00:00+01:00", "the 9th, noon",
		"The local time is 12/9/2026 12:00 pm\n", "Wed Dec 9 12:00:00 2026\r\n", "Wednesday, December 9, 2026 12:00:00 CET\r\n", "Wed, 09 Dec 2026 12:00:00 +0100\n"},
	{"Europe/Paris", "2026-12-31T23:59:59+01:00", "the year's last second",
		"The local time is 12/31/2026 11:59 pm\n", "Thu Dec 31 23:59:59 2026\r\n", "Thursday, December 31, 2026 23:59:59 CET\r\n", "Thu, 31 Dec 2026 23:59:59 +0100\n"},
	{"Europe/Paris", "2024-02-29T00:00:00+01:00", "29 February's first second",
		"The local time is 2/29/2024 12:00 am\n", "Thu Feb 29 00:00:00 2024\r\n", "Thursday, February 29, 2024 00:00:00 CET\r\n", "Thu, 29 Feb 2024 00:00:00 +0100\n"},
	{"Europe/Paris", "2026-03-29T01:59:59+01:00", "the last second before summer time",
		"The local time is 3/29/2026 1:59 am\n", "Sun Mar 29 01:59:59 2026\r\n", "Sunday, March 29, 2026 01:59:59 CET\r\n", "Sun, 29 Mar 2026 01:59:59 +0100\n"},
	{"Europe/Paris", "2026-03-29T03:00:00+02:00", "the next second, an hour later",
		"The local time is 3/29/2026 3:00 am\n", "Sun Mar 29 03:00:00 2026\r\n", "Sunday, March 29, 2026 03:00:00 CEST\r\n", "Sun, 29 Mar 2026 03:00:00 +0200\n"},
	{"Europe/Paris", "2026-10-25T02:59:59+02:00", "the last second of summer time",
		"The local time is 10/25/2026 2:59 am\n", "Sun Oct 25 02:59:59 2026\r\n", "Sunday, October 25, 2026 02:59:59 CEST\r\n", "Sun, 25 Oct 2026 02:59:59 +0200\n"},
	{"Europe/Paris", "2026-10-25T02:00:00+01:00", "the next second, an hour earlier",
		"The local time is 10/25/2026 2:00 am\n", "Sun Oct 25 02:00:00 2026\r\n", "Sunday, October 25, 2026 02:00:00 CET\r\n", "Sun, 25 Oct 2026 02:00:00 +0100\n"},

	{"America/New_York", "2026-12-01T00:00:00-05:00", "the 1st, midnight",
		"The local time is 12/1/2026 12:00 am\n", "Tue Dec 1 00:00:00 2026\r\n", "Tuesday, December 1, 2026 00:00:00 EST\r\n", "Tue, 01 Dec 2026 00:00:00 -0500\n"},
	{"America/New_York", "2026-12-09T12:00:00-05:00", "the 9th, noon",
		"The local time is 12/9/2026 12:00 pm\n", "Wed Dec 9 12:00:00 2026\r\n", "Wednesday, December 9, 2026 12:00:00 EST\r\n", "Wed, 09 Dec 2026 12:00:00 -0500\n"},
	{"America/New_York", "2026-12-31T23:59:59-05:00", "the year's last second",
		"The local time is 12/31/2026 11:59 pm\n", "Thu Dec 31 23:59:59 2026\r\n", "Thursday, December 31, 2026 23:59:59 EST\r\n", "Thu, 31 Dec 2026 23:59:59 -0500\n"},
	{"America/New_York", "2024-02-29T12:00:00-05:00", "29 February, noon",
		"The local time is 2/29/2024 12:00 pm\n", "Thu Feb 29 12:00:00 2024\r\n", "Thursday, February 29, 2024 12:00:00 EST\r\n", "Thu, 29 Feb 2024 12:00:00 -0500\n"},
	{"America/New_York", "2026-03-08T01:59:59-05:00", "the last second before summer time",
		"The local time is 3/8/2026 1:59 am\n", "Sun Mar 8 01:59:59 2026\r\n", "Sunday, March 8, 2026 01:59:59 EST\r\n", "Sun, 08 Mar 2026 01:59:59 -0500\n"},
	{"America/New_York", "2026-03-08T03:00:00-04:00", "the next second, an hour later",
		"The local time is 3/8/2026 3:00 am\n", "Sun Mar 8 03:00:00 2026\r\n", "Sunday, March 8, 2026 03:00:00 EDT\r\n", "Sun, 08 Mar 2026 03:00:00 -0400\n"},
	{"America/New_York", "2026-11-01T01:59:59-04:00", "the last second of summer time",
		"The local time is 11/1/2026 1:59 am\n", "Sun Nov 1 01:59:59 2026\r\n", "Sunday, November 1, 2026 01:59:59 EDT\r\n", "Sun, 01 Nov 2026 01:59:59 -0400\n"},
	{"America/New_York", "2026-11-01T01:00:00-05:00", "the next second, an hour earlier",
		"The local time is 11/1/2026 1:00 am\n", "Sun Nov 1 01:00:00 2026\r\n", "Sunday, November 1, 2026 01:00:00 EST\r\n", "Sun, 01 Nov 2026 01:00:00 -0500\n"},

	{"Asia/Kathmandu", "2026-12-09T09:09:09+05:45", "a zone named by its offset",
		"The local time is 12/9/2026 9:09 am\n", "Wed Dec 9 09:09:09 2026\r\n", "Wednesday, December 9, 2026 09:09:09 +0545\r\n", "Wed, 09 Dec 2026 09:09:09 +0545\n"},
	{"Pacific/Guam", "2026-12-09T23:59:59+10:00", "an abbreviation in mixed case",
		"The local time is 12/9/2026 11:59 pm\n", "Wed Dec 9 23:59:59 2026\r\n", "Wednesday, December 9, 2026 23:59:59 ChST\r\n", "Wed, 09 Dec 2026 23:59:59 +1000\n"},
}

// at is the instant as a time in its zone; a when whose offset is not the
// zone's at that moment is a mistake in the table.
func (in instant) at(t testing.TB) (time.Time, *time.Location) {
	t.Helper()
	zone, err := time.LoadLocation(in.zone)
	if err != nil {
		t.Fatal(err)
	}
	if zone == time.UTC {
		// TZ=UTC makes time.Local a zone named UTC; time.UTC itself is
		// gmtime's, which C's strftime names GMT.
		zone = time.FixedZone("UTC", 0)
	}
	when, err := time.Parse(time.RFC3339Nano, in.when)
	if err != nil {
		t.Fatal(err)
	}
	_, want := when.Zone()
	if _, off := when.In(zone).Zone(); off != want {
		t.Fatalf("%s in %s: the zone's offset is %d s, not %d", in.when, in.zone, off, want)
	}
	return when.In(zone), zone
}

func (in instant) String() string { return in.zone + " " + in.when + " (" + in.why + ")" }

// lines are the instant's expected lines by the name of their pattern.
func (in instant) lines() map[string]string {
	return map[string]string{
		"LINE_TIMESERVER": in.timeserver, "LINE_UDP_TIMESERVER": in.udp,
		"LINE_DAYTIME": in.daytime, "LINE_HTTP_TIME": in.http,
	}
}

// TestLinePatterns: each pattern accepts what the examples print at every
// instant, and none accepts a line a moment's mistake would print: a
// padded day or hour, hour 0 or 13 on a 12-hour clock, minute 60, a
// missing zone or \r.
func TestLinePatterns(t *testing.T) {
	for _, in := range instants {
		for name, line := range in.lines() {
			if !linePattern(name).MatchString(line) {
				t.Errorf("%s: %s rejects %q", in, name, line)
			}
		}
	}
	for name, bad := range map[string][]string{
		"LINE_TIMESERVER": {
			"The local time is 12/01/2026 12:00 am\n", "The local time is 12/1/2026 0:00 am\n",
			"The local time is 12/1/2026 13:00 pm\n", "The local time is 12/1/2026 12:60 am\n",
			"The local time is 00/1/2026 12:00 am\n", "The local time is 12/32/2026 1:00 am\n",
			"The local time is 12/1/2026 12:00 AM\n", "The local time is 12/1/2026 12:00 am",
			"The local time is 12/1/26 12:00 am\n", "The local time is 12/ 1/2026 12:00 am\n",
		},
		"LINE_UDP_TIMESERVER": {
			"Tue Dec  1 00:00:00 2026\r\n", "Tue Dec 01 00:00:00 2026\r\n", "Tue Dec 1 0:00:00 2026\r\n",
			"Tue Dec 1 24:00:00 2026\r\n", "Tue Dec 1 00:00:00 2026\n", "Tues Dec 1 00:00:00 2026\r\n",
			"Tue DEC 1 00:00:00 2026\r\n", "Tue Dec 1 00:00:60 2026\r\n",
		},
		"LINE_DAYTIME": {
			"Tuesday, December 01, 2026 00:00:00 CET\r\n", "Tuesday, December 1, 2026 00:00:00\r\n",
			"Tuesday, Dec 1, 2026 00:00:00 CET\r\n", "Tuesday, December 1, 2026 0:00:00 CET\r\n",
			"Tuesday, December 1, 2026 00:00:00 Europe/Paris\r\n", "Tuesday, December 1, 2026 00:00:00 +5\r\n",
		},
		"LINE_HTTP_TIME": {
			"Tue, 1 Dec 2026 00:00:00 +0100\n", "Tue, 01 Dec 2026 00:00:00 +01:00\n",
			"Tue, 01 Dec 2026 00:00:00 CET\n", "Tue, 01 Dec 2026 00:00:00 +0160\n",
		},
	} {
		for _, line := range bad {
			if linePattern(name).MatchString(line) {
				t.Errorf("%s accepts %q", name, line)
			}
		}
	}
}

// phpLines has php print, for each instant, date() of every format
// character and the examples' lines, one line of output per value.
func phpLines(t *testing.T, cases []instant) []string {
	php := testprog.Need(t, "php", "php-cli")
	var src strings.Builder
	src.WriteString("<?php\n")
	for _, in := range cases {
		when, _ := in.at(t)
		fmt.Fprintf(&src, "date_default_timezone_set(%q); $t = %d;\n", in.zone, when.Unix())
		fmt.Fprintf(&src, "echo date(%q, $t), \"\\n\";\n", phpEveryFormat)
		src.WriteString(`echo "The local time is " . date("n/j/Y g:i a", $t) . "\n", "|\n";` + "\n")
		src.WriteString(`echo date("D M j H:i:s Y\r\n", $t), "|\n";` + "\n")
		src.WriteString(`echo date("l, F j, Y H:i:s T", $t), "\r\n|\n";` + "\n")
		src.WriteString(`echo date("D, d M Y H:i:s O", $t), "\n|\n";` + "\n")
	}
	cmd := exec.Command(php)
	cmd.Stdin = strings.NewReader(src.String())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("php: %v\n%s", err, out)
	}
	return strings.Split(string(out), "|\n")
}

// phpEveryFormat is every format character of PHP 8.2's date() but u and
// v (PHP's date() prints zeros there; luasock too).
const phpEveryFormat = `d D j l N S w z W F m M n t L o X x Y y a A B g G h H i s e I O P p T Z c r U \Y\m`

// TestInstantsAsPHP: the table's lines are what php's date() prints at
// each instant in its zone, and so are luasock's date() of every format
// character, read from the stopped clock (TestDateAtInstants).
func TestInstantsAsPHP(t *testing.T) {
	out := phpLines(t, instants)
	if len(out) != 4*len(instants)+1 {
		t.Fatalf("php printed %d parts for %d instants:\n%s", len(out), len(instants), strings.Join(out, "|\n"))
	}
	for i, in := range instants {
		got := out[4*i : 4*i+4]
		first := strings.SplitN(got[0], "\n", 2) // every format, then the timeserver line
		for j, want := range []string{first[1], got[1], got[2], got[3]} {
			table := []string{in.timeserver, in.udp, in.daytime, in.http}[j]
			if table != want {
				t.Errorf("%s: the table says %q, php %q", in, table, want)
			}
		}
		lua := luasockDate(t, in, phpEveryFormat)
		if lua != first[0] {
			t.Errorf("%s: date(%q)\nluasock %s\nphp     %s", in, phpEveryFormat, lua, first[0])
		}
	}
}

// TestRandomInstantsAsPHP: luasock's date() with the clock stopped at
// random instants in zones with odd rules (half-hour and 45-minute
// offsets, a skipped day, DST in the southern hemisphere, offsets as
// names) prints what php's date() prints. DATE_SEED replays a run.
func TestRandomInstantsAsPHP(t *testing.T) {
	seed := testprog.EnvInt(t, "DATE_SEED", time.Now().UnixNano())
	t.Logf("seed %d (replay: DATE_SEED=%d)", seed, seed)
	r := rand.New(rand.NewSource(seed))
	zones := []string{"UTC", "Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Pacific/Chatham",
		"Asia/Kathmandu", "America/St_Johns", "America/Sao_Paulo", "Pacific/Apia", "Africa/Casablanca", "Europe/London"}
	cases := make([]instant, 40)
	for i := range cases {
		zone := zones[r.Intn(len(zones))]
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		// 1970-2037, with DST changes and month ends favoured
		sec := r.Int63n(1 << 31)
		if r.Intn(2) == 0 {
			sec = nextChange(time.Unix(sec, 0).In(loc)) + r.Int63n(5) - 2
		}
		cases[i] = instant{zone: zone, when: time.Unix(sec, 0).In(loc).Format(time.RFC3339), why: "random"}
	}
	out := phpLines(t, cases)
	for i, in := range cases {
		want := strings.SplitN(out[4*i], "\n", 2)[0]
		if got := luasockDate(t, in, phpEveryFormat); got != want {
			t.Errorf("%s: date(%q)\nluasock %s\nphp     %s", in, phpEveryFormat, got, want)
		}
	}
}

// nextChange is the first second after t where the zone's offset changes,
// or the start of t's next month when none comes within a year.
func nextChange(t time.Time) int64 {
	_, end := t.ZoneBounds()
	if !end.IsZero() && end.Sub(t) < 366*24*time.Hour {
		return end.Unix()
	}
	y, m, _ := t.Date()
	return time.Date(y, m+1, 1, 0, 0, 0, 0, t.Location()).Unix()
}
