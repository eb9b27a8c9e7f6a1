package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/luasock/luasock/internal/lang/compile"
	"github.com/luasock/luasock/internal/sockevent"
)

// Reload: SIGHUP, or a change on disk with Options.Watch, starts a new
// generation from the script as it is now, beside the running one. Its
// stream_socket_server takes over the running generation's servers for the
// same addresses (the same sockets, not bound again), so no client is
// refused. Once every worker of the new generation serves (its main task
// first waits), the old one drains as after SIGTERM: its servers close, its
// tasks finish their connections for up to Options.Grace. A script that
// does not compile, or that ends before it serves, is reported and the
// running generation goes on.

// supervise runs the script's generations and returns the exit status of
// the last one.
func supervise(ctx context.Context, prog program, opts Options, out *lineWriter, observer sockevent.Observer) int {
	var changes <-chan struct{}
	if opts.Watch { // before the script runs: a change from then on is seen
		w := watchScript(opts.Script)
		defer w.stop()
		changes = w.changes
	}
	// One numbering of the handles per worker for all generations: the
	// observers see a reload's handles as new ones.
	streams := make([]atomic.Uint64, max(opts.Workers, 1))
	gen := startGeneration(ctx, prog, opts, out, observer, streams, nil, true)
	var pending *generation            // a reload's, until it serves
	draining := map[*generation]bool{} // after a reload, until they end
	retired := make(chan *generation)
	again := false // a change came while a reload was pending
	reload := func() {
		if pending != nil {
			again = true
			return
		}
		pending = startReload(ctx, prog, opts, out, observer, streams, gen)
	}
	for {
		var serving <-chan struct{}
		var failed <-chan int
		if pending != nil {
			serving, failed = pending.startup.done, pending.done
		}
		select {
		case code := <-gen.done:
			if pending != nil {
				pending.signal(syscall.SIGINT)
				<-pending.done
			}
			for len(draining) > 0 {
				delete(draining, <-retired) // within its grace
			}
			return code
		case sig := <-opts.Signals:
			if sig == syscall.SIGHUP {
				reload()
				continue
			}
			gen.signal(sig)
			if pending != nil {
				pending.signal(sig)
			}
			if !isDrainSignal(sig) { // the old ones drain already
				for g := range draining {
					g.signal(sig)
				}
			}
		case <-changes:
			reload()
		case g := <-retired:
			delete(draining, g)
		case <-serving:
			if pending.startup.failed() { // it ends by itself: wait for that
				pending.signal(syscall.SIGINT)
				<-pending.done
				fmt.Fprintln(opts.Stderr, "luasock: reload: the new script ended before it served; the running one goes on")
				pending = nil
				break
			}
			gen.signal(syscall.SIGTERM) // drains; its status no longer counts
			draining[gen] = true
			go func(g *generation) {
				<-g.done
				retired <- g
			}(gen)
			gen, pending = pending, nil
		case code := <-failed:
			fmt.Fprintf(opts.Stderr, "luasock: reload: the new script ended (status %d) before it served; the running one goes on\n", code)
			pending = nil
		}
		if pending == nil && again {
			again = false
			reload()
		}
	}
}

// startReload compiles the script as it is now and starts it as a new
// generation that takes over gen's servers; nil when it does not compile.
func startReload(ctx context.Context, prog program, opts Options, out *lineWriter, observer sockevent.Observer, streams []atomic.Uint64, gen *generation) *generation {
	src, err := readScript(opts.Script)
	if err == nil {
		prog.script, err = compile.CompileFile(chunkName(opts.Script), src)
	}
	if err == nil && len(bytes.TrimSpace(src)) == 0 {
		err = errors.New("the script is empty (still being written?)")
	}
	if err != nil {
		fmt.Fprintf(opts.Stderr, "luasock: reload: %v; the running script goes on\n", err)
		return nil
	}
	if opts.NotifySocket != "" {
		_ = sdNotify(opts.NotifySocket, "RELOADING=1")
	}
	opts.Source = src
	return startGeneration(ctx, prog, opts, out, observer, streams, gen.servers(), false)
}

// watchInterval is how often --watch looks at the script's files.
const watchInterval = 200 * time.Millisecond

// scriptWatcher reports changes to the script and the Lua files beside it
// (the modules it requires from its folder).
type scriptWatcher struct {
	changes chan struct{}
	quit    chan struct{}
}

func watchScript(script string) *scriptWatcher {
	w := &scriptWatcher{changes: make(chan struct{}, 1), quit: make(chan struct{})}
	last := fileStamps(script)
	go func() {
		t := time.NewTicker(watchInterval)
		defer t.Stop()
		for {
			select {
			case <-w.quit:
				return
			case <-t.C:
			}
			now := fileStamps(script)
			if now != last {
				last = now
				select {
				case w.changes <- struct{}{}:
				default:
				}
			}
		}
	}()
	return w
}

func (w *scriptWatcher) stop() { close(w.quit) }

// fileStamps sums up the size, time and contents of the script and of each
// *.lua file in its folder.
func fileStamps(script string) string {
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(script), "*.lua"))
	files = append(files, script)
	var stamps string
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			sum := uint32(0)
			if st.Size() < 1<<20 { // a file system's clock may not tell two quick edits apart
				if data, err := os.ReadFile(f); err == nil {
					sum = crc32.ChecksumIEEE(data)
				}
			}
			stamps += fmt.Sprintf("%s %d %d %x\n", f, st.Size(), st.ModTime().UnixNano(), sum)
		} else {
			stamps += f + " missing\n"
		}
	}
	return stamps
}
