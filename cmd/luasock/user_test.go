package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/luasock/luasock/internal/testprog"
	"github.com/luasock/luasock/internal/testutil"
)

// TestUserDropsPrivileges: as root, luasock binds the RFC 868 time port
// (37, TCP and UDP), then every thread drops to nobody before the script serves rdate;
// the ready file and READY=1 come once it serves.
func TestUserDropsPrivileges(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("skipped: needs root (binds port 37, then drops to nobody)")
	}
	if os.Getenv("LUASOCK_QEMU") != "" {
		t.Skip("skipped under qemu-user: the emulator's own threads keep root, which /proc shows beside luasock's")
	}
	rdate := testprog.Need(t, "rdate", "rdate")
	path, err := exec.LookPath("luasock")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.Chmod(filepath.Dir(dir), 0o755) // so that nobody reaches the socket
	os.Chmod(dir, 0o755)
	sock := filepath.Join(dir, "notify")
	notify, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer notify.Close()
	os.Chmod(sock, 0o777) // READY=1 comes from nobody, as to systemd's socket
	example, _ := filepath.Abs("../../examples/time_rfc868.lua")
	ready := filepath.Join(dir, "ready")
	cmd := exec.Command(path, "run", "--user", "nobody", "--ready-file", ready, example, "tcp://127.0.0.1:37", "udp://127.0.0.1:37")
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sock)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	notify.SetReadDeadline(time.Now().Add(20 * time.Second))
	buf := make([]byte, 64)
	if n, err := notify.Read(buf); err != nil || string(buf[:n]) != "READY=1" {
		t.Fatalf("notification %q, %v; stderr %q", buf[:n], err, stderr.String())
	}
	if data, err := os.ReadFile(ready); err != nil || string(data) != "tcp://127.0.0.1:37\nudp://127.0.0.1:37\n" {
		t.Fatalf("ready file %q, %v", data, err)
	}
	tasks, _ := filepath.Glob(filepath.Join("/proc", itoa(cmd.Process.Pid), "task", "*", "status"))
	if len(tasks) == 0 {
		t.Fatal("no threads found")
	}
	for _, task := range tasks {
		data, err := os.ReadFile(task)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			field, value, _ := strings.Cut(line, ":")
			switch field {
			case "Uid", "Gid":
				if ids := strings.Fields(value); len(ids) != 4 || strings.Count(strings.Join(ids, " "), "65534") != 4 {
					t.Errorf("%s: %s", task, line)
				}
			case "Groups":
				if strings.TrimSpace(value) != "65534" {
					t.Errorf("%s: %s", task, line)
				}
			}
		}
	}
	for _, udp := range []bool{false, true} {
		args := []string{"-p", "127.0.0.1"}
		if udp {
			args = []string{"-p", "-u", "127.0.0.1"}
		}
		out, err := exec.Command(rdate, args...).CombinedOutput()
		// this year's date, or last year's when rdate read it just before New Year
		year := func(d time.Duration) string { return time.Now().Add(d).Format("2006") }
		if err != nil || !strings.Contains(string(out), year(0)) && !strings.Contains(string(out), year(-time.Minute)) {
			t.Fatalf("rdate %q: %v: %s", args, err, out)
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	err = cmd.Wait()
	testutil.Exited(t, err, "", stderr.String()).WantStatus(t, 143)
}

func itoa(n int) string { return strconv.Itoa(n) }
