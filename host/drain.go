package host

import (
	"os"
	"syscall"
	"time"

	"github.com/luasock/luasock/luabind"
	lua "github.com/yuin/gopher-lua"
)

// A drain (the first SIGTERM) stops serving at once and lets the
// connections finish: the servers close, so no new client comes, and a
// task that uses one (an accept loop) ends there; the other tasks run on
// until they end, for up to Options.Grace, and then the run stops as a
// first SIGINT does. The exit status is the signal's (143) whatever ends
// the run meanwhile. A second signal stops it at once.

// drainThenStop drains the run and stops it with code when its tasks have
// ended, when grace has passed, on a second signal or on another stop.
func (rt *scriptRun) drainThenStop(code int, allDone <-chan struct{}, signals <-chan os.Signal, grace time.Duration) {
	rt.drainCode = code
	rt.draining.Store(true)
	rt.closeServers()
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-allDone:
	case <-signals:
	case <-timer.C:
	case <-rt.stopped:
	}
	rt.stop(code)
}

// closeServers closes the servers the script has open; their tasks end
// when they next use them (HandleClosed).
func (rt *scriptRun) closeServers() {
	rt.handlesMu.Lock()
	var servers []luabind.Server
	for c := range rt.handles {
		if s, ok := c.(luabind.Server); ok {
			servers = append(servers, s)
			delete(rt.handles, c)
		}
	}
	rt.handlesMu.Unlock()
	for _, s := range servers {
		_ = s.Close()
	}
}

// HandleClosed implements luabind.Host: a task whose handle the host
// closed to stop or drain the run ends here.
func (rt *scriptRun) HandleClosed(L *lua.LState) {
	if rt.stopping.Load() {
		rt.Block(L, func() {}) // does not return
	}
	if rt.draining.Load() {
		th := rt.protector.Thread(L)
		rt.protector.RemoveTask(th)
		rt.releaseOwned(th)
		rt.endTask()
	}
}

// isDrainSignal tells which signal drains instead of stopping at once.
func isDrainSignal(sig os.Signal) bool { return sig == syscall.SIGTERM }
