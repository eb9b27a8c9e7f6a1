package iolib

import (
	"bufio"
	"bytes"
	"io"
	"os/exec"
	"syscall"
	"time"
)

// pipeProc is the command behind an io.popen handle. Its stdout (mode "w")
// and stderr are collected and written to the run's writers when it ends,
// so no goroutine writes to them while the script does.
type pipeProc struct {
	cmd            *exec.Cmd
	pipe           io.Closer
	out, errOut    bytes.Buffer
	stdout, stderr io.Writer
	waited         bool
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
	p := &pipeProc{cmd: exec.Command("/bin/sh", "-c", command), stdout: lib.opts.Stdout, stderr: lib.opts.Stderr}
	p.cmd.Stderr = &p.errOut
	f := &file{kind: kindPipe, pipe: p}
	if read {
		out, err := p.cmd.StdoutPipe()
		if err != nil {
			return nil, err
		}
		p.pipe = out
		f.readable, f.r = true, bufio.NewReader(out)
	} else {
		p.cmd.Stdout = &p.out
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

// close is pclose: close our end, wait for the command, pass on its output.
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
	if p.out.Len() > 0 && p.stdout != nil {
		_, _ = p.stdout.Write(p.out.Bytes())
	}
	if p.errOut.Len() > 0 && p.stderr != nil {
		_, _ = p.stderr.Write(p.errOut.Bytes())
	}
	if _, exited := err.(*exec.ExitError); exited {
		return nil // pclose succeeds whatever the command's status
	}
	return err
}

// abandon ends a pipe the script forgot: close our end, give the command a
// second to finish, then kill it.
func (p *pipeProc) abandon() {
	_ = p.pipe.Close()
	done := make(chan struct{})
	go func() {
		select {
		case <-done:
		case <-time.After(time.Second):
			_ = p.cmd.Process.Signal(syscall.SIGKILL)
		}
	}()
	_ = p.wait()
	close(done)
}
