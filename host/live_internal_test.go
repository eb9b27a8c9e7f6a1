package host

import (
	"io"
	"testing"

	"github.com/luasock/luasock/internal/liveview"
	"github.com/luasock/luasock/internal/sockevent"
	"github.com/luasock/luasock/luabind"
)

// TestLiveOff: without Options.Live no observer is installed and the
// tasks report to nobody (spawn, Block and the task loops see a nil);
// with it, the view observes the sockets and hears the tasks.
func TestLiveOff(t *testing.T) {
	for _, live := range []*liveview.View{nil, liveview.New(0)} {
		opts := Options{Live: live}
		o, err := newObserver(opts)
		if err != nil {
			t.Fatal(err)
		}
		rt := newRuntime(opts, newLineWriter(io.Discard, nil), o, luabind.Worker{}, newStartup(opts, 1, true), nil)
		rt.L.Close()
		rt.cancel()
		switch {
		case live == nil && (o != nil || rt.live != nil):
			t.Errorf("without the view: observer %v, tasks %v", o, rt.live)
		case live != nil && (o != sockevent.Observer(live) || rt.live == nil || rt.live.view != live):
			t.Errorf("with the view: observer %v, tasks %v", o, rt.live)
		}
	}
}
