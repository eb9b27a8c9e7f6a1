package testprog

import (
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// Redis starts Debian's redis-server on a free loopback port, without
// persistence, for the test's life, and returns its address once it
// accepts connections.
func Redis(t *testing.T) string {
	t.Helper()
	bin := Need(t, "redis-server", "redis-server")
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(bin, "--bind", "127.0.0.1", "--port", strconv.Itoa(port), "--save", "", "--appendonly", "no", "--dir", t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(20 * time.Second); ; {
		c, err := net.Dial("tcp4", addr)
		if err == nil {
			c.Close()
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on %s: %v", addr, err)
		}
		time.Sleep(10 * time.Millisecond) // polls until it listens
	}
}
