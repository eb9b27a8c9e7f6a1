package main

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/clock"
	"github.com/luasock/luasock/internal/testprog"
	"github.com/luasock/luasock/internal/testutil"
	"github.com/rogpeppe/go-internal/testscript"
)

// statusFileEnv names a file where the test binary, run as luasock, records
// its exit status, so that scripts can check 130 and 143 exactly.
const statusFileEnv = "LUASOCK_TEST_STATUS_FILE"

// testNowEnv stops the clock that date, microtime, os.time and os.date
// read at an instant (RFC 3339: 2024-02-29T23:59:59Z, or with a fraction
// and an offset) for the test binary run as luasock; TZ sets the zone as
// it does for luasock. The luasock command itself never reads it.
const testNowEnv = "LUASOCK_TEST_NOW"

func TestMain(m *testing.M) {
	testscript.Main(emulatedM{m}, map[string]func(){
		"luasock": func() {
			if at := os.Getenv(testNowEnv); at != "" {
				now, err := time.Parse(time.RFC3339Nano, at)
				if err != nil {
					fmt.Fprintf(os.Stderr, "%s: %v\n", testNowEnv, err)
					os.Exit(host.ExitUsage)
				}
				clock.Set(now, nil)
			}
			code := Main(os.Args[1:], os.Stdout, os.Stderr)
			if f := os.Getenv(statusFileEnv); f != "" {
				_ = os.WriteFile(f, []byte(strconv.Itoa(code)+"\n"), 0o644)
			}
			os.Exit(code)
		},
	})
}

// emulatedM runs the tests with the luasock on PATH (testscript's copy of
// this test binary) started through the emulator that LUASOCK_QEMU names,
// when the tests run under qemu-user (.ci/crossbuild --tests): without
// binfmt_misc the system cannot start another architecture's binary itself.
// qemu's -0 keeps the name luasock in argv[0], by which testscript.Main
// tells the command from the tests.
type emulatedM struct{ *testing.M }

func (m emulatedM) Run() int {
	if emulator := os.Getenv("LUASOCK_QEMU"); emulator != "" {
		if err := wrapInEmulator(emulator); err != nil {
			fmt.Fprintf(os.Stderr, "LUASOCK_QEMU: %v\n", err)
			return 1
		}
	}
	return m.M.Run()
}

// wrapInEmulator moves the luasock on PATH to luasock.bin and puts a shell
// script in its place that runs it under emulator.
func wrapInEmulator(emulator string) error {
	path, err := exec.LookPath("luasock")
	if err != nil {
		return err
	}
	if err := os.Rename(path, path+".bin"); err != nil {
		return err
	}
	script := fmt.Sprintf("#!/bin/sh\nexec %s -0 luasock %s \"$@\"\n", shellQuote(emulator), shellQuote(path+".bin"))
	return os.WriteFile(path, []byte(script), 0o755)
}

// luasockBinary is the test binary that runs as luasock: under an emulator
// the one wrapInEmulator moved, for a test that copies it; run it with
// testutil.Command.
func luasockBinary(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("luasock")
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("LUASOCK_QEMU") != "" {
		return path + ".bin"
	}
	return path
}

// shellQuote quotes s for sh as one word.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// TestScripts runs testdata/*.txtar: each example end to end through the
// command, against our own clients and Debian's (socat, netcat, php).
func TestScripts(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata",
		Setup: func(env *testscript.Env) error {
			env.Setenv("EXAMPLES", filepath.Join(root, "examples"))
			for name, pattern := range linePatts { // stdout $LINE_TIMESERVER: every legal line, nothing else
				env.Setenv(name, "^"+pattern+"$")
			}
			env.Setenv("TIMESERVER_DATE", timeserverDate)
			if tz, ok := os.LookupEnv("TZ"); ok { // .ci/run runs the scripts in another zone too
				env.Setenv("TZ", tz)
			}
			env.Setenv(statusFileEnv, filepath.Join(env.WorkDir, "status"))
			env.Values[scriptT{}] = env.T()
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"freeport":     cmdFreePort,
			"tcpget":       cmdGet("tcp"),
			"unixget":      cmdGet("unix"),
			"udpget":       cmdUDPGet,
			"waitlisten":   cmdWaitListen,
			"holdopen":     cmdHoldOpen,
			"nearnow":      cmdNearNow,
			"udpsend":      cmdUDPSend,
			"closedpipe":   cmdClosedPipe,
			"emfile":       cmdEMFILE,
			"need":         cmdNeed,
			"needpy":       cmdNeedPython,
			"pcapcheck":    cmdPcapCheck,
			"pcapcomments": cmdPcapComments,
			"pcapfollow":   cmdPcapFollow,
			"pcapudp":      cmdPcapUDP,
		},
	})
}

// scriptT keys the script's testscript.T in its Values: cmdNeed skips
// through it (a command has no Skip of its own).
type scriptT struct{}

// scriptTB lets testprog.Need end a script as it ends a Go test.
type scriptTB struct {
	*testscript.TestScript
	testscript.T
}

func (scriptTB) Helper() {}

// cmdNeed: need PROG PACKAGE goes on when PROG is on PATH; else it skips the
// rest of the script, naming the Debian PACKAGE that provides PROG, or fails
// it when CI is set (testprog.Need). It goes before the script's first use
// of PROG.
func cmdNeed(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: need PROG PACKAGE")
	}
	testprog.Need(scriptTB{ts, ts.Value(scriptT{}).(testscript.T)}, args[0], args[1])
}

// cmdNeedPython: needpy MODULE PACKAGE goes on when a python3 can import
// MODULE (Debian's PACKAGE provides it), and sets $PYTHON to it; else it
// ends the script as need does.
func cmdNeedPython(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: needpy MODULE PACKAGE")
	}
	ts.Setenv("PYTHON", testprog.NeedPython(scriptTB{ts, ts.Value(scriptT{}).(testscript.T)}, args[0], args[1]))
}

// readyTimeout bounds how long a client waits for a server started in the
// background to come up; it retries on "refused" instead of sleeping a fixed time.
const readyTimeout = 20 * time.Second

// cmdFreePort: freeport VAR [udp] sets VAR to a loopback port free right now.
func cmdFreePort(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 {
		ts.Fatalf("usage: freeport VAR [udp]") // udp: a port free for TCP as well
	}
	var port int
	if len(args) > 1 && args[1] == "udp" {
		// Free for TCP too: servers such as dns_server.lua take both.
		for try := 0; ; try++ {
			c, err := net.ListenPacket("udp", "127.0.0.1:0")
			ts.Check(err)
			port = c.LocalAddr().(*net.UDPAddr).Port
			l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
			c.Close()
			if err == nil {
				l.Close()
				break
			}
			if try == 100 {
				ts.Fatalf("no port free for both UDP and TCP: %v", err)
			}
		}
	} else {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		ts.Check(err)
		port = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	ts.Setenv(args[0], strconv.Itoa(port))
}

// dialReady connects to a server started in the background, retrying while
// it is refused (the server is still starting), up to readyTimeout.
func dialReady(ts *testscript.TestScript, network, addr string) net.Conn {
	deadline := time.Now().Add(readyTimeout)
	for {
		c, err := net.DialTimeout(network, addr, time.Second)
		if err == nil {
			return c
		}
		if time.Now().After(deadline) {
			ts.Fatalf("%s %s: %v", network, addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cmdGet: tcpget ADDR / unixget PATH connects once the server is up, reads
// to EOF and prints what it got.
func cmdGet(network string) func(ts *testscript.TestScript, neg bool, args []string) {
	return func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 1 {
			ts.Fatalf("usage: %sget ADDRESS", network)
		}
		addr := args[0]
		if network == "unix" && !filepath.IsAbs(addr) {
			addr = ts.MkAbs(addr)
		}
		c := dialReady(ts, network, addr)
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		b, err := io.ReadAll(c)
		ts.Check(err)
		fmt.Fprint(ts.Stdout(), string(b))
	}
}

// cmdWaitListen: waitlisten ADDR returns once a TCP server accepts
// connections there (it connects and hangs up).
func cmdWaitListen(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: waitlisten ADDRESS")
	}
	dialReady(ts, "tcp", args[0]).Close()
}

// cmdHoldOpen: holdopen ADDR connects and keeps the connection open, never
// reading or writing, until the script ends.
func cmdHoldOpen(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: holdopen ADDRESS")
	}
	c := dialReady(ts, "tcp", args[0])
	ts.Defer(func() { c.Close() })
}

// cmdUDPGet: udpget [-once] ADDR [HEX] sends one byte (or the bytes HEX
// spells) and prints the reply, resending until the server answers (it
// may be starting). -once sends one datagram and waits for its answer, for
// a server known to be up, whose captures must hold exactly one request.
func cmdUDPGet(ts *testscript.TestScript, neg bool, args []string) {
	once := len(args) > 0 && args[0] == "-once"
	if once {
		args = args[1:]
	}
	if len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: udpget [-once] ADDRESS [HEX]")
	}
	payload := []byte("x")
	if len(args) == 2 {
		var err error
		payload, err = hex.DecodeString(args[1])
		ts.Check(err)
	}
	c, err := net.Dial("udp", args[0])
	ts.Check(err)
	defer c.Close()
	buf := make([]byte, 1500)
	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		c.Write(payload)
		wait := 200 * time.Millisecond // then send again: the server may not be up yet
		if once {
			wait = readyTimeout
		}
		c.SetReadDeadline(time.Now().Add(wait))
		if n, err := c.Read(buf); err == nil {
			fmt.Fprint(ts.Stdout(), string(buf[:n]))
			return
		}
	}
	ts.Fatalf("no answer from %s", args[0])
}

// cmdUDPSend: udpsend ADDR HEX sends the bytes HEX spells as one datagram.
func cmdUDPSend(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: udpsend ADDRESS HEX")
	}
	payload, err := hex.DecodeString(args[1])
	ts.Check(err)
	c, err := net.Dial("udp", args[0])
	ts.Check(err)
	defer c.Close()
	_, err = c.Write(payload)
	ts.Check(err)
}

// cmdNearNow: nearnow checks that the last command printed dates as rdate
// does ("Sun Nov 22 08:41:23 UTC 2026"), each within 10 s of the test's
// clock: a wrongly encoded time would be off by far more. The script sets
// TZ=UTC: a zone's abbreviation alone (CET, -03) does not tell its offset.
func cmdNearNow(ts *testscript.TestScript, neg bool, args []string) {
	if ts.Getenv("TZ") != "UTC" {
		ts.Fatalf("nearnow needs env TZ=UTC before the command it checks")
	}
	out := strings.TrimSpace(ts.ReadFile("stdout"))
	if out == "" {
		ts.Fatalf("nothing printed")
	}
	for _, line := range strings.Split(out, "\n") {
		t, err := time.Parse("Mon Jan _2 15:04:05 UTC 2006", strings.TrimSpace(line))
		ts.Check(err)
		if d := time.Since(t); d < -10*time.Second || d > 10*time.Second {
			ts.Fatalf("%q is %v away from now", line, d)
		}
	}
}

// TestUsage covers the command line without a script run.
func TestUsage(t *testing.T) {
	tests := []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"help"}, 0, "Usage:", ""},
		{[]string{"--help"}, 0, "Usage:", ""},
		{[]string{"version"}, 0, "luasock " + Version, ""},
		{[]string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{[]string{"run"}, 2, "", "run needs a script"},
		{[]string{"run", "--bogus", "x.lua"}, 2, "", `unknown flag "--bogus"`},
		{[]string{"run", "--trace=", "x.lua"}, 2, "", "--trace= needs a file name"},
		{[]string{"run", "--trace-bytes", "x", "x.lua"}, 2, "", `--trace-bytes takes a number of bytes (0 or more), not "x"`},
		{[]string{"run", "--trace-bytes"}, 2, "", "--trace-bytes needs a number"},
		{[]string{"run", "--trace", "--trace-bytes=8"}, 2, "", "run needs a script"},
		{[]string{"run", "--workers"}, 2, "", "--workers needs a number"},
		{[]string{"run", "--pcap"}, 2, "", "--pcap needs a file name"},
		{[]string{"run", "--trace-format"}, 2, "", "--trace-format needs one of text, json, mermaid"},
		{[]string{"run", "--trace-format", "xml", "x.lua"}, 2, "", `--trace-format takes one of text, json, mermaid, not "xml"`},
		{[]string{"run", "--pcap=", "x.lua"}, 2, "", "--pcap needs a file name"},
		{[]string{"run", "--pcap", "/nonexistent/x.pcapng", "x.lua"}, 1, "", "cannot write the capture: open /nonexistent/x.pcapng: no such file or directory"},
		{[]string{"run", "--workers", "0", "x.lua"}, 2, "", `--workers takes a number from 1 to 1024, not "0"`},
		{[]string{"run", "--workers=abc", "x.lua"}, 2, "", `--workers takes a number from 1 to 1024, not "abc"`},
		{[]string{"run", "--workers", "2"}, 2, "", "run needs a script"},
		{[]string{"run", "/nonexistent/x.lua"}, 1, "", "cannot open /nonexistent/x.lua: No such file or directory"},
	}
	for _, tt := range tests {
		r := runMain(tt.args...)
		if r.Code != tt.code || !strings.Contains(r.Stdout, tt.stdout) || !strings.Contains(r.Stderr, tt.stderr) ||
			(tt.stdout == "" && r.Stdout != "") || (tt.stderr == "" && r.Stderr != "") {
			t.Errorf("%v: exit %d\nstdout %q\nstderr %q", tt.args, r.Code, r.Stdout, r.Stderr)
		}
	}
}

// runMain runs Main with args, as the luasock command does, and returns
// what it printed and its exit status.
func runMain(args ...string) testutil.Result {
	var stdout, stderr bytes.Buffer
	code := Main(args, &stdout, &stderr)
	return testutil.Result{Stdout: stdout.String(), Stderr: stderr.String(), Code: code}
}

// cmdClosedPipe: closedpipe PROG ARGS... runs PROG with its stdout a pipe
// that nobody reads (closed at once, as `| head -1` leaves it) and its
// stderr in the script's stderr; it fails when PROG exits non-zero.
func cmdClosedPipe(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 {
		ts.Fatalf("usage: closedpipe PROG ARGS...")
	}
	path, err := exec.LookPath(args[0])
	if err != nil {
		ts.Fatalf("%v", err)
	}
	r, w, err := os.Pipe()
	ts.Check(err)
	r.Close()
	cmd := exec.Command(path, args[1:]...)
	cmd.Dir = ts.Getenv("WORK")
	cmd.Env = os.Environ()
	for _, kv := range []string{"PATH", statusFileEnv} {
		cmd.Env = append(cmd.Env, kv+"="+ts.Getenv(kv))
	}
	cmd.Stdout, cmd.Stderr = w, ts.Stderr()
	err = cmd.Run()
	w.Close()
	if (err != nil) != neg {
		ts.Fatalf("closedpipe: %v", err)
	}
}
