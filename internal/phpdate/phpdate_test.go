package phpdate

import (
	"testing"
	"time"
	_ "time/tzdata" // the zones below on a machine without tzdata
)

// phpDateFormat uses every format character of PHP 8.2's date().
const phpDateFormat = `d D j l N S w z W F m M n t L o X x Y y a A B g G h H i s u v e I O P p T Z c r U \Y\m`

// phpDates are what PHP 8.2's date(phpDateFormat, ts) printed in each zone
// (php-cli 8.2.36 on Debian 12), across leap days, ISO week-year edges,
// DST and half-hour offsets, and years before 1970 and after 2099.
var phpDates = []struct {
	zone string
	ts   int64
	want string
}{
	{"UTC", 0, "01 Thu 1 Thursday 4 st 4 0 01 January 01 Jan 1 31 0 1970 +1970 1970 1970 70 am AM 041 12 0 12 00 00 00 000000 000 UTC 0 +0000 +00:00 Z UTC 0 1970-01-01T00:00:00+00:00 Thu, 01 Jan 1970 00:00:00 +0000 0 Ym"},
	{"UTC", 951782400, "29 Tue 29 Tuesday 2 th 2 59 09 February 02 Feb 2 29 1 2000 +2000 2000 2000 00 am AM 041 12 0 12 00 00 00 000000 000 UTC 0 +0000 +00:00 Z UTC 0 2000-02-29T00:00:00+00:00 Tue, 29 Feb 2000 00:00:00 +0000 951782400 Ym"},
	{"UTC", 1104537599, "31 Fri 31 Friday 5 st 5 365 53 December 12 Dec 12 31 1 2004 +2004 2004 2004 04 pm PM 041 11 23 11 23 59 59 000000 000 UTC 0 +0000 +00:00 Z UTC 0 2004-12-31T23:59:59+00:00 Fri, 31 Dec 2004 23:59:59 +0000 1104537599 Ym"},
	{"UTC", 1230768000, "01 Thu 1 Thursday 4 st 4 0 01 January 01 Jan 1 31 0 2009 +2009 2009 2009 09 am AM 041 12 0 12 00 00 00 000000 000 UTC 0 +0000 +00:00 Z UTC 0 2009-01-01T00:00:00+00:00 Thu, 01 Jan 2009 00:00:00 +0000 1230768000 Ym"},
	{"UTC", 1700000000, "14 Tue 14 Tuesday 2 th 2 317 46 November 11 Nov 11 30 0 2023 +2023 2023 2023 23 pm PM 967 10 22 10 22 13 20 000000 000 UTC 0 +0000 +00:00 Z UTC 0 2023-11-14T22:13:20+00:00 Tue, 14 Nov 2023 22:13:20 +0000 1700000000 Ym"},
	{"UTC", 1711846800, "31 Sun 31 Sunday 7 st 0 90 13 March 03 Mar 3 31 1 2024 +2024 2024 2024 24 am AM 083 1 1 01 01 00 00 000000 000 UTC 0 +0000 +00:00 Z UTC 0 2024-03-31T01:00:00+00:00 Sun, 31 Mar 2024 01:00:00 +0000 1711846800 Ym"},
	{"UTC", 1735689599, "31 Tue 31 Tuesday 2 st 2 365 01 December 12 Dec 12 31 1 2025 +2024 2024 2024 24 pm PM 041 11 23 11 23 59 59 000000 000 UTC 0 +0000 +00:00 Z UTC 0 2024-12-31T23:59:59+00:00 Tue, 31 Dec 2024 23:59:59 +0000 1735689599 Ym"},
	{"UTC", -946080000, "09 Tue 9 Tuesday 2 th 2 8 02 January 01 Jan 1 31 1 1940 +1940 1940 1940 40 am AM 041 12 0 12 00 00 00 000000 000 UTC 0 +0000 +00:00 Z UTC 0 1940-01-09T00:00:00+00:00 Tue, 09 Jan 1940 00:00:00 +0000 -946080000 Ym"},
	{"UTC", 4102444800, "01 Fri 1 Friday 5 st 5 0 53 January 01 Jan 1 31 0 2099 +2100 2100 2100 00 am AM 041 12 0 12 00 00 00 000000 000 UTC 0 +0000 +00:00 Z UTC 0 2100-01-01T00:00:00+00:00 Fri, 01 Jan 2100 00:00:00 +0000 4102444800 Ym"},
	{"Europe/Paris", 0, "01 Thu 1 Thursday 4 st 4 0 01 January 01 Jan 1 31 0 1970 +1970 1970 1970 70 am AM 041 1 1 01 01 00 00 000000 000 Europe/Paris 0 +0100 +01:00 +01:00 CET 3600 1970-01-01T01:00:00+01:00 Thu, 01 Jan 1970 01:00:00 +0100 0 Ym"},
	{"Europe/Paris", 951782400, "29 Tue 29 Tuesday 2 th 2 59 09 February 02 Feb 2 29 1 2000 +2000 2000 2000 00 am AM 041 1 1 01 01 00 00 000000 000 Europe/Paris 0 +0100 +01:00 +01:00 CET 3600 2000-02-29T01:00:00+01:00 Tue, 29 Feb 2000 01:00:00 +0100 951782400 Ym"},
	{"Europe/Paris", 1104537599, "01 Sat 1 Saturday 6 st 6 0 53 January 01 Jan 1 31 0 2004 +2005 2005 2005 05 am AM 041 12 0 12 00 59 59 000000 000 Europe/Paris 0 +0100 +01:00 +01:00 CET 3600 2005-01-01T00:59:59+01:00 Sat, 01 Jan 2005 00:59:59 +0100 1104537599 Ym"},
	{"Europe/Paris", 1230768000, "01 Thu 1 Thursday 4 st 4 0 01 January 01 Jan 1 31 0 2009 +2009 2009 2009 09 am AM 041 1 1 01 01 00 00 000000 000 Europe/Paris 0 +0100 +01:00 +01:00 CET 3600 2009-01-01T01:00:00+01:00 Thu, 01 Jan 2009 01:00:00 +0100 1230768000 Ym"},
	{"Europe/Paris", 1700000000, "14 Tue 14 Tuesday 2 th 2 317 46 November 11 Nov 11 30 0 2023 +2023 2023 2023 23 pm PM 967 11 23 11 23 13 20 000000 000 Europe/Paris 0 +0100 +01:00 +01:00 CET 3600 2023-11-14T23:13:20+01:00 Tue, 14 Nov 2023 23:13:20 +0100 1700000000 Ym"},
	{"Europe/Paris", 1711846800, "31 Sun 31 Sunday 7 st 0 90 13 March 03 Mar 3 31 1 2024 +2024 2024 2024 24 am AM 083 3 3 03 03 00 00 000000 000 Europe/Paris 1 +0200 +02:00 +02:00 CEST 7200 2024-03-31T03:00:00+02:00 Sun, 31 Mar 2024 03:00:00 +0200 1711846800 Ym"},
	{"Europe/Paris", 1735689599, "01 Wed 1 Wednesday 3 st 3 0 01 January 01 Jan 1 31 0 2025 +2025 2025 2025 25 am AM 041 12 0 12 00 59 59 000000 000 Europe/Paris 0 +0100 +01:00 +01:00 CET 3600 2025-01-01T00:59:59+01:00 Wed, 01 Jan 2025 00:59:59 +0100 1735689599 Ym"},
	{"Europe/Paris", -946080000, "09 Tue 9 Tuesday 2 th 2 8 02 January 01 Jan 1 31 1 1940 +1940 1940 1940 40 am AM 041 12 0 12 00 00 00 000000 000 Europe/Paris 0 +0000 +00:00 +00:00 WET 0 1940-01-09T00:00:00+00:00 Tue, 09 Jan 1940 00:00:00 +0000 -946080000 Ym"},
	{"Europe/Paris", 4102444800, "01 Fri 1 Friday 5 st 5 0 53 January 01 Jan 1 31 0 2099 +2100 2100 2100 00 am AM 041 1 1 01 01 00 00 000000 000 Europe/Paris 0 +0100 +01:00 +01:00 CET 3600 2100-01-01T01:00:00+01:00 Fri, 01 Jan 2100 01:00:00 +0100 4102444800 Ym"},
	{"America/New_York", 0, "31 Wed 31 Wednesday 3 st 3 364 01 December 12 Dec 12 31 0 1970 +1969 1969 1969 69 pm PM 041 7 19 07 19 00 00 000000 000 America/New_York 0 -0500 -05:00 -05:00 EST -18000 1969-12-31T19:00:00-05:00 Wed, 31 Dec 1969 19:00:00 -0500 0 Ym"},
	{"America/New_York", 951782400, "28 Mon 28 Monday 1 th 1 58 09 February 02 Feb 2 29 1 2000 +2000 2000 2000 00 pm PM 041 7 19 07 19 00 00 000000 000 America/New_York 0 -0500 -05:00 -05:00 EST -18000 2000-02-28T19:00:00-05:00 Mon, 28 Feb 2000 19:00:00 -0500 951782400 Ym"},
	{"America/New_York", 1104537599, "31 Fri 31 Friday 5 st 5 365 53 December 12 Dec 12 31 1 2004 +2004 2004 2004 04 pm PM 041 6 18 06 18 59 59 000000 000 America/New_York 0 -0500 -05:00 -05:00 EST -18000 2004-12-31T18:59:59-05:00 Fri, 31 Dec 2004 18:59:59 -0500 1104537599 Ym"},
	{"America/New_York", 1230768000, "31 Wed 31 Wednesday 3 st 3 365 01 December 12 Dec 12 31 1 2009 +2008 2008 2008 08 pm PM 041 7 19 07 19 00 00 000000 000 America/New_York 0 -0500 -05:00 -05:00 EST -18000 2008-12-31T19:00:00-05:00 Wed, 31 Dec 2008 19:00:00 -0500 1230768000 Ym"},
	{"America/New_York", 1700000000, "14 Tue 14 Tuesday 2 th 2 317 46 November 11 Nov 11 30 0 2023 +2023 2023 2023 23 pm PM 967 5 17 05 17 13 20 000000 000 America/New_York 0 -0500 -05:00 -05:00 EST -18000 2023-11-14T17:13:20-05:00 Tue, 14 Nov 2023 17:13:20 -0500 1700000000 Ym"},
	{"America/New_York", 1711846800, "30 Sat 30 Saturday 6 th 6 89 13 March 03 Mar 3 31 1 2024 +2024 2024 2024 24 pm PM 083 9 21 09 21 00 00 000000 000 America/New_York 1 -0400 -04:00 -04:00 EDT -14400 2024-03-30T21:00:00-04:00 Sat, 30 Mar 2024 21:00:00 -0400 1711846800 Ym"},
	{"America/New_York", 1735689599, "31 Tue 31 Tuesday 2 st 2 365 01 December 12 Dec 12 31 1 2025 +2024 2024 2024 24 pm PM 041 6 18 06 18 59 59 000000 000 America/New_York 0 -0500 -05:00 -05:00 EST -18000 2024-12-31T18:59:59-05:00 Tue, 31 Dec 2024 18:59:59 -0500 1735689599 Ym"},
	{"America/New_York", -946080000, "08 Mon 8 Monday 1 th 1 7 02 January 01 Jan 1 31 1 1940 +1940 1940 1940 40 pm PM 041 7 19 07 19 00 00 000000 000 America/New_York 0 -0500 -05:00 -05:00 EST -18000 1940-01-08T19:00:00-05:00 Mon, 08 Jan 1940 19:00:00 -0500 -946080000 Ym"},
	{"America/New_York", 4102444800, "31 Thu 31 Thursday 4 st 4 364 53 December 12 Dec 12 31 0 2099 +2099 2099 2099 99 pm PM 041 7 19 07 19 00 00 000000 000 America/New_York 0 -0500 -05:00 -05:00 EST -18000 2099-12-31T19:00:00-05:00 Thu, 31 Dec 2099 19:00:00 -0500 4102444800 Ym"},
	{"Asia/Kolkata", 0, "01 Thu 1 Thursday 4 st 4 0 01 January 01 Jan 1 31 0 1970 +1970 1970 1970 70 am AM 041 5 5 05 05 30 00 000000 000 Asia/Kolkata 0 +0530 +05:30 +05:30 IST 19800 1970-01-01T05:30:00+05:30 Thu, 01 Jan 1970 05:30:00 +0530 0 Ym"},
	{"Asia/Kolkata", 951782400, "29 Tue 29 Tuesday 2 th 2 59 09 February 02 Feb 2 29 1 2000 +2000 2000 2000 00 am AM 041 5 5 05 05 30 00 000000 000 Asia/Kolkata 0 +0530 +05:30 +05:30 IST 19800 2000-02-29T05:30:00+05:30 Tue, 29 Feb 2000 05:30:00 +0530 951782400 Ym"},
	{"Asia/Kolkata", 1104537599, "01 Sat 1 Saturday 6 st 6 0 53 January 01 Jan 1 31 0 2004 +2005 2005 2005 05 am AM 041 5 5 05 05 29 59 000000 000 Asia/Kolkata 0 +0530 +05:30 +05:30 IST 19800 2005-01-01T05:29:59+05:30 Sat, 01 Jan 2005 05:29:59 +0530 1104537599 Ym"},
	{"Asia/Kolkata", 1230768000, "01 Thu 1 Thursday 4 st 4 0 01 January 01 Jan 1 31 0 2009 +2009 2009 2009 09 am AM 041 5 5 05 05 30 00 000000 000 Asia/Kolkata 0 +0530 +05:30 +05:30 IST 19800 2009-01-01T05:30:00+05:30 Thu, 01 Jan 2009 05:30:00 +0530 1230768000 Ym"},
	{"Asia/Kolkata", 1700000000, "15 Wed 15 Wednesday 3 th 3 318 46 November 11 Nov 11 30 0 2023 +2023 2023 2023 23 am AM 967 3 3 03 03 43 20 000000 000 Asia/Kolkata 0 +0530 +05:30 +05:30 IST 19800 2023-11-15T03:43:20+05:30 Wed, 15 Nov 2023 03:43:20 +0530 1700000000 Ym"},
	{"Asia/Kolkata", 1711846800, "31 Sun 31 Sunday 7 st 0 90 13 March 03 Mar 3 31 1 2024 +2024 2024 2024 24 am AM 083 6 6 06 06 30 00 000000 000 Asia/Kolkata 0 +0530 +05:30 +05:30 IST 19800 2024-03-31T06:30:00+05:30 Sun, 31 Mar 2024 06:30:00 +0530 1711846800 Ym"},
	{"Asia/Kolkata", 1735689599, "01 Wed 1 Wednesday 3 st 3 0 01 January 01 Jan 1 31 0 2025 +2025 2025 2025 25 am AM 041 5 5 05 05 29 59 000000 000 Asia/Kolkata 0 +0530 +05:30 +05:30 IST 19800 2025-01-01T05:29:59+05:30 Wed, 01 Jan 2025 05:29:59 +0530 1735689599 Ym"},
	{"Asia/Kolkata", -946080000, "09 Tue 9 Tuesday 2 th 2 8 02 January 01 Jan 1 31 1 1940 +1940 1940 1940 40 am AM 041 5 5 05 05 30 00 000000 000 Asia/Kolkata 0 +0530 +05:30 +05:30 IST 19800 1940-01-09T05:30:00+05:30 Tue, 09 Jan 1940 05:30:00 +0530 -946080000 Ym"},
	{"Asia/Kolkata", 4102444800, "01 Fri 1 Friday 5 st 5 0 53 January 01 Jan 1 31 0 2099 +2100 2100 2100 00 am AM 041 5 5 05 05 30 00 000000 000 Asia/Kolkata 0 +0530 +05:30 +05:30 IST 19800 2100-01-01T05:30:00+05:30 Fri, 01 Jan 2100 05:30:00 +0530 4102444800 Ym"},
	{"Australia/Adelaide", 0, "01 Thu 1 Thursday 4 st 4 0 01 January 01 Jan 1 31 0 1970 +1970 1970 1970 70 am AM 041 9 9 09 09 30 00 000000 000 Australia/Adelaide 0 +0930 +09:30 +09:30 ACST 34200 1970-01-01T09:30:00+09:30 Thu, 01 Jan 1970 09:30:00 +0930 0 Ym"},
	{"Australia/Adelaide", 951782400, "29 Tue 29 Tuesday 2 th 2 59 09 February 02 Feb 2 29 1 2000 +2000 2000 2000 00 am AM 041 10 10 10 10 30 00 000000 000 Australia/Adelaide 1 +1030 +10:30 +10:30 ACDT 37800 2000-02-29T10:30:00+10:30 Tue, 29 Feb 2000 10:30:00 +1030 951782400 Ym"},
	{"Australia/Adelaide", 1104537599, "01 Sat 1 Saturday 6 st 6 0 53 January 01 Jan 1 31 0 2004 +2005 2005 2005 05 am AM 041 10 10 10 10 29 59 000000 000 Australia/Adelaide 1 +1030 +10:30 +10:30 ACDT 37800 2005-01-01T10:29:59+10:30 Sat, 01 Jan 2005 10:29:59 +1030 1104537599 Ym"},
	{"Australia/Adelaide", 1230768000, "01 Thu 1 Thursday 4 st 4 0 01 January 01 Jan 1 31 0 2009 +2009 2009 2009 09 am AM 041 10 10 10 10 30 00 000000 000 Australia/Adelaide 1 +1030 +10:30 +10:30 ACDT 37800 2009-01-01T10:30:00+10:30 Thu, 01 Jan 2009 10:30:00 +1030 1230768000 Ym"},
	{"Australia/Adelaide", 1700000000, "15 Wed 15 Wednesday 3 th 3 318 46 November 11 Nov 11 30 0 2023 +2023 2023 2023 23 am AM 967 8 8 08 08 43 20 000000 000 Australia/Adelaide 1 +1030 +10:30 +10:30 ACDT 37800 2023-11-15T08:43:20+10:30 Wed, 15 Nov 2023 08:43:20 +1030 1700000000 Ym"},
	{"Australia/Adelaide", 1711846800, "31 Sun 31 Sunday 7 st 0 90 13 March 03 Mar 3 31 1 2024 +2024 2024 2024 24 am AM 083 11 11 11 11 30 00 000000 000 Australia/Adelaide 1 +1030 +10:30 +10:30 ACDT 37800 2024-03-31T11:30:00+10:30 Sun, 31 Mar 2024 11:30:00 +1030 1711846800 Ym"},
	{"Australia/Adelaide", 1735689599, "01 Wed 1 Wednesday 3 st 3 0 01 January 01 Jan 1 31 0 2025 +2025 2025 2025 25 am AM 041 10 10 10 10 29 59 000000 000 Australia/Adelaide 1 +1030 +10:30 +10:30 ACDT 37800 2025-01-01T10:29:59+10:30 Wed, 01 Jan 2025 10:29:59 +1030 1735689599 Ym"},
	{"Australia/Adelaide", -946080000, "09 Tue 9 Tuesday 2 th 2 8 02 January 01 Jan 1 31 1 1940 +1940 1940 1940 40 am AM 041 9 9 09 09 30 00 000000 000 Australia/Adelaide 0 +0930 +09:30 +09:30 ACST 34200 1940-01-09T09:30:00+09:30 Tue, 09 Jan 1940 09:30:00 +0930 -946080000 Ym"},
	{"Australia/Adelaide", 4102444800, "01 Fri 1 Friday 5 st 5 0 53 January 01 Jan 1 31 0 2099 +2100 2100 2100 00 am AM 041 10 10 10 10 30 00 000000 000 Australia/Adelaide 1 +1030 +10:30 +10:30 ACDT 37800 2100-01-01T10:30:00+10:30 Fri, 01 Jan 2100 10:30:00 +1030 4102444800 Ym"},
}

func TestFormatDateMatchesPHP(t *testing.T) {
	for _, tt := range phpDates {
		loc, err := time.LoadLocation(tt.zone)
		if err != nil {
			t.Fatal(err)
		}
		got := string(Format(nil, phpDateFormat, time.Unix(tt.ts, 0).In(loc)))
		if got != tt.want {
			t.Errorf("%s %d:\n got %s\nwant %s", tt.zone, tt.ts, got, tt.want)
		}
	}
}

func TestFormatDateManualExamples(t *testing.T) {
	ts := time.Unix(1700000000, 0).UTC()
	for format, want := range map[string]string{
		"n/j/Y g:i a":       "11/14/2023 10:13 pm",
		"D M j H:i:s Y\r\n": "Tue Nov 14 22:13:20 2023\r\n",
		`\\`:                `\`,
		`Y\`:                "2023",
		"l \\t\\h\\e jS":    "Tuesday the 14th",
		"":                  "",
	} {
		if got := string(Format(nil, format, ts)); got != want {
			t.Errorf("%q: got %q, want %q", format, got, want)
		}
	}
}

func BenchmarkDate(b *testing.B) {
	buf := make([]byte, 0, 64)
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		buf = Format(buf[:0], "D M j H:i:s Y\r\n", now)
	}
}

func TestZoneName(t *testing.T) {
	for _, c := range []struct {
		tz        string
		set       bool
		localtime string
		want      string
	}{
		{"Europe/Berlin", true, "/usr/share/zoneinfo/Etc/UTC", "Europe/Berlin"},
		{":Asia/Tokyo", true, "", "Asia/Tokyo"},
		{"", true, "/usr/share/zoneinfo/Europe/Paris", "UTC"},
		{"", false, "/usr/share/zoneinfo/Etc/UTC", "UTC"},
		{"", false, "/usr/share/zoneinfo/Zulu", "UTC"},
		{"", false, "/usr/share/zoneinfo/Europe/Paris", "Europe/Paris"},
		{"", false, "", "UTC"},
	} {
		if got := zoneName(c.tz, c.set, c.localtime); got != c.want {
			t.Errorf("zoneName(%q, %v, %q) = %q, want %q", c.tz, c.set, c.localtime, got, c.want)
		}
	}
}
