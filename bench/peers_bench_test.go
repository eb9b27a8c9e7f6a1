package bench

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/luasock/luasock/internal/testprog"
	"github.com/luasock/luasock/internal/testutil"
)

// startPeer runs one of bench/peers/ on a free port with interpreter, which
// the Debian package pkg provides (php-cli; lua5.4, whose scripts also need
// lua-socket).
func startPeer(b *testing.B, name, network, interpreter, pkg, script, scheme string) *server {
	b.Helper()
	path := testprog.Need(b, interpreter, pkg)
	addr := testutil.FreeAddr(b, network)
	return start(b, name, network, addr, exec.Command(path, filepath.Join("peers", script), scheme+addr))
}

// BenchmarkPeers: the manual's time servers in luasock, PHP 8.2 (the
// manual's own code) and Lua 5.4 with LuaSocket (the same scripts ported),
// against the Go ports, in one run.
func BenchmarkPeers(b *testing.B) {
	for _, c := range concurrencies {
		b.Run(fmt.Sprintf("udp/c=%d", c), func(b *testing.B) {
			compare(b, "udp", c,
				startLuasock(b, "udp", "udp_timeserver.lua"),
				startPeer(b, "php", "udp", "php", "php-cli", "udp_timeserver.php", "udp://"),
				startPeer(b, "lua5.4-luasocket", "udp", "lua5.4", "lua5.4", "udp_timeserver_luasocket.lua", ""),
				startGo(b, "udp", "udp"))
		})
	}
	for _, c := range concurrencies {
		b.Run(fmt.Sprintf("tcp/c=%d", c), func(b *testing.B) {
			compare(b, "tcp", c,
				startLuasock(b, "tcp", "timeserver.lua"),
				startPeer(b, "php", "tcp", "php", "php-cli", "timeserver.php", "tcp://"),
				startPeer(b, "lua5.4-luasocket", "tcp", "lua5.4", "lua5.4", "timeserver_luasocket.lua", ""),
				startGo(b, "tcp", "tcp-go"))
		})
	}
}
