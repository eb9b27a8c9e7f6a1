package luabind

import (
	"net/netip"
	"strconv"
	"sync"
)

// Workers (luasock run --workers N) serve one address together. On Linux
// each worker binds its own socket with SO_REUSEPORT and the kernel spreads
// the clients across them. Elsewhere (macOS, the BSDs; Linux built with
// luasock_portable) SO_REUSEPORT lets the sockets bind but one of them gets
// every client, so the workers of a run share one socket instead: the first
// to make a server lends the others a duplicate, and they all accept from
// its one queue, whichever is free first.

// WorkerGroup is what the workers of one run share: the servers they lend
// each other, by address and flags. The host makes one per run of workers.
type WorkerGroup struct {
	mu      sync.Mutex
	servers map[string]*stream
}

// NewWorkerGroup is an empty group, for the Worker of each worker.
func NewWorkerGroup() *WorkerGroup { return &WorkerGroup{servers: map[string]*stream{}} }

// listenShared is listen for a worker's IP server where the kernel does not
// spread the load: a duplicate of the server another worker made with the
// same address and flags, if one is open, else a new one that the others
// will share. As on Linux, only a port given and SO_REUSEPORT on (the
// workers' default) share: port 0 is a port of each worker's own.
func (a *api) listenShared(addr parsedAddress, ips []netip.Addr, flags int, opts *socketOptions) (*stream, error) {
	g := a.worker.Group
	if kernelSpreadsLoad || g == nil || !addr.IsIP() || addr.Port == 0 || opts.SoReusePort == nil || !*opts.SoReusePort {
		return listen(addr, ips, flags, opts)
	}
	key := addr.Transport + "://" + addr.Target + " " + strconv.Itoa(flags)
	g.mu.Lock()
	defer g.mu.Unlock()
	if lent := g.servers[key]; lent != nil {
		if s, err := lent.duplicate(); s != nil || err != nil {
			return s, err
		}
	}
	s, err := listen(addr, ips, flags, opts)
	if err == nil {
		g.servers[key] = s
	}
	return s, err
}
