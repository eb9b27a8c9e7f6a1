// Package fakehost is a published stand-in for luasock's runtime (package
// host) in tests that open the Lua API on a bare gopher-lua state:
//
//	L := lua.NewState()
//	defer L.Close()
//	luabind.Open(L, fakehost.New(t), luabind.Config{})
//
// A *Host is a luabind.Host and a channel.Host for a state that runs one
// task on the test's goroutine: a wait (Block, Resolving) runs inline, the
// task's time slice never ends (Turn), a handle the host closed never ends
// the task (HandleClosed returns, so the call fails with EBADF), nothing is
// typed at a prompt (Interrupted is nil). What the API tracks is closed when
// the test ends (or at Close), as the host closes it when a run ends.
//
// Only tests import this package. It imports neither luabind nor host, so
// that luabind's own tests (package luabind) can use it; the compile-time
// checks that it implements both interfaces are in its test.
package fakehost

import (
	"context"
	"io"
	"sync"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// Host is the fake runtime. Its zero value is not usable: call New.
type Host struct {
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex // Track and Untrack may be called from any goroutine
	tracked map[io.Closer]struct{}
	closed  bool
}

// New returns a Host that ends its run (Close) when the test ends.
func New(t testing.TB) *Host {
	ctx, cancel := context.WithCancel(context.Background())
	h := &Host{ctx: ctx, cancel: cancel, tracked: map[io.Closer]struct{}{}}
	t.Cleanup(h.Close)
	return h
}

// Block runs wait: there is no Lua lock to release and no other task.
func (h *Host) Block(_ *lua.LState, wait func()) { wait() }

// Resolving runs wait, as Block does.
func (h *Host) Resolving(_ *lua.LState, wait func()) { wait() }

// Track keeps c to close at Close; after Close it closes c at once.
func (h *Host) Track(c io.Closer) {
	h.mu.Lock()
	late := h.closed
	if !late {
		h.tracked[c] = struct{}{}
	}
	h.mu.Unlock()
	if late {
		_ = c.Close()
	}
}

// Untrack forgets c (the script closed it itself).
func (h *Host) Untrack(c io.Closer) {
	h.mu.Lock()
	delete(h.tracked, c)
	h.mu.Unlock()
}

// Tracked is how many resources are tracked and not untracked: the handles
// the script has open.
func (h *Host) Tracked() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.tracked)
}

// Context is cancelled at Close.
func (h *Host) Context() context.Context { return h.ctx }

// Turn does nothing: there is no other task to hand the lock to.
func (h *Host) Turn(*lua.LState) {}

// HandleClosed returns: the call that found its handle closed fails with
// EBADF.
func (h *Host) HandleClosed(*lua.LState) {}

// Interrupted is nil: no task reads a prompt.
func (h *Host) Interrupted(*lua.LState) context.Context { return nil }

// Close ends the run, as the host does when a script ends: it cancels
// Context and closes every tracked resource. New has the test call it at
// its end; calling it again does nothing.
func (h *Host) Close() {
	h.cancel()
	h.mu.Lock()
	open := h.tracked
	h.tracked = map[io.Closer]struct{}{}
	h.closed = true
	h.mu.Unlock()
	for c := range open {
		_ = c.Close()
	}
}
