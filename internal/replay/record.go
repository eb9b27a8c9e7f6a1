package replay

import (
	"fmt"
	"io"
	"sync"

	"github.com/luasock/luasock/internal/sockevent"
)

// Recorder is the observer behind luasock run --record: it gathers the
// bytes of every stream connection (TCP, unix; a TLS stream's plaintext)
// the script accepted or made, and writes the session when the run ends.
// Datagrams are not recorded.
type Recorder struct {
	w       io.Writer
	stopped func(error)
	mu      sync.Mutex
	conns   map[connKey]*recording
	order   []*recording
}

type connKey struct {
	worker int
	stream uint64
}

type recording struct {
	conn   Conn
	server bool // the script accepted it: its sends go to the client
	ended  [2]bool
}

// NewRecorder records to w; stopped hears a failure to write.
func NewRecorder(w io.Writer, stopped func(error)) *Recorder {
	return &Recorder{w: w, stopped: stopped, conns: map[connKey]*recording{}}
}

// Observe implements sockevent.Observer.
func (r *Recorder) Observe(e *sockevent.Event) {
	if e.Datagram() || e.Stream == 0 || e.Failed() && !(e.Op == sockevent.Recv && e.Reset()) {
		return // (a reset is the peer leaving: it ends the peer's stream)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	key := connKey{e.Worker, e.Stream}
	rec := r.conns[key]
	switch e.Op {
	case sockevent.Accept, sockevent.Connect:
		server := e.Op == sockevent.Accept
		addr := e.Peer
		if server {
			addr = e.Local
		}
		rec = &recording{conn: Conn{ID: len(r.order) + 1, Transport: e.Transport, Server: addr}, server: server}
		if addr == "" {
			rec.conn.Server = "-"
		}
		r.conns[key] = rec
		r.order = append(r.order, rec)
		return
	}
	if rec == nil {
		return
	}
	mine, theirs := ToServer, ToClient // the script's direction, the peer's
	if rec.server {
		mine, theirs = ToClient, ToServer
	}
	switch e.Op {
	case sockevent.Send:
		if e.Data != "" {
			rec.add(Step{Dir: mine, Data: e.Data})
		}
	case sockevent.Recv:
		switch {
		case e.Peek:
		case e.EOF, e.Failed():
			rec.end(theirs)
		case e.Data != "":
			rec.add(Step{Dir: theirs, Data: e.Data})
		}
	case sockevent.Shutdown:
		if e.How != "read" {
			rec.end(mine)
		}
	case sockevent.Close:
		rec.end(mine)
		delete(r.conns, key)
	case sockevent.TLS:
		rec.conn.Steps = append(rec.conn.Steps, Step{TLS: true})
	}
}

// add appends a step, joining it to the one before in the same direction:
// how the bytes were cut into reads and writes is not the conversation.
func (rec *recording) add(st Step) {
	steps := rec.conn.Steps
	if n := len(steps); n > 0 && !steps[n-1].End && steps[n-1].Dir == st.Dir {
		steps[n-1].Data += st.Data
		return
	}
	rec.conn.Steps = append(steps, st)
}

// carried tells whether any bytes went either way.
func (rec *recording) carried() bool {
	for _, st := range rec.conn.Steps {
		if !st.End {
			return true
		}
	}
	return false
}

func (rec *recording) end(d Direction) {
	i := 0
	if d == ToClient {
		i = 1
	}
	if !rec.ended[i] {
		rec.ended[i] = true
		rec.conn.Steps = append(rec.conn.Steps, Step{Dir: d, End: true})
	}
}

// Finish writes the session: every connection that carried bytes (a port
// probe carries none), in the order it began, numbered from 1.
func (r *Recorder) Finish() {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := &Session{}
	for _, rec := range r.order {
		if !rec.carried() {
			continue
		}
		c := rec.conn
		c.ID = len(s.Conns) + 1
		s.Conns = append(s.Conns, &c)
	}
	if _, err := s.WriteTo(r.w); err != nil && r.stopped != nil {
		r.stopped(fmt.Errorf("writing the session: %w", err))
	}
}
