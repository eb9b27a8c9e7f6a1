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

// The blocking core: a socket call that may wait goes through one entry,
// callOrWait, in the shape of Go's internal/poll: try the system call; if
// the socket is not ready (EAGAIN) and the call may wait, wait for
// readiness and try again. (The few that wait their own way are listed at
// the end.)
//
// The first try runs with the Lua lock held, on the non-blocking socket.
// Only when it finds the socket not ready does the task give the Lua lock
// back (Host.Block) while Go's poller waits and retries the call; the other
// tasks run meanwhile, so a retry must not touch Lua values. The calls are
// fdOps: accept (server.go), connect's completion (client.go), a receive
// (read.go), sendto's and fwrite's sends (write.go).
//
// A Stream reaches its descriptor by three routes, each for a reason:
//
//   - fd with fdMu held (lockFD, and raw.Control, which is the same): the
//     first try, and calls that never wait (shutdown, getsockopt). A direct
//     system call costs no closure and no allocation; fdMu keeps Close from
//     releasing the number, which the kernel could give to another file,
//     during the call. It is never held across a wait, so a task waiting on
//     the same socket cannot stop the others (the poller's read and write
//     locks, which a waiting task holds, are not taken here).
//   - raw.Read and raw.Write (the os.File's poller): the wait and its
//     retries, with the Lua lock released. The os.File is made, and the
//     descriptor registered with Go's poller, only when a call first has
//     to wait or a deadline needs it (pollable): an accepted connection
//     that is written once and closed never costs an epoll_ctl. From then
//     on the file owns the descriptor. Deadlines (stream timeouts) are set
//     on the file.
//   - Close, from any goroutine, under fdMu: it closes the os.File when
//     there is one (which wakes a task waiting in the poller), else the
//     descriptor itself; either way no later try gets the number.
//
// The tries' system calls mostly use RawSyscall on Linux (sys_linux.go):
// Syscall's scheduler hand-off costs more than such a call.
//
// Waits of their own, outside the core: a TLS stream's records (tls.go:
// crypto/tls reads and writes the os.File with the Lua lock released), a
// PROXY server's accept (proxy.go: it polls its intake and the listener)
// and stream_select (select.go).
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

// fdOp is a system call that callOrWait makes on a stream's descriptor,
// with its arguments and results. try makes it once, without waiting.
// luaLocked says the Lua lock is held (the first try): only then may try
// use what the task holding the lock uses, such as the datagram queue.
type fdOp interface {
	try(fd int, luaLocked bool) error
}

// opPool keeps one kind of fdOp for reuse. An op reaches the poller's
// closure, so it lives on the heap: one made per call would be an
// allocation per call, not only per wait.
type opPool[T any] struct{ pool sync.Pool }

func (p *opPool[T]) get() *T {
	if op, ok := p.pool.Get().(*T); ok {
		return op
	}
	return new(T)
}

// put clears op (the pool must not keep its strings and streams alive)
// and keeps it. Not inlined: its zero T would sit in the caller's frame
// all through the caller's wait (TestIdleTaskStack).
//
//go:noinline
func (p *opPool[T]) put(op *T) {
	var zero T
	*op = zero
	p.pool.Put(op)
}

// waiting says whether and how long callOrWait waits for readiness.
type waiting struct {
	write bool // for writability, else readability
	// limit: < 0 forever, 0 not at all (the caller sees EAGAIN), > 0 up
	// to a deadline, which gives os.ErrDeadlineExceeded.
	limit time.Duration
	// parked, when not nil, is the stream's note that its last such call
	// waited in the poller. The socket is then most likely not ready
	// again, and a call without a deadline starts with the wait: the
	// poller tries before it parks (with a deadline that has passed it
	// would not try at all), so a try with the Lua lock held would be a
	// system call spent for nothing.
	parked *bool
}

// callOrWait makes op's system call on s: first with the Lua lock held,
// then, if the socket is not ready and w allows a wait, each time Go's
// poller finds it ready, with the Lua lock released (waitAndCall).
func (a *api) callOrWait(L *lua.LState, s *stream, w waiting, op fdOp) error {
	if w.parked == nil || !*w.parked || w.limit >= 0 {
		fd := s.lockFD()
		if fd < 0 {
			a.endTaskIfHostClosed(L, os.ErrClosed)
			return os.ErrClosed
		}
		err := op.try(fd, true)
		s.unlockFD()
		if !wouldBlock(err) || w.limit == 0 {
			if w.parked != nil {
				*w.parked = false
			}
			return err
		}
	}
	return a.waitAndCall(L, s, w, op)
}

// waitAndCall is callOrWait's wait: it releases the Lua lock while Go's
// poller waits for readiness, retrying op (the poller calls it once before
// it waits: a readiness edge since the first try is not lost; the poller
// clears what it saw of earlier edges when a wait starts, so this call
// cannot be skipped). A deadline that has passed when the wait starts
// fails it with no call: only a wait without one may stand for the first
// try (waiting.parked).
func (a *api) waitAndCall(L *lua.LState, s *stream, w waiting, op fdOp) error {
	write := w.write
	if w.limit > 0 {
		s.setDeadline(write, time.Now().Add(w.limit))
		defer s.setDeadline(write, time.Time{})
	}
	poller := s.raw.Read
	if write {
		poller = s.raw.Write
	}
	interrupted := a.onInterrupt(L, func() { s.setDeadline(write, longAgo) })
	var err, rerr error
	calls := 0
	a.host.Block(L, func() {
		rerr = poller(func(fd uintptr) bool {
			calls++
			err = op.try(int(fd), false)
			return !wouldBlock(err)
		})
	})
	if interrupted() && w.limit <= 0 {
		s.setDeadline(write, time.Time{}) // (with a timeout the deferred call clears it)
	}
	// Noted with the Lua lock held, not deferred: a task that the host
	// ends in the wait runs its defers without the lock.
	if w.parked != nil {
		*w.parked = calls > 1
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
