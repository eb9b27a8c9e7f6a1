package replay

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"
)

// Player plays one side of a session. Timeout bounds every wait: for the
// peer's next bytes, for a client to come (playing the server), for a
// connection to be made.
type Player struct {
	Session *Session
	Timeout time.Duration
	// Pace, playing the client, is a pause before each connection after
	// the first: for a server that takes a connection in one task and
	// announces it from another, whose announcement would race the next.
	Pace time.Duration

	certOnce sync.Once // the server side's certificate, for "= tls"
	cert     tls.Certificate
	certErr  error
}

// DefaultTimeout is how long a player waits for the peer's next bytes.
const DefaultTimeout = 5 * time.Second

func (p *Player) timeout() time.Duration {
	if p.Timeout > 0 {
		return p.Timeout
	}
	return DefaultTimeout
}

// Network splits a replay address: "tcp://host:port", "udp://host:port",
// "host:port" (either), "unix:///path" or a path. A session's TCP and UDP
// connections both go to host:port.
func Network(address string) (network, addr string) {
	switch {
	case strings.HasPrefix(address, "tcp://"):
		return "tcp", address[len("tcp://"):]
	case strings.HasPrefix(address, "udp://"):
		return "udp", address[len("udp://"):]
	case strings.HasPrefix(address, "unix://"):
		return "unix", address[len("unix://"):]
	case strings.HasPrefix(address, "/") || strings.HasPrefix(address, "./"):
		return "unix", address
	}
	return "tcp", address
}

// PlayClient plays the client side against the server at address: it
// makes each recorded connection, sends the client's bytes and checks the
// server's, every connection in its own goroutine, each step waiting for
// the steps recorded before it. The first difference is a *Difference.
func (p *Player) PlayClient(address string) error {
	network, addr := Network(address)
	r := p.newRun(ToServer)
	first := true
	r.open = func(c *Conn) (endpoint, error) {
		if !first && p.Pace > 0 {
			select {
			case <-time.After(min(p.Pace, p.timeout())):
			case <-r.ctx.Done():
				return nil, errStopped
			}
		}
		first = false
		return r.dial(c, network, addr)
	}
	return r.play()
}

// PlayServer plays the server side: it listens at address (TCP and UDP
// on the same port when the session has both), takes a client for each
// recorded connection in turn, sends the server's bytes and checks the
// client's. ready, when set, is called once it listens.
func (p *Player) PlayServer(address string, ready func(net.Addr)) error {
	network, addr := Network(address)
	r := p.newRun(ToClient)
	srv, err := r.listen(network, addr)
	if err != nil {
		return err
	}
	defer srv.stop()
	if ready != nil {
		ready(srv.addr)
	}
	r.open = srv.take
	return r.play()
}

// run is one playing of a session.
type run struct {
	p    *Player
	mine Direction // the player's side's bytes
	peer string    // "server" or "client"
	open func(c *Conn) (endpoint, error)

	ctx    context.Context
	cancel context.CancelFunc

	mu    sync.Mutex
	turn  int           // the index in Session.Steps of the step to play next
	moved chan struct{} // closed when turn moves
	names map[string]string
	ends  []endpoint
	err   error
}

func (p *Player) newRun(mine Direction) *run {
	ctx, cancel := context.WithCancel(context.Background())
	peer := "server"
	if mine == ToClient {
		peer = "client"
	}
	return &run{p: p, mine: mine, peer: peer, ctx: ctx, cancel: cancel,
		moved: make(chan struct{}), names: map[string]string{}}
}

// play runs a goroutine per connection and waits for them all.
func (r *run) play() error {
	defer r.cancel()
	steps := r.p.Session.Steps
	byConn := map[int][]int{}
	var order []int
	for i, st := range steps {
		if _, ok := byConn[st.Conn]; !ok {
			order = append(order, st.Conn)
		}
		byConn[st.Conn] = append(byConn[st.Conn], i)
	}
	var wg sync.WaitGroup
	for _, id := range order {
		c := r.p.Session.Conn(id)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r.playConn(c, byConn[id]); err != nil {
				r.fail(err)
			}
		}()
	}
	wg.Wait()
	r.cancel()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.ends {
		e.close()
	}
	return r.err
}

// fail keeps the first error and stops every goroutine: their waits end,
// their connections close.
func (r *run) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return
	}
	r.err = err
	r.cancel()
	for _, e := range r.ends {
		e.close()
	}
}

// waitTurn waits until step i is next, false when the run stopped. The
// step before it is bounded by the timeout, as all steps are.
func (r *run) waitTurn(i int) bool {
	for {
		r.mu.Lock()
		turn, moved := r.turn, r.moved
		r.mu.Unlock()
		if turn == i {
			return true
		}
		select {
		case <-moved:
		case <-r.ctx.Done():
			return false
		}
	}
}

func (r *run) advance() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.turn++
	close(r.moved)
	r.moved = make(chan struct{})
}

// keep remembers an endpoint to close when the run ends (closed at once
// when it has stopped).
func (r *run) keep(e endpoint) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ends = append(r.ends, e)
	if r.err != nil {
		e.close()
	}
}

func (r *run) matcher() matcher {
	return matcher{
		known: func(name string) (string, bool) {
			r.mu.Lock()
			defer r.mu.Unlock()
			v, ok := r.names[name]
			return v, ok
		},
		capture: func(name, value string) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.names[name] = value
		},
	}
}

// maxProbes bounds the clients a served connection skips (see errProbe).
const maxProbes = 100

// playConn plays connection c's steps (indexes in Session.Steps), each in
// its turn.
func (r *run) playConn(c *Conn, idx []int) error {
	var ep endpoint
	firstData := true
	for _, i := range idx {
		st := r.p.Session.Steps[i]
		if !r.waitTurn(i) {
			return nil // another connection failed
		}
		var err error
		switch {
		case st.Open:
			ep, err = r.openConn(c)
		case ep == nil:
			err = fmt.Errorf("connection %d, session line %d: a step before its connection line", c.ID, st.Line)
		default:
			err = r.step(ep, c, st)
			// A client that leaves without a byte where the recording has
			// it speak first is a port probe, not the session's client.
			for probes := 0; errors.Is(err, errProbe) && firstData && r.mine == ToClient && probes < maxProbes; probes++ {
				if ep, err = r.openConn(c); err == nil {
					err = r.step(ep, c, st)
				}
			}
			if errors.Is(err, errProbe) {
				err = errors.Unwrap(err)
			}
			firstData = false
		}
		if err != nil {
			return err
		}
		r.advance()
	}
	return nil
}

// errProbe wraps the difference of a client that left without a byte.
var errProbe = errors.New("a client left without a byte")

type probeError struct{ d *Difference }

func (e probeError) Error() string        { return e.d.Error() }
func (e probeError) Is(target error) bool { return target == errProbe }
func (e probeError) Unwrap() error        { return e.d }

// openConn makes or takes connection c and names its client's address.
func (r *run) openConn(c *Conn) (endpoint, error) {
	ep, err := r.open(c)
	if err != nil {
		return nil, err
	}
	r.keep(ep)
	r.matcher().capture(ClientName(c.ID), ep.clientAddr())
	return ep, nil
}

// step plays one step on ep.
func (r *run) step(ep endpoint, c *Conn, st *Step) error {
	switch e := ep.(type) {
	case *streamEnd:
		return r.streamStep(e, c, st)
	case *datagramEnd:
		return r.datagramStep(e, c, st)
	}
	return nil
}

// sendable is the bytes of one of the player's own steps.
func (r *run) sendable(c *Conn, st *Step) (string, error) {
	data, err := r.matcher().outgoing(st.pieces())
	if err != nil {
		return "", fmt.Errorf("connection %d, session line %d: %w", c.ID, st.Line, err)
	}
	return data, nil
}

// endpoint is one connection's live end.
type endpoint interface {
	clientAddr() string // the client's address, as the server sees it
	close()
}
