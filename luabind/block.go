package luabind

import (
	"context"
	"errors"
	"os"
	"sync"
	"time"

	lua "github.com/yuin/gopher-lua"
	"golang.org/x/sys/unix"
)

// The blocking core: every socket call that may wait goes through here.
//
// A call first tries its system call with the Lua lock held, on the
// non-blocking socket. Only when the socket is not ready (EAGAIN) and the
// stream may wait does the task give the Lua lock back (Host.Block) while
// Go's poller waits for readiness and retries the call; the other tasks run
// meanwhile. So the retried call must not touch Lua values.
//
// A Stream reaches its descriptor by three routes, each for a reason:
//
//   - fd with fdMu held (lockFD, and raw.Control, which is the same): every
//     first try (accept, fwrite, reads, the datagram fast path) and calls
//     that never wait (shutdown, getsockopt). A direct system call costs no
//     closure and no allocation; fdMu keeps Close from releasing the number,
//     which the kernel could give to another file, during the call. It is
//     never held across a wait, so a task waiting on the same socket cannot
//     stop the others (the poller's read and write locks, which a waiting
//     task holds, are not taken here).
//   - raw.Read and raw.Write (the os.File's poller): the wait, with the Lua
//     lock released. The os.File is made, and the descriptor registered with
//     Go's poller, only when a call first has to wait or a deadline needs it
//     (pollable): an accepted connection that is written once and closed
//     never costs an epoll_ctl. From then on the file owns the descriptor.
//     Deadlines (stream timeouts) are set on the file.
//   - Close, from any goroutine, under fdMu: it closes the os.File when
//     there is one (which wakes a task waiting in the poller), else the
//     descriptor itself; either way no later try gets the number.
//
// The non-blocking system calls of the first tries use RawSyscall
// (rawcall.go, fastpath.go): Syscall's scheduler hand-off costs more than
// such a call.
//
// A socket that the host closed under a task (the run is stopping) ends the
// task (endTaskIfHostClosed): a script's accept loop that retried the failed
// call would otherwise spin without ever waiting.

// wouldBlock tells whether err means "not ready": try again after a wait.
func wouldBlock(err error) bool { return err == unix.EAGAIN || err == unix.EINTR }

// nothingReady tells whether err is a non-blocking stream's "not ready",
// which PHP reports as nothing done ("" read, 0 bytes written), not a failure.
func (s *stream) nothingReady(err error) bool { return s.nonblocking && wouldBlock(err) }

// lockFD returns the socket's fd with s.fdMu held, or -1 when the socket
// is closed. A caller given a descriptor calls unlockFD once its system
// call is done.
func (s *stream) lockFD() int {
	s.fdMu.Lock()
	if s.fdClosed {
		s.fdMu.Unlock()
		return -1
	}
	return s.fd
}

// unlockFD ends what lockFD began: Close may release the number again.
func (s *stream) unlockFD() { s.fdMu.Unlock() }

// callOrWait runs attempt once with the Lua lock held; if the socket is not
// ready and wait allows, it waits (waitAndCall).
// wait: < 0 forever, 0 not at all (the caller sees EAGAIN), > 0 a deadline.
// A deadline that passes gives os.ErrDeadlineExceeded.
func (a *api) callOrWait(L *lua.LState, s *stream, write bool, wait time.Duration, attempt func(fd int) error) error {
	fd := s.lockFD()
	if fd < 0 {
		a.endTaskIfHostClosed(L, os.ErrClosed)
		return os.ErrClosed
	}
	err := attempt(fd)
	s.unlockFD()
	if !wouldBlock(err) || wait == 0 {
		return err
	}
	return a.waitAndCall(L, s, write, wait, attempt)
}

// callAfterTry is callOrWait with the stream's own timeout for a caller
// that may have tried its fast path already (tried): then the socket was
// just found not ready, and it goes straight to the wait.
func (a *api) callAfterTry(L *lua.LState, s *stream, write, tried bool, attempt func(fd int) error) error {
	if tried {
		return a.waitAndCall(L, s, write, s.waitFor(), attempt)
	}
	return a.callOrWait(L, s, write, s.waitFor(), attempt)
}

// waitAndCall releases the Lua lock while Go's poller waits for readiness,
// retrying attempt (the poller calls it once before it waits: a readiness
// edge since the caller's own try is not lost; the poller clears what it
// saw of earlier edges when a wait starts, so this call cannot be skipped).
// A deadline that has passed when the wait starts fails it with no call:
// only a wait without one may stand for the caller's own try.
func (a *api) waitAndCall(L *lua.LState, s *stream, write bool, wait time.Duration, attempt func(fd int) error) error {
	var err, rerr error
	if wait > 0 {
		s.setDeadline(write, time.Now().Add(wait))
		defer s.setDeadline(write, time.Time{})
	}
	poller := s.raw.Read
	if write {
		poller = s.raw.Write
	}
	interrupted := a.onInterrupt(L, func() { s.setDeadline(write, longAgo) })
	a.host.Block(L, func() {
		rerr = poller(func(fd uintptr) bool { err = attempt(int(fd)); return !wouldBlock(err) })
	})
	if interrupted() && wait <= 0 {
		s.setDeadline(write, time.Time{}) // (with a timeout the deferred call clears it)
	}
	if rerr != nil && !errors.Is(rerr, os.ErrDeadlineExceeded) {
		// The poller fails a wait only on a deadline or a close: another
		// task closed the handle (its error, "use of closed file", is
		// internal), or the host did, which may end this task.
		if !s.closed {
			a.host.HandleClosed(L)
		}
		return os.ErrClosed
	}
	if rerr != nil {
		return rerr
	}
	return err
}

func (s *stream) setDeadline(write bool, t time.Time) {
	if write {
		_ = s.pollFile().SetWriteDeadline(t)
	} else {
		_ = s.pollFile().SetReadDeadline(t)
	}
}

// endTaskIfHostClosed lets the host end the task when err says the socket
// was closed under it. Only the host does that (fclose makes the handle
// raise instead), when the run stops or stops serving.
func (a *api) endTaskIfHostClosed(L *lua.LState, err error) {
	if errors.Is(err, os.ErrClosed) {
		a.host.HandleClosed(L)
	}
}

// At the prompt (luasock -i), Ctrl-C cancels the context of the evaluation
// of what was typed (Host.Interrupted): the wait in progress ends as a
// timeout would, and the host raises "interrupted" when its Lua goes on.

// waitContext is what a wait that is not on a socket watches: the prompt's
// evaluation's context (which the run's stop cancels too), or the run's.
func (a *api) waitContext(L *lua.LState) context.Context {
	if ctx := a.host.Interrupted(L); ctx != nil {
		return ctx
	}
	return a.host.Context()
}

// longAgo is a deadline that has passed: a wait given it ends at once.
var longAgo = time.Unix(1, 0)

// onInterrupt runs cut if the prompt's evaluation is interrupted while the
// caller waits (nothing at all outside the prompt). The caller calls the
// returned done after its wait: it reports whether cut ran, and from then
// on cut does not run.
func (a *api) onInterrupt(L *lua.LState, cut func()) (done func() bool) {
	ctx := a.host.Interrupted(L)
	if ctx == nil {
		return func() bool { return false }
	}
	var mu sync.Mutex
	finished, cutShort := false, false
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !finished {
			cut()
			cutShort = true
		}
	})
	return func() bool {
		stop()
		mu.Lock()
		defer mu.Unlock()
		finished = true
		return cutShort
	}
}
