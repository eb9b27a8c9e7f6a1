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
	for _, p := range []struct {
		network, luasock, php, luasocket, goKind string
	}{
		{"udp", "udp_timeserver.lua", "udp_timeserver.php", "udp_timeserver_luasocket.lua", "udp"},
		{"tcp", "timeserver.lua", "timeserver.php", "timeserver_luasocket.lua", "tcp-go"},
	} {
		for _, c := range concurrencies {
			b.Run(fmt.Sprintf("%s/c=%d", p.network, c), func(b *testing.B) {
				compare(b, p.network, c,
					startLuasock(b, p.network, p.luasock),
					startPeer(b, "php", p.network, "php", "php-cli", p.php, p.network+"://"),
					startPeer(b, "lua5.4-luasocket", p.network, "lua5.4", "lua5.4", p.luasocket, ""),
					startGo(b, p.network, p.goKind))
			})
		}
	}
}
