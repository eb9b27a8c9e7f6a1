package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
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
)

// The tests here stop the clock that date(), microtime(), os.time() and
// os.date() read (package clock) at each of the instants of dates_test.go,
// in its zone, and check what luasock prints then.

// since1900 is RFC 868's and NTP's epoch, in Unix seconds.
const since1900 = 2208988800

// runAt runs the Lua source src with the clock stopped at the instant and
// returns its stdout; stderr or an exit status but 0 fails the test.
func runAt(t *testing.T, in instant, src string, args ...string) string {
	t.Helper()
	at, zone := in.at(t)
	defer clock.Set(at, zone)()
	r := testutil.RunOptions(host.Options{Script: "at.lua", Source: []byte(src), Args: args})
	if r.Code != host.ExitOK || r.Stderr != "" {
		r.Fatalf(t, "at %s: want exit 0 and nothing on stderr", in)
	}
	return r.Stdout
}

// luasockDate is date(format) at the instant.
func luasockDate(t *testing.T, in instant, format string) string {
	return runAt(t, in, `io.write(date(...))`, format)
}

// osDateScript prints what os.date and os.time make of one instant: the
// stopped clock's under luasock, arg[1]'s under lua5.1, which has no such
// clock. The os.time calls at half past the hours around it land in DST's
// gap and its repeated hour at the instants of a change.
const osDateScript = `
local T = tonumber(arg[1])
local function D(f) if T then return os.date(f, T) end return os.date(f) end
print(D("%Y-%m-%d %H:%M:%S|%a %A %b %B %d %e %I %p %j %U %W %w %y %G %g %V %u|%Z %z|%c|%x %X %D %T %r %R %F %s"))
print(D("!%Y-%m-%d %H:%M:%S %c %Z %z"))
local t = D("*t")
print(t.year, t.month, t.day, t.hour, t.min, t.sec, t.wday, t.yday, t.isdst)
print(os.time(t))
t.isdst = nil
print(os.time(t))
for h = t.hour - 1, t.hour + 1 do
  print(h, os.time({year = t.year, month = t.month, day = t.day, hour = h, min = 30}),
    os.time({year = t.year, month = t.month, day = t.day, hour = h, min = 30, isdst = true}),
    os.time({year = t.year, month = t.month, day = t.day, hour = h, min = 30, isdst = false}))
end
`

// TestDateAtInstants: at each instant, date() without a timestamp is
// date() of os.time(), which is the instant's second; microtime() has its
// fraction; php with its clock stopped at the same instant (faketime)
// prints the same date() and microtime(); os.date and os.time say what
// lua5.1 says of the same second in the same zone (TZ). The first part
// runs without any outside program.
func TestDateAtInstants(t *testing.T) {
	clockLines := make([][]string, len(instants)) // date(every format), microtime(), microtime(true)
	for i, in := range instants {
		at, _ := in.at(t)
		got := runAt(t, in, `
local F = ...
print(date(F))
print(date(F, os.time()))
print(date("U"), os.time(), date("n/j/Y g:i a"))
print(microtime())
print(string.format("%.6f", microtime(true)))
`, phpEveryFormat)
		lines := strings.Split(got, "\n")
		want := fmt.Sprintf("%d %d %s", at.Unix(), at.Unix(), strings.TrimPrefix(strings.TrimSuffix(in.timeserver, "\n"), "The local time is "))
		micro := fmt.Sprintf("0.%06d00 %d", at.Nanosecond()/1000, at.Unix())
		float := fmt.Sprintf("%d.%06d", at.Unix(), at.Nanosecond()/1000)
		if len(lines) != 6 || lines[0] != lines[1] || strings.ReplaceAll(lines[2], "\t", " ") != want || lines[3] != micro || lines[4] != float {
			t.Errorf("%s:\n%s\nwant lines 1 and 2 equal, then\n%s\n%s\n%s", in, got, want, micro, float)
		}
		clockLines[i] = []string{lines[0], lines[3], lines[4]}
	}

	t.Run("php", func(t *testing.T) {
		for i, in := range instants {
			out, err := phpAt(t, in, "-r", `echo date($argv[1]), "\n", microtime(), "\n", sprintf("%.6f", microtime(true)), "\n";`, "--", phpEveryFormat).CombinedOutput()
			if err != nil {
				t.Fatalf("php: %v\n%s", err, out)
			}
			if want := strings.Join(clockLines[i], "\n") + "\n"; string(out) != want {
				t.Errorf("%s: date(%q), microtime(), microtime(true)\nluasock:\n%sphp:\n%s", in, phpEveryFormat, want, out)
			}
		}
	})

	lua51 := testprog.Need(t, "lua5.1", "lua5.1")
	for _, in := range instants {
		at, _ := in.at(t)
		got := runAt(t, in, osDateScript)
		cmd := exec.Command(lua51, "-", strconv.FormatInt(at.Unix(), 10))
		cmd.Env = append(os.Environ(), "TZ="+in.zone)
		cmd.Stdin = strings.NewReader(osDateScript)
		want, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("lua5.1: %v\n%s", err, want)
		}
		if got != string(want) {
			t.Errorf("%s: os.date and os.time\nluasock:\n%slua5.1:\n%s", in, got, want)
		}
	}
}

// phpAt is php with args, its clock stopped at the instant by Debian's
// libfaketime and its zone the instant's (date.timezone: PHP ignores TZ).
// The library is preloaded, not run through the faketime command, so that
// php is the test's own child, ended and reaped by it.
func phpAt(t *testing.T, in instant, args ...string) *exec.Cmd {
	t.Helper()
	php := testprog.Need(t, "php", "php-cli")
	testprog.Need(t, "faketime", "faketime")
	lib, _ := filepath.Glob("/usr/lib/*/faketime/libfaketime.so.1")
	if len(lib) == 0 {
		t.Fatal("faketime is installed but not its libfaketime.so.1")
	}
	at, _ := in.at(t)
	cmd := exec.Command(php, append([]string{"-d", "date.timezone=" + in.zone}, args...)...)
	cmd.Env = append(os.Environ(), "LD_PRELOAD="+lib[0], "FAKETIME="+at.UTC().Format("2006-01-02 15:04:05.999999999"),
		"TZ=UTC", // the zone FAKETIME is read in
		"FAKETIME_DONT_FAKE_MONOTONIC=1")
	return cmd
}

// server is an example run in this process with the clock stopped.
type server struct {
	addrs  []string // from the ready file, in the order the example listens
	cancel context.CancelFunc
	done   chan int
}

// startExample runs examples/name with args and returns once it serves
// (systemd's READY=1 on a socket of the test's own, never a sleep).
func startExample(t *testing.T, name string, args ...string) *server {
	t.Helper()
	dir := t.TempDir()
	notify, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: filepath.Join(dir, "notify"), Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer notify.Close()
	ready := filepath.Join(dir, "ready")
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{cancel: cancel, done: make(chan int, 1)}
	errb := &bytes.Buffer{}
	go func() {
		s.done <- host.RunContext(ctx, host.Options{Script: filepath.Join("..", "..", "examples", name), Args: args,
			ReadyFile: ready, NotifySocket: notify.LocalAddr().String(), Stderr: errb})
	}()
	notify.SetReadDeadline(time.Now().Add(readyTimeout))
	buf := make([]byte, 64)
	if n, err := notify.Read(buf); err != nil || string(buf[:n]) != "READY=1" {
		cancel()
		t.Fatalf("%s did not start: %q, %v (exit %d)\n%s", name, buf[:n], err, <-s.done, errb)
	}
	data, err := os.ReadFile(ready)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range strings.Fields(string(data)) {
		s.addrs = append(s.addrs, a[strings.Index(a, "://")+3:])
	}
	return s
}

// stop ends the example as SIGINT does.
func (s *server) stop(t *testing.T) {
	t.Helper()
	s.cancel()
	select {
	case code := <-s.done:
		if code != host.ExitInterrupted {
			t.Errorf("exit %d, want %d", code, host.ExitInterrupted)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the example did not stop within 20 s")
	}
}

// askTCP connects, sends nothing and reads to EOF.
func askTCP(t *testing.T, addr string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, readyTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(readyTimeout))
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// askUDP sends one datagram and returns the answer: the server is up, so
// loopback loses nothing and one try is enough.
func askUDP(t *testing.T, addr string, request []byte) []byte {
	t.Helper()
	c, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(readyTimeout))
	if _, err := c.Write(request); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1500)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	return buf[:n]
}

// TestExamplesAtInstants runs each date-printing example at each instant
// and checks what its clients get: the table's lines (which
// TestInstantsAsPHP holds to php's date()), RFC 868's and NTP's seconds
// since 1900 to the bit, and Debian's rdate's reading of both in the
// instant's zone.
func TestExamplesAtInstants(t *testing.T) {
	for _, in := range instants {
		t.Run(in.zone+" "+in.when, func(t *testing.T) { examplesAt(t, in) })
	}
}

func examplesAt(t *testing.T, in instant) {
	at, zone := in.at(t)
	defer clock.Set(at, zone)()
	expect := func(what, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s: %s got %q, want %q", in, what, got, want)
		}
	}
	// rdate prints what it was served in the instant's zone (TZ).
	rdate := func(what string, want time.Time, args ...string) {
		t.Run("rdate "+what, func(t *testing.T) {
			bin := testprog.Need(t, "rdate", "rdate")
			cmd := exec.Command(bin, append(args, "127.0.0.1")...)
			cmd.Env = append(os.Environ(), "TZ="+in.zone)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("rdate %q: %v\n%s", args, err, out)
			}
			expect("rdate "+what, string(out), want.Format("Mon Jan _2 15:04:05 MST 2006")+"\n")
		})
	}

	s := startExample(t, "timeserver.lua", "tcp://127.0.0.1:0")
	expect("timeserver.lua", askTCP(t, s.addrs[0]), in.timeserver)
	s.stop(t)

	s = startExample(t, "udp_timeserver.lua", "udp://127.0.0.1:0")
	expect("udp_timeserver.lua", string(askUDP(t, s.addrs[0], []byte("x"))), in.udp)
	s.stop(t)

	t.Run("php's servers", func(t *testing.T) {
		// The manual's own time servers, in php with its clock stopped at
		// the instant, send what the Lua ports of them send.
		sock := filepath.Join(t.TempDir(), "php.sock")
		tcp := phpAt(t, in, filepath.Join("..", "..", "bench", "peers", "timeserver.php"), "unix://"+sock)
		startPeer(t, tcp)
		c := dialUntilUp(t, "unix", sock)
		b, err := io.ReadAll(c)
		c.Close()
		expect("php's timeserver.php", string(b), in.timeserver)
		if err != nil {
			t.Error(err)
		}

		expect("php's udp_timeserver.php", string(phpUDPAnswer(t, in)), in.udp)
	})

	s = startExample(t, "daytime.lua", "tcp://127.0.0.1:0", "udp://127.0.0.1:0")
	expect("daytime.lua over TCP", askTCP(t, s.addrs[0]), in.daytime)
	expect("daytime.lua over UDP", string(askUDP(t, s.addrs[1], []byte("\n"))), in.daytime)
	s.stop(t)

	s = startExample(t, "http_server.lua", "tcp://127.0.0.1:0")
	expect("http_server.lua's /time", httpGet(t, "http://"+s.addrs[0]+"/time"), in.http)
	s.stop(t)

	rfc868 := binary.BigEndian.AppendUint32(nil, uint32(at.Unix()+since1900))
	s = startExample(t, "time_rfc868.lua", "tcp://127.0.0.1:0", "udp://127.0.0.1:0")
	expect("time_rfc868.lua over TCP", fmt.Sprintf("%x", askTCP(t, s.addrs[0])), fmt.Sprintf("%x", rfc868))
	expect("time_rfc868.lua over UDP", fmt.Sprintf("%x", askUDP(t, s.addrs[1], []byte("\n"))), fmt.Sprintf("%x", rfc868))
	rdate("over TCP", at, "-p", "-o", port(s.addrs[0]))
	rdate("over UDP", at, "-p", "-u", "-o", port(s.addrs[1]))
	s.stop(t)

	// An NTP v4 client's request (flags 0x23) with a transmit time the
	// server must send back as the answer's originate time.
	request := make([]byte, 48)
	request[0] = 0x23
	copy(request[40:], "clientTX")
	ntp := binary.BigEndian.AppendUint32(nil, uint32(at.Unix()+since1900))
	ntp = binary.BigEndian.AppendUint32(ntp, uint32(uint64(at.Nanosecond())<<32/1e9)) // the fraction, in 2^-32 s
	s = startExample(t, "sntp_server.lua", "udp://127.0.0.1:0")
	answer := askUDP(t, s.addrs[0], request)
	if len(answer) != 48 || answer[0] != 0x24 || !bytes.Equal(answer[24:32], []byte("clientTX")) ||
		!bytes.Equal(answer[16:24], ntp) || !bytes.Equal(answer[32:40], ntp) || !bytes.Equal(answer[40:48], ntp) {
		t.Errorf("%s: sntp_server.lua answered %x, want flags 24, originate clientTX and reference, receive and transmit %x", in, answer, ntp)
	}
	rdate("-n", at, "-p", "-n", "-o", port(s.addrs[0]))
	s.stop(t)
}

func port(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	c := http.Client{Timeout: readyTimeout}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// startPeer starts cmd and ends it when the test ends.
func startPeer(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("%s printed:\n%s", filepath.Base(cmd.Args[0]), out.String())
		}
	})
}

// dialUntilUp connects to a server that may still be starting: it retries
// while the connection is refused (or the socket file is not there yet),
// for up to readyTimeout.
func dialUntilUp(t *testing.T, network, addr string) net.Conn {
	t.Helper()
	deadline := time.Now().Add(readyTimeout)
	for {
		c, err := net.DialTimeout(network, addr, readyTimeout)
		if err == nil {
			c.SetDeadline(deadline.Add(readyTimeout))
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s %s: %v", network, addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// phpUDPAnswer starts the manual's UDP time server at the instant on a
// free port and returns its answer to a datagram. PHP cannot say which
// port it bound, so the port is chosen here; should another program take
// it first, php fails to bind, and another port is tried.
func phpUDPAnswer(t *testing.T, in instant) []byte {
	t.Helper()
	for try := 1; ; try++ {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := c.LocalAddr().String()
		c.Close()
		startPeer(t, phpAt(t, in, filepath.Join("..", "..", "bench", "peers", "udp_timeserver.php"), "udp://"+addr))
		if answer := askUDPRetrying(t, addr); answer != nil || try == 3 {
			return answer
		}
	}
}

// askUDPRetrying sends "x" until an answer comes, for up to readyTimeout
// (the server may be starting): nil when none came.
func askUDPRetrying(t *testing.T, addr string) []byte {
	t.Helper()
	c, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	buf := make([]byte, 1500)
	for deadline := time.Now().Add(readyTimeout); time.Now().Before(deadline); {
		c.Write([]byte("x"))
		c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		if n, err := c.Read(buf); err == nil {
			return buf[:n]
		}
	}
	return nil
}
