package replay

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// server is the server side's listeners: a stream one (TCP or unix) and
// a UDP one, as the session needs, and the clients they bring.
type server struct {
	r     *run
	addr  net.Addr
	ln    net.Listener
	conns chan net.Conn // accepted, for the connections to take in turn
	udp   *udpServer
	wg    sync.WaitGroup
}

// maxWaiting bounds the clients accepted before a connection takes them.
const maxWaiting = 64

// listen opens what the session's connections need at addr.
func (r *run) listen(network, addr string) (*server, error) {
	var stream, datagram bool
	for _, c := range r.p.Session.Conns {
		switch {
		case c.Datagram():
			datagram = true
		case (c.Transport == "unix") != (network == "unix"):
			return nil, fmt.Errorf("connection %d is %s: it cannot be served at %s", c.ID, c.Transport, addr)
		default:
			stream = true
		}
	}
	if datagram && network == "unix" {
		return nil, fmt.Errorf("the session has UDP connections: they cannot be served at %s", addr)
	}
	s := &server{r: r, conns: make(chan net.Conn, maxWaiting)}
	if stream || !datagram {
		if network == "udp" {
			network = "tcp"
		}
		ln, err := net.Listen(network, addr)
		if err != nil {
			return nil, err
		}
		s.ln, s.addr = ln, ln.Addr()
		if tcp, ok := ln.Addr().(*net.TCPAddr); ok {
			addr = tcp.String() // UDP on the same port
		}
		s.wg.Add(1)
		go s.accept()
	}
	if datagram {
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			s.stop()
			return nil, err
		}
		s.udp = newUDPServer(pc, len(r.p.Session.Conns))
		if s.addr == nil {
			s.addr = pc.LocalAddr()
		}
		s.wg.Add(1)
		go func() { defer s.wg.Done(); s.udp.dispatch() }()
	}
	return s, nil
}

func (s *server) accept() {
	defer s.wg.Done()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return // closed (stop), or failing for good
		}
		select {
		case s.conns <- conn:
		case <-s.r.ctx.Done():
			conn.Close()
			return
		}
	}
}

// stop closes the listeners, waits for their goroutines and closes the
// clients nobody took.
func (s *server) stop() {
	s.r.cancel()
	if s.ln != nil {
		s.ln.Close()
	}
	if s.udp != nil {
		s.udp.pc.Close()
	}
	s.wg.Wait()
	for {
		select {
		case conn := <-s.conns:
			conn.Close()
		default:
			return
		}
	}
}

// take is the next client for connection c, within the timeout.
func (s *server) take(c *Conn) (endpoint, error) {
	timer := time.NewTimer(s.r.p.timeout())
	defer timer.Stop()
	if c.Datagram() {
		select {
		case p := <-s.udp.peers:
			return p, nil
		case <-timer.C:
			return nil, fmt.Errorf("connection %d: no client sent a datagram within %v", c.ID, s.r.p.timeout())
		case <-s.r.ctx.Done():
			return nil, errStopped
		}
	}
	select {
	case conn := <-s.conns:
		return newStreamEnd(conn, conn.RemoteAddr().String()), nil
	case <-timer.C:
		return nil, fmt.Errorf("connection %d: no client came within %v", c.ID, s.r.p.timeout())
	case <-s.r.ctx.Done():
		return nil, errStopped
	}
}

var errStopped = errors.New("stopped")

// udpServer sorts the datagrams that come to the server's socket by their
// sender: a new sender is the next recorded UDP connection's client.
type udpServer struct {
	pc    net.PacketConn
	peers chan *datagramEnd // new senders, for the connections to take in turn
	mu    sync.Mutex
	known map[string]*datagramEnd
	limit int
	// queued counts the bytes waiting in every inbox: past maxQueued,
	// datagrams are dropped, as a network may, whoever sends them.
	queued atomic.Int64
}

// maxQueued bounds the bytes of the datagrams waiting for the connections.
var maxQueued int64 = 4 << 20

// maxInbox bounds the datagrams waiting for one connection: more are
// dropped, as a network may.
const maxInbox = 64

func newUDPServer(pc net.PacketConn, conns int) *udpServer {
	return &udpServer{pc: pc, peers: make(chan *datagramEnd, conns+maxWaiting),
		known: map[string]*datagramEnd{}, limit: conns + maxWaiting}
}

func (u *udpServer) dispatch() {
	buf := make([]byte, 64<<10)
	for {
		n, from, err := u.pc.ReadFrom(buf)
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue
		}
		u.mu.Lock()
		e := u.known[from.String()]
		if e == nil && len(u.known) < u.limit {
			to := from
			e = &datagramEnd{client: from.String(), inbox: make(chan []byte, maxInbox), queued: &u.queued,
				send: func(b []byte) error { _, err := u.pc.WriteTo(b, to); return err }}
			u.known[from.String()] = e
			u.peers <- e // (room for every sender known: see limit)
		}
		u.mu.Unlock()
		if e != nil && u.queued.Load()+int64(n) <= maxQueued {
			u.queued.Add(int64(n))
			select {
			case e.inbox <- bytes.Clone(buf[:n]):
			default:
				u.queued.Add(-int64(n))
			}
		}
	}
}
