// Package liveview is luasock run --ui: a page, served by luasock itself on
// loopback, that shows a run as it happens. The servers, each connection
// and datagram peer (its name or note, its bytes each way, its state), each
// task and what it waits for, and the exchange as a sequence picture.
//
// Threading: Observe and ObserveTask are called by the run's tasks with the
// Lua lock held, by several workers at once with --workers. They only take
// View.mu, which the HTTP side holds to copy a bounded batch of records and
// never while it writes to a client: a slow or stuck page cannot hold up a
// task. Recent events are kept in a ring that drops the oldest; the tables
// of connections and tasks are bounded too (closed and ended entries go
// first). The page polls /events; each request is served on its own
// goroutine (server.go).
package liveview

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/luasock/luasock/internal/sockevent"
)

// The bounds of what a View keeps.
const (
	// RingSize is how many recent socket events the view keeps: the
	// sequence picture a page loaded late can draw, and the messages whose
	// bytes a click can still show.
	RingSize = 4096
	// KeptBytes is how much of each message the view keeps for a click.
	KeptBytes = 1024
	// KeptNote is how much of a note or a name the view keeps (a script
	// may note each line a peer sends).
	KeptNote = 200
	// MaxEntries bounds the connections (and datagram peers) and the tasks
	// the tables hold, each: past it the oldest closed (ended) one goes,
	// and when none has closed a new one is counted but not listed.
	MaxEntries = 512
)

// Task is what the host reports of one task: it was spawned (ready), runs,
// waits, or ended. The host calls ObserveTask with the Lua lock held.
type Task struct {
	Worker int    // the worker's number; 0 when not a worker
	ID     uint64 // NewTask's number: one per task of the run, every worker and reload's
	Main   bool   // the worker's main task (the script's chunk, then the prompt); kept once set
	State  string // TaskReady, TaskRunning, TaskWaiting, TaskEnded or TaskFailed
	// Wait is what a waiting task waits for: accept, read, write, sleep,
	// channel, select, connect, tls, input, or the call's own name.
	Wait string
	Call string // the function the task called (fgets, stream_socket_accept), when it waits
	At   string // the script's file:line of that call (of the spawn, for a new task)
	Func string // where the task's function is defined (file:line); kept when empty
	Err  string // TaskFailed: the error's first line
}

// The states of a Task.
const (
	TaskReady   = "ready"   // spawned, or handing the lock over: it runs when its turn comes
	TaskRunning = "running" // it holds the Lua lock
	TaskWaiting = "waiting" // in a call that waits (Wait says for what)
	TaskEnded   = "ended"
	TaskFailed  = "failed" // it ended with an error
)

// record is one socket event as the view keeps it and the page reads it.
// data is kept for /bytes and not sent with the event (Preview is).
type record struct {
	Seq       uint64  `json:"q"`
	Num       uint64  `json:"i"` // socket events from 1: a page sees a gap (the ring dropped some)
	MS        float64 `json:"t"` // since the view started
	Worker    int     `json:"w,omitempty"`
	Stream    uint64  `json:"s"`
	Op        string  `json:"op"`
	Transport string  `json:"tr,omitempty"`
	Kind      string  `json:"k,omitempty"`
	Local     string  `json:"l,omitempty"`
	Peer      string  `json:"p,omitempty"`
	Addressed bool    `json:"a,omitempty"`
	TLS       bool    `json:"tls,omitempty"`
	Len       int     `json:"n,omitempty"`
	Preview   []byte  `json:"pv,omitempty"` // the first previewBytes, set when sent (base64 in JSON)
	EOF       bool    `json:"eof,omitempty"`
	Peek      bool    `json:"peek,omitempty"`
	How       string  `json:"how,omitempty"`
	Unread    int     `json:"unread,omitempty"`
	Note      string  `json:"note,omitempty"`
	Err       string  `json:"err,omitempty"`
	data      string
}

// previewBytes is how much of a message each event carries to the page.
const previewBytes = 48

// conn is a row of the connections table: a handle, or one peer of an
// unconnected datagram socket (Peer set, Key "w/s/peer").
type conn struct {
	Key       string `json:"key"`
	Seq       uint64 `json:"q"`     // the event that last changed it
	First     uint64 `json:"first"` // the event that made it: the tables' order
	Worker    int    `json:"w,omitempty"`
	Stream    uint64 `json:"s"`
	Transport string `json:"tr"`
	Kind      string `json:"k"`
	Local     string `json:"l,omitempty"`
	Peer      string `json:"p,omitempty"`
	DgPeer    bool   `json:"dg,omitempty"`
	Name      string `json:"name,omitempty"`
	Note      string `json:"note,omitempty"`
	TLS       string `json:"tls,omitempty"`
	In        int64  `json:"in"`
	Out       int64  `json:"out"`
	State     string `json:"state"`
	done      bool   // closed: it may be evicted
}

// taskRow is a row of the tasks table.
type taskRow struct {
	Key    string  `json:"key"`
	Seq    uint64  `json:"q"`
	Worker int     `json:"w,omitempty"`
	ID     uint64  `json:"id"`
	Main   bool    `json:"main,omitempty"`
	State  string  `json:"state"`
	Wait   string  `json:"wait,omitempty"`
	Call   string  `json:"call,omitempty"`
	At     string  `json:"at,omitempty"`
	Func   string  `json:"fn,omitempty"`
	Err    string  `json:"err,omitempty"`
	Since  float64 `json:"since"` // ms: when it entered this state
}

// View is one run's live view: the state Observe keeps and, once Start
// served it, the HTTP server that shows it.
type View struct {
	start time.Time

	mu     sync.Mutex
	seq    uint64 // numbers every change, socket event or task: the page asks for what is newer
	events uint64 // the socket events observed
	// clients numbers the peers a server accepted or first heard from,
	// "client 1", "client 2" as the trace names them, until trace_name.
	clients int
	ring    []record // the socket events kept, oldest at head, in the order of Seq
	head    int
	kept    int
	conns   table[*conn]
	tasks   table[*taskRow]
	evict   uint64 // seq of the last eviction: a page behind it reloads the tables
	nTasks  uint64 // NewTask's last number
	// hidden are the connections and the tasks not listed (the tables
	// were full of live ones when they began), by key, until they end:
	// listed later, they would show only the rest of their lives.
	hidden [2]map[string]bool

	srv *server // nil until Start
}

// table is a bounded map of rows with the order in which they finished.
type table[T any] struct {
	rows     map[string]T
	finished []string // keys of closed or ended rows, oldest first
}

// New makes a view that keeps ringSize events (RingSize when 0), without
// serving it: Start serves one.
func New(ringSize int) *View {
	if ringSize <= 0 {
		ringSize = RingSize
	}
	return &View{
		start:  time.Now(),
		ring:   make([]record, ringSize),
		conns:  table[*conn]{rows: map[string]*conn{}},
		tasks:  table[*taskRow]{rows: map[string]*taskRow{}},
		hidden: [2]map[string]bool{{}, {}},
	}
}

func (v *View) since(t time.Time) float64 {
	return float64(t.Sub(v.start).Microseconds()) / 1000
}

// Observe implements sockevent.Observer. It copies what it keeps of e.
func (v *View) Observe(e *sockevent.Event) {
	r := record{
		Worker: e.Worker, Stream: e.Stream, Op: string(e.Op), Transport: e.Transport,
		Kind: e.Kind, Local: e.Local, Peer: e.Peer, Addressed: e.Addressed, TLS: e.TLS,
		Len: len(e.Data), EOF: e.EOF, Peek: e.Peek, How: e.How, Unread: e.Unread, Note: clip(e.Note),
	}
	if e.Data != "" {
		r.data = strings.Clone(e.Data[:min(len(e.Data), KeptBytes)])
	}
	if e.Err != nil {
		r.Err = e.Err.Error()
	}
	t := e.Time
	if t.IsZero() {
		t = time.Now()
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.seq++
	v.events++
	r.Seq, r.Num, r.MS = v.seq, v.events, v.since(t)
	v.push(r)
	v.account(e, r.Seq)
}

// push puts r in the ring, over the oldest when it is full.
func (v *View) push(r record) {
	n := len(v.ring)
	if v.kept < n {
		v.ring[(v.head+v.kept)%n] = r
		v.kept++
		return
	}
	v.ring[v.head] = r
	v.head = (v.head + 1) % n
}

// account updates the connections table for e (numbered seq).
func (v *View) account(e *sockevent.Event, seq uint64) {
	if e.Stream == 0 { // a failed listen or connect made no handle: the picture shows it
		return
	}
	key := strconv.Itoa(e.Worker) + "/" + strconv.FormatUint(e.Stream, 10)
	c := v.conns.rows[key]
	if c == nil && !v.hidden[0][key] {
		c = &conn{Key: key, First: seq, Worker: e.Worker, Stream: e.Stream, Peer: e.Peer, State: "open"}
		if !v.addConn(c) {
			c = nil
			v.hide(0, key)
		}
	}
	if c == nil { // not listed: numbered as the trace numbers it, forgotten when it ends
		if e.Op == sockevent.Accept && e.Err == nil {
			v.nextClient()
		}
		if e.Op == sockevent.Close {
			delete(v.hidden[0], key)
		}
		return
	}
	c.Seq, c.Transport, c.Kind, c.Local = seq, e.Transport, e.Kind, e.Local
	if c.Peer == "" && !e.Addressed {
		c.Peer = e.Peer
	}
	peer := v.datagramPeer(c, e, seq)
	failed := e.Err != nil
	switch e.Op {
	case sockevent.Listen:
		c.State = "listening"
	case sockevent.Bind:
		c.State = "bound"
	case sockevent.Accept, sockevent.Connect:
		if failed {
			c.State = "failed: " + e.Err.Error()
		} else if e.Kind == "stream" {
			c.State = "open"
			if e.Op == sockevent.Accept && c.Name == "" {
				c.Name = v.nextClient()
			}
		}
	case sockevent.Send:
		c.Out += int64(len(e.Data))
		if peer != nil {
			peer.Out += int64(len(e.Data))
		}
	case sockevent.Recv:
		if e.Peek {
			break
		}
		c.In += int64(len(e.Data))
		if peer != nil {
			peer.In += int64(len(e.Data))
		}
		if e.EOF {
			c.State = "peer ended"
		}
	case sockevent.Shutdown:
		if !failed {
			c.State = "shut " + e.How
		}
	case sockevent.TLS:
		if !failed {
			c.TLS = e.Note
		}
	case sockevent.NoteOp:
		if peer != nil {
			peer.Note = clip(e.Note)
		} else {
			c.Note = clip(e.Note)
		}
	case sockevent.NameOp:
		if peer != nil {
			peer.Name = clip(e.Note)
		} else {
			c.Name = clip(e.Note)
		}
	case sockevent.Close:
		c.State = "closed"
		if e.Unread > 0 {
			c.State = "closed: reset (" + strconv.Itoa(e.Unread) + " bytes unread)"
		}
		v.finishConn(c)
		for _, p := range v.conns.rows { // its datagram peers close with it
			if p.DgPeer && p.Worker == c.Worker && p.Stream == c.Stream && !p.done {
				p.State, p.Seq = "closed", seq
				v.finishConn(p)
			}
		}
		return
	}
	if failed && e.Reset() {
		c.State = "reset by peer"
	}
}

// datagramPeer is the row of e's peer when e is a datagram addressed to or
// from one peer of an unconnected socket; nil otherwise.
func (v *View) datagramPeer(c *conn, e *sockevent.Event, seq uint64) *conn {
	if !e.Datagram() || e.Peer == "" || (!e.Addressed && e.Op != sockevent.NameOp && e.Op != sockevent.NoteOp) || c.Kind == "stream" {
		return nil
	}
	key := c.Key + "/" + e.Peer
	p := v.conns.rows[key]
	if p == nil {
		p = &conn{Key: key, First: seq, Worker: c.Worker, Stream: c.Stream, Transport: c.Transport,
			Kind: "peer", Local: c.Local, Peer: e.Peer, DgPeer: true, State: "seen"}
		if e.Op == sockevent.Recv {
			p.Name = v.nextClient() // a server heard from it first
		}
		if !v.addConn(p) {
			return nil
		}
	}
	p.Seq = seq
	return p
}

// clip keeps at most KeptNote bytes of s, as a copy (the event's strings
// are the script's).
func clip(s string) string {
	if len(s) > KeptNote {
		return strings.Clone(s[:KeptNote]) + "…"
	}
	return s
}

func (v *View) nextClient() string {
	v.clients++
	return "client " + strconv.Itoa(v.clients)
}

// hide keeps key as an entry of table (0: connections, 1: tasks) not
// listed, up to maxHidden of them (past that, they are listed when there
// is room).
func (v *View) hide(table int, key string) {
	if len(v.hidden[table]) < maxHidden {
		v.hidden[table][key] = true
	}
}

// maxHidden bounds the entries the view remembers it did not list.
const maxHidden = 64 * MaxEntries

// addConn lists c, making room if the table is full; false: no room.
func (v *View) addConn(c *conn) bool {
	if len(v.conns.rows) >= MaxEntries {
		if !evictOne(&v.conns, func(c *conn) bool { return c.done }) {
			return false
		}
		v.evict = v.seq
	}
	v.conns.rows[c.Key] = c
	return true
}

func (v *View) finishConn(c *conn) {
	if !c.done {
		c.done = true
		v.conns.finished = append(v.conns.finished, c.Key)
	}
}

// evictOne drops the oldest finished row of t; false when none is left.
// The caller records the eviction.
func evictOne[T any](t *table[T], done func(T) bool) bool {
	for len(t.finished) > 0 {
		key := t.finished[0]
		t.finished[0] = ""
		t.finished = t.finished[1:]
		if r, ok := t.rows[key]; ok && done(r) {
			delete(t.rows, key)
			return true
		}
	}
	return false
}

// NewTask numbers a new task, from 1 in the order the run's tasks are
// made (every worker's, and a reload's: numbers are never reused).
func (v *View) NewTask() uint64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.nTasks++
	return v.nTasks
}

// ObserveTask records what a task does now. The host calls it with the
// Lua lock held (several workers at once).
func (v *View) ObserveTask(t Task) {
	now := time.Now()
	key := strconv.FormatUint(t.ID, 10)
	v.mu.Lock()
	defer v.mu.Unlock()
	v.seq++
	r := v.tasks.rows[key]
	if r == nil && v.hidden[1][key] {
		if t.State == TaskEnded || t.State == TaskFailed {
			delete(v.hidden[1], key)
		}
		return
	}
	if r == nil {
		r = &taskRow{Key: key, Worker: t.Worker, ID: t.ID}
		if len(v.tasks.rows) >= MaxEntries {
			if !evictOne(&v.tasks, func(r *taskRow) bool { return r.State == TaskEnded || r.State == TaskFailed }) {
				v.hide(1, key)
				return
			}
			v.evict = v.seq
		}
		v.tasks.rows[key] = r
	}
	if r.State != t.State {
		r.Since = v.since(now)
	}
	r.Seq, r.State, r.Wait, r.Call, r.At, r.Err = v.seq, t.State, t.Wait, t.Call, t.At, t.Err
	if t.Func != "" {
		r.Func = t.Func
	}
	r.Main = r.Main || t.Main
	if t.State == TaskEnded || t.State == TaskFailed {
		v.tasks.finished = append(v.tasks.finished, key)
	}
}

// batch is what the page gets from /events: what changed after the
// change it last saw.
type batch struct {
	Seq    uint64    `json:"seq"`  // the newest change: the page's next since
	Full   bool      `json:"full"` // the tables are whole: the page replaces its own
	Events []record  `json:"events"`
	Conns  []conn    `json:"conns"`
	Tasks  []taskRow `json:"tasks"`
	Hidden [2]int    `json:"hidden"` // connections, tasks not listed: the tables were full
	Ring   int       `json:"ring"`   // how many events the view keeps
}

// maxBatch bounds the events of one answer: a page far behind gets the
// newest, and sees the gap in their numbers.
const maxBatch = 1000

// changes copies, under mu and within bounds, what changed after since.
func (v *View) changes(since uint64) batch {
	v.mu.Lock()
	defer v.mu.Unlock()
	if since > v.seq { // not this view's number
		since = 0
	}
	b := batch{Seq: v.seq, Full: since == 0 || since < v.evict, Hidden: [2]int{len(v.hidden[0]), len(v.hidden[1])}, Ring: len(v.ring)}
	n := 0 // the newest kept records after since, at most maxBatch
	for n < v.kept && n < maxBatch && v.record(v.kept-1-n).Seq > since {
		n++
	}
	b.Events = make([]record, n)
	for i := range n {
		b.Events[i] = *v.record(v.kept - n + i)
	}
	for _, c := range v.conns.rows {
		if b.Full || c.Seq > since {
			b.Conns = append(b.Conns, *c)
		}
	}
	for _, t := range v.tasks.rows {
		if b.Full || t.Seq > since {
			b.Tasks = append(b.Tasks, *t)
		}
	}
	return b
}

// record is the i-th kept record, oldest first; under mu.
func (v *View) record(i int) *record { return &v.ring[(v.head+i)%len(v.ring)] }

// message is the kept bytes of the socket event numbered seq; false when
// the ring no longer holds it.
func (v *View) message(seq uint64) (r record, ok bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	lo, hi := 0, v.kept // the kept records are in the order of Seq
	for lo < hi {
		m := (lo + hi) / 2
		if v.record(m).Seq < seq {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < v.kept && v.record(lo).Seq == seq {
		return *v.record(lo), true
	}
	return record{}, false
}
