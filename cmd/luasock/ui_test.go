package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/testprog"
)

// TestUIFlag: --ui alone, --ui=ADDR and --ui ADDR (only when ADDR looks
// like one, right after --ui); ":PORT" stays on loopback.
func TestUIFlag(t *testing.T) {
	for _, c := range []struct {
		args, addr, rest string
	}{
		{"--ui s.lua", "127.0.0.1:0", "s.lua"},
		{"--ui=:8080 s.lua", "127.0.0.1:8080", "s.lua"},
		{"--ui :8080 s.lua a", "127.0.0.1:8080", "s.lua a"},
		{"-ui 0.0.0.0:9000 s.lua", "0.0.0.0:9000", "s.lua"},
		{"--ui [::1]:0 s.lua", "[::1]:0", "s.lua"},
		{"--ui localhost:7 s.lua", "localhost:7", "s.lua"},
		{"--ui -W s.lua", "127.0.0.1:0", "s.lua"},
		{"--ui -- :8080", "127.0.0.1:0", ":8080"}, // after --, a script named :8080
		{"--ui s.lua :8080", "127.0.0.1:0", "s.lua :8080"},
		{"s.lua --ui", "", "s.lua --ui"},
	} {
		f := newRunFlags()
		rest, err := f.parse(strings.Fields(c.args))
		if err != nil || f.ui.addr != c.addr || strings.Join(rest, " ") != c.rest {
			t.Errorf("%s: addr %q rest %q %v; want %q %q", c.args, f.ui.addr, rest, err, c.addr, c.rest)
		}
	}
	for _, bad := range []string{"--ui=", "--ui=8080", "--ui=:http", "--ui=:70000", "--ui=example.org:80", "--ui example.org:80"} {
		f := newRunFlags()
		if _, err := f.parse(append(strings.Fields(bad), "s.lua")); err == nil || !strings.Contains(err.Error(), "--ui takes") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

// TestUIStartErrors: a bad address is a usage error (2); a port in use
// cannot be served (1); both say so on stderr, and the script does not run.
func TestUIStartErrors(t *testing.T) {
	script := filepath.Join(t.TempDir(), "s.lua")
	os.WriteFile(script, []byte(`print("ran")`), 0o644)
	var out, errb bytes.Buffer
	if code := Main([]string{"run", "--ui=nowhere", script}, &out, &errb); code != host.ExitUsage || !strings.Contains(errb.String(), `--ui takes [HOST]:PORT (127.0.0.1:8080, :8080), not "nowhere"`) {
		t.Errorf("a bad address: %d %q", code, errb.String())
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	out.Reset()
	errb.Reset()
	if code := Main([]string{"run", "--ui", l.Addr().String(), script}, &out, &errb); code != host.ExitError ||
		!strings.Contains(errb.String(), "luasock: --ui: cannot serve the live view: listen tcp "+l.Addr().String()+": bind: address already in use") || out.Len() > 0 {
		t.Errorf("a port in use: %d %q %q", code, errb.String(), out.String())
	}
}

// TestUINoLeak: a run with --ui leaves no goroutine behind once Main has
// returned, and serves nothing any more.
func TestUINoLeak(t *testing.T) {
	script := filepath.Join(t.TempDir(), "s.lua")
	os.WriteFile(script, []byte(`local s = assert(stream_socket_server("tcp://127.0.0.1:0"))
local c = assert(stream_socket_client("tcp://" .. s:name()))
local conn = assert(stream_socket_accept(s))
fwrite(c, "hello\n") print(fgets(conn))`), 0o644)
	var out, errb bytes.Buffer
	Main([]string{"run", script}, &out, &errb) // whatever a run starts once for good
	before := runtime.NumGoroutine()
	out.Reset()
	errb.Reset()
	if code := Main([]string{"run", "--ui", script}, &out, &errb); code != 0 || out.String() != "hello\n\n" {
		t.Fatalf("%d %q %q", code, out.String(), errb.String())
	}
	url := regexp.MustCompile(`luasock: live view at (http://127\.0\.0\.1:\d+/\?token=[0-9a-f]{48})\n`).FindStringSubmatch(errb.String())
	if url == nil || strings.Contains(errb.String(), "beyond this machine") {
		t.Fatalf("stderr: %q", errb.String())
	}
	if _, err := http.Get(url[1]); err == nil {
		t.Error("the view is still served after the run")
	}
	deadline := time.Now().Add(20 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// uiRun is luasock run --ui ARGS as a process until the test ends: its
// stdout's lines, and the live view's address it printed.
func uiRun(t *testing.T, stdin io.Reader, args ...string) (url string, lines <-chan string, cmd *exec.Cmd) {
	t.Helper()
	luasock, err := exec.LookPath("luasock")
	if err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(luasock, append([]string{"run", "--ui"}, args...)...)
	cmd.Stdin = stdin
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	watchdog := time.AfterFunc(2*time.Minute, func() { cmd.Process.Kill() }) // bounds every wait below
	t.Cleanup(func() { watchdog.Stop(); cmd.Process.Kill(); cmd.Wait() })
	out := make(chan string, 1024)
	go func() {
		defer close(out)
		for s := bufio.NewScanner(stdout); s.Scan(); {
			out <- s.Text()
		}
	}()
	errs := bufio.NewScanner(stderr)
	for errs.Scan() {
		if u, ok := strings.CutPrefix(errs.Text(), "luasock: live view at "); ok {
			go io.Copy(io.Discard, stderr)
			return u, out, cmd
		}
		t.Logf("stderr: %s", errs.Text())
	}
	t.Fatal("luasock printed no live view address")
	return
}

// chromium loads url in a headless Chromium, lets the page's scripts run
// (its polls: 1.5 s of virtual time) and returns the DOM they left; with
// screenshot set it saves a picture of the page there instead.
func chromium(t *testing.T, browser, url, screenshot string) string {
	t.Helper()
	profile, err := os.MkdirTemp("", "luasock-ui-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(profile)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=" + profile,
		"--virtual-time-budget=1500"}
	if screenshot != "" {
		args = append(args, "--hide-scrollbars", "--window-size=1200,860", "--screenshot="+screenshot)
	} else {
		args = append(args, "--dump-dom")
	}
	cmd := exec.CommandContext(ctx, browser, append(args, url)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	return string(out)
}

// TestUIChromium: the page as a person sees it. examples/chat_spawn.lua
// serves two clients on real loopback sockets while a headless Chromium
// loads the live view; the rendered page lists both clients, the tasks'
// waits with their lines, and the messages, a peer's markup as text.
func TestUIChromium(t *testing.T) {
	browser := testprog.Need(t, "chromium", "chromium")
	example, _ := filepath.Abs("../../examples/chat_spawn.lua")
	url, lines, _ := uiRun(t, nil, example, "tcp://127.0.0.1:0")
	next := func() string {
		l, ok := <-lines
		if !ok {
			t.Fatal("the chat server ended")
		}
		return l
	}
	addr := strings.TrimPrefix(next(), "chat server on ")
	dial := func() (net.Conn, *bufio.Reader, string) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(2 * time.Minute))
		if joined := next(); joined != c.LocalAddr().String()+" joined" {
			t.Fatalf("server said %q", joined)
		}
		return c, bufio.NewReader(c), c.LocalAddr().String()
	}
	a, aIn, aName := dial()
	defer a.Close()
	b, bIn, bName := dial()
	defer b.Close()
	expect := func(in *bufio.Reader, want string) {
		t.Helper()
		if l, err := in.ReadString('\n'); l != want {
			t.Fatalf("got %q, %v; want %q", l, err, want)
		}
	}
	expect(aIn, "* "+bName+" joined\n")
	fmt.Fprintf(a, "hello from a\n")
	expect(bIn, aName+": hello from a\n")
	fmt.Fprintf(b, "<img src=x onerror=alert(1)> & hi\n")
	expect(aIn, bName+": <img src=x onerror=alert(1)> & hi\n")

	// The page polls: load it until it shows everything (bounded).
	want := map[string]*regexp.Regexp{
		"client a":            regexp.MustCompile(`<tr data-key="0/\d+" data-peer="` + regexp.QuoteMeta(aName) + `"`),
		"client b":            regexp.MustCompile(`<tr data-key="0/\d+" data-peer="` + regexp.QuoteMeta(bName) + `"`),
		"the server":          regexp.MustCompile(`<td class="mono">` + regexp.QuoteMeta(addr) + `</td><td>tcp</td>`),
		"main's accept":       regexp.MustCompile(`data-state="waiting" data-wait="accept" data-at="[^"]*chat_spawn\.lua:99"`),
		"the readers' read":   regexp.MustCompile(`(?s)(data-state="waiting" data-wait="read" data-at="[^"]*chat_spawn\.lua:79".*){2}`),
		"the writers' wait":   regexp.MustCompile(`(?s)(data-state="waiting" data-wait="channel" data-at="[^"]*chat_spawn\.lua:59".*){2}`),
		"a's message":         regexp.MustCompile(`13 B "hello from a\\n"`),
		"b's markup, as text": regexp.MustCompile(regexp.QuoteMeta(`B "&lt;img src=x onerror=alert(1)&gt; &amp; hi\n"`)),
	}
	var dom string
	deadline := time.Now().Add(3 * time.Minute)
	for {
		dom = chromium(t, browser, url, "")
		var missing []string
		for what, re := range want {
			if !re.MatchString(dom) {
				missing = append(missing, what)
			}
		}
		if len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the page does not show %v:\n%s", missing, dom)
		}
	}
	if strings.Contains(dom, "<img") {
		t.Errorf("a peer's markup became an element:\n%s", dom)
	}
	if !strings.Contains(dom, `class="status live"`) {
		t.Errorf("the page does not say it is live")
	}
	if shot := os.Getenv("LUASOCK_UI_SCREENSHOT"); shot != "" { // docs/liveview.png
		chromium(t, browser, url, shot)
	}
}

// TestUIStuckClient: clients of the view that ask and never read do not
// hold up the script: it sends its messages and ends, and luasock exits.
func TestUIStuckClient(t *testing.T) {
	script := filepath.Join(t.TempDir(), "flood.lua")
	os.WriteFile(script, []byte(`local s = assert(stream_socket_server("tcp://127.0.0.1:0"))
local c = assert(stream_socket_client("tcp://" .. s:name()))
local conn = assert(stream_socket_accept(s))
print("ready")
io.read()
local line = string.rep("<b>x</b>", 100) .. "\n"
spawn(function() for i = 1, 20000 do fwrite(c, line) end fclose(c) end)
local n = 0
while fgets(conn) do n = n + 1 end
print(n .. " lines")`), 0o644)
	go1, start := io.Pipe()
	url, lines, cmd := uiRun(t, go1, script)
	if l := <-lines; l != "ready" {
		t.Fatalf("%q", l)
	}
	base, token, _ := strings.Cut(url, "?token=")
	for range 4 {
		c, err := net.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(base, "http://"), "/"))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		go func() { // ask, again and again, and never read
			for range 500 {
				if _, err := fmt.Fprintf(c, "GET /events?since=0&token=%s HTTP/1.1\r\nHost: x\r\n\r\n", token); err != nil {
					return
				}
			}
		}()
	}
	began := time.Now()
	start.Write([]byte("go\n"))
	start.Close()
	if l := <-lines; l != "20000 lines" {
		t.Fatalf("%q", l)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	t.Logf("20000 messages and exit in %v", time.Since(began))
}

// TestUILoopback: which --ui addresses stay on this machine (others get a
// warning that the token travels in plain HTTP).
func TestUILoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1": true, "127.0.0.2": true, "::1": true, "localhost": true,
		"0.0.0.0": false, "::": false, "192.0.2.7": false, "2001:db8::7": false,
	} {
		if got := isLoopback(host); got != want {
			t.Errorf("isLoopback(%q) = %v", host, got)
		}
	}
}
