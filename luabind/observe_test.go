package luabind

import (
	"strings"
	"testing"

	"github.com/luasock/luasock/internal/sockevent"
	"github.com/luasock/luasock/internal/testutil/fakehost"
	lua "github.com/yuin/gopher-lua"
)

// recorder keeps copies of the events it observes.
type recorder struct{ events []sockevent.Event }

func (r *recorder) Observe(e *sockevent.Event) { r.events = append(r.events, *e) }

// TestObservers: every observer joined sees every event, with both ends'
// addresses, the handle's number and the bytes, in the order they happened.
func TestObservers(t *testing.T) {
	closed := RefusingAddr(t, "tcp")
	var one, two recorder
	L := lua.NewState()
	defer L.Close()
	Open(L, fakehost.New(t), Config{Observer: sockevent.Join(&one, nil, &two)})
	L.SetGlobal("closed", lua.LString(closed))
	if err := L.DoString(`
srv = assert(stream_socket_server("tcp://127.0.0.1:0"))
c = assert(stream_socket_client("tcp://" .. srv:name()))
conn = assert(stream_socket_accept(srv))
cname = conn:peer()
fwrite(c, "hello")
assert(fread(conn, 100) == "hello")
stream_socket_shutdown(c, STREAM_SHUT_WR)
assert(fread(conn, 100) == nil)
fclose(conn) fclose(c)
u = assert(stream_socket_server("udp://127.0.0.1:0", STREAM_SERVER_BIND))
stream_socket_sendto(u, "ping", 0, u:name())
stream_socket_recvfrom(u, 10, STREAM_PEEK)
stream_socket_recvfrom(u, 10)
assert(not stream_socket_client("tcp://" .. closed, 1))
srvname, uname = srv:name(), u:name()
`); err != nil {
		t.Fatal(err)
	}
	srv, cli, udp := lua.LVAsString(L.GetGlobal("srvname")), lua.LVAsString(L.GetGlobal("cname")), lua.LVAsString(L.GetGlobal("uname"))
	type want struct {
		stream          uint64
		op              sockevent.Op
		kind            string
		local, peer     string
		data            string
		addressed, peek bool
		eof             bool
		how             string
		failed          bool
	}
	wants := []want{
		{stream: 1, op: sockevent.Listen, kind: "server", local: srv},
		{stream: 2, op: sockevent.Connect, kind: "stream", local: cli, peer: srv},
		{stream: 3, op: sockevent.Accept, kind: "stream", local: srv, peer: cli},
		{stream: 2, op: sockevent.Send, kind: "stream", local: cli, peer: srv, data: "hello"},
		{stream: 3, op: sockevent.Recv, kind: "stream", local: srv, peer: cli, data: "hello"},
		{stream: 2, op: sockevent.Shutdown, kind: "stream", local: cli, peer: srv, how: "write"},
		{stream: 3, op: sockevent.Recv, kind: "stream", local: srv, peer: cli, eof: true},
		{stream: 3, op: sockevent.Close, kind: "stream", local: srv, peer: cli},
		{stream: 2, op: sockevent.Close, kind: "stream", local: cli, peer: srv},
		{stream: 4, op: sockevent.Bind, kind: "socket", local: udp},
		{stream: 4, op: sockevent.Send, kind: "socket", local: udp, peer: udp, data: "ping", addressed: true},
		{stream: 4, op: sockevent.Recv, kind: "socket", local: udp, peer: udp, data: "ping", addressed: true, peek: true},
		{stream: 4, op: sockevent.Recv, kind: "socket", local: udp, peer: udp, data: "ping", addressed: true},
		{stream: 0, op: sockevent.Connect, kind: "socket", peer: closed, failed: true},
	}
	if len(one.events) != len(wants) || len(two.events) != len(wants) {
		t.Fatalf("%d and %d events, want %d: %+v", len(one.events), len(two.events), len(wants), one.events)
	}
	for i, w := range wants {
		e := one.events[i]
		got := want{e.Stream, e.Op, e.Kind, e.Local, e.Peer, e.Data, e.Addressed, e.Peek, e.EOF, e.How, e.Failed()}
		if w.failed && strings.HasPrefix(e.Local, "127.0.0.1:") { // the refused socket's port
			w.local = e.Local
		}
		transport := "tcp"
		if w.stream == 4 {
			transport = "udp"
		}
		if got != w || e.Transport != transport || e.Time.IsZero() || e.TLS || e.Worker != 0 {
			t.Errorf("event %d: %+v\nwant %+v", i+1, e, w)
		}
		if two.events[i] != e {
			t.Errorf("event %d: the second observer saw %+v", i+1, two.events[i])
		}
	}
	if !one.events[len(wants)-1].Reset() {
		t.Errorf("a refused connect is not Reset: %v", one.events[len(wants)-1].Err)
	}
}

// TestObserveUnreadClose: closing a stream whose peer sent bytes the script
// never read tells how many (the kernel resets such a connection).
func TestObserveUnreadClose(t *testing.T) {
	var r recorder
	L := lua.NewState()
	defer L.Close()
	Open(L, fakehost.New(t), Config{Observer: &r})
	if err := L.DoString(`
local srv = assert(stream_socket_server("tcp://127.0.0.1:0"))
local c = assert(stream_socket_client("tcp://" .. srv:name()))
local conn = assert(stream_socket_accept(srv))
fwrite(c, "never read")
assert(stream_select({conn}, nil, nil, 5) == 1)
fclose(conn) fclose(c)
`); err != nil {
		t.Fatal(err)
	}
	var unread []int
	for _, e := range r.events {
		if e.Op == sockevent.Close {
			unread = append(unread, e.Unread)
		}
	}
	if len(unread) != 2 || unread[0] != 10 || unread[1] != 0 {
		t.Fatalf("closes with %v bytes unread, want [10 0]", unread)
	}
}
