package replay

import (
	"fmt"
	"io"
	"net/netip"
	"strings"
	"sync"

	"github.com/luasock/luasock/internal/sockevent"
)

// Recorder is the observer behind luasock run --record: it gathers, in the
// order they happen, the bytes of every stream connection (TCP, unix; a TLS
// stream's plaintext) the script accepted or made and every UDP datagram it
// sent or received, and writes the session when the run ends.
type Recorder struct {
	w       io.Writer
	stopped func(error)

	mu        sync.Mutex
	session   Session
	streams   map[handle]*recording
	datagrams map[conversation]*recording
	serves    map[handle]bool         // a UDP handle: the script is its server
	notes     map[handle][]string     // trace_note texts for the handle's next step
	names     map[conversation]string // trace_name of a UDP peer before its first datagram
}

type handle struct {
	worker int
	stream uint64
}

// conversation is a UDP handle's datagrams with one peer.
type conversation struct {
	handle
	peer string
}

type recording struct {
	conn   *Conn
	server bool // the script serves it: its sends go to the client
	ended  [2]bool
}

// NewRecorder records to w; stopped hears a failure to write.
func NewRecorder(w io.Writer, stopped func(error)) *Recorder {
	return &Recorder{w: w, stopped: stopped,
		streams: map[handle]*recording{}, datagrams: map[conversation]*recording{},
		serves: map[handle]bool{}, notes: map[handle][]string{}, names: map[conversation]string{}}
}

// Observe implements sockevent.Observer.
func (r *Recorder) Observe(e *sockevent.Event) {
	if e.Stream == 0 || e.Transport == "udg" || e.Op == sockevent.Drop {
		return // (unix datagrams are not recorded; a dropped datagram never went)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	key := handle{e.Worker, e.Stream}
	switch e.Op {
	case sockevent.NoteOp:
		r.notes[key] = append(r.notes[key], e.Note)
		return
	case sockevent.NameOp:
		r.name(key, e)
		return
	}
	if e.Datagram() {
		r.datagram(key, e)
		return
	}
	if e.Failed() && !(e.Op == sockevent.Recv && e.Reset()) {
		return // (a reset is the peer leaving: it ends the peer's stream)
	}
	rec := r.streams[key]
	switch e.Op {
	case sockevent.Accept, sockevent.Connect:
		server := e.Op == sockevent.Accept
		addr, client := e.Peer, e.Local
		if server {
			addr, client = e.Local, e.Peer
		}
		r.streams[key] = r.open(e.Transport, addr, client, server)
		return
	}
	if rec == nil {
		return
	}
	mine, theirs := rec.directions()
	switch e.Op {
	case sockevent.Send:
		if e.Data != "" {
			r.data(key, rec, mine, e.Data)
		}
	case sockevent.Recv:
		switch {
		case e.Peek:
		case e.EOF, e.Failed():
			r.end(rec, theirs)
		case e.Data != "":
			r.data(key, rec, theirs, e.Data)
		}
	case sockevent.Shutdown:
		if e.How != "read" {
			r.end(rec, mine)
		}
	case sockevent.Close:
		r.end(rec, mine)
		delete(r.streams, key)
		delete(r.notes, key) // (notes no message followed)
	case sockevent.TLS:
		r.session.add(&Step{Conn: rec.conn.ID, TLS: true})
	}
}

// directions are the script's direction on rec, and its peer's.
func (rec *recording) directions() (mine, theirs Direction) {
	if rec.server {
		return ToClient, ToServer
	}
	return ToServer, ToClient
}

// datagram records a UDP event: each peer of a handle is a connection.
func (r *Recorder) datagram(key handle, e *sockevent.Event) {
	switch {
	case e.Failed():
		return
	case e.Op == sockevent.Bind:
		r.serves[key] = true
		return
	case e.Op == sockevent.Close:
		for k := range r.datagrams {
			if k.handle == key {
				delete(r.datagrams, k)
			}
		}
		for k := range r.names {
			if k.handle == key {
				delete(r.names, k)
			}
		}
		delete(r.serves, key)
		delete(r.notes, key)
		return
	case e.Op != sockevent.Send && e.Op != sockevent.Recv || e.Peek || e.Peer == "" || e.Data == "":
		return
	}
	if _, ok := r.serves[key]; !ok {
		r.serves[key] = e.Op == sockevent.Recv // a socket that hears first serves
	}
	conv := conversation{key, e.Peer}
	rec := r.datagrams[conv]
	if rec == nil {
		server, client := e.Peer, e.Local
		if r.serves[key] {
			server, client = e.Local, e.Peer
		}
		rec = r.open("udp", server, client, r.serves[key])
		if name, ok := r.names[conv]; ok {
			rec.conn.Name = name
			delete(r.names, conv)
		}
		r.datagrams[conv] = rec
	}
	mine, theirs := rec.directions()
	if e.Op == sockevent.Send {
		r.data(key, rec, mine, e.Data)
	} else {
		r.data(key, rec, theirs, e.Data)
	}
}

// name keeps what the script called a handle's peer.
func (r *Recorder) name(key handle, e *sockevent.Event) {
	if rec := r.streams[key]; rec != nil {
		rec.conn.Name = e.Note
		return
	}
	if rec := r.datagrams[conversation{key, e.Peer}]; rec != nil {
		rec.conn.Name = e.Note
		return
	}
	r.names[conversation{key, e.Peer}] = e.Note // (a peer not heard from yet: named when it is)
}

// open begins a connection (numbered for now; Finish renumbers).
func (r *Recorder) open(transport, server, client string, serves bool) *recording {
	if server == "" {
		server = "-"
	}
	c := &Conn{ID: len(r.session.Conns) + 1, Transport: transport, Server: server, Client: client}
	r.session.Conns = append(r.session.Conns, c)
	r.session.add(&Step{Conn: c.ID, Open: true})
	return &recording{conn: c, server: serves}
}

// data records bytes one way. Bytes that follow the session's last step,
// the same way on the same stream, join it: how they were cut into reads
// and writes is not the conversation. A datagram is a step of its own, as
// is a message the script named (trace_note).
func (r *Recorder) data(key handle, rec *recording, d Direction, data string) {
	notes := r.notes[key]
	delete(r.notes, key)
	steps := r.session.Steps
	if n := len(steps); n > 0 && notes == nil && !rec.conn.Datagram() {
		if last := steps[n-1]; last.Conn == rec.conn.ID && !last.Open && !last.End && !last.TLS && last.Dir == d {
			last.Data += data
			return
		}
	}
	r.session.add(&Step{Conn: rec.conn.ID, Dir: d, Data: data, Notes: notes})
}

func (r *Recorder) end(rec *recording, d Direction) {
	i := 0
	if d == ToClient {
		i = 1
	}
	if !rec.ended[i] {
		rec.ended[i] = true
		r.session.add(&Step{Conn: rec.conn.ID, Dir: d, End: true})
	}
}

// Finish writes the session: every connection that carried bytes (a port
// probe carries none), numbered from 1 in the order they began, with the
// client addresses in text marked ({client2}: they change every run).
func (r *Recorder) Finish() {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := &Session{}
	renumber := map[int]int{}
	for _, c := range r.session.Conns {
		if carried(c) {
			renumber[c.ID] = len(renumber) + 1
		}
	}
	var clients []clientAddr
	for _, st := range r.session.Steps {
		id, ok := renumber[st.Conn]
		if !ok {
			continue
		}
		if st.Open {
			c := *r.session.Conn(st.Conn)
			c.ID, c.Steps = id, nil
			s.Conns = append(s.Conns, &c)
			if isAddrPort(c.Client) {
				clients = append(clients, clientAddr{c.Client, ClientName(id)})
			}
		} else if !st.End && !st.TLS && isText(st.Data) {
			markClients(st, clients)
		}
		st.Conn = id
		s.add(st)
	}
	if _, err := s.WriteTo(r.w); err != nil && r.stopped != nil {
		r.stopped(fmt.Errorf("writing the session: %w", err))
	}
}

// carried tells whether any bytes went either way.
func carried(c *Conn) bool {
	for _, st := range c.Steps {
		if !st.End && !st.TLS {
			return true
		}
	}
	return false
}

type clientAddr struct{ addr, name string }

func isAddrPort(s string) bool {
	ap, err := netip.ParseAddrPort(s)
	return err == nil && ap.Port() != 0
}

// markClients cuts the step's text at every client address known so far.
func markClients(st *Step, clients []clientAddr) {
	ps := []Piece{{Bytes: st.Data}}
	for _, c := range clients {
		var out []Piece
		for _, p := range ps {
			if p.Mark != "" {
				out = append(out, p)
				continue
			}
			parts := strings.Split(p.Bytes, c.addr)
			for i, part := range parts {
				if i > 0 {
					out = append(out, Piece{Mark: c.name, Bytes: c.addr, Blank: true})
				}
				if part != "" {
					out = append(out, Piece{Bytes: part})
				}
			}
		}
		ps = out
	}
	if len(ps) != 1 || ps[0].Mark != "" {
		st.Pieces = ps
	}
}
