package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/luasock/luasock/internal/testprog"
	"github.com/luasock/luasock/internal/testutil"
)

// The tutorial (docs/tutorial) is run as a learner would follow it: every
// code block of every lesson and solution runs, against the clients it
// names, and what it shows must be what comes out. A block is one of:
//
//	```lua file=NAME    a file the lesson writes (also ```text file=NAME)
//	```lua              a script that runs by itself and must end well
//	```console          $ commands and what they print; a command ending in &
//	                    runs in the background, awaited until it serves
//	                    (luasock's READY=1), and is stopped at the lesson's end
//	                    or by $ kill %N (the page's Nth, as a shell numbers them)
//	```prompt           what is typed at luasock's prompt (> and >> lines)
//	                    and what it prints
//
// In what a block shows, a line "..." stands for any lines, and a port of
// 32768 or more (a client's, chosen by the system) for any port. Every
// number from 8000 to 8099 on a page is a port, replaced by a free one
// when it runs (the same number by the same port throughout the page).
// The clock is stopped at tutorialNow in UTC (LUASOCK_TEST_NOW), so the time
// servers print what the lesson shows.

// tutorialNow is the instant the lessons' time servers print.
const tutorialNow = "2026-12-07T15:04:05Z"

// TestTutorial runs docs/tutorial/*.md and docs/tutorial/solutions/*.md.
func TestTutorial(t *testing.T) {
	pages, _ := filepath.Glob("../../docs/tutorial/*.md")
	solutions, _ := filepath.Glob("../../docs/tutorial/solutions/*.md")
	pages = append(pages, solutions...)
	if len(pages) < 17 { // eight lessons, their solutions, the index
		t.Fatalf("found %d pages of the tutorial", len(pages))
	}
	for _, page := range pages {
		name := strings.TrimPrefix(page, "../../docs/tutorial/")
		t.Run(name, func(t *testing.T) {
			t.Parallel() // each page in its own folder, with its own ports
			blocks, err := readBlocks(page)
			if err != nil {
				t.Fatal(err)
			}
			runLesson(t, page, blocks)
		})
	}
}

// block is a fenced code block of a page.
type block struct {
	kind string // lua, text, console, prompt
	file string // file=NAME
	line int    // where it starts
	body string
}

var fence = regexp.MustCompile("^```([a-z]*)(?: file=(\\S+))?\\s*$")

// readBlocks reads a page's fenced blocks; one it does not know how to run
// is an error: nothing on a page goes untested.
func readBlocks(path string) ([]block, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var blocks []block
	var cur *block
	for i, line := range strings.Split(string(data), "\n") {
		switch {
		case cur == nil && strings.HasPrefix(line, "```"):
			m := fence.FindStringSubmatch(line)
			if m == nil {
				return nil, fmt.Errorf("%s:%d: a block this test cannot run: %s", path, i+1, line)
			}
			cur = &block{kind: m[1], file: m[2], line: i + 1}
			ok := m[2] != "" && (m[1] == "lua" || m[1] == "text") ||
				m[2] == "" && (m[1] == "lua" || m[1] == "console" || m[1] == "prompt")
			if !ok {
				return nil, fmt.Errorf("%s:%d: a block this test cannot run: %s", path, i+1, line)
			}
		case cur != nil && line == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.body += line + "\n"
		}
	}
	if cur != nil {
		return nil, fmt.Errorf("%s:%d: the block does not end", path, cur.line)
	}
	return blocks, nil
}

// lesson is one page being run: its folder, its ports, its background
// commands.
type lesson struct {
	t     *testing.T
	page  string
	dir   string
	ports map[string]string // the page's port -> the one it runs on
	env   []string
	jobs  []*job // the commands started in the background, in order
}

// job is a command in the background; ended is closed once it has exited.
type job struct {
	cmd   *exec.Cmd
	ended chan struct{}
}

var lessonPort = regexp.MustCompile(`\b80[0-9][0-9]\b`)

func runLesson(t *testing.T, page string, blocks []block) {
	l := &lesson{t: t, page: page, dir: t.TempDir(), ports: map[string]string{}}
	l.env = append(os.Environ(), "TZ=UTC", testNowEnv+"="+tutorialNow, "HOME="+l.dir)
	for _, b := range blocks {
		switch {
		case b.file != "":
			path := filepath.Join(l.dir, b.file)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(l.localize(b.body)), 0o644); err != nil {
				t.Fatal(err)
			}
		case b.kind == "lua":
			l.runScript(b)
		case b.kind == "console":
			l.runConsole(b)
		case b.kind == "prompt":
			l.runPrompt(b)
		}
	}
}

// localize replaces the page's ports by free ones, the same each time.
// They are chosen below the system's range for clients' ports (32768 and
// up), so that no client of this or another test is given one before the
// page's server binds it, which may be several commands later.
func (l *lesson) localize(s string) string {
	return lessonPort.ReplaceAllStringFunc(s, func(port string) string {
		if p, ok := l.ports[port]; ok {
			return p
		}
		for try := 0; try < 1000; try++ {
			p := strconv.Itoa(20000 + rand.IntN(12000))
			if !handOut(p) {
				continue
			}
			l.ports[port] = p
			return p
		}
		l.t.Fatal("no free port between 20000 and 32000")
		return ""
	})
}

// handedOut are the ports the pages, which run in parallel, were given.
var handedOut = struct {
	sync.Mutex
	ports map[string]bool
}{ports: map[string]bool{}}

// handOut gives port to a page if no page has it and it is free now.
func handOut(port string) bool {
	handedOut.Lock()
	defer handedOut.Unlock()
	if handedOut.ports[port] || !freeForBoth(port) {
		return false
	}
	handedOut.ports[port] = true
	return true
}

// freeForBoth tells whether a loopback port is free for TCP and for UDP.
func freeForBoth(port string) bool {
	ln, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		return false
	}
	defer ln.Close()
	c, err := net.ListenPacket("udp", "127.0.0.1:"+port)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// where names a block's place on its page, for failures.
func (l *lesson) where(b block) string { return fmt.Sprintf("%s:%d", l.page, b.line) }

// runScript runs a lua block by itself: it must end with status 0.
func (l *lesson) runScript(b block) {
	path := filepath.Join(l.dir, fmt.Sprintf("block%d.lua", b.line))
	if err := os.WriteFile(path, []byte(l.localize(b.body)), 0o644); err != nil {
		l.t.Fatal(err)
	}
	out, code := l.run("luasock "+path, "")
	if code != 0 {
		l.t.Errorf("%s: the script ended with status %d:\n%s", l.where(b), code, out)
	}
}

// tutorialPrograms are the programs a lesson's commands may run, with the
// Debian package of each that a fresh machine lacks ("": the shell's own,
// coreutils', or luasock). Another is an error: add it here.
var tutorialPrograms = map[string]string{
	"luasock": "", "echo": "", "printf": "", "cat": "", "head": "", "tail": "", "od": "", "wc": "",
	"sleep": "", "sort": "", "tr": "", "cut": "", "base64": "", "ls": "", "rm": "", "true": "", "kill": "",
	"grep": "grep", "sed": "sed",
	"nc": "netcat-openbsd", "socat": "socat", "dig": "bind9-dnsutils", "openssl": "openssl",
	"curl": "curl", "tshark": "tshark", "php": "php-cli", "rdate": "rdate", "redis-cli": "redis-tools",
}

var commandWords = regexp.MustCompile(`(?:^|[|;&]|&&|\|\||\$\()\s*([A-Za-z0-9_.-]+)`)

// need ends the lesson (skipped, or failed under CI) when a program its
// command runs is missing, as every test that compares with a program does.
func (l *lesson) need(b block, cmd string) {
	for _, m := range commandWords.FindAllStringSubmatch(cmd, -1) {
		if strings.Trim(m[1], "0123456789") == "" {
			continue // 2>&1
		}
		pkg, ok := tutorialPrograms[m[1]]
		if !ok {
			l.t.Fatalf("%s: $ %s runs %s, which the test does not know (tutorialPrograms)", l.where(b), cmd, m[1])
		}
		if pkg != "" {
			testprog.Need(l.t, m[1], pkg)
		}
	}
}

// runConsole runs a console block's commands in order.
func (l *lesson) runConsole(b block) {
	var cmd string
	var want []string
	flush := func() {
		if cmd == "" {
			return
		}
		if n, ok := strings.CutPrefix(cmd, "kill %"); ok {
			l.kill(b, n)
		} else if strings.HasSuffix(cmd, " &") {
			if len(want) > 0 {
				l.t.Errorf("%s: a command in the background shows no output here: $ %s", l.where(b), cmd)
			}
			l.background(b, strings.TrimSuffix(cmd, " &"))
		} else {
			l.compare(b, "$ "+cmd, want, l.output(cmd, want))
		}
		cmd, want = "", nil
	}
	for _, line := range strings.Split(strings.TrimSuffix(b.body, "\n"), "\n") {
		if c, ok := strings.CutPrefix(line, "$ "); ok {
			flush()
			l.need(b, c)
			cmd = l.localize(c)
			continue
		}
		if cmd == "" {
			l.t.Fatalf("%s: output before any command: %q", l.where(b), line)
		}
		want = append(want, line)
	}
	flush()
}

// runPrompt types a prompt block's > and >> lines at luasock -i (its
// prompts printed, as on a pipe) and compares what it printed with the
// block's other lines.
func (l *lesson) runPrompt(b block) {
	var typed, want []string
	for _, line := range strings.Split(strings.TrimSuffix(b.body, "\n"), "\n") {
		if in, ok := strings.CutPrefix(line, ">> "); ok {
			typed = append(typed, in)
		} else if in, ok := strings.CutPrefix(line, "> "); ok {
			typed = append(typed, in)
		} else if line == ">" {
			typed = append(typed, "")
		} else {
			want = append(want, line)
		}
	}
	out, _ := l.run("luasock -i", l.localize(strings.Join(typed, "\n")+"\n"))
	var got []string
	for _, line := range strings.Split(out, "\n") {
		got = append(got, promptsBefore.ReplaceAllString(line, ""))
	}
	l.compare(b, "luasock -i", want, strings.Join(got, "\n"))
}

// promptsBefore are the prompts printed before what a line printed: on a
// pipe the prompt has no line of its own.
var promptsBefore = regexp.MustCompile(`^(>>? )+`)

// run runs cmd with sh in the lesson's folder, stdin given, and returns
// what it printed (stdout and stderr, as a terminal shows them) and its
// exit status. At most 20 s.
func (l *lesson) run(cmd, stdin string) (string, int) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := exec.CommandContext(ctx, "sh", "-c", cmd)
	c.Dir, c.Env = l.dir, l.env
	// At the limit every process the command started ends, and the output
	// gathered so far is the failure's.
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.Cancel = func() error { return syscall.Kill(-c.Process.Pid, syscall.SIGKILL) }
	c.WaitDelay = 5 * time.Second
	c.Stdin = strings.NewReader(stdin)
	out, err := c.CombinedOutput()
	if ctx.Err() != nil {
		l.t.Fatalf("%s: $ %s did not end in 20 s:\n%s", l.page, cmd, out)
	}
	code := 0
	if err != nil {
		code = c.ProcessState.ExitCode()
	}
	return string(out), code
}

// background starts cmd and waits until it serves: luasock tells the
// NOTIFY_SOCKET it is given READY=1 then, as it tells systemd. It is
// stopped (SIGINT) when the lesson ends.
func (l *lesson) background(b block, cmd string) {
	sock := filepath.Join(l.dir, fmt.Sprintf(".notify%d", len(l.jobs)+1))
	notify, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		l.t.Fatal(err)
	}
	defer notify.Close()
	out := &testutil.Buffer{}
	c := exec.Command("sh", "-c", "exec "+cmd)
	c.Dir, c.Env = l.dir, append(slices.Clone(l.env), "NOTIFY_SOCKET="+sock)
	c.Stdout, c.Stderr = out, out
	if err := c.Start(); err != nil {
		l.t.Fatal(err)
	}
	j := &job{cmd: c, ended: make(chan struct{})}
	go func() { c.Wait(); close(j.ended) }()
	l.jobs = append(l.jobs, j)
	l.t.Cleanup(func() { j.stop(syscall.SIGINT) })
	ready := make(chan error, 1)
	go func() {
		notify.SetReadDeadline(time.Now().Add(20 * time.Second))
		buf := make([]byte, 64)
		n, err := notify.Read(buf)
		if err == nil && string(buf[:n]) != "READY=1" {
			err = fmt.Errorf("it said %q", buf[:n])
		}
		ready <- err
	}()
	select {
	case err := <-ready:
		if err != nil {
			l.t.Fatalf("%s: $ %s & did not start serving: %v\n%s", l.where(b), cmd, err, out.String())
		}
	case <-j.ended: // (out is complete once it has exited)
		l.t.Fatalf("%s: $ %s & ended (%v) before it served:\n%s", l.where(b), cmd, c.ProcessState, out.String())
	}
}

// kill is $ kill %N: the Nth command started in the background ends as
// after SIGTERM, as a shell's kill.
func (l *lesson) kill(b block, n string) {
	i, err := strconv.Atoi(n)
	if err != nil || i < 1 || i > len(l.jobs) {
		l.t.Fatalf("%s: kill %%%s: there are %d jobs", l.where(b), n, len(l.jobs))
	}
	l.jobs[i-1].stop(syscall.SIGTERM)
}

// stop signals a background command and waits for it, at most 20 s
// before it is killed.
func (j *job) stop(sig syscall.Signal) {
	select {
	case <-j.ended:
		return
	default:
	}
	j.cmd.Process.Signal(sig)
	select {
	case <-j.ended:
	case <-time.After(20 * time.Second):
		j.cmd.Process.Kill()
		<-j.ended
	}
}

// output runs cmd once, or, when it is a cat of what a command in the
// background writes (its log), until the log holds what the block shows:
// the background command logs as it goes, so the awaited lines may come a
// moment after the foreground command that caused them (at most 10 s).
func (l *lesson) output(cmd string, want []string) string {
	out, _ := l.run(cmd, "")
	if !strings.HasPrefix(cmd, "cat ") || len(l.jobs) == 0 {
		return out
	}
	localized := make([]string, len(want))
	for i, w := range want {
		localized[i] = l.localize(w)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		got := strings.Split(strings.TrimRight(out, "\n"), "\n")
		if linesMatch(localized, got) {
			break
		}
		time.Sleep(20 * time.Millisecond) // polling the log for lines still to come
		out, _ = l.run(cmd, "")
	}
	return out
}

// compare holds what came out to what the block shows.
func (l *lesson) compare(b block, what string, want []string, out string) {
	got := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if out == "" {
		got = nil
	}
	for i := range want {
		want[i] = l.localize(want[i])
	}
	if !linesMatch(want, got) {
		l.t.Errorf("%s: %s printed\n%s\nthe page shows\n%s", l.where(b), what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

var clientPort = regexp.MustCompile(`\b(3[2-9][0-9]{3}|[4-5][0-9]{4}|6[0-5][0-9]{3})\b`)

// linesMatch matches lines to a block's: "..." any lines, a client's port
// any port, trailing spaces ignored (and a \r, which a terminal does not show).
func linesMatch(want, got []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if want[0] == "..." {
		for i := 0; i <= len(got); i++ {
			if linesMatch(want[1:], got[i:]) {
				return true
			}
		}
		return false
	}
	if len(got) == 0 {
		return false
	}
	pattern := "^" + strings.Join(splitKeep(strings.TrimRight(want[0], " \t")), "") + "$"
	return regexp.MustCompile(pattern).MatchString(strings.TrimRight(got[0], " \t\r")) && linesMatch(want[1:], got[1:])
}

// splitKeep quotes a line for a regexp, a client's port standing for any.
func splitKeep(line string) []string {
	var parts []string
	last := 0
	for _, m := range clientPort.FindAllStringIndex(line, -1) {
		parts = append(parts, regexp.QuoteMeta(line[last:m[0]]), `[1-9][0-9]{4}`)
		last = m[1]
	}
	return append(parts, regexp.QuoteMeta(line[last:]))
}

// TestTutorialLinesMatch: the matching rules of the tutorial's blocks.
func TestTutorialLinesMatch(t *testing.T) {
	for _, c := range []struct {
		want, got string
		ok        bool
	}{
		{"a\nb", "a\nb", true},
		{"a\nb", "a\nc", false},
		{"a\n...\nz", "a\nb\nc\nz", true},
		{"a\n...\nz", "a\nz", true},
		{"a\n...", "a", true},
		{"...\nz", "a\nb", false},
		{"from 127.0.0.1:51234", "from 127.0.0.1:40001", true},
		{"from 127.0.0.1:51234", "from 127.0.0.1:8000", false},
		{"x.y", "xzy", false},
		{"trailing  ", "trailing", true},
		{"250 STARTTLS", "250 STARTTLS\r", true},
	} {
		if got := linesMatch(strings.Split(c.want, "\n"), strings.Split(c.got, "\n")); got != c.ok {
			t.Errorf("%q ~ %q: %v, want %v", c.want, c.got, got, c.ok)
		}
	}
}
