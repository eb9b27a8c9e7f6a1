package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/luasock/luasock/host"
	"golang.org/x/term"
)

// The prompt's two faces: on a terminal, line editing, history and Tab
// with golang.org/x/term (the Go team's terminal package: its Terminal
// redraws the line being typed when output arrives, so what spawned tasks
// print never garbles it); elsewhere (luasock -i < lesson.txt) the prompt
// is printed and lines are read as they come, as lua -i does.

// pump reads r on its own goroutine and hands on what it read: a read
// of the terminal cannot be cut short, but a ReadLine that waits on the
// channel can (the run stops). seen, if not nil, sees each piece as it
// arrives and returns what to hand on.
func pump(r io.Reader, split bufio.SplitFunc, seen func([]byte) []byte) <-chan []byte {
	ch := make(chan []byte)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 4096), 1<<20)
		sc.Split(split)
		for sc.Scan() {
			b := append([]byte(nil), sc.Bytes()...)
			if seen != nil {
				if b = seen(b); len(b) == 0 {
					continue
				}
			}
			ch <- b
		}
	}()
	return ch
}

// linePrompt is the prompt on a pipe or a file: the prompt goes to out,
// lines come from in.
type linePrompt struct {
	out   io.Writer
	lines <-chan []byte
	sess  atomic.Pointer[host.Session]
}

func newLinePrompt(in io.Reader, out io.Writer) *linePrompt {
	return &linePrompt{out: out, lines: pump(in, bufio.ScanLines, nil)}
}

func (p *linePrompt) Attach(s host.Session) { p.sess.Store(&s) }

func (p *linePrompt) ReadLine(ctx context.Context, prompt string) (string, error) {
	_, _ = io.WriteString(p.out, prompt)
	select {
	case line, ok := <-p.lines:
		if !ok {
			_, _ = io.WriteString(p.out, "\n") // as lua -i ends
			return "", io.EOF
		}
		return string(line), nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// interrupt is Ctrl-C's SIGINT: it ends the evaluation in progress and
// reports whether there was one.
func (p *linePrompt) interrupt() bool {
	s := p.sess.Load()
	return s != nil && (*s).Interrupt()
}

// termPrompt is the prompt on a terminal. The terminal is raw for the
// whole session: every key comes as typed, also while what was typed runs
// (then a Ctrl-C interrupts it, and other keys wait for the next prompt),
// and all output goes through the line editor, which ends lines with \r\n.
type termPrompt struct {
	fd      int
	out     io.Writer
	tp      atomic.Pointer[term.Terminal] // a new one after each Ctrl-C
	history term.History
	in      *keys
	sess    atomic.Pointer[host.Session]
	state   *term.State // the terminal's own mode, restored at the end
}

// keys is what the line editor reads: the terminal's bytes as they come,
// until the run stops (ctx); it notes a Ctrl-C, which the editor reports
// as the end of input, as Ctrl-D.
type keys struct {
	bytes   <-chan []byte
	pending []byte
	ctx     context.Context
	ctrlC   atomic.Bool
	reading atomic.Bool // a line is being typed (ReadLine)
}

func (k *keys) Read(p []byte) (int, error) {
	if len(k.pending) == 0 {
		select {
		case b, ok := <-k.bytes:
			if !ok {
				return 0, io.EOF
			}
			k.pending = b
		case <-k.ctx.Done():
			return 0, k.ctx.Err()
		}
	}
	// A Ctrl-C is the last byte handed on: the editor keeps nothing after
	// it, and is replaced (termPrompt.ReadLine).
	n := copy(p, k.pending)
	if i := bytes.IndexByte(p[:n], 3); i >= 0 {
		n = i + 1
		k.ctrlC.Store(true)
	}
	k.pending = k.pending[n:]
	return n, nil
}

// newTermPrompt makes the prompt of a terminal on stdin and stdout, with
// the history in ~/.luasock_history (none when HOME is unset).
func newTermPrompt(stdin, stdout *os.File) (*termPrompt, error) {
	fd := int(stdin.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		return nil, err
	}
	k := &keys{ctx: context.Background()}
	p := &termPrompt{fd: fd, in: k, state: state, out: stdout}
	k.bytes = pump(stdin, scanAll, p.seen)
	if home, ok := os.LookupEnv("HOME"); ok && home != "" {
		p.history = openHistory(filepath.Join(home, ".luasock_history"))
	}
	p.newEditor()
	return p, nil
}

// newEditor starts a line editor afresh (its line empty, its cursor at
// the start of a line), with the session's history.
func (p *termPrompt) newEditor() {
	t := term.NewTerminal(struct {
		io.Reader
		io.Writer
	}{p.in, p.out}, "")
	if p.history != nil {
		t.History = p.history
	}
	t.AutoCompleteCallback = p.complete
	if w, h, err := term.GetSize(p.fd); err == nil {
		_ = t.SetSize(w, h)
	}
	p.tp.Store(t)
}

func (p *termPrompt) t() *term.Terminal { return p.tp.Load() }

// scanAll hands on whatever was read: keys are not lines.
func scanAll(data []byte, atEOF bool) (int, []byte, error) {
	if len(data) == 0 {
		return 0, nil, nil
	}
	return len(data), data, nil
}

func (p *termPrompt) Attach(s host.Session) { p.sess.Store(&s) }

// Write is the output of the run: a line being typed is redrawn below it.
func (p *termPrompt) Write(b []byte) (int, error) { return p.t().Write(b) }

func (p *termPrompt) ReadLine(ctx context.Context, prompt string) (string, error) {
	if w, h, err := term.GetSize(p.fd); err == nil {
		_ = p.t().SetSize(w, h)
	}
	if _, err := term.MakeRaw(p.fd); err != nil { // (raw from the first prompt on)
		return "", err
	}
	p.in.reading.Store(true)
	defer p.in.reading.Store(false)
	p.in.ctx = ctx
	t := p.t()
	t.SetPrompt(prompt)
	line, err := t.ReadLine()
	if err == io.EOF && p.in.ctrlC.Swap(false) {
		// Ctrl-C: what was typed stays on the screen, a new prompt below
		// it, as a shell's; a new editor forgets the line, and the host
		// the chunk it continued.
		_, _ = io.WriteString(p.out, "^C\r\n")
		p.newEditor()
		return "", host.ErrLineCanceled
	}
	if err == io.EOF {
		_, _ = t.Write([]byte("\n"))
	}
	return line, err
}

// close gives the terminal its own mode back.
func (p *termPrompt) close() { _ = term.Restore(p.fd, p.state) }

// seen is what the terminal sent, as it comes: a Ctrl-C while no line is
// being typed interrupts what runs (and is used up by that).
func (p *termPrompt) seen(b []byte) []byte {
	if p.in.reading.Load() || bytes.IndexByte(b, 3) < 0 {
		return b
	}
	// said first: what was interrupted says so after it
	_, _ = p.t().Write([]byte("^C\n"))
	if !p.interrupt() { // it had just ended: the line editor has the key
		return b
	}
	return bytes.ReplaceAll(b, []byte{3}, nil)
}

func (p *termPrompt) interrupt() bool {
	s := p.sess.Load()
	return s != nil && (*s).Interrupt()
}

// complete is Tab: the name before the cursor completed as far as the
// candidates agree; when they part at once, they are listed above the line.
func (p *termPrompt) complete(line string, pos int, key rune) (string, int, bool) {
	s := p.sess.Load()
	if key != '\t' || s == nil {
		return "", 0, false
	}
	before, after := line[:pos], line[pos:]
	cands := (*s).Complete(before)
	if len(cands) == 0 {
		return line, pos, true // a Tab that completes nothing inserts nothing
	}
	common := cands[0]
	for _, c := range cands[1:] {
		for !strings.HasPrefix(c, common) {
			common = common[:len(common)-1]
		}
	}
	if len(common) > len(before) {
		return common + after, len(common), true
	}
	if len(cands) > 1 {
		start := len(before)
		for start > 0 && strings.IndexByte(".:", before[start-1]) < 0 && isWordByte(before[start-1]) {
			start--
		}
		names := make([]string, len(cands))
		for i, c := range cands {
			names[i] = c[start:]
		}
		_, _ = p.t().Write([]byte(strings.Join(names, "  ") + "\n"))
	}
	return line, pos, true
}

func isWordByte(c byte) bool {
	return c == '_' || (c >= '0' && c <= '9') || (c|0x20 >= 'a' && c|0x20 <= 'z')
}

// history is the prompt's history, kept in a file: each line is appended
// as it is entered, so every session adds to it and a crash loses none.
type history struct {
	mu      sync.Mutex
	entries []string // oldest first
	file    *os.File // nil: not kept
}

// historyKept is how many lines a session starts with.
const historyKept = 1000

func openHistory(path string) *history {
	h := &history{}
	if data, err := os.ReadFile(path); err == nil {
		h.entries = strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		if len(h.entries) == 1 && h.entries[0] == "" {
			h.entries = nil
		}
		h.entries = h.entries[max(0, len(h.entries)-historyKept):]
	}
	if f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600); err == nil {
		h.file = f
	}
	return h
}

func (h *history) Add(entry string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if strings.TrimSpace(entry) == "" || strings.ContainsRune(entry, '\n') ||
		(len(h.entries) > 0 && h.entries[len(h.entries)-1] == entry) {
		return
	}
	h.entries = append(h.entries, entry)
	if h.file != nil {
		_, _ = h.file.WriteString(entry + "\n")
	}
}

func (h *history) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.entries)
}

func (h *history) At(i int) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.entries[len(h.entries)-1-i]
}
