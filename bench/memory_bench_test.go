package bench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// holdEnv turns this test binary into a client process that holds idle
// connections: LUASOCK_BENCH_HOLD=source,address,n opens n connections to
// address from the local IP source, echoes one line on each to be sure
// the server's task for it runs, says "held", and keeps them until its
// stdin closes. Apart from the server, so that neither side needs more
// than the 20,000 descriptors a process may have here.
const holdEnv = "LUASOCK_BENCH_HOLD"

func holdConnections(spec string) {
	parts := strings.Split(spec, ",")
	n, _ := strconv.Atoi(parts[2])
	source := net.ParseIP(parts[0])
	conns := make([]net.Conn, 0, n)
	buf := make([]byte, 2)
	port := 10000 // named source ports: the kernel's search for a free one grows with the ports in use
	for range n {
		var c net.Conn
		var err error
		for tries := 0; tries < 1000; tries++ {
			port++
			d := net.Dialer{Timeout: 30 * time.Second, LocalAddr: &net.TCPAddr{IP: source, Port: port},
				Control: reuseAddr} // an earlier run's ports wait in TIME_WAIT
			if c, err = d.Dial("tcp", parts[1]); !errors.Is(err, syscall.EADDRINUSE) && !errors.Is(err, syscall.EADDRNOTAVAIL) {
				break
			}
		}
		if err == nil {
			_, err = c.Write([]byte("x\n"))
		}
		if err == nil {
			c.SetReadDeadline(time.Now().Add(30 * time.Second))
			_, err = io.ReadFull(c, buf)
		}
		if err != nil {
			fmt.Println("hold:", err)
			os.Exit(1)
		}
		conns = append(conns, c)
	}
	fmt.Println("held")
	io.Copy(io.Discard, os.Stdin)
	for _, c := range conns {
		c.Close()
	}
}

func reuseAddr(_, _ string, c syscall.RawConn) error {
	var err error
	c.Control(func(fd uintptr) { err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1) })
	return err
}

// procStatus reads one field of /proc/PID/status, in KiB.
func procStatus(pid int, field string) float64 {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb
		}
	}
	return 0
}

// openFDs counts a process's descriptors.
func openFDs(pid int) int {
	entries, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	return len(entries)
}

// leftWatcher takes echo_spawn.lua's lines and closes left once one says
// that a client left.
type leftWatcher struct {
	seen []byte // the lines until then
	left chan struct{}
}

func (w *leftWatcher) Write(p []byte) (int, error) {
	if w.seen != nil {
		w.seen = append(w.seen, p...)
		if bytes.Contains(w.seen, []byte(" left\n")) {
			w.seen = nil
			close(w.left)
		}
	}
	return len(p), nil
}

// echoServer runs examples/echo_spawn.lua on ip (a free port) and waits
// until it answers and has closed the probe's connection (a descriptor
// counted before the clients would otherwise go after them).
func echoServer(b *testing.B, ip string) *server {
	b.Helper()
	l, err := net.Listen("tcp", ip+":0")
	if err != nil {
		b.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(luasockBin, "run", filepath.Join("..", "examples", "echo_spawn.lua"), "tcp://"+addr)
	watch := &leftWatcher{seen: []byte{}, left: make(chan struct{})}
	cmd.Stdout = watch // a line per client
	s := launch(b, "echo_spawn "+addr, addr, cmd)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := echoOnce(addr); err == nil {
			break
		} else if time.Now().After(deadline) {
			b.Fatalf("%s: %v", addr, err)
		}
	}
	select {
	case <-watch.left:
	case <-time.After(10 * time.Second):
		b.Fatalf("%s: the probe's client never left", addr)
	}
	return s
}

// echoOnce is a fresh client: connect, one line, its echo, close; it
// returns how long that took.
func echoOnce(addr string) (time.Duration, error) {
	start := time.Now()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte("ping\n")); err != nil {
		return 0, err
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(c, buf); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// holder is a client process holding connections (holdEnv).
type holder struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

func startHolder(b *testing.B, source, addr string, n int) (*holder, <-chan error) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holdEnv+"="+source+","+addr+","+strconv.Itoa(n))
	stdin, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { stdin.Close(); cmd.Process.Kill(); cmd.Wait() })
	ready := make(chan error, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		if line != "held\n" {
			ready <- fmt.Errorf("holder %s -> %s: %q", source, addr, line)
			return
		}
		ready <- nil
		io.Copy(io.Discard, out)
	}()
	return &holder{cmd, stdin}, ready
}

// BenchmarkIdleClients: examples/echo_spawn.lua holding 100,000 idle
// connections, each with its own task blocked in fgets. A process may have
// 20,000 descriptors here, so six luasock processes each serve a sixth,
// from client processes on 127.0.0.2-127.0.0.7 (so that no source runs
// out of ports). Reported: the servers' RSS per connection (all of them,
// less what each held before), the p99 of 1,000 fresh clients' echoes
// while the others are held, and the descriptors left after they close.
//
//	go test -run '^$' -bench IdleClients -benchtime 1x ./bench/
func BenchmarkIdleClients(b *testing.B) {
	const servers, total = 6, 100000
	for b.Loop() {
		var srvs []*server
		var before float64
		for range servers {
			s := echoServer(b, "127.0.0.1")
			srvs = append(srvs, s)
			before += procStatus(s.cmd.Process.Pid, "VmRSS")
		}
		fdsBefore := make([]int, servers)
		for i, s := range srvs {
			fdsBefore[i] = openFDs(s.cmd.Process.Pid)
		}
		var holders []*holder
		var waits []<-chan error
		for i, s := range srvs {
			h, ready := startHolder(b, "127.0.0."+strconv.Itoa(2+i), s.addr, total/servers)
			holders, waits = append(holders, h), append(waits, ready)
		}
		for _, ready := range waits {
			select {
			case err := <-ready:
				if err != nil {
					b.Fatal(err)
				}
			case <-time.After(5 * time.Minute):
				b.Fatal("the clients did not connect in 5 minutes")
			}
		}
		held := total / servers * servers
		time.Sleep(3 * time.Second) // idle: what a quiet server holds (host/memory.go returns the rest)
		var after float64
		for _, s := range srvs {
			after += procStatus(s.cmd.Process.Pid, "VmRSS")
		}
		var times []time.Duration
		for i := range 1000 {
			d, err := echoOnce(srvs[i%servers].addr)
			if err != nil {
				b.Fatal(err)
			}
			times = append(times, d)
		}
		slices.Sort(times)
		for _, h := range holders {
			h.stdin.Close()
			h.cmd.Wait()
		}
		left := 0
		for i, s := range srvs {
			pid := s.cmd.Process.Pid
			for deadline := time.Now().Add(60 * time.Second); openFDs(pid) > fdsBefore[i] && time.Now().Before(deadline); {
				time.Sleep(100 * time.Millisecond) // each task reads its EOF and ends
			}
			left += openFDs(pid) - fdsBefore[i]
		}
		b.ReportMetric((after-before)/float64(held), "KiB/conn")
		b.ReportMetric(after/1024, "MiB-total")
		b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "fresh-p99-ms")
		b.ReportMetric(float64(left), "fds-left")
	}
}

// BenchmarkBurstReturn: how much of what a burst took the process gives
// back to the system once it is quiet. A burst of 10,000 tasks that each
// raise (tasks) and of 10,000 connections to echo_spawn.lua that come and
// go (connections); reported: RSS before, at the peak, and 5 s after the
// burst, in MiB, and the seconds until three quarters of the growth went
// back (20: not within 20 s).
//
//	go test -run '^$' -bench BurstReturn -benchtime 1x ./bench/
func BenchmarkBurstReturn(b *testing.B) {
	b.Run("tasks", func(b *testing.B) {
		script := filepath.Join(b.TempDir(), "burst.lua")
		os.WriteFile(script, []byte(`
local server = assert(stream_socket_server("tcp://127.0.0.1:0"))
print(server:name())
local conn = assert(stream_socket_accept(server))
for i = 1, 10000 do
  spawn(function() local t = {} for j = 1, 50 do t[j] = ("x"):rep(100) end error("task " .. i) end)
end
sleep(0.1)
fwrite(conn, "done\n")
sleep(3600)
`), 0o644)
		for b.Loop() {
			cmd := exec.Command(luasockBin, "run", script)
			cmd.Stderr = io.Discard // 10,000 tracebacks
			out, _ := cmd.StdoutPipe()
			s := launch(b, "burst.lua", "", cmd)
			r := bufio.NewReader(out)
			addr, _ := r.ReadString('\n')
			pid := s.cmd.Process.Pid
			base := procStatus(pid, "VmRSS")
			c, err := net.Dial("tcp", strings.TrimSpace(addr))
			if err != nil {
				b.Fatal(err)
			}
			c.SetReadDeadline(time.Now().Add(60 * time.Second))
			if line, err := bufio.NewReader(c).ReadString('\n'); err != nil || line != "done\n" {
				b.Fatalf("%q, %v", line, err)
			}
			reportReturn(b, pid, base, 0)
			c.Close()
		}
	})
	b.Run("connections", func(b *testing.B) {
		for b.Loop() {
			s := echoServer(b, "127.0.0.1")
			pid := s.cmd.Process.Pid
			base := procStatus(pid, "VmRSS")
			var holders []*holder
			var waits []<-chan error
			for i := range 10 { // 10 processes' worth of 1,000 connections, held, then closed
				h, ready := startHolder(b, "127.0.0."+strconv.Itoa(2+i), s.addr, 1000)
				holders, waits = append(holders, h), append(waits, ready)
			}
			for _, ready := range waits {
				if err := <-ready; err != nil {
					b.Fatal(err)
				}
			}
			peak := procStatus(pid, "VmRSS")
			for _, h := range holders {
				h.stdin.Close()
				h.cmd.Wait()
			}
			reportReturn(b, pid, base, peak)
		}
	})
}

// reportReturn follows a process's RSS for 20 s after a burst whose peak
// (when measured before) was peak.
func reportReturn(b *testing.B, pid int, base, peak float64) {
	peak, start := max(peak, procStatus(pid, "VmRSS")), time.Now()
	var at5 float64
	returned := 20.0
	for time.Since(start) < 20*time.Second {
		rss := procStatus(pid, "VmRSS")
		peak = max(peak, rss)
		if at5 == 0 && time.Since(start) >= 5*time.Second {
			at5 = rss
		}
		if returned == 20 && peak > base && rss <= base+(peak-base)/4 {
			returned = time.Since(start).Seconds()
		}
		if at5 != 0 && returned != 20 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if at5 == 0 {
		at5 = procStatus(pid, "VmRSS")
	}
	b.ReportMetric(base/1024, "MiB-before")
	b.ReportMetric(peak/1024, "MiB-peak")
	b.ReportMetric(at5/1024, "MiB-after-5s")
	b.ReportMetric(returned, "s-to-return")
}
