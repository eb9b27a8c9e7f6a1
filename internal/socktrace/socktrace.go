// Package socktrace writes luasock's socket trace (luasock run --trace): one
// line per socket event with the time since the run started, the worker,
// the handle, the operation, the peer (by name when it has one: "client
// 1 (127.0.0.1:54302)") and the byte count, then a hexdump -C style dump
// of the data, cut after a limit. The JSON and Mermaid forms are here too.
package socktrace

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/luasock/luasock/internal/errno"
	"github.com/luasock/luasock/internal/sockevent"
)

// Writer writes the trace; it is a sockevent.Observer. Workers share one
// Writer; each event is one Write to the underlying writer, so events never
// mix.
type Writer struct {
	mu       sync.Mutex
	w        io.Writer
	start    time.Time
	maxBytes int
	err      error // the first failed write; later events are dropped
	onError  func(error)
	buf      []byte
	names    peerNames
}

// DefaultBytes is how much of each message the trace dumps by default.
const DefaultBytes = 64

// New traces to w, dumping at most maxBytes of each message (0: none).
// If a write fails, the trace stops and onError (if not nil) hears why, once.
func New(w io.Writer, maxBytes int, onError func(error)) *Writer {
	return &Writer{w: w, start: time.Now(), maxBytes: max(maxBytes, 0), onError: onError, names: newPeerNames(false)}
}

// Event is one trace line. Peer is shown after an arrow that points the
// way the data went: "->" for what this side sends or connects to, "<-"
// for what it receives or accepts.
type Event struct {
	Worker int    // the worker's number (luasock run --workers); 0 when not a worker
	Handle string // the handle: its kind and local address
	Op     string
	Arrow  string
	Peer   string
	N      int    // the byte count; < 0 for none
	Data   string // the bytes to dump
	Note   string // an error, "(end of stream)", a trace_note's text
}

// Observe writes the line of a socket event, its peer shown by name when
// it has one.
func (t *Writer) Observe(e *sockevent.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.names.see(e)
	l := Line(e)
	if l.Peer == e.Peer {
		l.Peer = t.names.shown(e.Peer)
	}
	t.names.done(e)
	t.record(l)
}

// Skip takes the names of an event that a filter (--trace-filter) leaves
// out, so that the clients shown keep the numbers of their arrival.
func (t *Writer) Skip(e *sockevent.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.names.see(e)
	t.names.done(e)
}

// Line is the trace line of a socket event: the handle (kind and local
// address; "tls" for the transport of a TLS stream), the operation (send
// and recv are sendto and recvfrom when the call named the peer), the peer
// after an arrow, the count and the data; a failure is "error" with the
// operation, the message and the errno.
func Line(e *sockevent.Event) Event {
	transport := e.Transport
	if e.TLS {
		transport = "tls"
	}
	var handle string
	switch {
	case e.Local != "" && (e.Stream != 0 || e.Op == sockevent.Listen): // a failed listen's address; not a failed connect's
		handle = transport + " " + e.Kind + " " + e.Local
	case e.Stream != 0:
		handle = transport + " " + e.Kind + " (unnamed)"
	default:
		handle = transport + " " + e.Kind
	}
	l := Event{Worker: e.Worker, Handle: handle, Op: opName(e), Peer: e.Peer, N: -1}
	switch e.Op {
	case sockevent.Accept:
		if e.Err == nil || e.Peer != "" { // (a failed accept4 has no peer; a bad PROXY header has)
			l.Arrow = "<-"
		}
	case sockevent.Connect, sockevent.Send, sockevent.Drop:
		l.Arrow = "->"
	case sockevent.Recv:
		l.Arrow = "<-"
	case sockevent.TLS:
		l.Arrow = "<->"
	case sockevent.Shutdown:
		l.Peer = e.How
		if e.Err != nil {
			l.Peer = ""
		}
	}
	switch {
	case e.Err != nil:
		msg, code := errno.Of(e.Err)
		l.Note = l.Op + ": " + msg + " (" + strconv.Itoa(code) + ")"
		l.Op = "error"
	case e.EOF:
		l.N, l.Note = 0, "(end of stream)"
	case e.Op == sockevent.Send || e.Op == sockevent.Recv:
		l.N, l.Data = len(e.Data), e.Data
	case e.Op == sockevent.Drop:
		l.N, l.Data, l.Note = len(e.Data), e.Data, "(lost: --drop)"
	case e.Op == sockevent.NoteOp:
		l.Note = strconv.Quote(e.Note)
	case e.Op == sockevent.NameOp: // the peer, shown by its new name, says it
	default: // TLS: the version and cipher; listen, accept: an inherited fd, a PROXY header
		l.Note = e.Note
	}
	return l
}

// opName is the operation as the trace names it: sendto and recvfrom when
// the call named the peer, "(peek)" after a peek, "tls handshake" for a
// handshake that failed.
func opName(e *sockevent.Event) string {
	op := string(e.Op)
	switch {
	case e.Op == sockevent.TLS && e.Err != nil:
		op = "tls handshake"
	case e.Addressed && e.Op == sockevent.Send:
		op = "sendto"
	case e.Addressed && e.Op == sockevent.Recv:
		op = "recvfrom"
	}
	if e.Peek {
		op += " (peek)"
	}
	return op
}

// Record writes e, unless an earlier write failed.
func (t *Writer) Record(e Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.record(e)
}

func (t *Writer) record(e Event) {
	if t.err != nil {
		return
	}
	b := t.buf[:0]
	b = fmt.Appendf(b, "%10.6f  ", time.Since(t.start).Seconds())
	if e.Worker > 0 {
		b = fmt.Appendf(b, "[w%d] ", e.Worker)
	}
	b = fmt.Appendf(b, "%s  %-8s", e.Handle, e.Op)
	if e.Arrow != "" {
		b = append(b, " "+e.Arrow...)
	}
	if e.Peer != "" {
		b = append(b, " "+e.Peer...)
	}
	switch {
	case e.N == 1:
		b = append(b, "  1 byte"...)
	case e.N >= 0:
		b = fmt.Appendf(b, "  %d bytes", e.N)
	}
	if e.Note != "" {
		b = append(b, "  "+e.Note...)
	}
	b = append(bytes.TrimRight(b, " "), '\n')
	b = t.dump(b, e.Data)
	t.buf = b
	if _, err := t.w.Write(b); err != nil {
		t.err = err
		if t.onError != nil {
			t.onError(err)
		}
	}
}

// dump appends hexdump -C style lines of data, cut after maxBytes.
func (t *Writer) dump(b []byte, data string) []byte {
	shown := min(len(data), t.maxBytes)
	for off := 0; off < shown; off += 16 {
		line := data[off:min(off+16, shown)]
		b = fmt.Appendf(b, "%12s%04x  ", "", off)
		for i := range 16 {
			switch {
			case i < len(line):
				b = fmt.Appendf(b, "%02x ", line[i])
			default:
				b = append(b, "   "...)
			}
			if i == 7 {
				b = append(b, ' ')
			}
		}
		b = append(b, " |"...)
		for i := range len(line) {
			c := line[i]
			if c < 0x20 || c > 0x7e {
				c = '.'
			}
			b = append(b, c)
		}
		b = append(b, "|\n"...)
	}
	if len(data) > shown && shown > 0 {
		b = fmt.Appendf(b, "%12s...   %d more bytes\n", "", len(data)-shown)
	}
	return b
}
