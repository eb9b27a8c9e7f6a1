package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/luasock/luasock/host"
)

// Version is luasock's version, set at build time with -ldflags "-X main.Version=...".
var Version = "0.1.0-dev"

const usage = `luasock runs Lua scripts that use PHP's stream-socket API.

Usage:
  luasock run [--workers N] script.lua [args...]
                                     run a script; arg[1..] and ... are its arguments;
                                     --workers N runs N independent copies whose
                                     servers share their ports (SO_REUSEPORT)
  luasock version                    print the version
  luasock help                       print this help

Exit status: 0 when the script ends, 1 on an uncaught error, 2 on a usage
error, n after os.exit(n), 130 after SIGINT and 143 after SIGTERM (every
handle is closed first; a second signal exits at once).
`

// Main is the command line: it returns the exit status instead of exiting.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return host.ExitUsage
	}
	switch args[0] {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return host.ExitOK
	case "version", "--version":
		fmt.Fprintln(stdout, "luasock", Version)
		return host.ExitOK
	case "run":
		return run(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "luasock: unknown command %q\n\n%s", args[0], usage)
	return host.ExitUsage
}

func run(args []string, stdout, stderr io.Writer) int {
	workers := 1
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		flag, value, hasValue := strings.Cut(args[0], "=")
		if flag != "--workers" {
			fmt.Fprintf(stderr, "luasock: unknown flag %q\n\n%s", args[0], usage)
			return host.ExitUsage
		}
		args = args[1:]
		if !hasValue {
			if len(args) == 0 {
				fmt.Fprintf(stderr, "luasock: --workers needs a number\n\n%s", usage)
				return host.ExitUsage
			}
			value, args = args[0], args[1:]
		}
		n, err := strconv.Atoi(value)
		if err != nil || n < 1 || n > 1024 {
			fmt.Fprintf(stderr, "luasock: --workers takes a number from 1 to 1024, not %q\n\n%s", value, usage)
			return host.ExitUsage
		}
		workers = n
	}
	if len(args) == 0 {
		fmt.Fprintf(stderr, "luasock: run needs a script\n\n%s", usage)
		return host.ExitUsage
	}
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(signals)
	return host.Run(host.Options{
		Script:  args[0],
		Args:    args[1:],
		Stdout:  stdout,
		Stderr:  stderr,
		Signals: signals,
		Workers: workers,
	})
}
