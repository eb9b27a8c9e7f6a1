package main

import (
	"bufio"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/luasock/luasock/internal/testprog"
	"github.com/luasock/luasock/internal/testutil"
)

// deployDir holds the configuration files docs/deploy.md shows; the tests
// below run them.
const deployDir = "../../docs/deploy"

// TestDeployDocsShowTheFiles: docs/deploy.md quotes every file of
// docs/deploy as it is, so the documentation shows what the tests run.
func TestDeployDocsShowTheFiles(t *testing.T) {
	doc, err := os.ReadFile("../../docs/deploy.md")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(deployDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(deployDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(doc), "\n"+string(b)+"```\n") {
			t.Errorf("docs/deploy.md does not quote %s as it is", e.Name())
		}
	}
}

// unitSettings reads a systemd unit file's Key=value lines (later ones win).
func unitSettings(t *testing.T, name string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(deployDir, name))
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			settings[k] = v
		}
	}
	return settings
}

// TestSystemdUnits checks the socket/service pair of docs/deploy.md with
// systemd-analyze verify, then does what systemd would with them, through
// systemd-socket-activate: the socket's address (on a free port) and name,
// the service's command line (with this luasock and the example script).
func TestSystemdUnits(t *testing.T) {
	analyze := testprog.Need(t, "systemd-analyze", "systemd")
	activate := testprog.Need(t, "systemd-socket-activate", "systemd")
	luasock, err := exec.LookPath("luasock")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, name := range []string{"luasock-time.socket", "luasock-time.service"} {
		b, err := os.ReadFile(filepath.Join(deployDir, name))
		if err != nil {
			t.Fatal(err)
		}
		unit := strings.ReplaceAll(string(b), "/usr/local/bin/luasock", luasock)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(unit), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(analyze, "verify", "luasock-time.socket", "luasock-time.service")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}

	socket, service := unitSettings(t, "luasock-time.socket"), unitSettings(t, "luasock-time.service")
	host, _, ok := strings.Cut(socket["ListenStream"], ":")
	if !ok {
		t.Fatalf("ListenStream=%s: want ip:port", socket["ListenStream"])
	}
	addr := host + ":" + strings.Split(testutil.FreeAddr(t, "tcp4"), ":")[1]
	argv := strings.Fields(service["ExecStart"])
	if len(argv) != 4 || argv[1] != "run" || filepath.Base(argv[2]) != "timeserver.lua" {
		t.Fatalf("ExecStart=%s: want luasock run .../timeserver.lua ADDRESS", service["ExecStart"])
	}
	script, _ := filepath.Abs("../../examples/timeserver.lua")
	run := exec.Command(activate, "-l", addr, "--fdname="+socket["FileDescriptorName"], luasock, "run", script, argv[3])
	stderr, _ := run.StderrPipe()
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Process.Kill(); run.Wait() })
	// The tool prints where it listens before it waits for a client.
	if line, err := bufio.NewReader(stderr).ReadString('\n'); !strings.HasPrefix(line, "Listening on "+addr) {
		t.Fatalf("systemd-socket-activate: %q, %v", line, err)
	}
	go io.Copy(io.Discard, stderr)
	for i := range 2 {
		c, err := net.DialTimeout("tcp", addr, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		b, err := io.ReadAll(c)
		c.Close()
		if err != nil || !strings.HasPrefix(string(b), "The local time is ") {
			t.Fatalf("client %d: %q, %v", i+1, b, err)
		}
	}
}
