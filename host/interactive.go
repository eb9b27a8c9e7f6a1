package host

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/luasock/luasock/internal/lang/compile"
	lua "github.com/yuin/gopher-lua"
)

// The prompt (luasock -i, or luasock alone on a terminal): after the
// script, if any, the main task reads chunks from Options.Prompt and runs
// each, as lua -i does. Reading a line is a wait like any other: the Lua
// lock is released meanwhile, so the tasks spawned at the prompt serve
// their clients while the person types.

// Prompt is where an interactive run reads what is typed. The host calls
// ReadLine from the main task's goroutine with the Lua lock released; it
// returns the line without its end, io.EOF at the end of the input (Ctrl-D),
// ErrLineCanceled when the line was given up (Ctrl-C: so is the chunk it
// continued), or ctx's error once the run stops (ReadLine must then return
// soon).
type Prompt interface {
	ReadLine(ctx context.Context, prompt string) (string, error)
	// Attach is called once, before the first ReadLine, with the session
	// the prompt's keys act on (Ctrl-C, Tab).
	Attach(s Session)
}

// Session is what a Prompt may ask of the run, from any goroutine.
type Session interface {
	// Interrupt ends the evaluation in progress, if any: the call it waits
	// in fails as a timeout and the next Lua instruction raises
	// "interrupted"; a loop that never calls is stopped at its next
	// instruction. It reports whether an evaluation was running.
	Interrupt() bool
	// Complete returns the completions of the name that ends text (a
	// global, a table's field after ".", a handle's method after ":"),
	// each the whole text with that name completed, sorted.
	Complete(text string) []string
}

// The prompts, as lua.c's.
const (
	promptFirst    = "> "
	promptContinue = ">> "
)

// interactiveName is the chunk name of what is typed at the prompt, as in lua.c.
const interactiveName = "=stdin"

// errInterrupted is what an interrupted evaluation raises.
var errInterrupted = errors.New("interrupted")

// ErrLineCanceled is a Prompt's Ctrl-C on a line being typed.
var ErrLineCanceled = errors.New("line canceled")

// session is a run's Session; its evaluation, while one runs, can be
// interrupted from any goroutine.
type session struct {
	rt   *scriptRun
	mu   sync.Mutex
	eval *evaluation // nil between evaluations
}

// evaluation is the context of one chunk typed at the prompt: done when it
// is interrupted or the run stops. Its waits watch it (Interrupted), and
// its loops' check (loopCheck) raises "interrupted" once it is done.
type evaluation struct {
	done chan struct{}
	once sync.Once
}

func (e *evaluation) Deadline() (time.Time, bool) { return time.Time{}, false }
func (e *evaluation) Done() <-chan struct{}       { return e.done }
func (e *evaluation) Value(any) any               { return nil }
func (e *evaluation) Err() error {
	select {
	case <-e.done:
		return errInterrupted
	default:
		return nil
	}
}
func (e *evaluation) interrupt() { e.once.Do(func() { close(e.done) }) }

// current is the evaluation in progress, or nil.
func (s *session) current() *evaluation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.eval
}

func (s *session) Interrupt() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.eval == nil {
		return false
	}
	s.eval.interrupt()
	return true
}

// Interrupted implements luabind.Host: the evaluation in progress at the
// prompt, for its task (the main task, and the coroutines and protected
// calls it runs), while there is one; nil otherwise.
func (rt *scriptRun) Interrupted(L *lua.LState) context.Context {
	s := rt.session.Load()
	if s == nil {
		return nil
	}
	ev := s.current()
	if ev == nil || rt.taskOf(L) != rt.L {
		return nil
	}
	return ev
}

// taskOf is the task whose Lua runs on L: the thread that called pcall on
// a pool thread, the thread that resumed a coroutine, up to a task's own.
func (rt *scriptRun) taskOf(L *lua.LState) *lua.LState {
	for L != nil {
		if t := rt.protector.Thread(L); t != L {
			L = t
		} else if L.Parent != nil {
			L = L.Parent
		} else {
			return L
		}
	}
	return nil
}

// interact is the prompt's loop, on the main task with the Lua lock held.
// It returns at the end of the input, having stopped the run: Ctrl-D ends
// luasock, servers spawned at the prompt with it.
func (rt *scriptRun) interact(L *lua.LState, e *taskError) {
	s := &session{rt: rt}
	rt.session.Store(s)
	rt.prompt.Attach(s)
	for {
		src, ok := rt.readChunk(L)
		if !ok {
			rt.stop(ExitOK)
			return
		}
		if strings.TrimSpace(src) != "" {
			rt.evaluate(L, s, e, src)
		}
	}
}

// readLine reads a line at the prompt with the Lua lock released; false at
// the end of the input, canceled when it was given up.
func (rt *scriptRun) readLine(L *lua.LState, prompt string) (line string, ok, canceled bool) {
	rt.stdout.Flush() // what was printed comes before the prompt
	var err error
	ctx := rt.ctx
	rt.Block(L, func() { line, err = rt.prompt.ReadLine(ctx, prompt) })
	if errors.Is(err, ErrLineCanceled) {
		return "", true, true
	}
	if err != nil {
		if !errors.Is(err, io.EOF) {
			rt.stdout.Flush()
			_, _ = io.WriteString(rt.stderr, "luasock: the prompt: "+err.Error()+"\n")
		}
		return "", false, false
	}
	return line, true, false
}

// readChunk reads a chunk: a line, and more lines while what was typed is
// incomplete, as lua.c decides it (the syntax error ends at '<eof>'). A
// line that is an expression is returned as `return <line>`, so that its
// values are printed; `=expr` is Lua 5.1's way to say the same.
func (rt *scriptRun) readChunk(L *lua.LState) (string, bool) {
	line, ok, canceled := rt.readLine(L, promptFirst)
	if !ok || canceled {
		return "", ok
	}
	if strings.HasPrefix(line, "=") {
		line = "return " + line[1:]
	}
	if _, err := compile.Compile(interactiveName, []byte("return "+line)); err == nil {
		return "return " + line, true
	}
	src := line
	for {
		_, err := compile.Compile(interactiveName, []byte(src))
		if err == nil || !incomplete(err) {
			return src, true
		}
		more, ok, canceled := rt.readLine(L, promptContinue)
		if canceled {
			return "", true // the whole chunk is given up
		}
		if !ok {
			return src, true // the syntax error is reported, then the input ends
		}
		src += "\n" + more
	}
}

// incomplete tells a chunk that more lines could finish: its error is at
// the end of the input. A quoted string cannot go on past its line.
func incomplete(err error) bool {
	msg := err.Error()
	return strings.HasSuffix(msg, "near '<eof>'") && !strings.Contains(msg, "unfinished string")
}

// evaluate runs a chunk typed at the prompt and prints its values with the
// global print; an error is reported as a script's are (with luasock's
// hint), and the prompt goes on.
func (rt *scriptRun) evaluate(L *lua.LState, s *session, e *taskError, src string) {
	rt.loader.Remember(interactiveName, []byte(src))
	proto, err := compile.Compile(interactiveName, []byte(src))
	if err != nil {
		rt.stdout.Flush()
		printLoadError(rt.stderr, err)
		return
	}
	ev := &evaluation{done: make(chan struct{})}
	stop := context.AfterFunc(rt.ctx, ev.interrupt)
	defer stop()
	s.mu.Lock()
	s.eval = ev
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.eval = nil
		s.mu.Unlock()
	}()

	top := L.GetTop()
	e.prepare(rt, L)
	L.Push(L.NewFunctionFromProto(proto))
	err = L.PCall(0, lua.MultRet, e.handler)
	if ev.Err() != nil && !rt.stopping.Load() {
		// The call that was cut short may have returned (a timeout) with
		// nothing left to run: the evaluation is over either way.
		rt.stdout.Flush()
		msg := errInterrupted.Error()
		if err != nil && strings.HasSuffix(firstLine(err.Error()), msg) && withinChunk(firstLine(err.Error()), src) {
			msg = firstLine(err.Error()) // where it was: stdin:3: interrupted
		}
		_, _ = io.WriteString(rt.stderr, msg+"\n")
		L.SetTop(top)
		return
	}
	if err != nil {
		rt.report(err, e.traceback, e.hint)
		L.SetTop(top)
		return
	}
	if n := L.GetTop() - top; n > 0 {
		L.Insert(L.GetGlobal("print"), top+1)
		if err := L.PCall(n, 0, nil); err != nil {
			rt.stdout.Flush()
			_, _ = io.WriteString(rt.stderr, "error calling 'print' ("+err.Error()+")\n")
		}
	}
	L.SetTop(top)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// withinChunk tells whether msg's position ("stdin:3: ...") is a line of
// src: an evaluation interrupted in its last call is stopped at the return
// that ends the chunk, whose line is past the code typed.
func withinChunk(msg, src string) bool {
	rest, ok := strings.CutPrefix(msg, "stdin:")
	if !ok {
		return false
	}
	n, _, _ := strings.Cut(rest, ":")
	line, err := strconv.Atoi(n)
	return err == nil && line >= 1 && line <= strings.Count(src, "\n")+1
}
