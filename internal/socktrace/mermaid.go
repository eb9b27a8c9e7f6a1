package socktrace

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/luasock/luasock/internal/errno"
	"github.com/luasock/luasock/internal/sockevent"
)

// MermaidWriter draws the conversation as a Mermaid sequence diagram
// (luasock run --trace-format mermaid), which GitHub and most Markdown
// viewers render: one participant per endpoint (an address; a client by
// its name, "client 1" or trace_name's), one arrow per send and per
// receive with a short escaped preview of the bytes (or the trace_note
// that named it), connects (failed ones too), accepts, ends of stream,
// dropped datagrams and closes as arrows too, listening, TLS, other
// failures and notes that named no message as notes. It is a
// sockevent.Observer that keeps the
// diagram until Finish writes it, at the end of the run; past mermaidLines
// statements it only counts the events it leaves out.
type MermaidWriter struct {
	mu       sync.Mutex
	w        io.Writer
	maxBytes int
	ids      map[string]string // endpoint -> participant id
	names    []string          // endpoints, in order of appearance
	lines    []string
	dropped  int
	onError  func(error)
	flushed  bool
	peers    peerNames
	pending  map[handleKey]*pendingNote // notes waiting for their handle's next message
}

// handleKey is one handle of a run.
type handleKey struct {
	worker int
	stream uint64
}

// pendingNote is what trace_note said of a handle's next message: its
// texts, and their lines, drawn as notes until the message comes and
// takes them as its label.
type pendingNote struct {
	lines []int
	texts []string
}

// mermaidLines bounds the statements kept: a server that runs for days
// must not grow without end, and a diagram that long is not read.
const mermaidLines = 5000

// previewBytes is the most of a message an arrow shows.
const previewBytes = 24

// NewMermaid draws to w when Finish is called, previews showing at most
// maxBytes of each message (and never more than previewBytes). If the
// write fails, onError (if not nil) hears why.
func NewMermaid(w io.Writer, maxBytes int, onError func(error)) *MermaidWriter {
	return &MermaidWriter{w: w, maxBytes: max(maxBytes, 0), ids: map[string]string{}, onError: onError,
		peers: newPeerNames(true), pending: map[handleKey]*pendingNote{}}
}

// participant is the id of an endpoint, declared on first sight.
func (m *MermaidWriter) participant(name string) string {
	if id, ok := m.ids[name]; ok {
		return id
	}
	id := "P" + strconv.Itoa(len(m.names)+1)
	m.ids[name] = id
	m.names = append(m.names, name)
	return id
}

// Observe adds the statement of a socket event.
func (m *MermaidWriter) Observe(e *sockevent.Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.peers.see(e)
	key := handleKey{e.Worker, e.Stream}
	if e.Op == sockevent.Close {
		defer delete(m.pending, key) // its notes that named nothing stay notes
	}
	if len(m.lines) >= mermaidLines {
		m.dropped++
		return
	}
	local := e.Local
	if local == "" && e.Stream != 0 {
		local = fmt.Sprintf("%s %s %d (unnamed)", e.Transport, e.Kind, e.Stream)
	}
	if e.Worker > 0 && local != "" {
		local = fmt.Sprintf("%s [w%d]", local, e.Worker)
	}
	var me, peer string
	if local != "" {
		me = m.participant(local)
	}
	switch {
	case e.Peer != "":
		peer = m.participant(e.Peer)
	case e.Kind == "stream" && e.Stream != 0: // an unnamed unix socket's
		unnamed := fmt.Sprintf("peer of %s stream %d (unnamed)", e.Transport, e.Stream)
		peer = m.participant(unnamed)
		if e.Op == sockevent.NameOp {
			m.peers.names[unnamed] = e.Note
		}
	}
	if e.Err != nil {
		msg, code := errno.Of(e.Err)
		text := escape(opName(e) + " failed: " + msg + " (" + strconv.Itoa(code) + ")")
		if e.Op == sockevent.Connect && me != "" && peer != "" {
			m.arrow(me, "-x", peer, text)
		} else {
			m.note(me, peer, text)
		}
		return
	}
	label := ""
	if message(e) {
		label = m.preview(e.Data)
		if note := m.takeNote(key); note != "" {
			label = escape(note) + " (" + count(len(e.Data)) + ")"
		}
	}
	switch {
	case e.Op == sockevent.NameOp: // the participant's label says it
	case e.Op == sockevent.NoteOp:
		n := len(m.lines)
		if m.note(me, peer, escape(e.Note)); len(m.lines) > n {
			p := m.pending[key]
			if p == nil {
				p = &pendingNote{}
				m.pending[key] = p
			}
			p.lines, p.texts = append(p.lines, n), append(p.texts, e.Note)
		}
	case e.Op == sockevent.Listen || e.Op == sockevent.Bind:
		m.note(me, "", escape(e.Transport+" "+string(e.Op)))
	case e.Op == sockevent.TLS:
		m.note(me, peer, escape(e.Note))
	case peer == "" || me == "":
		m.note(me, peer, escape(string(e.Op)))
	case e.Op == sockevent.Connect:
		m.arrow(me, "-)", peer, "connect")
	case e.Op == sockevent.Accept:
		m.arrow(peer, "-)", me, "connect (accepted)")
	case e.Op == sockevent.Send:
		m.arrow(me, "->>", peer, label)
	case e.Op == sockevent.Drop:
		m.arrow(me, "-x", peer, label+" (dropped by --drop)")
	case e.Op == sockevent.Recv && e.EOF:
		m.arrow(peer, "--x", me, "end of stream")
	case e.Op == sockevent.Recv && e.Peek:
		m.arrow(peer, "->>", me, m.preview(e.Data)+" (peek)")
	case e.Op == sockevent.Recv:
		m.arrow(peer, "->>", me, label)
	case e.Op == sockevent.Shutdown:
		m.arrow(me, "--x", peer, "shutdown "+e.How)
	case e.Op == sockevent.Close && e.Unread > 0:
		m.arrow(me, "-x", peer, fmt.Sprintf("close with %d bytes unread: reset", e.Unread))
	case e.Op == sockevent.Close:
		m.arrow(me, "-x", peer, "close")
	}
}

// takeNote is the text of the notes that name the handle's message now
// drawn, whose own lines go; "" when there is none.
func (m *MermaidWriter) takeNote(key handleKey) string {
	p := m.pending[key]
	if p == nil {
		return ""
	}
	delete(m.pending, key)
	for _, i := range p.lines {
		m.lines[i] = ""
	}
	return strings.Join(p.texts, "; ")
}

// Skip takes the names of an event that a filter leaves out; a message
// left out leaves the notes that named it as notes.
func (m *MermaidWriter) Skip(e *sockevent.Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.peers.see(e)
	if message(e) || e.Op == sockevent.Close {
		delete(m.pending, handleKey{e.Worker, e.Stream})
	}
}

func (m *MermaidWriter) arrow(from, arrow, to, label string) {
	m.lines = append(m.lines, "    "+from+arrow+to+": "+label)
}

// note puts text over a (and b, when there is one).
func (m *MermaidWriter) note(a, b, text string) {
	switch {
	case a == "":
		a, b = b, ""
	case a == b:
		b = ""
	}
	if a == "" {
		return
	}
	over := a
	if b != "" {
		over += "," + b
	}
	m.lines = append(m.lines, "    Note over "+over+": "+text)
}

// preview is an arrow's label: the byte count and the first bytes, quoted
// and escaped.
func (m *MermaidWriter) preview(data string) string {
	shown := data[:min(len(data), m.maxBytes, previewBytes)]
	if shown == "" {
		return count(len(data))
	}
	b := []byte(count(len(data)) + ` "`)
	for i := range len(shown) {
		b = quoteByte(b, shown[i])
	}
	b = append(b, '"')
	if len(shown) < len(data) {
		b = append(b, "..."...)
	}
	return escape(string(b))
}

// count is "1 byte", "n bytes".
func count(n int) string {
	if n == 1 {
		return "1 byte"
	}
	return strconv.Itoa(n) + " bytes"
}

// quoteByte appends one byte of a preview: printable ASCII as it is, else
// an escape as in a Lua string.
func quoteByte(b []byte, c byte) []byte {
	switch c {
	case '\r':
		return append(b, `\r`...)
	case '\n':
		return append(b, `\n`...)
	case '\t':
		return append(b, `\t`...)
	case '\\':
		return append(b, `\\`...)
	}
	if c < 0x20 || c > 0x7e {
		return fmt.Appendf(b, `\x%02x`, c)
	}
	return append(b, c)
}

// escape makes text safe in a Mermaid statement, where '#' starts an
// entity code, ';' ends a statement and '<' '>' would be read as HTML:
// those become entity codes.
func escape(text string) string {
	return strings.NewReplacer("#", "#35;", ";", "#59;", "<", "#lt;", ">", "#gt;").Replace(text)
}

// Finish writes the diagram; later calls do nothing.
func (m *MermaidWriter) Finish() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.flushed {
		return
	}
	m.flushed = true
	var b strings.Builder
	b.WriteString("sequenceDiagram\n")
	for i, name := range m.names {
		if given := m.peers.of(name); given != "" {
			name = given
		}
		fmt.Fprintf(&b, "    participant P%d as %s\n", i+1, escape(name))
	}
	for _, l := range m.lines {
		if l != "" { // a note's, taken by its message
			b.WriteString(l + "\n")
		}
	}
	if m.dropped > 0 && len(m.names) > 0 {
		fmt.Fprintf(&b, "    Note over P1: %d more events not drawn\n", m.dropped)
	}
	if _, err := io.WriteString(m.w, b.String()); err != nil && m.onError != nil {
		m.onError(err)
	}
}
