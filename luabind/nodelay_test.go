package luabind

import (
	"net"
	"testing"

	"github.com/luasock/luasock/internal/testutil/fakehost"
	lua "github.com/yuin/gopher-lua"
	"golang.org/x/sys/unix"
)

// TestNoDelayOnAcceptedOnly: a server context's tcp_nodelay is set on the
// connections the server accepts, not on the listening socket, as PHP does.
func TestNoDelayOnAcceptedOnly(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	Open(L, fakehost.New(t), Config{})
	if err := L.DoString(`
server = assert(stream_socket_server("tcp://127.0.0.1:0", nil, {socket = {tcp_nodelay = true}}))
address = stream_socket_get_name(server, false)`); err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", lua.LVAsString(L.GetGlobal("address")))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := L.DoString(`conn = assert(stream_socket_accept(server))`); err != nil {
		t.Fatal(err)
	}
	nodelay := func(name string) int {
		s := L.GetGlobal(name).(*lua.LUserData).Value.(*stream)
		v := -1
		_ = s.raw.Control(func(fd uintptr) { v, _ = unix.GetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_NODELAY) })
		return v
	}
	if l, a := nodelay("server"), nodelay("conn"); l != 0 || a != 1 {
		t.Fatalf("TCP_NODELAY: listening socket %d, accepted connection %d; want 0 and 1", l, a)
	}
	_ = L.DoString(`fclose(conn) fclose(server)`)
}
