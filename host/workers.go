package host

import (
	"context"
	"os"
	"sync"

	"github.com/luasock/luasock/internal/sockevent"
	"github.com/luasock/luasock/luabind"
	lua "github.com/yuin/gopher-lua"
)

// runWorkers runs opts.Workers independent states of the same compiled
// script. Nothing is shared between them but stdout (whole lines, never
// interleaved mid-line), the observers of the socket events (the trace) and the signals, which reach every worker. The exit
// status is the worst (highest) of the workers'.
func runWorkers(ctx context.Context, proto *lua.FunctionProto, opts Options, out *lineWriter, observer sockevent.Observer) int {
	n := opts.Workers
	signals := make([]chan os.Signal, n)
	for i := range signals {
		signals[i] = make(chan os.Signal, 2)
	}
	stopFanOut := make(chan struct{})
	go func() {
		for {
			select {
			case sig := <-opts.Signals:
				for _, ch := range signals {
					select {
					case ch <- sig:
					default:
					}
				}
			case <-stopFanOut:
				return
			}
		}
	}()
	defer close(stopFanOut)

	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := opts
			w.Signals = signals[i]
			codes[i] = newRuntime(w, out, observer, luabind.Worker{ID: i + 1, Count: n}).run(ctx, proto, w)
		}()
	}
	wg.Wait()
	worst := ExitOK
	for _, c := range codes {
		worst = max(worst, c)
	}
	return worst
}
