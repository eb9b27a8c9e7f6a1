// Package bench measures the manual's time servers run by luasock against
// the same servers written plainly in Go with net, in the same run, so that
// each result is a ratio that survives a noisy machine. The servers run as
// separate processes (their CPU time and peak memory are read from /proc);
// the load comes from this process.
//
//	go test -run xxx -bench . -benchtime 2x ./bench/
package bench

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/luasock/luasock/internal/testutil"
)

// serverEnv turns this test binary into one of the Go servers:
// LUASOCK_BENCH_SERVER=kind,address, where kind is udp (several readers),
// tcp-seq (one connection at a time) or tcp-go (a goroutine per connection).
// It serves until its stdin closes.
const serverEnv = "LUASOCK_BENCH_SERVER"

// luasockBin is the luasock binary TestMain builds for the benchmarks.
var luasockBin string

func TestMain(m *testing.M) {
	if spec := os.Getenv(serverEnv); spec != "" {
		kind, addr, _ := strings.Cut(spec, ",")
		goServer(kind, addr)
		return
	}
	if spec := os.Getenv(holdEnv); spec != "" {
		holdConnections(spec) // memory_bench_test.go
		return
	}
	flag.Parse()
	if flag.Lookup("test.bench").Value.String() == "" { // go test ./...: nothing to build
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "luasock-bench")
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	luasockBin = filepath.Join(dir, "luasock")
	build := exec.Command("go", "build", "-o", luasockBin, "../cmd/luasock")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Printf("go build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// goServer is the manual's time servers ported plainly to Go: the UDP one
// prints each sender, as the PHP and Lua versions do, and answers with
// date("D M j H:i:s Y\r\n"); the TCP ones write "The local time is
// n/j/Y g:i a" and close.
func goServer(kind, addr string) {
	go func() { io.Copy(io.Discard, os.Stdin); os.Exit(0) }()
	switch kind {
	case "udp":
		conn, err := net.ListenPacket("udp", addr)
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		for range 4 {
			go func() {
				buf := make([]byte, 1)
				for {
					_, peer, err := conn.ReadFrom(buf)
					if err != nil {
						continue
					}
					fmt.Println(peer)
					conn.WriteTo([]byte(time.Now().Format("Mon Jan 2 15:04:05 2006\r\n")), peer)
				}
			}()
		}
	case "tcp-seq", "tcp-go":
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		serve := func(c net.Conn) {
			c.Write([]byte("The local time is " + time.Now().Format("1/2/2006 3:04 pm") + "\n"))
			c.Close()
		}
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					continue
				}
				if kind == "tcp-go" {
					go serve(c)
				} else {
					serve(c)
				}
			}
		}()
	}
	select {}
}

// server is one server process under load.
type server struct {
	name  string
	addr  string
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

// startLuasock runs an example script with luasock on a free port.
func startLuasock(b *testing.B, network, script string, flags ...string) *server {
	return startLuasockBin(b, luasockBin, strings.TrimSuffix(script, ".lua")+strings.Join(flags, ""), network, script, flags...)
}

// startLuasockBin runs an example script with the luasock binary bin on a
// free port, as the server called name.
func startLuasockBin(b *testing.B, bin, name, network, script string, flags ...string) *server {
	addr := testutil.FreeAddr(b, network)
	args := append([]string{"run"}, flags...)
	args = append(args, filepath.Join("..", "examples", script), network+"://"+addr)
	return start(b, name, network, addr, exec.Command(bin, args...))
}

// startGo runs one of the Go servers on a free port.
func startGo(b *testing.B, network, kind string) *server {
	addr := testutil.FreeAddr(b, network)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), serverEnv+"="+kind+","+addr)
	return start(b, "go "+kind, network, addr, cmd)
}

func start(b *testing.B, name, network, addr string, cmd *exec.Cmd) *server {
	b.Helper()
	s := launch(b, name, addr, cmd)
	if err := waitReady(network, addr); err != nil {
		b.Fatalf("%s: %v", name, err)
	}
	return s
}

// launch starts cmd as the server at addr, stopped when the benchmark ends.
func launch(b *testing.B, name, addr string, cmd *exec.Cmd) *server {
	b.Helper()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	if cmd.Stderr == nil {
		cmd.Stderr = os.Stderr
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	s := &server{name: name, addr: addr, cmd: cmd, stdin: stdin}
	b.Cleanup(s.stop)
	return s
}

// stop ends the server: closing stdin ends a Go server, SIGINT luasock.
func (s *server) stop() {
	s.stdin.Close()
	s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}

// waitReady retries one request until the server answers (at most 10 s).
func waitReady(network, addr string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := request(network, addr, nil)
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// request makes one request: a TCP connection read to its end, or a
// 1-byte datagram and its answer (on conn, when given, else a new socket).
func request(network, addr string, conn net.Conn) error {
	if network == "tcp" {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			return err
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(2 * time.Second))
		data, err := io.ReadAll(c)
		if err == nil && !strings.HasPrefix(string(data), "The local time is ") {
			err = fmt.Errorf("answer %q", data)
		}
		return err
	}
	if conn == nil {
		c, err := net.Dial("udp", addr)
		if err != nil {
			return err
		}
		defer c.Close()
		conn = c
	}
	conn.SetDeadline(time.Now().Add(500 * time.Millisecond))
	if _, err := conn.Write([]byte("x")); err != nil {
		return err
	}
	buf := make([]byte, 64)
	n, err := conn.Read(buf)
	if err == nil && !strings.HasSuffix(string(buf[:n]), "\r\n") {
		err = fmt.Errorf("answer %q", buf[:n])
	}
	return err
}

// load keeps c clients busy on the server for d and returns the requests
// done, the errors, and the server's CPU time meanwhile.
func load(network, addr string, pid, c int, d time.Duration) (done, failed int, cpu time.Duration) {
	cpu0 := cpuTime(pid)
	var mu sync.Mutex
	var wg sync.WaitGroup
	stop := time.Now().Add(d)
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var conn net.Conn
			if network == "udp" {
				var err error
				if conn, err = net.Dial("udp", addr); err != nil {
					mu.Lock()
					failed++
					mu.Unlock()
					return
				}
				defer conn.Close()
			}
			ok, bad := 0, 0
			for time.Now().Before(stop) {
				if err := request(network, addr, conn); err != nil {
					bad++
				} else {
					ok++
				}
			}
			mu.Lock()
			done += ok
			failed += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	return done, failed, cpuTime(pid) - cpu0
}

// cpuTime is a process's user+system CPU time, from /proc/PID/stat.
func cpuTime(pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces, in parentheses).
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	var utime, stime int64
	fmt.Sscan(fields[11], &utime)
	fmt.Sscan(fields[12], &stime)
	return time.Duration(utime+stime) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

// peakRSS is a process's peak resident memory (VmHWM) in MiB.
func peakRSS(pid int) float64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if kb, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			var n float64
			fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(kb), " kB"), &n)
			return n / 1024
		}
	}
	return 0
}
