package host_test

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/testutil"
)

// typist is a Prompt that a test types at: each ReadLine tells the test
// which prompt it shows and takes the next line the test gives.
type typist struct {
	prompts chan string
	lines   chan string // closed: the end of the input
	session chan host.Session
}

func newTypist() *typist {
	return &typist{prompts: make(chan string, 1), lines: make(chan string), session: make(chan host.Session, 1)}
}

func (p *typist) Attach(s host.Session) { p.session <- s }

func (p *typist) ReadLine(ctx context.Context, prompt string) (string, error) {
	select {
	case p.prompts <- prompt:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	select {
	case line, ok := <-p.lines:
		if !ok {
			return "", io.EOF
		}
		return line, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// prompt waits for the prompt shown next, which must be want.
func (p *typist) prompt(t *testing.T, want string) {
	t.Helper()
	select {
	case got := <-p.prompts:
		if got != want {
			t.Fatalf("prompt %q, want %q", got, want)
		}
	case <-time.After(hangBound(t)):
		t.Fatalf("no prompt %q", want)
	}
}

// TestInterruptEveryWait: Ctrl-C (Session.Interrupt) ends each kind of wait
// an evaluation at the prompt may be in, and a loop that never waits,
// inside pcall and a coroutine too; "interrupted" is said, the prompt comes
// back, and a task spawned at an earlier prompt is not interrupted.
func TestInterruptEveryWait(t *testing.T) {
	p := newTypist()
	out, errb := &lockedBuffer{}, &lockedBuffer{}
	done := make(chan testutil.Result, 1)
	go func() {
		done <- testutil.RunOptions(host.Options{Prompt: p, Stdout: out, Stderr: errb})
	}()
	s := <-p.session
	p.prompt(t, "> ")
	p.lines <- `srv = assert(stream_socket_server("tcp://127.0.0.1:0")) ch = channel.make() ticks = 0`
	p.prompt(t, "> ")
	p.lines <- `spawn(function() while true do sleep(0.001) ticks = ticks + 1 end end)`
	for i, wait := range []string{
		`sleep(1000)`,
		`ch:receive()`,
		`stream_select({srv}, nil, nil, nil)`,
		`stream_socket_accept(srv, -1)`,
		`c = stream_socket_client("tcp://" .. stream_socket_get_name(srv, false)) fread(c, 10)`,
		`while true do end`,
		`pcall(function() while true do end end)`,
		`coroutine.wrap(function() while true do end end)()`,
		`coroutine.wrap(function() sleep(1000) end)()`,
	} {
		p.prompt(t, "> ")
		marker := "waiting " + string(rune('a'+i))
		p.lines <- `print("` + marker + `") ` + wait
		out.waitFor(t, marker)
		// (the marker is printed before the wait: the interrupt comes
		// during it or just before, which it also ends at once)
		if !s.Interrupt() {
			t.Fatalf("%s: nothing to interrupt", wait)
		}
		p.prompt(t, "> ")
		errb.waitFor(t, "interrupted\n")
		p.lines <- `print("after " .. ` + `"` + marker + `")`
		out.waitFor(t, "after "+marker)
	}
	// The server and the stream whose waits were cut short wait again.
	p.prompt(t, "> ")
	p.lines <- `sc = stream_socket_accept(srv, 5) fwrite(sc, "hi") print("read again", fread(c, 2))`
	out.waitFor(t, "read again\thi")
	p.prompt(t, "> ")
	before := out.String()
	p.lines <- `t0 = ticks sleep(0.05) print("ticks went on", ticks > t0)`
	out.waitFor(t, "ticks went on\ttrue")
	p.prompt(t, "> ")
	if s.Interrupt() {
		t.Fatal("Interrupt at the prompt found an evaluation")
	}
	close(p.lines)
	wantExit(t, done, host.ExitOK)
	if n := strings.Count(errb.String(), "interrupted\n"); n != 9 {
		t.Fatalf("%d interruptions reported:\n%s\nstdout:\n%s", n, errb.String(), before)
	}
}

// TestPromptCompletes: Tab's completions, from the globals, a table's
// fields, a handle's and a string's methods; nothing runs to find them.
func TestPromptCompletes(t *testing.T) {
	p := newTypist()
	done := make(chan testutil.Result, 1)
	go func() { done <- testutil.RunOptions(host.Options{Prompt: p}) }()
	s := <-p.session
	p.prompt(t, "> ")
	p.lines <- `s = stream_socket_server("tcp://127.0.0.1:0") word = "abc" t = {alpha = 1, beta = {gamma = 2}, [3] = 4, ["not a name"] = 5} lazy = setmetatable({}, {__index = function() error("ran") end})`
	p.prompt(t, "> ")
	for _, c := range []struct {
		text string
		want []string
	}{
		{"stream_socket_acc", []string{"stream_socket_accept"}},
		{"x = str", []string{"x = stream_context_create", "x = stream_get_contents", "x = stream_get_line", "x = stream_get_meta_data",
			"x = stream_get_transports", "x = stream_select", "x = stream_set_blocking", "x = stream_set_timeout", "x = stream_socket_accept",
			"x = stream_socket_client", "x = stream_socket_enable_crypto", "x = stream_socket_get_name", "x = stream_socket_pair",
			"x = stream_socket_recvfrom", "x = stream_socket_sendto", "x = stream_socket_server", "x = stream_socket_shutdown",
			"x = strerror", "x = string"}},
		{"s:re", []string{"s:read", "s:recvfrom"}},
		{"print(s:acc", []string{"print(s:accept"}},
		{"string.for", []string{"string.format"}},
		{"word:up", []string{"word:upper"}},
		{"t.", []string{"t.alpha", "t.beta"}},
		{"t.beta.g", []string{"t.beta.gamma"}},
		{"t.alpha.", nil},
		{"lazy.", nil},
		{"nosuch.", nil},
		{"whi", []string{"while"}},
		{"1.5", nil},
		{"", nil},
	} {
		got := s.Complete(c.text)
		if c.text == "" {
			if !slices.Contains(got, "print") || !slices.Contains(got, "stream_socket_server") {
				t.Errorf("Complete(%q) lacks the globals: %q", c.text, got)
			}
			continue
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("Complete(%q) = %q, want %q", c.text, got, c.want)
		}
	}
	close(p.lines)
	wantExit(t, done, host.ExitOK)
}
