package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/replay"
)

// luasock replay's exit statuses besides 0 and host.ExitUsage.
const (
	exitReplayDiffers = 1 // the peer's bytes differ from the recording
	exitReplayFailed  = 3 // the session could not be read, or no peer was reached
)

// replayCommand is `luasock replay [--server] [--timeout T] [--pace T] session.txt ADDRESS`.
func replayCommand(args []string, stdout, stderr io.Writer) int {
	set := flag.NewFlagSet("replay", flag.ContinueOnError)
	set.SetOutput(io.Discard)
	server := set.Bool("server", false, "")
	timeout := replay.DefaultTimeout
	set.Var(&durationFlag{d: &timeout, name: "--timeout"}, "timeout", "")
	var pace time.Duration
	set.Var(&durationFlag{d: &pace, name: "--pace"}, "pace", "")
	if err := set.Parse(args); err != nil || set.NArg() != 2 {
		if err == nil {
			err = errors.New("replay needs a session file and an address")
		}
		fmt.Fprintf(stderr, "luasock: %v\n\n%s", err, usage)
		return host.ExitUsage
	}
	file, address := set.Arg(0), set.Arg(1)
	f, err := os.Open(file)
	if err != nil {
		fmt.Fprintf(stderr, "luasock: %v\n", err)
		return exitReplayFailed
	}
	session, err := replay.Parse(f)
	f.Close()
	if err != nil {
		fmt.Fprintf(stderr, "luasock: %s: %v\n", file, err)
		return exitReplayFailed
	}
	p := &replay.Player{Session: session, Timeout: timeout, Pace: pace}
	side := "client"
	if *server {
		side = "server"
		err = p.PlayServer(address, func(a net.Addr) {
			fmt.Fprintf(stdout, "replaying the server side of %s on %s\n", file, a)
		})
	} else {
		err = p.PlayClient(address)
	}
	var diff *replay.Difference
	switch {
	case errors.As(err, &diff):
		fmt.Fprintf(stderr, "luasock replay: the %s differs from %s\n%v", diff.Peer, file, diff)
		return exitReplayDiffers
	case err != nil:
		fmt.Fprintf(stderr, "luasock replay: %v\n", err)
		return exitReplayFailed
	}
	steps := len(session.Steps) - len(session.Conns) // (a connection's beginning is not a step)
	fmt.Fprintf(stdout, "replayed the %s side of %s: %s, %s, as recorded\n", side, file, count(len(session.Conns), "connection"), count(steps, "step"))
	return host.ExitOK
}

// count says n things: "1 connection", "3 connections".
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
