package iolib

import (
	"bufio"
	"io"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// pipeProc is the command behind an io.popen handle. Its stdout (mode "w")
// and stderr go to the run's writers as it writes them, through the locks
// the script's own writes take.
type pipeProc struct {
	cmd    *exec.Cmd
	pipe   io.Closer
	waited bool
}

// popenMode is glibc's popen mode check: "r" or "w", optionally with 'e'.
func popenMode(mode string) (read bool, ok bool) {
	r, w := false, false
	for i := 0; i < len(mode) && mode[i] != 0; i++ {
		switch mode[i] {
		case 'r':
			r = true
		case 'w':
			w = true
		case 'e':
		default:
			return false, false
		}
	}
	return r, r != w
}

// startPipe runs command with /bin/sh -c, as popen does.
func (lib *Lib) startPipe(command string, read bool) (*file, error) {
	p := &pipeProc{cmd: exec.Command("/bin/sh", "-c", command)}
	p.cmd.Stderr = lib.stderr
	f := &file{kind: kindPipe, slow: true, pipe: p}
	if read {
		out, err := p.cmd.StdoutPipe()
		if err != nil {
			return nil, err
		}
		p.pipe = out
		f.readable, f.r = true, bufio.NewReader(out)
	} else {
		p.cmd.Stdout = lib.stdout
		in, err := p.cmd.StdinPipe()
		if err != nil {
			return nil, err
		}
		p.pipe = in
		f.writable, f.w = true, in
		f.wb = bufio.NewWriter(in)
	}
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	return f, nil
}

// close is pclose: close our end, wait for the command.
func (p *pipeProc) close() error {
	_ = p.pipe.Close()
	return p.wait()
}

func (p *pipeProc) wait() error {
	if p.waited {
		return nil
	}
	p.waited = true
	err := p.cmd.Wait()
	if _, exited := err.(*exec.ExitError); exited {
		return nil // pclose succeeds whatever the command's status
	}
	return err
}

// abandon ends a pipe the script forgot: flush what it wrote last, close
// our end, give the command a second to finish, then kill it (which also
// ends a flush the command does not read).
func (p *pipeProc) abandon(flush func()) {
	done := make(chan struct{})
	go func() {
		select {
		case <-done:
		case <-time.After(time.Second):
			_ = p.cmd.Process.Signal(syscall.SIGKILL)
		}
	}()
	flush()
	_ = p.pipe.Close()
	_ = p.wait()
	close(done)
}

// lockedWriter serialises writes to one of the run's writers between the
// script and the commands it started.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (lw *lockedWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	return lw.w.Write(p)
}

// Flush flushes the run's writer when it buffers.
func (lw *lockedWriter) Flush() {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	flushWriter(lw.w)
}
