package main

import (
	"testing"
	"time"
)

// TestDeployFlags: --grace, --ready-file and --user, and what they refuse.
func TestDeployFlags(t *testing.T) {
	for _, c := range []struct {
		args  []string
		grace time.Duration
		ready string
		user  string
		err   string
	}{
		{args: []string{"--grace", "2.5", "s.lua"}, grace: 2500 * time.Millisecond},
		{args: []string{"--grace=1m30s", "s.lua"}, grace: 90 * time.Second},
		{args: []string{"--ready-file", "/run/x.ready", "--user", "nobody:nogroup", "s.lua"}, ready: "/run/x.ready", user: "nobody:nogroup"},
		{args: []string{"--grace", "0", "s.lua"}, err: `--grace takes a time above 0 (seconds, or 1m30s), not "0"`},
		{args: []string{"--grace", "soon", "s.lua"}, err: `--grace takes a time above 0 (seconds, or 1m30s), not "soon"`},
		{args: []string{"--grace", "-1s", "s.lua"}, err: `--grace takes a time above 0 (seconds, or 1m30s), not "-1s"`},
		{args: []string{"--grace", "NaN", "s.lua"}, err: `--grace takes a time above 0 (seconds, or 1m30s), not "NaN"`},
		{args: []string{"--grace", "1e300", "s.lua"}, err: `--grace takes a time above 0 (seconds, or 1m30s), not "1e300"`},
		{args: []string{"--ready-file="}, err: `--ready-file takes a file name`},
		{args: []string{"--user", ""}, err: `--user takes a user name (user or user:group)`},
		{args: []string{"--user"}, err: `--user needs a value`},
		{args: []string{"--grace"}, err: `--grace needs a value`},
	} {
		f := newRunFlags()
		_, err := f.parse(c.args)
		switch {
		case c.err != "" && (err == nil || err.Error() != c.err):
			t.Errorf("%q: error %v, want %q", c.args, err, c.err)
		case c.err == "" && err != nil:
			t.Errorf("%q: %v", c.args, err)
		case c.err == "" && (f.grace != c.grace || f.readyFile != c.ready || f.user != c.user):
			t.Errorf("%q: grace %v, ready %q, user %q", c.args, f.grace, f.readyFile, f.user)
		}
	}
}
