package main

import (
	"errors"
	"io"
	"os"
	"strings"
	"syscall"

	"github.com/luasock/luasock/host"
	"golang.org/x/term"
)

// input is where a run's code comes from: a script file, standard input
// (the script "-"), the prompt, or only -e and -l.
type input struct {
	script string    // the script's name; "-": standard input; "": none, or standard input (source)
	source []byte    // the script, when read from standard input
	stdin  io.Reader // what io.read reads
	prompt interface {
		host.Prompt
		interrupt() bool
	}
	term *termPrompt // the prompt, on a terminal
}

// chooseInput decides, as lua does: a script named is run (- is standard
// input); with no script, -i gives the prompt, -e and -l run alone, and
// bare luasock gives the prompt on a terminal and reads the script from
// standard input otherwise. `luasock run` needs a script, -e or -i.
func chooseInput(flags *runFlags, args []string, stdout io.Writer, bare bool) (*input, error) {
	in := &input{stdin: os.Stdin}
	if len(args) > 0 {
		in.script = args[0]
	}
	prompt := flags.prompt
	switch {
	case in.script != "", prompt, len(flags.prelude) > 0:
	case !bare:
		return nil, errors.New("run needs a script")
	case isTerminal(os.Stdin):
		prompt = true
	default:
		in.script = "-"
	}
	if in.script == "-" {
		if len(args) == 0 {
			in.script = "" // bare luasock: no arg table, as lua
		}
		src, err := io.ReadAll(os.Stdin)
		if err != nil {
			return nil, err
		}
		in.source, in.stdin = src, strings.NewReader("")
	}
	if !prompt {
		return in, nil
	}
	switch { // a prompt is one state's, read by one task
	case flags.workers > 1:
		return nil, errors.New("the prompt runs one state: -i (or no script) and --workers do not go together")
	case flags.watch:
		return nil, errors.New("the prompt cannot be reloaded: -i (or no script) and --watch do not go together")
	}
	in.stdin = strings.NewReader("") // the prompt reads standard input
	if out, ok := stdout.(*os.File); ok && isTerminal(os.Stdin) && isTerminal(out) {
		p, err := newTermPrompt(os.Stdin, out)
		if err != nil {
			return nil, err
		}
		in.prompt, in.term = p, p
		return in, nil
	}
	in.prompt = newLinePrompt(os.Stdin, stdout)
	return in, nil
}

// output is where the run writes, at a prompt on a terminal: through the
// line editor, which redraws the line being typed below it.
func (in *input) output(w io.Writer) io.Writer {
	if in.term != nil && isTerminal(w) {
		return in.term
	}
	return w
}

func (in *input) close() {
	if in.term != nil {
		in.term.close()
	}
}

// isTerminal tells whether w is a terminal.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// interruptFirst passes signals on until done is closed, but a SIGINT that
// interrupts what the prompt runs: the evaluation fails, the prompt comes
// back. A SIGHUP is the terminal gone, not a reload: it ends the run as
// SIGTERM does.
func interruptFirst(signals <-chan os.Signal, p interface{ interrupt() bool }, done <-chan struct{}) <-chan os.Signal {
	out := make(chan os.Signal, 2)
	go func() {
		for {
			select {
			case sig := <-signals:
				if sig == syscall.SIGINT && p.interrupt() {
					continue
				}
				if sig == syscall.SIGHUP {
					sig = syscall.SIGTERM
				}
				select {
				case out <- sig:
				case <-done:
					return
				}
			case <-done:
				return
			}
		}
	}()
	return out
}
