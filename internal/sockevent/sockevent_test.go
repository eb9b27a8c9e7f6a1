package sockevent_test

import (
	"net/netip"
	"syscall"
	"testing"

	"github.com/luasock/luasock/internal/sockevent"
)

type counter struct{ n int }

func (c *counter) Observe(*sockevent.Event) { c.n++ }

// TestJoin: nobody watching is a nil Observer (the binding's one
// comparison); one is itself; several each see every event.
func TestJoin(t *testing.T) {
	if o := sockevent.Join(); o != nil {
		t.Fatalf("Join() = %v", o)
	}
	if o := sockevent.Join(nil, nil); o != nil {
		t.Fatalf("Join(nil, nil) = %v", o)
	}
	a, b := &counter{}, &counter{}
	if o := sockevent.Join(nil, a); o != sockevent.Observer(a) {
		t.Fatalf("Join(nil, a) = %v", o)
	}
	o := sockevent.Join(a, nil, b)
	o.Observe(&sockevent.Event{})
	o.Observe(&sockevent.Event{})
	if a.n != 2 || b.n != 2 {
		t.Fatalf("a saw %d, b %d", a.n, b.n)
	}
}

// TestIP: both ends of an IP event; none for unix sockets or an end that
// is not known.
func TestIP(t *testing.T) {
	e := sockevent.Event{Transport: "tcp", Local: "127.0.0.1:80", Peer: "[::1]:9"}
	local, peer, ok := e.IP()
	if !ok || local != netip.MustParseAddrPort("127.0.0.1:80") || peer != netip.MustParseAddrPort("[::1]:9") {
		t.Fatalf("IP() = %v %v %v", local, peer, ok)
	}
	for _, e := range []sockevent.Event{
		{Transport: "unix", Local: "/tmp/s", Peer: "/tmp/s"},
		{Transport: "udp", Local: "127.0.0.1:9"},
	} {
		if _, _, ok := e.IP(); ok {
			t.Errorf("%+v has IP ends", e)
		}
	}
	reset := sockevent.Event{Err: syscall.ECONNRESET}
	if !reset.Reset() || (&sockevent.Event{Err: syscall.EPIPE}).Reset() {
		t.Error("Reset: ECONNRESET is one, EPIPE is not")
	}
}

type finisher struct {
	counter
	finished int
}

func (f *finisher) Finish() { f.finished++ }

// TestFinish: Finish reaches every Finisher, joined or not, once.
func TestFinish(t *testing.T) {
	a, b := &finisher{}, &counter{}
	sockevent.Finish(sockevent.Join(a, b))
	sockevent.Finish(a)
	sockevent.Finish(b)
	sockevent.Finish(nil)
	if a.finished != 2 {
		t.Fatalf("finished %d times", a.finished)
	}
}
