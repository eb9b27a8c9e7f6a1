package socktrace

import (
	"encoding/json"
	"io"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/luasock/luasock/internal/errno"
	"github.com/luasock/luasock/internal/sockevent"
)

// JSONWriter writes the trace as one JSON object per event and per line
// (luasock run --trace-format json), for tools; it is a
// sockevent.Observer. Workers share one; each event is one Write.
type JSONWriter struct {
	mu       sync.Mutex
	w        io.Writer
	start    time.Time
	maxBytes int
	err      error
	onError  func(error)
	names    peerNames
}

// NewJSON writes JSON lines to w, with at most maxBytes of each message's
// data. If a write fails, the trace stops and onError (if not nil) hears
// why, once.
func NewJSON(w io.Writer, maxBytes int, onError func(error)) *JSONWriter {
	return &JSONWriter{w: w, start: time.Now(), maxBytes: max(maxBytes, 0), onError: onError, names: newPeerNames(false)}
}

// JSONEvent is one line of the JSON trace. Op is the operation as
// package sockevent names it, also when it failed (then Error and Errno
// are set). Name is the peer's ("client 1", or trace_name's). Bytes is the
// count of a send, receive or drop; Data its first bytes (at most
// --trace-bytes) when they are UTF-8 text, else DataHex. Note is a
// note's text, a name's, or a TLS handshake's version and cipher.
type JSONEvent struct {
	T         float64 `json:"t"` // seconds since the run started
	Worker    int     `json:"worker,omitempty"`
	Stream    uint64  `json:"stream,omitempty"`
	Op        string  `json:"op"`
	Transport string  `json:"transport"`
	TLS       bool    `json:"tls,omitempty"`
	Kind      string  `json:"kind"`
	Local     string  `json:"local,omitempty"`
	Peer      string  `json:"peer,omitempty"`
	Name      string  `json:"name,omitempty"`
	Addressed bool    `json:"addressed,omitempty"`
	Bytes     *int    `json:"bytes,omitempty"`
	Data      *string `json:"data,omitempty"`
	DataHex   string  `json:"data_hex,omitempty"`
	EOF       bool    `json:"eof,omitempty"`
	Peek      bool    `json:"peek,omitempty"`
	How       string  `json:"how,omitempty"`
	Unread    int     `json:"unread,omitempty"`
	Note      string  `json:"note,omitempty"`
	Error     string  `json:"error,omitempty"`
	Errno     *int    `json:"errno,omitempty"`
}

// Observe writes the line of a socket event.
func (t *JSONWriter) Observe(e *sockevent.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.names.see(e)
	defer t.names.done(e)
	j := JSONEvent{
		T: e.Time.Sub(t.start).Seconds(), Worker: e.Worker, Stream: e.Stream, Op: string(e.Op),
		Transport: e.Transport, TLS: e.TLS, Kind: e.Kind, Local: e.Local, Peer: e.Peer,
		Name: t.names.of(e.Peer), Addressed: e.Addressed, EOF: e.EOF, Peek: e.Peek, How: e.How, Unread: e.Unread, Note: e.Note,
	}
	switch {
	case e.Err != nil:
		msg, code := errno.Of(e.Err)
		j.Error, j.Errno = msg, &code
	case e.Op == sockevent.Send || e.Op == sockevent.Recv || e.Op == sockevent.Drop:
		n := len(e.Data)
		j.Bytes = &n
		if shown := e.Data[:min(n, t.maxBytes)]; shown != "" {
			if utf8.ValidString(shown) {
				j.Data = &shown
			} else {
				j.DataHex = hexOf(shown)
			}
		}
	}
	line, err := json.Marshal(j)
	if err != nil { // nothing in JSONEvent can fail to marshal
		panic(err)
	}
	if t.err != nil {
		return
	}
	if _, err := t.w.Write(append(line, '\n')); err != nil {
		t.err = err
		if t.onError != nil {
			t.onError(err)
		}
	}
}

// Skip takes the names of an event that a filter leaves out.
func (t *JSONWriter) Skip(e *sockevent.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.names.see(e)
	t.names.done(e)
}

// hexOf is s in lower-case hex, two digits a byte.
func hexOf(s string) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 0, 2*len(s))
	for i := range len(s) {
		b = append(b, digits[s[i]>>4], digits[s[i]&15])
	}
	return string(b)
}
