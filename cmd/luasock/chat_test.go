package main

import (
	"bufio"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestChatServers runs examples/chat_server.lua (stream_select) and
// examples/chat_spawn.lua (tasks) and talks to each with three clients: lines reach the others, joins and leaves are
// announced, and a client that never reads and leaves half a line cannot
// stall the rest.
func TestChatServers(t *testing.T) {
	for _, example := range []string{"chat_server.lua", "chat_spawn.lua"} {
		t.Run(example, func(t *testing.T) { testChat(t, example) })
	}
}

func testChat(t *testing.T, name string) {
	path, err := exec.LookPath("luasock")
	if err != nil {
		t.Fatal(err)
	}
	example, _ := filepath.Abs("../../examples/" + name)
	cmd := exec.Command(path, "run", example, "tcp://127.0.0.1:0")
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	watchdog := time.AfterFunc(60*time.Second, func() { cmd.Process.Kill() }) // bounds the waits below
	defer watchdog.Stop()
	log := bufio.NewScanner(stdout)
	next := func() string {
		if !log.Scan() {
			t.Fatal("the chat server ended")
		}
		return log.Text()
	}
	addr := strings.TrimPrefix(next(), "chat server on ")

	dial := func(rcvbuf int) (net.Conn, *bufio.Reader, string) {
		d := net.Dialer{Control: func(_, _ string, raw syscall.RawConn) error {
			if rcvbuf > 0 { // a small window, so the server's queue for it fills
				raw.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, rcvbuf) })
			}
			return nil
		}}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(60 * time.Second))
		if joined := next(); joined != c.LocalAddr().String()+" joined" {
			t.Fatalf("server said %q", joined)
		}
		return c, bufio.NewReader(c), c.LocalAddr().String()
	}
	a, aIn, aName := dial(0)
	defer a.Close()
	b, bIn, bName := dial(0)
	defer b.Close()
	if l, _ := aIn.ReadString('\n'); l != "* "+bName+" joined\n" {
		t.Fatalf("a got %q", l)
	}
	stall, _, stallName := dial(4096)
	defer stall.Close()
	stall.Write([]byte("half a line, and never reads"))
	for _, in := range []*bufio.Reader{aIn, bIn} {
		if l, _ := in.ReadString('\n'); l != "* "+stallName+" joined\n" {
			t.Fatalf("got %q", l)
		}
	}

	// a floods; b must get every line although stall reads nothing.
	// 6.6 MB: more than the kernel can hold for stall (net.ipv4.tcp_wmem max is
	// 4 MiB here) plus the server's 256 KiB queue, so the server must drop it.
	const lines = 60000
	go func() {
		w := bufio.NewWriter(a)
		for i := range lines {
			fmt.Fprintf(w, "line %d %s\n", i, strings.Repeat("x", 80))
		}
		w.Flush()
	}()
	for i := range lines {
		want := fmt.Sprintf("%s: line %d %s\n", aName, i, strings.Repeat("x", 80))
		l, err := bIn.ReadString('\n')
		if l != want {
			t.Fatalf("b's line %d: %q, %v (a %s, b %s, stall %s)", i, l, err, aName, bName, stallName)
		}
	}
	// The server dropped the client that never reads, and told nobody it "left".
	for l := next(); l != stallName+" dropped: too slow"; l = next() {
		t.Logf("server: %s", l)
	}
	b.Write([]byte("done\n"))
	if l, _ := aIn.ReadString('\n'); l != bName+": done\n" {
		t.Fatalf("a got %q", l)
	}
	b.Close()
	for {
		l, err := aIn.ReadString('\n')
		if err != nil {
			t.Fatalf("a never heard that b left: %v", err)
		}
		if l == "* "+bName+" left\n" {
			break
		}
		t.Fatalf("a got %q", l)
	}
}
