package luabind

import (
	"strings"
	"testing"

	"github.com/luasock/luasock/internal/impair"
	"github.com/luasock/luasock/internal/sockevent"
	"github.com/luasock/luasock/internal/testutil/fakehost"
	lua "github.com/yuin/gopher-lua"
)

// TestTraceNoteAndName: each call is one event on its handle, with the
// handle's peer (or the address given) and the text; numbers are text;
// both return true, also when nothing observes.
func TestTraceNoteAndName(t *testing.T) {
	for _, observed := range []bool{true, false} {
		var r recorder
		cfg := Config{}
		if observed {
			cfg.Observer = &r
		}
		L := lua.NewState()
		Open(L, fakehost.New(t), cfg)
		if err := L.DoString(`
srv = assert(stream_socket_server("tcp://127.0.0.1:0"))
c = assert(stream_socket_client("tcp://" .. srv:name()))
conn = assert(stream_socket_accept(srv))
u = assert(stream_socket_server("udp://127.0.0.1:0", STREAM_SERVER_BIND))
results = {trace_note(c, "greeting"), trace_note(conn, 42), trace_name(conn, "alice"),
  trace_name(u, "bob", "127.0.0.1:5353"), trace_note(u, "to bob")}
srvname, cname = srv:name(), c:name()
`); err != nil {
			t.Fatal(err)
		}
		results := L.GetGlobal("results").(*lua.LTable)
		if results.Len() != 5 {
			t.Errorf("results %d", results.Len())
		}
		results.ForEach(func(_, v lua.LValue) {
			if v != lua.LTrue {
				t.Errorf("a result is %v, want true", v)
			}
		})
		srv, cli := lua.LVAsString(L.GetGlobal("srvname")), lua.LVAsString(L.GetGlobal("cname"))
		L.Close()
		if !observed {
			continue
		}
		type want struct {
			stream uint64
			op     sockevent.Op
			peer   string
			note   string
		}
		wants := []want{
			{2, sockevent.NoteOp, srv, "greeting"},
			{3, sockevent.NoteOp, cli, "42"},
			{3, sockevent.NameOp, cli, "alice"},
			{4, sockevent.NameOp, "127.0.0.1:5353", "bob"},
			{4, sockevent.NoteOp, "", "to bob"},
		}
		var got []want
		for _, e := range r.events {
			if e.Op == sockevent.NoteOp || e.Op == sockevent.NameOp {
				got = append(got, want{e.Stream, e.Op, e.Peer, e.Note})
			}
		}
		if len(got) != len(wants) {
			t.Fatalf("events %+v, want %+v", got, wants)
		}
		for i := range wants {
			if got[i] != wants[i] {
				t.Errorf("event %d: %+v, want %+v", i+1, got[i], wants[i])
			}
		}
	}
}

// TestTraceNoteBadArguments: Lua 5.1's words, observed or not.
func TestTraceNoteBadArguments(t *testing.T) {
	for _, tt := range []struct{ call, want string }{
		{`trace_note()`, `bad argument #1 to 'trace_note' (stream expected, got no value)`},
		{`trace_note("x", "y")`, `bad argument #1 to 'trace_note' (stream expected, got string)`},
		{`trace_note(c)`, `bad argument #2 to 'trace_note' (string expected, got no value)`},
		{`trace_note(c, {})`, `bad argument #2 to 'trace_note' (string expected, got table)`},
		{`fclose(c) trace_note(c, "x")`, `bad argument #1 to 'trace_note' (supplied resource is not a valid stream resource: closed by fclose() at`},
		{`trace_name(1, "x")`, `bad argument #1 to 'trace_name' (stream expected, got number)`},
		{`trace_name(c, nil)`, `bad argument #2 to 'trace_name' (string expected, got nil)`},
		{`trace_name(u, "x")`, `bad argument #3 to 'trace_name' (the socket has no peer: give the peer's address)`},
		{`trace_name(u, "x", true)`, `bad argument #3 to 'trace_name' (string expected, got boolean)`},
		{`trace_name(srv, "x")`, `bad argument #3 to 'trace_name' (the socket has no peer: give the peer's address)`},
	} {
		for _, observer := range []sockevent.Observer{nil, &recorder{}} {
			L := lua.NewState()
			Open(L, fakehost.New(t), Config{Observer: observer})
			err := L.DoString(`
srv = assert(stream_socket_server("tcp://127.0.0.1:0"))
c = assert(stream_socket_client("tcp://" .. srv:name()))
u = assert(stream_socket_server("udp://127.0.0.1:0", STREAM_SERVER_BIND))
` + tt.call)
			L.Close()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: %v\nwant %s", tt.call, err, tt.want)
			}
		}
	}
}

// TestDropEvent: a datagram --drop loses is a drop event with its bytes
// and destination, and no send; the script is told it went.
func TestDropEvent(t *testing.T) {
	var r recorder
	L := lua.NewState()
	defer L.Close()
	Open(L, fakehost.New(t), Config{Observer: &r, Impair: impair.Settings{Drop: 1, Seed: 1}})
	if err := L.DoString(`
u = assert(stream_socket_server("udp://127.0.0.1:0", STREAM_SERVER_BIND))
c = assert(stream_socket_client("udp://" .. u:name()))
assert(fwrite(c, "lost") == 4)
assert(stream_socket_sendto(u, "also lost", 0, c:name()) == 9)
uname, cname = u:name(), c:name()
`); err != nil {
		t.Fatal(err)
	}
	u, c := lua.LVAsString(L.GetGlobal("uname")), lua.LVAsString(L.GetGlobal("cname"))
	var drops []sockevent.Event
	for _, e := range r.events {
		switch e.Op {
		case sockevent.Send:
			t.Errorf("a send: %+v", e)
		case sockevent.Drop:
			drops = append(drops, e)
		}
	}
	if len(drops) != 2 ||
		drops[0].Data != "lost" || drops[0].Peer != u || drops[0].Local != c || drops[0].Addressed ||
		drops[1].Data != "also lost" || drops[1].Peer != c || drops[1].Local != u || !drops[1].Addressed {
		t.Errorf("drops %+v", drops)
	}
}
