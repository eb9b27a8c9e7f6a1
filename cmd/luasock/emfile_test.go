package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdEMFILE: emfile SCRIPT LIMIT CLIENTS runs `luasock run SCRIPT ADDR` (an
// echo server) with at most LIMIT open descriptors, holds CLIENTS
// connections for three seconds (accept fails with EMFILE meanwhile) and
// prints the server's CPU time in the quietest of them (the first may
// still serve the clients it took, slowly on a loaded machine; a server
// that spins spins in all three); then it closes them and prints whether a
// new client's line is echoed within 20 s.
func cmdEMFILE(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: emfile SCRIPT LIMIT CLIENTS")
	}
	limit, err1 := strconv.Atoi(args[1])
	clients, err2 := strconv.Atoi(args[2])
	if err1 != nil || err2 != nil {
		ts.Fatalf("emfile: LIMIT and CLIENTS are numbers")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	addr := l.Addr().String()
	l.Close()
	luasock, err := exec.LookPath("luasock")
	ts.Check(err)
	srv := exec.Command("sh", "-c", fmt.Sprintf("ulimit -n %d && exec %s run %s tcp://%s", limit, luasock, args[0], addr))
	srv.Env = append(os.Environ(), "PATH="+ts.Getenv("PATH"))
	ts.Check(srv.Start())
	defer func() {
		_ = srv.Process.Signal(syscall.SIGINT)
		_ = srv.Wait()
	}()
	dialReady(ts, "tcp", addr).Close()

	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for i := 0; i < clients; i++ {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			break // the listen queue is full: enough are held
		}
		fmt.Fprintf(c, "hello %d\n", i)
		held = append(held, c)
	}
	used := time.Duration(1 << 62)
	for range 3 {
		before := cpuTime(ts, srv.Process.Pid)
		time.Sleep(time.Second) // the interval over which the server's CPU is measured
		used = min(used, cpuTime(ts, srv.Process.Pid)-before)
	}
	fmt.Fprintf(ts.Stdout(), "held %d clients; server CPU in 1 s: %d ms\n", len(held), used.Milliseconds())
	for _, c := range held {
		c.Close()
	}
	held = nil

	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		c.SetDeadline(deadline)
		fmt.Fprint(c, "ping\n")
		line, err := bufio.NewReader(c).ReadString('\n')
		c.Close()
		if err == nil && line == "ping\n" {
			fmt.Fprintln(ts.Stdout(), "a new client is served")
			return
		}
	}
	fmt.Fprintln(ts.Stdout(), "no new client is served")
}

// cpuTime is the user and system time that process pid has used.
func cpuTime(ts *testscript.TestScript, pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	ts.Check(err)
	// The fields after the command's name (which may hold spaces): utime
	// and stime are the 12th and 13th, in clock ticks (100 a second).
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	utime, _ := strconv.Atoi(f[11])
	stime, _ := strconv.Atoi(f[12])
	return time.Duration(utime+stime) * 10 * time.Millisecond
}
