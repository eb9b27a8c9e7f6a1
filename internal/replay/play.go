package replay

import (
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
	"strconv"
	"strings"
	"sync"
	"time"
)

// Difference is the first place where the live peer parted from the
// recording: what the session wanted there and what came.
type Difference struct {
	Conn   int    // the connection's number in the session
	Line   int    // the session line of the first step that differs
	Peer   string // "server" or "client": whose bytes differ
	Want   string // the bytes the session has from that step on
	Got    string // the bytes that came instead
	Offset int    // the first byte that differs, within Want
	Reason string // what went wrong, in words
	ended  bool   // the peer ended its stream
}

func (d *Difference) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "connection %d, session line %d: %s\n", d.Conn, d.Line, d.Reason)
	if d.Want == "" && d.Got == "" {
		return b.String()
	}
	start := max(0, d.Offset-40)
	want, got := window(d.Want, start, d.Offset+40), window(d.Got, start, d.Offset+40)
	fmt.Fprintf(&b, "  want: %s\n  got:  %s\n", want, got)
	caret := len(strconv.QuoteToASCII(d.Want[start:min(d.Offset, len(d.Want))])) - 1
	if start > 0 {
		caret += 3 // the "..." before the window
	}
	fmt.Fprintf(&b, "        %s^ byte %d\n", strings.Repeat(" ", caret), d.Offset)
	return b.String()
}

// window quotes s[from:to], marking what was cut.
func window(s string, from, to int) string {
	if from > len(s) {
		from = len(s)
	}
	q := strconv.QuoteToASCII(s[from:min(to, len(s))])
	if from > 0 {
		q = "..." + q
	}
	if to < len(s) {
		q += "..."
	}
	return q
}

// Player plays one side of a session. Timeout bounds each wait for the
// peer's bytes (and, playing the server, each wait for a client).
type Player struct {
	Session *Session
	Timeout time.Duration

	certOnce sync.Once // the server side's certificate, for "= tls"
	cert     tls.Certificate
	certErr  error
}

// DefaultTimeout is how long a player waits for the peer's next bytes.
const DefaultTimeout = 5 * time.Second

// Network splits a replay address: "tcp://host:port", "host:port",
// "unix:///path" or a path.
func Network(address string) (network, addr string) {
	switch {
	case strings.HasPrefix(address, "tcp://"):
		return "tcp", address[len("tcp://"):]
	case strings.HasPrefix(address, "unix://"):
		return "unix", address[len("unix://"):]
	case strings.HasPrefix(address, "/") || strings.HasPrefix(address, "./"):
		return "unix", address
	}
	return "tcp", address
}

// PlayClient connects to the server at address once per recorded
// connection, sends the client's bytes and checks the server's answers.
// The first difference is a *Difference.
func (p *Player) PlayClient(address string) error {
	network, addr := Network(address)
	for _, c := range p.Session.Conns {
		conn, err := net.DialTimeout(network, addr, p.timeout())
		if err != nil {
			return fmt.Errorf("connection %d: %w", c.ID, err)
		}
		err = p.play(conn, c, ToServer)
		conn.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// PlayServer listens at address, accepts one client per recorded
// connection, sends the server's bytes and checks the client's. ready,
// when set, is called once it listens.
func (p *Player) PlayServer(address string, ready func(net.Addr)) error {
	network, addr := Network(address)
	ln, err := net.Listen(network, addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	if ready != nil {
		ready(ln.Addr())
	}
	for _, c := range p.Session.Conns {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return fmt.Errorf("connection %d: %w", c.ID, err)
			}
			err = p.play(conn, c, ToClient)
			conn.Close()
			if errors.Is(err, errProbe) {
				continue
			}
			if err != nil {
				return err
			}
			break
		}
	}
	return nil
}

// errProbe is a client that left without a byte where the recording has
// it speak first: a port probe or a health check, not the session's
// client. The server side waits for the next one.
var errProbe = errors.New("a client left without a byte")

func (p *Player) timeout() time.Duration {
	if p.Timeout > 0 {
		return p.Timeout
	}
	return DefaultTimeout
}

// play walks c's steps on conn as the side whose bytes go mine: those it
// sends; the others' it reads, every run of them at once (the peer may cut
// them otherwise), and compares.
func (p *Player) play(conn net.Conn, c *Conn, mine Direction) error {
	peer := "server"
	if mine == ToClient {
		peer = "client"
	}
	steps := c.Steps
	first, peerEnded := true, false
	for i := 0; i < len(steps); first = false {
		st := steps[i]
		switch {
		case st.TLS:
			tlsConn, err := p.startTLS(conn, mine == ToServer)
			if err != nil {
				return &Difference{Conn: c.ID, Line: st.Line, Peer: peer, Reason: fmt.Sprintf("the TLS handshake with the %s failed: %v", peer, err)}
			}
			conn = tlsConn
			i++
		case st.Dir == mine && st.End:
			if cw, ok := conn.(interface{ CloseWrite() error }); ok {
				// (after the peer's end, a peer that closed for good makes
				// this fail: the stream is ended either way)
				if err := cw.CloseWrite(); err != nil && !peerEnded {
					return fmt.Errorf("connection %d, session line %d: ending the stream: %w", c.ID, st.Line, err)
				}
			}
			i++
		case st.Dir == mine:
			if _, err := io.WriteString(conn, st.Data); err != nil {
				return &Difference{Conn: c.ID, Line: st.Line, Peer: peer, Reason: fmt.Sprintf("sending failed: %v (the %s went away)", err, peer)}
			}
			i++
		case st.End:
			if err := p.expectEnd(conn, c, st, peer); err != nil {
				return err
			}
			peerEnded = true
			i++
		default:
			want := ""
			j := i
			for ; j < len(steps) && steps[j].Dir == st.Dir && !steps[j].End; j++ {
				want += steps[j].Data
			}
			err := p.expect(conn, c, st, peer, want)
			var d *Difference
			if first && mine == ToClient && errors.As(err, &d) && d.Got == "" && d.ended {
				return errProbe
			}
			if err != nil {
				return err
			}
			i = j
		}
	}
	return nil
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

// expect reads len(want) bytes and compares them.
func (p *Player) expect(conn net.Conn, c *Conn, st Step, peer, want string) error {
	_ = conn.SetReadDeadline(time.Now().Add(p.timeout()))
	buf := make([]byte, len(want))
	n, err := io.ReadFull(conn, buf)
	got := string(buf[:n])
	d := &Difference{Conn: c.ID, Line: st.Line, Peer: peer, Want: want, Got: got, Offset: firstDiff(want, got)}
	switch {
	case d.Offset < n:
		d.Reason = fmt.Sprintf("the %s's bytes differ at byte %d", peer, d.Offset)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		d.ended = true
		d.Reason = fmt.Sprintf("the %s ended the stream after %d of the %d bytes recorded", peer, n, len(want))
	case errors.Is(err, os.ErrDeadlineExceeded):
		d.Reason = fmt.Sprintf("the %s sent %d of the %d bytes recorded, then nothing for %v", peer, n, len(want), p.timeout())
	case err != nil:
		d.Reason = fmt.Sprintf("reading from the %s failed after %d of the %d bytes recorded: %v", peer, n, len(want), err)
	default:
		return nil
	}
	return d
}

// expectEnd waits for the peer to end its stream.
func (p *Player) expectEnd(conn net.Conn, c *Conn, st Step, peer string) error {
	_ = conn.SetReadDeadline(time.Now().Add(p.timeout()))
	buf := make([]byte, 4096)
	n, err := conn.Read(buf)
	switch {
	case n > 0:
		return &Difference{Conn: c.ID, Line: st.Line, Peer: peer, Got: string(buf[:n]),
			Reason: fmt.Sprintf("the %s sent more where the recording ends its stream: %s", peer, window(string(buf[:n]), 0, 80))}
	case errors.Is(err, os.ErrDeadlineExceeded):
		return &Difference{Conn: c.ID, Line: st.Line, Peer: peer,
			Reason: fmt.Sprintf("the %s did not end its stream within %v, as the recording does", peer, p.timeout())}
	}
	return nil // the end (or a reset, which ends it too)
}

// firstDiff is the first index where a and b differ (len of the shorter
// when one is a prefix of the other).
func firstDiff(a, b string) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}
