package host

import (
	"context"
	"os"
	"sync"
	"sync/atomic"

	"github.com/luasock/luasock/internal/sockevent"
	"github.com/luasock/luasock/luabind"
)

// generation is one version of the script running: one Lua state, or one
// per worker (--workers), each on its own goroutine. Nothing is shared
// between the states but stdout (whole lines, never interleaved mid-line)
// and the observers of the socket events (the trace). A reload starts a new generation beside the old one.
type generation struct {
	runs    []*scriptRun
	signals []chan os.Signal // each run's
	done    chan int         // the worst (highest) exit status, once every run ended
	startup *startup         // its done closes once every worker serves
}

// startGeneration starts prog in opts.Workers states (at least one).
// takeover[i] are the servers worker i takes over from the generation
// before it (a reload), nil for the first.
func startGeneration(ctx context.Context, prog program, opts Options, out *lineWriter,
	observer sockevent.Observer, streams []atomic.Uint64, takeover [][]luabind.Server, first bool) *generation {
	n := max(opts.Workers, 1)
	g := &generation{done: make(chan int, 1), startup: newStartup(opts, n, first)}
	codes := make([]int, n)
	var wg sync.WaitGroup
	group := luabind.NewWorkerGroup()
	for i := range n {
		worker := luabind.Worker{Streams: &streams[i]}
		if opts.Workers > 1 {
			worker = luabind.Worker{ID: i + 1, Count: n, Group: group, Streams: &streams[i]}
		}
		var servers []luabind.Server
		if i < len(takeover) {
			servers = takeover[i]
		}
		rt := newRuntime(opts, out, observer, worker, g.startup, servers)
		signals := make(chan os.Signal, 2)
		g.runs = append(g.runs, rt)
		g.signals = append(g.signals, signals)
		w := opts
		w.Signals = signals
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = rt.run(ctx, prog, w)
		}()
	}
	go func() {
		wg.Wait()
		worst := ExitOK
		for _, c := range codes {
			worst = max(worst, c)
		}
		g.done <- worst
	}()
	return g
}

// signal passes sig on to every worker.
func (g *generation) signal(sig os.Signal) {
	for _, ch := range g.signals {
		select {
		case ch <- sig:
		default: // it has two pending already: it is stopping
		}
	}
}

// servers lists, for each worker, the servers it has open.
func (g *generation) servers() [][]luabind.Server {
	out := make([][]luabind.Server, len(g.runs))
	for i, rt := range g.runs {
		out[i] = rt.servers()
	}
	return out
}

// servers lists the servers the script has open.
func (rt *scriptRun) servers() []luabind.Server {
	rt.handlesMu.Lock()
	defer rt.handlesMu.Unlock()
	var out []luabind.Server
	for c := range rt.handles {
		if s, ok := c.(luabind.Server); ok {
			out = append(out, s)
		}
	}
	return out
}
