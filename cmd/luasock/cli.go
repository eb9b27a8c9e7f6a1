package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/impair"
)

// Version is luasock's version, set at build time with -ldflags "-X main.Version=...".
var Version = "0.1.0-dev"

const usage = `luasock runs Lua scripts that use PHP's stream-socket API.

Usage:
  luasock                            a prompt, on a terminal: type Lua, see its values;
                                     otherwise the script is read from standard input
  luasock [flags] script.lua [args...]
  luasock run [flags] script.lua [args...]
                                     run a script; arg[1..] and ... are its arguments
                                     (luasock's flags go before the script's name);
                                     - as the script's name reads it from standard input
  luasock replay [--server] [--timeout T] [--pace T] session.txt ADDRESS
                                     play the client side of a session recorded with
                                     --record against the server at ADDRESS (host:port,
                                     tcp://..., udp://..., unix://path), or with --server
                                     the server side to clients: every connection at
                                     once, each step after those recorded before it;
                                     --timeout bounds each wait (5 s), --pace pauses
                                     before each new connection; exit 1 at the first
                                     difference, with a diff
  luasock version                    print the version
  luasock help                       print this help

Flags of run:
  -i                a prompt after the script (or without one): each line typed
                    runs, an expression's values are printed; tasks spawned there
                    keep serving while you type; Ctrl-C interrupts what runs,
                    Ctrl-D ends luasock; Tab completes names
  -e CODE           run the Lua CODE first (several: in order, as lua -e; -eCODE too)
  -l NAME           NAME = require("NAME") first (with -e, in order; -lNAME too)
  --workers N       run N independent copies whose servers share their ports
                    (SO_REUSEPORT)
  --trace[=FILE]    print one line per socket event, with a hex dump of the
                    data, to stderr or FILE
  --trace-bytes N   dump at most N bytes of each message (default 64; 0: none)
  --trace-format F  text (the default), json (one object per event and line,
                    for tools) or mermaid (a sequence diagram of the
                    conversation, written at the end); alone, traces to stderr
  --pcap FILE       write the bytes the script's TCP and UDP sockets send and
                    receive to FILE as a pcapng capture (Wireshark, tshark),
                    in synthesized IP packets; TLS streams as their plaintext
  --trace-filter E  trace and capture only the events E matches: terms ANDed,
                    a term FIELD=V1,V2 (any of) or FIELD!=V1,V2 (none of);
                    fields port, peer, handle, worker, dir (in, out), kind
                    (read, write, accept, close, datagram, drop, note, ...):
                    'port=7000 kind=read,write' (docs/lab.md)
  --warnings, -W    print every failure a call returns to the script on stderr,
                    as PHP's warnings: Warning: fread(): ... in script.lua on line 9
  --grace T         after SIGTERM, how long connections may finish once the
                    servers are closed (seconds, or 1m30s; default 10)
  --busy-limit T    end a task that runs Lua this long without waiting (it holds
                    up every other task): an error is raised where it loops
                    (seconds; default 5; 0: no limit)
  --ready-file F    once the script serves (its main task first waits), write its
                    servers' addresses to F, one a line; with NOTIFY_SOCKET set,
                    systemd also hears READY=1
  --user U[:G]      run as user U (and group G) from then on: privileged ports
                    are bound as root, then every thread drops to U for good
  --slice N         every read of a stream socket returns at most N bytes, every
                    write goes in sends of at most N bytes (TCP_NODELAY set)
  --delay MS[:J]    wait MS milliseconds (± J) before every send
  --drop P          datagrams the script sends are lost with probability P (0..1)
  --duplicate P     ... sent twice with probability P
  --reorder P       ... held back and sent after the socket's next, with P
  --seed S          the seed of those decisions (printed when not given), so
                    that an impaired run replays exactly
  --record FILE     write the bytes of every stream connection and UDP datagram,
                    each way, in their order, to FILE as a session (readable
                    text) that luasock replay plays back
  --watch           reload when the script (or a .lua file beside it) changes, as
                    SIGHUP does: the new code takes over the servers, the old
                    one's connections finish (for --grace)
  --ui [ADDR]       serve a live view of the run to a browser (its servers,
                    connections, tasks and messages) on 127.0.0.1 at a free port,
                    or at ADDR ([HOST]:PORT); its address, with the token it
                    needs, is printed on stderr

SSLKEYLOGFILE=FILE appends the secrets of every TLS session to FILE, so that
Wireshark can decrypt a real capture (tcpdump) of the same run.

Exit status: 0 when the script ends, 1 on an uncaught error, 2 on a usage
error, n after os.exit(n), 130 after SIGINT (every handle is closed first)
and 143 after SIGTERM (the servers close at once, the connections may finish
for --grace); a second signal exits at once.
`

// Main is the command line: it returns the exit status instead of exiting.
// A script's io.read reads os.Stdin.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 { // as lua: a prompt on a terminal, else the script on stdin
		return run(args, stdout, stderr, true)
	}
	switch args[0] {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return host.ExitOK
	case "version", "--version":
		fmt.Fprintln(stdout, "luasock", Version)
		return host.ExitOK
	case "run":
		return run(args[1:], stdout, stderr, false)
	case "replay":
		return replayCommand(args[1:], stdout, stderr)
	}
	if looksLikeScript(args[0]) { // luasock script.lua, as lua script.lua
		return run(args, stdout, stderr, true)
	}
	fmt.Fprintf(stderr, "luasock: unknown command %q\n\n%s", args[0], usage)
	return host.ExitUsage
}

// looksLikeScript tells a script (or run's flags) from a mistyped command:
// a flag, a name ending in .lua, or a file that exists. A #! line
// `#!/usr/bin/env luasock` runs the script this way.
func looksLikeScript(arg string) bool {
	if strings.HasPrefix(arg, "-") || strings.HasSuffix(arg, ".lua") {
		return true
	}
	info, err := os.Stat(arg)
	return err == nil && !info.IsDir()
}

// keyLogEnv names the file that gets the TLS secrets, as in curl, Firefox
// and Chrome: Wireshark decrypts a capture with it.
const keyLogEnv = "SSLKEYLOGFILE"

// cpuProfileEnv names a file for a CPU profile of the whole run (go tool
// pprof reads it): how docs/benchmarks.md finds where time goes.
const cpuProfileEnv = "LUASOCK_CPUPROFILE"

func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// run is `luasock run` and, bare, `luasock` without the word run: then no
// script means a prompt on a terminal, else the script on stdin, as lua.
func run(args []string, stdout, stderr io.Writer, bare bool) int {
	flags := newRunFlags()
	args, err := flags.parse(args)
	if err != nil {
		fmt.Fprintf(stderr, "luasock: %v\n\n%s", err, usage)
		return host.ExitUsage
	}
	in, err := chooseInput(flags, args, stdout, bare)
	if err != nil {
		fmt.Fprintf(stderr, "luasock: %v\n\n%s", err, usage)
		return host.ExitUsage
	}
	if len(args) == 0 {
		args = []string{in.script}
	}
	if flags.impair.Random() && !flags.seeded {
		flags.impair.Seed = impair.NewSeed()
		fmt.Fprintf(stderr, "luasock: impairment seed %d (--seed %d replays it)\n", flags.impair.Seed, flags.impair.Seed)
	}
	var warnings io.Writer
	if flags.warnings {
		warnings = stderr
	}
	var trace io.Writer
	if flags.trace.on || flags.traceFmt != "" { // a format alone traces to stderr
		trace = stderr
		if flags.trace.file != "" {
			file, err := os.Create(flags.trace.file)
			if err != nil {
				fmt.Fprintf(stderr, "luasock: cannot write the trace: %v\n", err)
				return host.ExitError
			}
			defer file.Close()
			trace = file
		}
	}
	var capture io.Writer
	if flags.pcap != "" {
		file, err := os.Create(flags.pcap)
		if err != nil {
			fmt.Fprintf(stderr, "luasock: cannot write the capture: %v\n", err)
			return host.ExitError
		}
		defer file.Close()
		capture = file
	}
	var record io.Writer
	if flags.record != "" {
		file, err := os.Create(flags.record)
		if err != nil {
			fmt.Fprintf(stderr, "luasock: cannot write the session: %v\n", err)
			return host.ExitError
		}
		defer file.Close()
		record = file
	}
	var keyLog io.Writer
	if path := os.Getenv(keyLogEnv); path != "" {
		// A variable set for every program (browsers read it too) must
		// not stop a script: a file that cannot be opened is only told.
		if file, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600); err != nil {
			fmt.Fprintf(stderr, "luasock: %s: %v (TLS secrets are not logged)\n", keyLogEnv, err)
		} else {
			defer file.Close()
			keyLog = file
		}
	}
	live, err := startLiveView(flags, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "luasock: --ui: %v\n", err)
		return host.ExitError
	}
	defer live.Close()
	// Lua code runs on one thread per worker; more Ps than workers only spin
	// looking for work, taking CPU from the clients on the same machine
	// (docs/benchmarks.md). The GOMAXPROCS variable still wins.
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(min(flags.workers, runtime.NumCPU()))
	}
	if path := os.Getenv(cpuProfileEnv); path != "" {
		if stop, err := startCPUProfile(path); err == nil {
			defer stop()
		} else {
			fmt.Fprintf(stderr, "luasock: %s: %v\n", cpuProfileEnv, err)
		}
	}
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP) // SIGHUP reloads
	defer signal.Stop(signals)
	var runSignals <-chan os.Signal = signals
	if in.prompt != nil { // Ctrl-C interrupts what the prompt runs, not luasock
		done := make(chan struct{})
		defer close(done)
		runSignals = interruptFirst(signals, in.prompt, done)
		stdout, stderr = in.output(stdout), in.output(stderr)
		defer in.close()
	}
	var announce io.Writer
	if isTerminal(stderr) || in.term != nil {
		announce = stderr
	}
	if in.term != nil {
		fmt.Fprintf(stderr, "luasock %s: Lua 5.1 with PHP's stream sockets. Tab completes, Ctrl-C interrupts, Ctrl-D quits.\n", Version)
	}
	// A closed stdout or stderr (luasock run server.lua | head -1) must not
	// kill a server: with SIGPIPE caught, a write returns EPIPE instead, and
	// the output is dropped. (Caught, not ignored: children start with the
	// default.)
	pipes := make(chan os.Signal, 1)
	signal.Notify(pipes, syscall.SIGPIPE)
	defer signal.Stop(pipes)
	code := host.Run(host.Options{
		Script:       args[0],
		Source:       in.source,
		Args:         args[1:],
		Prelude:      flags.prelude,
		Prompt:       in.prompt,
		Announce:     announce,
		Stdin:        in.stdin,
		Stdout:       stdout,
		Stderr:       stderr,
		Signals:      runSignals,
		Workers:      flags.workers,
		Trace:        trace,
		TraceBytes:   flags.traceBytes,
		TraceFormat:  flags.traceFmt,
		Pcap:         capture,
		TraceFilter:  flags.filter,
		Record:       record,
		KeyLog:       keyLog,
		Impair:       flags.impair,
		Warnings:     warnings,
		ReturnMemory: true,
		Grace:        flags.grace,
		BusyLimit:    flags.busyLimit,
		ReadyFile:    flags.readyFile,
		NotifySocket: os.Getenv("NOTIFY_SOCKET"),
		User:         flags.user,
		Watch:        flags.watch,
		Live:         live,
	})
	if flag := flags.misplacedFlag(args[1:]); flag != "" && code != host.ExitOK {
		fmt.Fprintf(stderr, "luasock: %s came after the script's name, so the script got it as an argument; luasock's flags go before the script: luasock %s ... %s\n", flag, flag, args[0])
	}
	return code
}
