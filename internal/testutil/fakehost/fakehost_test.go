package fakehost_test

import (
	"testing"

	"github.com/luasock/luasock/internal/channel"
	"github.com/luasock/luasock/internal/testutil/fakehost"
	"github.com/luasock/luasock/luabind"
	lua "github.com/yuin/gopher-lua"
)

var (
	_ luabind.Host = (*fakehost.Host)(nil)
	_ channel.Host = (*fakehost.Host)(nil)
)

// TestTracksAndCloses: the handles a script opens are tracked until it
// closes them, and Close closes the rest, so that a later call finds its
// handle closed; Context is cancelled then.
func TestTracksAndCloses(t *testing.T) {
	h := fakehost.New(t)
	L := lua.NewState()
	defer L.Close()
	luabind.Open(L, h, luabind.Config{})
	if err := L.DoString(`
kept = assert(stream_socket_server("tcp://127.0.0.1:0"))
local closed = assert(stream_socket_server("tcp://127.0.0.1:0"))
fclose(closed)`); err != nil {
		t.Fatal(err)
	}
	if n := h.Tracked(); n != 1 {
		t.Fatalf("%d handles tracked, want the one left open", n)
	}
	h.Close()
	if n := h.Tracked(); n != 0 || h.Context().Err() == nil {
		t.Fatalf("after Close: %d handles tracked, context %v", n, h.Context().Err())
	}
	if err := L.DoString(`local ok, err = kept:accept(0) assert(not ok and err == "Bad file descriptor", tostring(err))`); err != nil {
		t.Fatal(err)
	}
	h.Close() // a second Close does nothing
}

// TestChannel: the channel library runs on the fake too; a receive with a
// timeout waits inline (Block) and times out, as no other task sends.
func TestChannel(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	channel.Open(L, fakehost.New(t))
	if err := L.DoString(`
local ch = channel.make(1)
ch:send("hello")
local ok, v = ch:receive()
assert(ok and v == "hello")
assert(not ch:receive(0.01))`); err != nil {
		t.Fatal(err)
	}
}
