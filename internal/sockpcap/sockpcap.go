// Package sockpcap writes a run's socket traffic as a pcapng capture
// (luasock run --pcap FILE) that Wireshark and tshark read: every byte the
// script's TCP and UDP sockets send and receive, in IP packets with
// synthesized headers. The addresses and ports are the real ones; TCP
// sequence and acknowledgement numbers advance with the bytes; a connect
// or accept is a three-way handshake, a shutdown or close a FIN (acknowledged
// as the peer's kernel would), a reset or a refused connect an RST (and so
// is a close that leaves bytes unread, as the kernel answers it), so "Follow TCP stream" shows
// the conversation. Nothing is read from the network: no root, no libpcap.
//
// TLS streams carry the plaintext the script sees, each such packet with a
// comment saying so. A trace_note is the comment of the packets of the
// message it names (its handle's next send or receive); a datagram lost to
// --drop is no packet. Unix sockets are not captured.
package sockpcap

import (
	"errors"
	"io"
	"net/netip"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/luasock/luasock/internal/sockevent"
)

// headerComment is the capture's own comment, which Wireshark shows under
// Statistics > Capture File Properties.
const headerComment = "Written by luasock from the script's socket calls (luasock run --pcap): " +
	"the IP, TCP and UDP headers are synthesized around the bytes the script sent and received; " +
	"TLS streams carry the plaintext the script saw; unix sockets are not captured."

// Writer writes the capture; it is a sockevent.Observer. Workers share one
// Writer: each event's packets are one Write, under a lock.
type Writer struct {
	mu      sync.Mutex
	w       io.Writer
	err     error // the first failed write; later events are dropped
	onError func(error)
	conns   map[connKey]*conn
	notes   map[connKey]string // trace_note's text for the handle's next message
	ipID    uint16
	buf     []byte // the blocks of one event
	packet  []byte // one packet
}

// connKey is one handle of a run: its worker and its number.
type connKey struct {
	worker int
	stream uint64
}

// conn is one TCP connection's state. The script's end is "local".
type conn struct {
	local, peer       netip.AddrPort
	localSeq, peerSeq uint32 // the next sequence number each end sends
	localFIN, peerFIN bool
	reset             bool
	tlsNote           string // the TLS version and cipher, for the comments
}

// New writes the capture's header to w. If a later write fails, the
// capture stops and onError (if not nil) hears why, once.
func New(w io.Writer, onError func(error)) (*Writer, error) {
	if _, err := w.Write(appendHeader(nil, headerComment)); err != nil {
		return nil, err
	}
	return &Writer{w: w, onError: onError, conns: map[connKey]*conn{}, notes: map[connKey]string{}}, nil
}

// Observe writes the packets of one socket event: none for an event that
// moves no bytes and changes no connection, nor for unix sockets.
func (p *Writer) Observe(e *sockevent.Event) {
	if e.Transport != "tcp" && e.Transport != "udp" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return
	}
	p.buf = p.buf[:0]
	key := connKey{e.Worker, e.Stream}
	switch {
	case e.Op == sockevent.NoteOp:
		if note := strings.ToValidUTF8(e.Note, "\uFFFD"); p.notes[key] != "" {
			p.notes[key] += "; " + note
		} else {
			p.notes[key] = note
		}
		return
	case e.Op == sockevent.NameOp:
		return
	case e.Op == sockevent.Close:
		defer delete(p.notes, key)
	}
	if e.Transport == "udp" {
		p.datagram(e)
	} else {
		p.stream(e)
	}
	if len(p.buf) == 0 {
		return
	}
	if _, err := p.w.Write(p.buf); err != nil {
		p.err = err
		if p.onError != nil {
			p.onError(err)
		}
	}
}

// addresses are an event's two ends; IPv4-mapped IPv6 addresses are
// written as IPv4 when both ends are, as the wire had them.
func addresses(e *sockevent.Event) (local, peer netip.AddrPort, ok bool) {
	local, peer, ok = e.IP()
	if !ok {
		return local, peer, false
	}
	if local.Addr().Is4In6() && peer.Addr().Is4In6() || local.Addr().Is4() != peer.Addr().Is4() {
		local = netip.AddrPortFrom(local.Addr().Unmap(), local.Port())
		peer = netip.AddrPortFrom(peer.Addr().Unmap(), peer.Port())
	}
	if local.Addr().Is4() != peer.Addr().Is4() { // an IPv6 end and an IPv4 one: no packet holds both
		return local, peer, false
	}
	return local, peer, true
}

// takeNote is the note that names e's message, forgotten once taken; ""
// when e is no message (it moves no bytes, or peeks) or has no note.
func (p *Writer) takeNote(e *sockevent.Event) string {
	if e.Err != nil || e.Peek || e.EOF || (e.Op != sockevent.Send && e.Op != sockevent.Recv && e.Op != sockevent.Drop) {
		return ""
	}
	key := connKey{e.Worker, e.Stream}
	note := p.notes[key]
	delete(p.notes, key)
	return note
}

// datagram writes a UDP datagram sent or received; a dropped one is none.
func (p *Writer) datagram(e *sockevent.Event) {
	note := p.takeNote(e)
	if (e.Op != sockevent.Send && e.Op != sockevent.Recv) || e.Err != nil || e.Peek {
		return
	}
	local, peer, ok := addresses(e)
	if !ok {
		return
	}
	out := e.Op == sockevent.Send
	way := ends{local, peer}
	if !out {
		way = ends{peer, local}
	}
	p.ipID++
	p.packet = udpDatagram(p.packet[:0], way, e.Data, p.ipID)
	p.buf = appendPacket(p.buf, e.Time, p.packet, out, note)
}

// stream writes the segments of a TCP event.
func (p *Writer) stream(e *sockevent.Event) {
	if e.Op == sockevent.Connect && e.Err != nil {
		p.refused(e)
		return
	}
	key := connKey{e.Worker, e.Stream}
	c := p.conns[key]
	if c == nil {
		if e.Kind != "stream" || e.Stream == 0 { // servers, and connects that failed
			return
		}
		local, peer, ok := addresses(e)
		if !ok {
			return
		}
		c = &conn{local: local, peer: peer}
		p.conns[key] = c
		p.handshake(e, c, e.Op != sockevent.Accept)
	}
	switch {
	case e.Op == sockevent.TLS && e.Err == nil:
		c.tlsNote = e.Note
	case e.Reset() && !c.reset:
		c.reset = true
		p.segment(e.Time, c, false, tcpRST|tcpACK, "", "")
	case c.reset:
	case e.Op == sockevent.Send && e.Err == nil:
		p.data(e, c, true)
	case e.Op == sockevent.Recv && e.Err == nil && e.EOF:
		if !c.peerFIN {
			c.peerFIN = true
			p.segment(e.Time, c, false, tcpFIN|tcpACK, "", "")
			p.segment(e.Time, c, true, tcpACK, "", "")
		}
	case e.Op == sockevent.Recv && e.Err == nil && !e.Peek:
		p.data(e, c, false)
	case e.Op == sockevent.Close && e.Unread > 0: // the kernel resets what it cannot deliver
		c.reset = true
		p.segment(e.Time, c, true, tcpRST|tcpACK, "", "")
	case e.Op == sockevent.Shutdown && e.Err == nil && e.How != "read", e.Op == sockevent.Close:
		if !c.localFIN {
			c.localFIN = true
			p.segment(e.Time, c, true, tcpFIN|tcpACK, "", "")
			p.segment(e.Time, c, false, tcpACK, "", "")
		}
	}
	if e.Op == sockevent.Close {
		delete(p.conns, connKey{e.Worker, e.Stream})
	}
}

// refused writes a refused connect: the SYN, and the peer's RST.
func (p *Writer) refused(e *sockevent.Event) {
	local, peer, ok := addresses(e)
	if !ok || !errors.Is(e.Err, syscall.ECONNREFUSED) {
		return // no SYN went out, or no answer came back: nothing to show
	}
	c := &conn{local: local, peer: peer, localSeq: 0x5a5a0000 ^ uint32(local.Port())<<8}
	p.segment(e.Time, c, true, tcpSYN, "", "")
	p.segment(e.Time, c, false, tcpRST|tcpACK, "", "")
}

// handshake writes the three-way handshake, from the script's end when
// local (a connect), else from the peer (an accept).
func (p *Writer) handshake(e *sockevent.Event, c *conn, local bool) {
	// Initial sequence numbers as a kernel picks them: not 0, different
	// for each connection.
	isn := uint32(e.Stream)*0x9e3779b9 ^ uint32(e.Worker)<<24 ^ 0x5a5a0000
	c.localSeq, c.peerSeq = isn, ^isn
	p.segment(e.Time, c, local, tcpSYN, "", "")
	p.segment(e.Time, c, !local, tcpSYN|tcpACK, "", "")
	p.segment(e.Time, c, local, tcpACK, "", "")
}

// data writes the bytes of a send (out) or receive, in segments of at most
// maxSegment bytes.
func (p *Writer) data(e *sockevent.Event, c *conn, out bool) {
	comment := p.takeNote(e)
	if e.TLS {
		if comment != "" {
			comment += "; "
		}
		comment += "TLS plaintext"
		if c.tlsNote != "" {
			comment += " (" + c.tlsNote + ")"
		}
		comment += ": the bytes as the script saw them; on the wire they were encrypted"
	}
	for rest := e.Data; len(rest) > 0; {
		n := min(len(rest), maxSegment)
		p.segment(e.Time, c, out, tcpPSH|tcpACK, rest[:n], comment)
		rest = rest[n:]
	}
}

// segment writes one segment from the script's end (out) or the peer's,
// and advances that end's sequence number past its data, SYN and FIN.
func (p *Writer) segment(t time.Time, c *conn, out bool, flags byte, data, comment string) {
	way := ends{c.local, c.peer}
	seq, ack := &c.localSeq, c.peerSeq
	if !out {
		way = ends{c.peer, c.local}
		seq, ack = &c.peerSeq, c.localSeq
	}
	if flags&tcpACK == 0 { // the first SYN, which acknowledges nothing
		ack = 0
	}
	p.ipID++
	p.packet = tcpSegment(p.packet[:0], way, *seq, ack, flags, data, p.ipID)
	p.buf = appendPacket(p.buf, t, p.packet, out, comment)
	*seq += uint32(len(data))
	if flags&(tcpSYN|tcpFIN) != 0 {
		*seq++
	}
}
