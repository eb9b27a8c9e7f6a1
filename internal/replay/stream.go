package replay

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"syscall"
	"time"
)

// streamEnd is a stream connection's live end; br holds what was read
// past the step before.
type streamEnd struct {
	conn   net.Conn
	br     *bufio.Reader
	client string
}

func newStreamEnd(conn net.Conn, client string) *streamEnd {
	return &streamEnd{conn: conn, br: bufio.NewReader(conn), client: client}
}

func (e *streamEnd) clientAddr() string { return e.client }
func (e *streamEnd) close()             { e.conn.Close() }

// bufferedConn reads what a bufio.Reader holds first: a TLS handshake
// begins with bytes that may be read already.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(b []byte) (int, error) { return c.r.Read(b) }

// dial makes connection c to the server at addr.
func (r *run) dial(c *Conn, network, addr string) (endpoint, error) {
	switch {
	case c.Transport == "unix" && network != "unix", c.Transport != "unix" && network == "unix":
		return nil, fmt.Errorf("connection %d is %s: it cannot be played at %s", c.ID, c.Transport, addr)
	case c.Transport == "udp":
		conn, err := net.DialTimeout("udp", addr, r.p.timeout())
		if err != nil {
			return nil, fmt.Errorf("connection %d: %w", c.ID, err)
		}
		return newDatagramClient(conn), nil
	}
	if network == "udp" {
		network = "tcp"
	}
	conn, err := r.dialReady(network, addr)
	if err != nil {
		return nil, fmt.Errorf("connection %d: %w", c.ID, err)
	}
	return newStreamEnd(conn, conn.LocalAddr().String()), nil
}

// dialReady connects, trying again while the server refuses (it may be
// starting) until the timeout.
func (r *run) dialReady(network, addr string) (net.Conn, error) {
	deadline := time.Now().Add(r.p.timeout())
	var refused error // the last refusal
	for {
		conn, err := net.DialTimeout(network, addr, max(time.Until(deadline), time.Millisecond))
		var ne net.Error
		if refused != nil && errors.As(err, &ne) && ne.Timeout() {
			return nil, refused // the deadline cut the last try short: the server was refusing
		}
		if err == nil || !errors.Is(err, syscall.ECONNREFUSED) && !errors.Is(err, syscall.ENOENT) || time.Now().After(deadline) {
			return conn, err
		}
		refused = err
		select {
		case <-time.After(20 * time.Millisecond):
		case <-r.ctx.Done():
			return nil, err
		}
	}
}

// streamStep plays one step of a stream connection.
func (r *run) streamStep(e *streamEnd, c *Conn, st *Step) error {
	timeout := r.p.timeout()
	switch {
	case st.TLS:
		conn, err := r.p.startTLS(&bufferedConn{e.conn, e.br}, r.mine == ToServer)
		if err != nil {
			return &Difference{Conn: c.ID, Line: st.Line, Peer: r.peer, Reason: fmt.Sprintf("the TLS handshake with the %s failed: %v", r.peer, err)}
		}
		e.conn, e.br = conn, bufio.NewReader(conn)
	case st.Dir == r.mine && st.End:
		if cw, ok := e.conn.(interface{ CloseWrite() error }); ok {
			// (a peer that has closed for good may make this fail: the
			// stream is ended either way)
			_ = cw.CloseWrite()
		}
	case st.Dir == r.mine:
		data, err := r.sendable(c, st)
		if err != nil {
			return err
		}
		_ = e.conn.SetWriteDeadline(time.Now().Add(timeout))
		if _, err := io.WriteString(e.conn, data); err != nil {
			return &Difference{Conn: c.ID, Line: st.Line, Peer: r.peer, Reason: fmt.Sprintf("sending failed: %v (the %s went away)", err, r.peer)}
		}
	case st.End:
		return r.expectEnd(e, c, st)
	default:
		_ = e.conn.SetReadDeadline(time.Now().Add(timeout))
		mm := r.matcher().match(e.br, st.pieces())
		if mm == nil {
			return nil
		}
		d := r.difference(c, st, mm)
		if mm.err == nil { // show what came with the byte that differs, as long as Want
			more, _ := e.br.Peek(min(e.br.Buffered(), max(len(d.Want)-len(d.Got), 0)))
			d.Got += string(more)
		}
		if mm.got == "" && d.ended && r.mine == ToClient {
			return probeError{d}
		}
		return d
	}
	return nil
}

// difference words a mismatch of step st.
func (r *run) difference(c *Conn, st *Step, mm *mismatch) *Difference {
	d := &Difference{Conn: c.ID, Line: st.Line, Peer: r.peer, Want: mm.want, Got: mm.got, Offset: mm.off}
	n, total := len(mm.got), len(mm.want)
	switch {
	case mm.long:
		d.Reason = fmt.Sprintf("the %s sent over %d bytes where a marker stands, and not what follows it", r.peer, maxMarker)
	case mm.err == nil:
		d.Reason = fmt.Sprintf("the %s's bytes differ at byte %d", r.peer, mm.off)
	case errors.Is(mm.err, io.EOF):
		d.ended = true
		d.Reason = fmt.Sprintf("the %s ended the stream after %d of the %d bytes recorded", r.peer, n, total)
	case errors.Is(mm.err, os.ErrDeadlineExceeded):
		d.Reason = fmt.Sprintf("the %s sent %d of the %d bytes recorded, then nothing for %v", r.peer, n, total, r.p.timeout())
	default:
		d.Reason = fmt.Sprintf("reading from the %s failed after %d of the %d bytes recorded: %v", r.peer, n, total, mm.err)
	}
	return d
}

// expectEnd waits for the peer to end its stream.
func (r *run) expectEnd(e *streamEnd, c *Conn, st *Step) error {
	_ = e.conn.SetReadDeadline(time.Now().Add(r.p.timeout()))
	_, err := e.br.ReadByte()
	switch {
	case err == nil:
		_ = e.br.UnreadByte()
		more, _ := e.br.Peek(min(e.br.Buffered(), 80))
		return &Difference{Conn: c.ID, Line: st.Line, Peer: r.peer, Got: string(more),
			Reason: fmt.Sprintf("the %s sent more where the recording ends its stream: %s", r.peer, window(string(more), 0, 80))}
	case errors.Is(err, os.ErrDeadlineExceeded):
		return &Difference{Conn: c.ID, Line: st.Line, Peer: r.peer,
			Reason: fmt.Sprintf("the %s did not end its stream within %v, as the recording does", r.peer, r.p.timeout())}
	}
	return nil // the end (or a reset, which ends it too)
}

// startTLS runs a TLS handshake on conn, as the client or the server.
func (p *Player) startTLS(conn net.Conn, client bool) (net.Conn, error) {
	_ = conn.SetDeadline(time.Now().Add(p.timeout()))
	defer conn.SetDeadline(time.Time{})
	if client {
		c := tls.Client(conn, &tls.Config{InsecureSkipVerify: true}) // a replay checks bytes, not identities
		return c, c.Handshake()
	}
	cert, err := p.certificate()
	if err != nil {
		return nil, err
	}
	s := tls.Server(conn, &tls.Config{Certificates: []tls.Certificate{cert}})
	return s, s.Handshake()
}

// certificate is the self-signed one a server-side replay shows, made once.
func (p *Player) certificate() (tls.Certificate, error) {
	p.certOnce.Do(func() {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			p.certErr = err
			return
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(1),
			Subject:      pkix.Name{CommonName: "luasock replay"},
			DNSNames:     []string{"localhost"},
			IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(24 * time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		p.cert, p.certErr = tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, err
	})
	return p.cert, p.certErr
}
