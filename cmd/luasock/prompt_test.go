package main

import (
	"bytes"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/luasock/luasock/internal/testprog"
	"github.com/luasock/luasock/internal/testutil"
	"golang.org/x/sys/unix"
)

// A pseudo-terminal, so that luasock sees a terminal as a person's, and
// the test types at it.

// openPTY returns a new pseudo-terminal's two ends, the terminal 120
// columns wide.
func openPTY(t *testing.T) (master, tty *os.File) {
	t.Helper()
	fd, name, err := openPTYMaster() // per system: pty_*_test.go
	if err != nil {
		t.Fatal(err)
	}
	master = os.NewFile(uintptr(fd), "/dev/ptmx")
	tty, err = os.OpenFile(name, os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.IoctlSetWinsize(int(tty.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 40, Col: 120}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { master.Close(); tty.Close() })
	return master, tty
}

// screen is what luasock wrote to the terminal, without its escape codes
// (the line editor's cursor moves) and carriage returns.
type screen struct {
	mu   sync.Mutex
	raw  bytes.Buffer
	more chan struct{} // a token after each read
}

var escapes = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]|\r`)

func (s *screen) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return escapes.ReplaceAllString(s.raw.String(), "")
}

// terminalSession runs luasock with args on a pseudo-terminal (its stdin,
// stdout and stderr, and its controlling terminal) with env added.
type terminalSession struct {
	t      *testing.T
	master *os.File
	cmd    *exec.Cmd
	screen *screen
	seen   int // how much of the screen's text expect has passed
}

func startOnTerminal(t *testing.T, env []string, args ...string) *terminalSession {
	t.Helper()
	path, err := exec.LookPath("luasock")
	if err != nil {
		t.Fatal(err)
	}
	master, tty := openPTY(t)
	cmd := exec.Command(path, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close() // the child's now
	s := &terminalSession{t: t, master: master, cmd: cmd, screen: &screen{more: make(chan struct{}, 1)}}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			s.screen.mu.Lock()
			s.screen.raw.Write(buf[:n])
			s.screen.mu.Unlock()
			select {
			case s.screen.more <- struct{}{}:
			default:
			}
			if err != nil {
				close(s.screen.more)
				return
			}
		}
	}()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return s
}

// expect waits until the screen, past what earlier expects matched, matches
// pattern, and returns the match's submatches; at most 20 s.
func (s *terminalSession) expect(pattern string) []string {
	s.t.Helper()
	re := regexp.MustCompile(pattern)
	deadline := time.After(20 * time.Second)
	for {
		text := s.screen.text()
		if loc := re.FindStringSubmatchIndex(text[s.seen:]); loc != nil {
			m := re.FindStringSubmatch(text[s.seen:])
			s.seen += loc[1]
			return m
		}
		select {
		case _, ok := <-s.screen.more:
			if !ok {
				s.t.Fatalf("luasock ended before the screen showed %q:\n%s", pattern, text)
			}
		case <-deadline:
			s.t.Fatalf("the screen did not show %q in 20 s:\n%s", pattern, text)
		}
	}
}

// typeKeys sends keys as typed.
func (s *terminalSession) typeKeys(keys string) {
	s.t.Helper()
	if _, err := io.WriteString(s.master, keys); err != nil {
		s.t.Fatal(err)
	}
}

// wait returns luasock's exit status, at most 20 s after it was told to
// end, with the screen as its stdout (stdout and stderr as the terminal
// shows them).
func (s *terminalSession) wait() testutil.Result {
	s.t.Helper()
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		return testutil.Exited(s.t, err, s.screen.text(), "")
	case <-time.After(20 * time.Second):
		s.t.Fatalf("luasock did not end:\n%s", s.screen.text())
		return testutil.Result{}
	}
}

// TestPromptOnATerminal types at luasock's prompt as a person would: a
// server spawned at the prompt serves nc while a line is half typed (and
// the line survives what the server prints), an expression's value, a
// function typed over three lines, Ctrl-C out of an accept that waits and
// out of a loop, Tab on a stream's method, the history (Up, and the file),
// Ctrl-D.
func TestPromptOnATerminal(t *testing.T) {
	home := t.TempDir()
	s := startOnTerminal(t, []string{"HOME=" + home, "TERM=xterm"})
	s.expect(`luasock .*Ctrl-D`) // the greeting
	s.expect(`> $`)

	s.typeKeys(`s = assert(stream_socket_server("tcp://127.0.0.1:0"))` + "\r")
	s.expect(`\n> $`)
	s.typeKeys(`spawn(function() while true do local c = stream_socket_accept(s) fwrite(c, "hello from the prompt\n") fclose(c) print("served") end end)` + "\r")
	s.expect(`\n> $`)
	s.typeKeys(`stream_socket_get_name(s, false)` + "\r")
	addr := s.expect(`\n(127\.0\.0\.1:\d+)\n> $`)[1]

	// Half a line typed: the server still serves, and what it prints comes
	// above the line, which is whole when finished.
	s.typeKeys("x = 4")
	s.expect(`x = 4$`)
	nc := testprog.Need(t, "nc", "netcat-openbsd")
	out, err := exec.Command(nc, "-N", "-w", "10", strings.Split(addr, ":")[0], strings.Split(addr, ":")[1]).Output()
	if err != nil || string(out) != "hello from the prompt\n" {
		t.Fatalf("nc got %q, %v", out, err)
	}
	s.expect(`served\n> x = 4`)
	s.typeKeys("0 + 2\r")
	s.expect(`\n> $`)
	s.typeKeys("x\r")
	s.expect(`\n42\n> $`)

	s.typeKeys("1 + 1\r")
	s.expect(`\n2\n> $`)
	s.typeKeys("function twice(n)\r")
	s.expect(`\n>> $`)
	s.typeKeys("return n * 2\r")
	s.expect(`\n>> $`)
	s.typeKeys("end\r")
	s.expect(`\n> $`)
	s.typeKeys("twice(21)\r")
	s.expect(`\n42\n> $`)

	// Ctrl-C ends the wait of an accept that no client answers, and a loop
	// that never waits; the prompt comes back.
	s.typeKeys(`quiet = stream_socket_server("tcp://127.0.0.1:0") print("waiting") stream_socket_accept(quiet)` + "\r")
	s.expect(`\nwaiting\n`)
	s.typeKeys("\x03")
	s.expect(`\^C\ninterrupted\n> $`)
	s.typeKeys(`print("spinning") while true do end` + "\r")
	s.expect(`\nspinning\n`)
	s.typeKeys("\x03")
	s.expect(`\^C\nstdin:1: interrupted\n> $`)
	// The server spawned before goes on serving.
	if c, err := net.DialTimeout("tcp", addr, readyTimeout); err != nil {
		t.Fatal(err)
	} else {
		c.Close()
	}
	s.expect(`served\n> $`)

	// Tab completes a stream's method, and lists where names part.
	s.typeKeys("s:acc\t")
	s.expect(`s:accept$`)
	s.typeKeys("\x15") // Ctrl-U: the line is cleared
	s.typeKeys("s:re\t")
	s.expect(`read  recvfrom\n`)
	s.typeKeys("\x15stri\t")
	s.expect(`string$`)
	s.typeKeys(".up\t")
	s.expect(`string\.upper$`)
	s.typeKeys(`("tab")` + "\r")
	s.expect(`\nTAB\n> $`)

	// Ctrl-C at >> gives up the whole chunk.
	s.typeKeys("function broken()\r")
	s.expect(`\n>> $`)
	s.typeKeys("\x03")
	s.expect(`\^C\n> $`)
	s.typeKeys("broken\r")
	s.expect(`\nnil\n> $`)

	// Ctrl-C on a half-typed line clears it; Up brings back the last line.
	s.typeKeys("not finished\x03")
	s.expect(`\^C\n> $`)
	s.typeKeys("\x1b[A\r")
	s.expect(`broken\nnil\n> $`)

	s.typeKeys("\x04") // Ctrl-D
	s.wait().WantStatus(t, 0)
	history, err := os.ReadFile(filepath.Join(home, ".luasock_history"))
	if err != nil || !strings.Contains(string(history), "twice(21)\n") || strings.Contains(string(history), "not finished") {
		t.Fatalf("history %q, %v", history, err)
	}
}

// TestPromptAfterAScript: luasock -i runs the script, says where it
// listens (stderr is a terminal), then gives the prompt with the script's
// globals; os.exit ends it with its status.
func TestPromptAfterAScript(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "server.lua")
	if err := os.WriteFile(script, []byte(`server = assert(stream_socket_server("tcp://127.0.0.1:0"))`), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startOnTerminal(t, []string{"HOME="}, "-i", script)
	addr := s.expect(`luasock: listening on tcp://(127\.0\.0\.1:\d+)\n`)[1]
	s.expect(`> $`)
	s.typeKeys("server\r")
	s.expect(`\ntcp server ` + regexp.QuoteMeta(addr) + `\n> $`)
	s.typeKeys("os.exit(7)\r")
	s.wait().WantStatus(t, 7)
}

// TestAnnounceOnATerminalOnly: a server run on a terminal says once where
// it listens, on stderr; its stdout is the script's alone.
func TestAnnounceOnATerminalOnly(t *testing.T) {
	s := startOnTerminal(t, nil, "-e", `s = assert(stream_socket_server("tcp://127.0.0.1:0")) u = assert(stream_socket_server("udp://127.0.0.1:0", STREAM_SERVER_BIND)) print("serving") stream_socket_accept(s)`)
	s.expect(`serving\n`)
	s.expect(`luasock: listening on tcp://127\.0\.0\.1:\d+ and udp://127\.0\.0\.1:\d+\n`)
	s.cmd.Process.Signal(syscall.SIGINT)
	s.wait().WantStatus(t, 130)
	if n := strings.Count(s.screen.text(), "listening on"); n != 1 {
		t.Fatalf("said %d times where it listens:\n%s", n, s.screen.text())
	}
}
