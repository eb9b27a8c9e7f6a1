package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
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

// startChat runs the chat server script at path on a free port, until the
// test ends, and returns its address and a reader of its log's lines.
func startChat(t *testing.T, path string) (addr string, next func() string) {
	luasock, err := exec.LookPath("luasock")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(luasock, "run", path, "tcp://127.0.0.1:0")
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	watchdog := time.AfterFunc(60*time.Second, func() { cmd.Process.Kill() }) // bounds the waits
	t.Cleanup(func() { watchdog.Stop(); cmd.Process.Kill(); cmd.Wait() })
	log := bufio.NewScanner(stdout)
	next = func() string {
		if !log.Scan() {
			t.Fatal("the chat server ended")
		}
		return log.Text()
	}
	return strings.TrimPrefix(next(), "chat server on "), next
}

func testChat(t *testing.T, name string) {
	example, _ := filepath.Abs("../../examples/" + name)
	addr, next := startChat(t, example)

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

// TestChatDropsAFailedClient: when handling a client's line raises (a bug
// put into each chat example here), that client is dropped and told so by
// its connection's end, the others hear that it left, and the server
// serves on.
func TestChatDropsAFailedClient(t *testing.T) {
	for _, example := range []string{"chat_server.lua", "chat_spawn.lua"} {
		t.Run(example, func(t *testing.T) {
			src, err := os.ReadFile("../../examples/" + example)
			if err != nil {
				t.Fatal(err)
			}
			bug := "local function said(c, line)\n  if line == \"crash\\n\" then error(\"a bug\") end\n"
			buggy := strings.Replace(string(src), "local function said(c, line)\n", bug, 1)
			buggy = strings.Replace(buggy, "local function said(client, line)\n", strings.ReplaceAll(bug, "(c, line)", "(client, line)"), 1)
			if buggy == string(src) {
				t.Fatal("no said function to put a bug into")
			}
			path := filepath.Join(t.TempDir(), example)
			if err := os.WriteFile(path, []byte(buggy), 0o644); err != nil {
				t.Fatal(err)
			}
			addr, next := startChat(t, path)
			dial := func() (net.Conn, *bufio.Reader, string) {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					t.Fatal(err)
				}
				c.SetDeadline(time.Now().Add(60 * time.Second))
				next() // joined
				return c, bufio.NewReader(c), c.LocalAddr().String()
			}
			a, aIn, _ := dial()
			defer a.Close()
			b, bIn, bName := dial()
			defer b.Close()
			aIn.ReadString('\n') // b joined
			b.Write([]byte("crash\n"))
			if rest, err := io.ReadAll(bIn); err != nil || len(rest) != 0 {
				t.Fatalf("b read %q, %v; want the end of its connection", rest, err)
			}
			if l, _ := aIn.ReadString('\n'); l != "* "+bName+" left\n" {
				t.Fatalf("a got %q", l)
			}
			if l := next(); !strings.HasPrefix(l, bName+" dropped: ") || !strings.HasSuffix(l, "a bug") {
				t.Fatalf("the server said %q", l)
			}
			c, cIn, cName := dial()
			defer c.Close()
			aIn.ReadString('\n') // c joined
			c.Write([]byte("still here\n"))
			if l, _ := aIn.ReadString('\n'); l != cName+": still here\n" {
				t.Fatalf("a got %q", l)
			}
			_ = cIn
		})
	}
}
