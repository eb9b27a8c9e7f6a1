package tracefilter_test

import (
	"strings"
	"syscall"
	"testing"

	"github.com/luasock/luasock/internal/sockevent"
	"github.com/luasock/luasock/internal/tracefilter"
)

// events are one of each kind a run reports, named for the tests.
var events = map[string]sockevent.Event{
	"listen":  {Stream: 1, Op: sockevent.Listen, Transport: "tcp", Kind: "server", Local: "127.0.0.1:7000"},
	"accept":  {Stream: 2, Op: sockevent.Accept, Transport: "tcp", Kind: "stream", Local: "127.0.0.1:7000", Peer: "127.0.0.1:54302"},
	"read":    {Stream: 2, Op: sockevent.Recv, Transport: "tcp", Kind: "stream", Local: "127.0.0.1:7000", Peer: "127.0.0.1:54302", Data: "hi"},
	"write":   {Stream: 2, Op: sockevent.Send, Transport: "tcp", Kind: "stream", Local: "127.0.0.1:7000", Peer: "127.0.0.1:54302", Data: "hi"},
	"note":    {Stream: 2, Op: sockevent.NoteOp, Transport: "tcp", Kind: "stream", Local: "127.0.0.1:7000", Peer: "127.0.0.1:54302", Note: "greeting"},
	"close":   {Stream: 2, Op: sockevent.Close, Transport: "tcp", Kind: "stream", Local: "127.0.0.1:7000", Peer: "127.0.0.1:54302"},
	"connect": {Stream: 3, Op: sockevent.Connect, Transport: "tcp", Kind: "stream", Local: "[::1]:41000", Peer: "[::1]:80"},
	"refused": {Op: sockevent.Connect, Transport: "tcp", Kind: "socket", Local: "127.0.0.1:41001", Peer: "127.0.0.1:1", Err: syscall.ECONNREFUSED},
	"dgram":   {Worker: 2, Stream: 4, Op: sockevent.Recv, Transport: "udp", Kind: "socket", Local: "127.0.0.1:1113", Peer: "127.0.0.1:5353", Addressed: true, Data: "x"},
	"drop":    {Worker: 2, Stream: 4, Op: sockevent.Drop, Transport: "udp", Kind: "socket", Local: "127.0.0.1:1113", Peer: "127.0.0.1:5353", Addressed: true, Data: "time"},
	"unix":    {Stream: 5, Op: sockevent.Send, Transport: "unix", Kind: "stream", Local: "/tmp/7000", Peer: "/tmp/x:7000", Data: "hi"},
}

// TestFields: per field, an expression and the events it keeps.
func TestFields(t *testing.T) {
	for _, tt := range []struct{ expr, keeps string }{
		{"port=7000", "accept close listen note read write"},
		{"port=80", "connect"},
		{"port=07000", "accept close listen note read write"},
		{"port!=7000", "connect dgram drop refused unix"},
		{"port=1113,80", "connect dgram drop"},
		{"peer=127.0.0.1:54302", "accept close note read write"},
		{"peer=127.0.0.1", "accept close dgram drop note read refused write"},
		{"peer=::1", "connect"},
		{"peer=[::1]:80", "connect"},
		{"peer=/tmp/x:7000", "unix"},
		{"handle=2", "accept close note read write"},
		{"handle=4,5", "dgram drop unix"},
		{"handle!=2", "connect dgram drop listen refused unix"},
		{"worker=2", "dgram drop"},
		{"worker=0", "accept close connect listen note read refused unix write"},
		{"dir=in", "accept dgram read"},
		{"dir=out", "connect drop refused unix write"},
		{"dir!=in,out", "close listen note"},
		{"kind=read", "dgram read"},
		{"kind=recv", "dgram read"},
		{"kind=write,send", "unix write"},
		{"kind=datagram", "dgram drop"},
		{"kind=drop", "drop"},
		{"kind=accept,close", "accept close"},
		{"kind=listen", "listen"},
		{"kind=connect", "connect refused"},
		{"kind=note", "note"},
		{"kind=error", "refused"},
		{"kind!=note,error", "accept close connect dgram drop listen read unix write"},
		{"port=7000 kind=read,write", "read write"},
		{"  port=7000   dir=in  kind!=accept ", "read"},
	} {
		f, err := tracefilter.Parse(tt.expr)
		if err != nil {
			t.Errorf("%q: %v", tt.expr, err)
			continue
		}
		var kept []string
		for _, name := range sortedNames() {
			e := events[name]
			if f.Keep(&e) {
				kept = append(kept, name)
			}
		}
		if got := strings.Join(kept, " "); got != tt.keeps {
			t.Errorf("%q keeps %q, want %q", tt.expr, got, tt.keeps)
		}
	}
}

func sortedNames() []string {
	return []string{"accept", "close", "connect", "dgram", "drop", "listen", "note", "read", "refused", "unix", "write"}
}

// TestBadExpressions: the error names the term at fault, and the known
// fields when the field is unknown.
func TestBadExpressions(t *testing.T) {
	for _, tt := range []struct{ expr, want string }{
		{"", `an empty expression (terms such as port=7000 kind=read,write; fields: port, peer, handle, worker, dir, kind)`},
		{"   ", `an empty expression (terms such as port=7000 kind=read,write; fields: port, peer, handle, worker, dir, kind)`},
		{"port", `"port" is not FIELD=VALUE (fields: port, peer, handle, worker, dir, kind)`},
		{"host=x", `unknown field "host" in "host=x" (fields: port, peer, handle, worker, dir, kind)`},
		{"kind=read !kind=write", `unknown field "!kind" in "!kind=write" (fields: port, peer, handle, worker, dir, kind)`},
		{"port=70000", `"port=70000": port takes a port number (0 to 65535), not "70000"`},
		{"port=7000,", `"port=7000,": port takes a port number (0 to 65535), not ""`},
		{"peer=", `"peer=": peer takes an address (ip:port, ip, or a unix socket's path), not ""`},
		{"handle=-1", `"handle=-1": handle takes a handle's number (1 or more), not "-1"`},
		{"worker=x", `"worker=x": worker takes a worker's number (0 or more), not "x"`},
		{"dir=up", `"dir=up": dir takes in or out, not "up"`},
		{"kind=reed", `"kind=reed": kind takes one of listen, bind, accept, connect, read, write, datagram, drop, shutdown, close, tls, note, name, error, not "reed"`},
	} {
		_, err := tracefilter.Parse(tt.expr)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%q: %v\nwant %s", tt.expr, err, tt.want)
		}
	}
}

// recorder keeps the ops it observes and skips, and whether it finished.
type recorder struct {
	seen, skipped []sockevent.Op
	finished      bool
}

func (r *recorder) Observe(e *sockevent.Event) { r.seen = append(r.seen, e.Op) }
func (r *recorder) Skip(e *sockevent.Event)    { r.skipped = append(r.skipped, e.Op) }
func (r *recorder) Finish()                    { r.finished = true }

// TestWrap: the observer sees what the filter keeps, hears of the rest
// through Skip, and is finished; without a filter it is itself.
func TestWrap(t *testing.T) {
	var r recorder
	if tracefilter.Wrap(nil, &r) != sockevent.Observer(&r) || tracefilter.Wrap(&tracefilter.Filter{}, nil) != nil {
		t.Fatal("Wrap without a filter or an observer should change nothing")
	}
	f, err := tracefilter.Parse("kind=read")
	if err != nil {
		t.Fatal(err)
	}
	o := tracefilter.Wrap(f, &r)
	for _, name := range []string{"accept", "read", "close"} {
		e := events[name]
		o.Observe(&e)
	}
	sockevent.Finish(o)
	if len(r.seen) != 1 || r.seen[0] != sockevent.Recv || len(r.skipped) != 2 || !r.finished {
		t.Errorf("seen %v, skipped %v, finished %v", r.seen, r.skipped, r.finished)
	}
}
