package luabind

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/luasock/luasock/internal/errno"
)

// Tracer writes one line per socket event (luasock run --trace): the time
// since the run started, the handle (kind and local address), the operation,
// the peer and the byte count, then a hex+ASCII dump of the data, cut after
// MaxBytes. Workers share one Tracer; each event is one Write, so events
// never mix. When tracing is off the API holds a nil *Tracer and every
// trace point costs one comparison.
type Tracer struct {
	mu       sync.Mutex
	w        io.Writer
	start    time.Time
	maxBytes int
	err      error // the first failed write; later events are dropped
	onError  func(error)
	buf      []byte
}

// DefaultTraceBytes is how much of each message the trace dumps by default.
const DefaultTraceBytes = 64

// NewTracer traces to w, dumping at most maxBytes of each message (0: none).
// If a write fails, the trace stops and onError (if not nil) hears why, once.
func NewTracer(w io.Writer, maxBytes int, onError func(error)) *Tracer {
	return &Tracer{w: w, start: time.Now(), maxBytes: max(maxBytes, 0), onError: onError}
}

// event is one trace line. peer is shown after an arrow that points the
// way the data went: "->" for what this side sends or connects to, "<-"
// for what it receives or accepts. n < 0 means no byte count.
type event struct {
	worker Worker
	handle string
	op     string
	arrow  string
	peer   string
	n      int
	data   string
	note   string // an error, "(end of stream)"
}

func (t *Tracer) write(e event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err != nil {
		return
	}
	b := t.buf[:0]
	b = fmt.Appendf(b, "%10.6f  ", time.Since(t.start).Seconds())
	if e.worker.Count > 0 {
		b = fmt.Appendf(b, "[w%d] ", e.worker.ID)
	}
	b = fmt.Appendf(b, "%s  %-8s", e.handle, e.op)
	if e.arrow != "" {
		b = append(b, " "+e.arrow...)
	}
	if e.peer != "" {
		b = append(b, " "+printable(e.peer)...)
	}
	switch {
	case e.n == 1:
		b = append(b, "  1 byte"...)
	case e.n >= 0:
		b = fmt.Appendf(b, "  %d bytes", e.n)
	}
	if e.note != "" {
		b = append(b, "  "+e.note...)
	}
	b = append(bytes.TrimRight(b, " "), '\n')
	b = t.dump(b, e.data)
	t.buf = b
	if _, err := t.w.Write(b); err != nil {
		t.err = err
		if t.onError != nil {
			t.onError(err)
		}
	}
}

// dump appends hexdump -C style lines of data, cut after maxBytes.
func (t *Tracer) dump(b []byte, data string) []byte {
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

// traceName is a handle as the trace shows it: its kind and local address.
func (s *Stream) traceName() string {
	kind := "socket"
	switch {
	case s.listening:
		kind = "server"
	case s.connected:
		kind = "stream"
	}
	local := s.localName()
	if local == "" {
		local = "(unnamed)"
	}
	transport := s.transport
	if s.crypto != nil {
		transport = "tls"
	}
	return transport + " " + kind + " " + local
}

// traceOp records an operation on s that moved n bytes of data (n < 0:
// none). Callers check a.trace != nil first, so nothing is built when off.
func (a *api) traceOp(s *Stream, op, arrow, peer string, n int, data string) {
	a.trace.write(event{worker: a.worker, handle: s.traceName(), op: op, arrow: arrow, peer: peer, n: n, data: data})
}

// traceError records a failed operation, unless it only found the socket
// not ready (a non-blocking call or a poll).
func (a *api) traceError(handle, op, arrow, peer string, err error) {
	if wouldBlock(err) {
		return
	}
	msg, code := errno.Of(err)
	note := op + ": " + msg + " (" + strconv.Itoa(code) + ")"
	a.trace.write(event{worker: a.worker, handle: handle, op: "error", arrow: arrow, peer: peer, n: -1, note: note})
}
