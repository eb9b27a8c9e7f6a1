package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/luasock/luasock/internal/testutil"
)

// started is a luasock process that has printed its first line.
type started struct {
	cmd    *exec.Cmd
	stderr *bufio.Reader
}

// startScript runs luasock (this test binary, as testscript installs it) on
// src and waits until the script prints "ready" on its stdout pipe.
func startScript(t *testing.T, src string, args ...string) *started {
	t.Helper()
	path, err := exec.LookPath("luasock")
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(t.TempDir(), "script.lua")
	if err := os.WriteFile(script, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, append([]string{"run", script}, args...)...)
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if line != "ready\n" {
		t.Fatalf("first line %q, %v", line, err)
	}
	go io.Copy(io.Discard, stdout)
	return &started{cmd: cmd, stderr: bufio.NewReader(stderr)}
}

// ended waits for luasock to end and returns its exit status and the rest
// of its stderr (its stdout is discarded).
func (p *started) ended(t *testing.T) testutil.Result {
	t.Helper()
	rest, _ := io.ReadAll(p.stderr)
	err := p.cmd.Wait()
	return testutil.Exited(t, err, "", string(rest))
}

// TestRealSignals: SIGINT and SIGTERM from outside end a blocked script
// with 130 and 143 after removing its socket file.
func TestRealSignals(t *testing.T) {
	src := `
local s = assert(stream_socket_server("unix://" .. arg[1]))
print("ready")
stream_socket_accept(s)
`
	for sig, want := range map[syscall.Signal]int{syscall.SIGINT: 130, syscall.SIGTERM: 143} {
		t.Run(sig.String(), func(t *testing.T) {
			sock := filepath.Join(t.TempDir(), "s.sock")
			p := startScript(t, src, sock)
			if _, err := os.Stat(sock); err != nil {
				t.Fatal(err)
			}
			p.cmd.Process.Signal(sig)
			if r := p.ended(t).WantStatus(t, want); r.Stderr != "" {
				r.Fatalf(t, "want nothing on stderr")
			}
			if _, err := os.Stat(sock); !os.IsNotExist(err) {
				t.Fatalf("socket file left behind: %v", err)
			}
		})
	}
}

// TestSecondInterruptForces: a task busy in Lua code that no loop check
// reaches (a tail call to itself forever: every loop ends at a stop) cannot
// be interrupted; luasock says so, and a second SIGINT exits at once.
func TestSecondInterruptForces(t *testing.T) {
	p := startScript(t, `print("ready") local function f() return f() end f()`)
	p.cmd.Process.Signal(syscall.SIGINT)
	line, err := p.stderr.ReadString('\n')
	if !strings.Contains(line, "interrupt again to exit now") {
		t.Fatalf("stderr %q, %v", line, err)
	}
	p.cmd.Process.Signal(syscall.SIGINT)
	if r := p.ended(t).WantStatus(t, 130); strings.Contains(r.Stderr, "did not stop in time") {
		r.Fatalf(t, "want the second SIGINT to exit at once")
	}
}

// TestPrivilegedPort: binding port 80 as an unprivileged user is EACCES
// (13). As root, the test runs luasock as nobody.
func TestPrivilegedPort(t *testing.T) {
	path := luasockBinary(t)
	dir := t.TempDir()
	os.Chmod(filepath.Dir(dir), 0o755) // so that nobody can reach the binary
	os.Chmod(dir, 0o755)
	bin := filepath.Join(dir, "luasock")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "priv.lua")
	os.WriteFile(script, []byte(`print(stream_socket_server("tcp://127.0.0.1:80"))
print(stream_socket_server("unix://" .. arg[1] .. "/x.sock"))`), 0o644)
	locked := filepath.Join(dir, "locked")
	os.Mkdir(locked, 0o555)
	cmd := testutil.Command(bin, "run", script, locked)
	if os.Geteuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	}
	out, err := cmd.CombinedOutput()
	want := "nil\tPermission denied\t13\nnil\tPermission denied\t13\n"
	if err != nil || string(out) != want {
		t.Fatalf("%v: %q, want %q", err, out, want)
	}
}
