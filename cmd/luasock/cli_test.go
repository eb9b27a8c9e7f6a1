package main

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/luasock/luasock/host"
)

// TestRunFlags covers each spelling of run's flags and each refused value,
// with the exact message.
func TestRunFlags(t *testing.T) {
	type parsed struct {
		workers    int
		trace      bool
		traceFile  string
		traceBytes int
		warnings   bool
		script     []string // the script's name and arguments
	}
	dflt := parsed{workers: 1, traceBytes: host.DefaultTraceBytes}
	with := func(change func(*parsed)) parsed {
		p := dflt
		p.script = []string{"s.lua"}
		change(&p)
		return p
	}
	tests := []struct {
		args []string
		want parsed
		err  string
	}{
		{[]string{"s.lua"}, with(func(p *parsed) {}), ""},
		{[]string{"s.lua", "a", "b"}, with(func(p *parsed) { p.script = []string{"s.lua", "a", "b"} }), ""},
		// what follows the script's name is the script's, flags and "--" too
		{[]string{"s.lua", "--workers", "2", "-W", "--"}, with(func(p *parsed) { p.script = []string{"s.lua", "--workers", "2", "-W", "--"} }), ""},
		// "--" ends luasock's flags
		{[]string{"--", "s.lua", "x"}, with(func(p *parsed) { p.script = []string{"s.lua", "x"} }), ""},
		{[]string{"-W", "--", "-s.lua"}, with(func(p *parsed) { p.warnings = true; p.script = []string{"-s.lua"} }), ""},
		{[]string{"--workers", "2", "s.lua"}, with(func(p *parsed) { p.workers = 2 }), ""},
		{[]string{"--workers=3", "s.lua"}, with(func(p *parsed) { p.workers = 3 }), ""},
		{[]string{"-workers", "4", "s.lua"}, with(func(p *parsed) { p.workers = 4 }), ""},
		{[]string{"-workers=1024", "s.lua"}, with(func(p *parsed) { p.workers = 1024 }), ""},
		{[]string{"--workers=2", "--workers", "5", "s.lua"}, with(func(p *parsed) { p.workers = 5 }), ""},
		{[]string{"--trace", "s.lua"}, with(func(p *parsed) { p.trace = true }), ""},
		{[]string{"-trace", "s.lua"}, with(func(p *parsed) { p.trace = true }), ""},
		{[]string{"--trace=t.log", "s.lua"}, with(func(p *parsed) { p.trace, p.traceFile = true, "t.log" }), ""},
		{[]string{"--trace=t.log", "--trace", "s.lua"}, with(func(p *parsed) { p.trace = true }), ""},
		{[]string{"--trace", "--trace=t.log", "s.lua"}, with(func(p *parsed) { p.trace, p.traceFile = true, "t.log" }), ""},
		// --trace takes its file only after '='
		{[]string{"--trace", "t.log", "s.lua"}, with(func(p *parsed) { p.trace = true; p.script = []string{"t.log", "s.lua"} }), ""},
		{[]string{"--trace-bytes", "0", "s.lua"}, with(func(p *parsed) { p.traceBytes = 0 }), ""},
		{[]string{"--trace-bytes=8", "s.lua"}, with(func(p *parsed) { p.traceBytes = 8 }), ""},
		{[]string{"-W", "s.lua"}, with(func(p *parsed) { p.warnings = true }), ""},
		{[]string{"--W", "s.lua"}, with(func(p *parsed) { p.warnings = true }), ""},
		{[]string{"--warnings", "s.lua"}, with(func(p *parsed) { p.warnings = true }), ""},
		{[]string{"-warnings", "s.lua"}, with(func(p *parsed) { p.warnings = true }), ""},
		{[]string{"-W", "--trace=t", "--workers", "2", "--trace-bytes", "4", "s.lua", "x"}, with(func(p *parsed) {
			p.warnings, p.trace, p.traceFile, p.workers, p.traceBytes = true, true, "t", 2, 4
			p.script = []string{"s.lua", "x"}
		}), ""},

		// no script: the caller decides (chooseInput)
		{nil, dflt, ""},
		{[]string{"--"}, dflt, ""},
		{[]string{"-W"}, parsed{workers: 1, traceBytes: host.DefaultTraceBytes, warnings: true}, ""},
		{[]string{"--workers", "2"}, parsed{workers: 2, traceBytes: host.DefaultTraceBytes}, ""},
		// "-" is standard input, a script's name, not a flag
		{[]string{"-W", "-", "x"}, with(func(p *parsed) { p.warnings = true; p.script = []string{"-", "x"} }), ""},
		{[]string{"--workers"}, dflt, "--workers needs a number"},
		{[]string{"-workers"}, dflt, "-workers needs a number"},
		{[]string{"--trace-bytes"}, dflt, "--trace-bytes needs a number"},
		{[]string{"--workers", "x", "s.lua"}, dflt, `--workers takes a number from 1 to 1024, not "x"`},
		{[]string{"--workers", "0", "s.lua"}, dflt, `--workers takes a number from 1 to 1024, not "0"`},
		{[]string{"--workers", "1025", "s.lua"}, dflt, `--workers takes a number from 1 to 1024, not "1025"`},
		{[]string{"--workers=", "s.lua"}, dflt, `--workers takes a number from 1 to 1024, not ""`},
		{[]string{"--workers", "-W", "s.lua"}, dflt, `--workers takes a number from 1 to 1024, not "-W"`},
		{[]string{"--workers", "s.lua"}, dflt, `--workers takes a number from 1 to 1024, not "s.lua"`},
		{[]string{"--trace-bytes", "-1", "s.lua"}, dflt, `--trace-bytes takes a number of bytes (0 or more), not "-1"`},
		{[]string{"--trace-bytes=x", "s.lua"}, dflt, `--trace-bytes takes a number of bytes (0 or more), not "x"`},
		{[]string{"--trace=", "s.lua"}, dflt, "--trace= needs a file name"},
		{[]string{"-W=x", "s.lua"}, dflt, "-W takes no value"},
		{[]string{"-W=", "s.lua"}, dflt, "-W takes no value"},
		{[]string{"--warnings=false", "s.lua"}, dflt, "--warnings takes no value"},
		{[]string{"--bogus", "s.lua"}, dflt, `unknown flag "--bogus"`},
		{[]string{"--bogus=3", "s.lua"}, dflt, `unknown flag "--bogus"`},
		{[]string{"-x", "s.lua"}, dflt, `unknown flag "-x"`},
		{[]string{"-w", "s.lua"}, dflt, `unknown flag "-w"`},
		{[]string{"--help", "s.lua"}, dflt, `unknown flag "--help"`},
		{[]string{"-h"}, dflt, `unknown flag "-h"`},
		{[]string{"---x", "s.lua"}, dflt, `unknown flag "---x"`},
		{[]string{"-=x", "s.lua"}, dflt, `unknown flag "-"`},
		{[]string{"--=x", "s.lua"}, dflt, `unknown flag "--"`},
		{[]string{"-W", "---x", "s.lua"}, dflt, `unknown flag "---x"`},
		{[]string{"--bogus", "---x", "s.lua"}, dflt, `unknown flag "--bogus"`},
	}
	for _, tt := range tests {
		f := newRunFlags()
		script, err := f.parse(tt.args)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%q: error %v, want %s", tt.args, err, tt.err)
			}
			continue
		}
		if len(script) == 0 {
			script = nil
		}
		got := parsed{f.workers, f.trace.on, f.trace.file, f.traceBytes, f.warnings, script}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: %+v, %v\nwant %+v", tt.args, got, err, tt.want)
		}
	}
}

// TestMainExits checks what Main prints and returns for each form of the
// command line, the flags' failures among them.
func TestMainExits(t *testing.T) {
	dir := t.TempDir()
	args := filepath.Join(dir, "args.lua")
	fails := filepath.Join(dir, "fails.lua")
	noSuffix := filepath.Join(dir, "args")
	for name, src := range map[string]string{
		args:     "print(#arg, ...)",
		noSuffix: "print(#arg, ...)",
		fails:    "os.exit(3)", // fails without a traceback
	} {
		if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	usageError := func(msg string) string { return "luasock: " + msg + "\n\n" + usage }
	hint := func(flag string) string {
		return "luasock: " + flag + " came after the script's name, so the script got it as an argument; luasock's flags go before the script: luasock " + flag + " ... " + fails + "\n"
	}
	tests := []struct {
		args           []string
		code           int
		stdout, stderr string
	}{
		{[]string{"help"}, host.ExitOK, usage, ""},
		{[]string{"-h"}, host.ExitOK, usage, ""},
		{[]string{"--help"}, host.ExitOK, usage, ""},
		{[]string{"version"}, host.ExitOK, "luasock " + Version + "\n", ""},
		{[]string{"--version"}, host.ExitOK, "luasock " + Version + "\n", ""},
		{[]string{"frobnicate"}, host.ExitUsage, "", `luasock: unknown command "frobnicate"` + "\n\n" + usage},
		{[]string{"-help"}, host.ExitUsage, "", usageError(`unknown flag "-help"`)},
		{[]string{"-version"}, host.ExitUsage, "", usageError(`unknown flag "-version"`)},
		{[]string{"run", "--help"}, host.ExitUsage, "", usageError(`unknown flag "--help"`)},
		{[]string{"run"}, host.ExitUsage, "", usageError("run needs a script")},
		{[]string{"run", "-W"}, host.ExitUsage, "", usageError("run needs a script")},

		// the bare form and run, with the script's arguments
		{[]string{args, "a", "b"}, host.ExitOK, "2\ta\tb\n", ""},
		{[]string{"run", args, "a"}, host.ExitOK, "1\ta\n", ""},
		{[]string{noSuffix, "x"}, host.ExitOK, "1\tx\n", ""},
		{[]string{"run", "--", args, "--", "-W"}, host.ExitOK, "2\t--\t-W\n", ""},
		{[]string{"--", args}, host.ExitOK, "0\n", ""},
		{[]string{"-W", "--workers", "1", "--trace-bytes=0", args}, host.ExitOK, "0\n", ""},
		{[]string{"run", "-W", "--warnings", args}, host.ExitOK, "0\n", ""},

		{[]string{"run", "--workers", "x", args}, host.ExitUsage, "", usageError(`--workers takes a number from 1 to 1024, not "x"`)},
		{[]string{"--workers", "0", args}, host.ExitUsage, "", usageError(`--workers takes a number from 1 to 1024, not "0"`)},
		{[]string{"run", "--workers"}, host.ExitUsage, "", usageError("--workers needs a number")},
		{[]string{"--bogus", args}, host.ExitUsage, "", usageError(`unknown flag "--bogus"`)},
		{[]string{"run", "-x", args}, host.ExitUsage, "", usageError(`unknown flag "-x"`)},
		{[]string{"run", "--trace=", args}, host.ExitUsage, "", usageError("--trace= needs a file name")},
		{[]string{"run", "--trace=" + filepath.Join(dir, "no", "t.log"), args}, host.ExitError, "",
			"luasock: cannot write the trace: open " + filepath.Join(dir, "no", "t.log") + ": no such file or directory\n"},
		{[]string{"run", "-W=1", args}, host.ExitUsage, "", usageError("-W takes no value")},
		{[]string{"run", "/nonexistent/x.lua"}, host.ExitError, "", "cannot open /nonexistent/x.lua: No such file or directory\n"},

		// a flag after the script's name is the script's; when it fails, a hint
		{[]string{fails, "--workers", "2"}, 3, "", hint("--workers")},
		{[]string{fails, "--workers=2"}, 3, "", hint("--workers")},
		{[]string{"run", fails, "x", "-W"}, 3, "", hint("-W")},
		{[]string{fails, "--trace=t.log"}, 3, "", hint("--trace")},
		{[]string{fails, "-trace-bytes", "1"}, 3, "", hint("-trace-bytes")},
		{[]string{fails, "--", "-x"}, 3, "", ""},
		{[]string{args, "--workers", "2"}, host.ExitOK, "2\t--workers\t2\n", ""},
	}
	for _, tt := range tests {
		r := runMain(tt.args...)
		if r.Code != tt.code || r.Stdout != tt.stdout || r.Stderr != tt.stderr {
			t.Errorf("%q: exit %d, want %d\nstdout %q\nwant   %q\nstderr %q\nwant   %q",
				tt.args, r.Code, tt.code, r.Stdout, tt.stdout, r.Stderr, tt.stderr)
		}
	}
}
