package luabind

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/asn1"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/luasock/luasock/internal/errno"
	"github.com/luasock/luasock/internal/lang/luaarg"
	"github.com/luasock/luasock/internal/pemkey"
	"github.com/luasock/luasock/internal/sockevent"
	lua "github.com/yuin/gopher-lua"
	"golang.org/x/sys/unix"
)

// TLS: the tls:// and ssl:// transports (TCP with TLS from the first byte)
// and stream_socket_enable_crypto (STARTTLS), on Go's crypto/tls. A TLS
// stream keeps its socket; a tls.Conn runs over it through recordConn, which
// reads one TLS record at a time so that records not yet needed stay in the
// kernel, where stream_select's poll sees them.

// PHP's STREAM_CRYPTO_METHOD_* bits: bit 0 marks a client method.
const (
	cryptoClientBit = 1
	cryptoTLSv10    = 8
	cryptoTLSv11    = 16
	cryptoTLSv12    = 32
	cryptoTLSv13    = 64
)

// tlsHandshakeTimeout bounds a handshake when the call gives no timeout,
// as PHP's default_socket_timeout does.
const tlsHandshakeTimeout = 60 * time.Second

// tlsReadSize holds a whole record's plaintext (2^14 bytes), so a read
// leaves nothing inside the tls.Conn that poll cannot see.
const tlsReadSize = 16384

// sslOptions are a context's `ssl` options. Pointers tell "not set" from false.
type sslOptions struct {
	LocalCert, LocalPK, Passphrase string // servers
	CAFile, PeerName               string // clients
	VerifyPeer, VerifyPeerName     *bool  // clients; default true
	AllowSelfSigned, SNIEnabled    *bool
	CryptoMethod                   *int
}

var (
	stringSSLOptions = map[string]func(*sslOptions) *string{
		"local_cert": func(o *sslOptions) *string { return &o.LocalCert },
		"local_pk":   func(o *sslOptions) *string { return &o.LocalPK },
		"passphrase": func(o *sslOptions) *string { return &o.Passphrase },
		"cafile":     func(o *sslOptions) *string { return &o.CAFile },
		"peer_name":  func(o *sslOptions) *string { return &o.PeerName },
	}
	boolSSLOptions = map[string]func(*sslOptions) **bool{
		"verify_peer":       func(o *sslOptions) **bool { return &o.VerifyPeer },
		"verify_peer_name":  func(o *sslOptions) **bool { return &o.VerifyPeerName },
		"allow_self_signed": func(o *sslOptions) **bool { return &o.AllowSelfSigned },
		"SNI_enabled":       func(o *sslOptions) **bool { return &o.SNIEnabled },
	}
)

// sslOpts is a copy of s's ssl options (the zero options when none).
func (s *stream) sslOpts() sslOptions {
	if s.ssl == nil {
		return sslOptions{}
	}
	return *s.ssl
}

func isTrue(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}

// versions turns PHP's crypto method bits into TLS version bounds (0: Go's
// defaults).
func versions(method *int) (lo, hi uint16) {
	if method == nil {
		return 0, 0
	}
	for _, v := range []struct {
		bit     int
		version uint16
	}{{cryptoTLSv10, tls.VersionTLS10}, {cryptoTLSv11, tls.VersionTLS11}, {cryptoTLSv12, tls.VersionTLS12}, {cryptoTLSv13, tls.VersionTLS13}} {
		if *method&v.bit != 0 {
			if lo == 0 {
				lo = v.version
			}
			hi = v.version
		}
	}
	return lo, hi
}

// pinVersion gives o the one TLS version a tlsv1.x:// transport names, as
// PHP's does whatever crypto_method says; other transports keep o as it is.
func pinVersion(o sslOptions, secure string) sslOptions {
	bit, ok := map[string]int{"tlsv1.0": cryptoTLSv10, "tlsv1.1": cryptoTLSv11, "tlsv1.2": cryptoTLSv12, "tlsv1.3": cryptoTLSv13}[secure]
	if ok {
		o.CryptoMethod = &bit
	}
	return o
}

// serverTLSConfig loads a server's certificate. It is made when the server
// is created, so a wrong file or passphrase shows at once.
func serverTLSConfig(o *sslOptions) (*tls.Config, error) {
	if o.LocalCert == "" {
		return nil, errno.New("a TLS server needs ssl.local_cert (a PEM file with its certificate)")
	}
	cert, err := pemkey.Load(o.LocalCert, o.LocalPK, o.Passphrase)
	if err != nil {
		return nil, certificateFailure(err)
	}
	lo, hi := versions(o.CryptoMethod)
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: lo, MaxVersion: hi}, nil
}

// certificateFailure words pemkey's errors for the script, naming the ssl
// option that is wrong; a file that cannot be read keeps its errno.
func certificateFailure(err error) error {
	var file *pemkey.FileError
	var unsupported *pemkey.UnsupportedError
	var mismatch *pemkey.MismatchError
	switch {
	case errors.As(err, &file):
		option := map[pemkey.Part]string{pemkey.CertFile: "ssl.local_cert", pemkey.KeyFile: "ssl.local_pk"}[file.Part]
		switch file.Err {
		case pemkey.ErrNoCertificate:
			return errno.New(option + " '" + file.Path + "' holds no PEM certificate")
		case pemkey.ErrNoKey:
			return errno.New(option + " '" + file.Path + "' holds no PEM private key (set ssl.local_pk)")
		}
		return errno.Wrap("Unable to read "+option+" '"+file.Path+"'", file.Err)
	case errors.Is(err, pemkey.ErrNeedPassphrase):
		return errno.New("the private key is encrypted: set ssl.passphrase")
	case errors.Is(err, pemkey.ErrWrongPassphrase):
		return errno.New("ssl.passphrase does not decrypt the private key (wrong passphrase)")
	case errors.As(err, &unsupported):
		return errno.New("the private key's encryption is not supported (" + unsupported.Err.Error() + ")")
	case errors.As(err, &mismatch):
		return errno.Wrap("ssl.local_cert and its private key do not match", mismatch.Err)
	}
	return err
}

// readOption reads the file an ssl option names; a failure keeps its errno.
func readOption(option, path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, errno.Wrap("Unable to read "+option+" '"+path+"'", err)
	}
	return b, nil
}

// clientTLSConfig verifies the peer as PHP does by default: the chain
// against the system's roots (or ssl.cafile) and the name against
// ssl.peer_name or the host connected to. verify_peer = false skips both,
// verify_peer_name = false the name; allow_self_signed accepts a
// certificate that signed itself without a root vouching for it, but not
// one that is expired, not yet valid, not for serverAuth or for another name.
func clientTLSConfig(o *sslOptions, host string) (*tls.Config, error) {
	name := host
	if o.PeerName != "" {
		name = o.PeerName
	}
	var roots *x509.CertPool
	if o.CAFile != "" {
		pem, err := readOption("ssl.cafile", o.CAFile)
		if err != nil {
			return nil, err
		}
		roots = x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return nil, errno.New("ssl.cafile '" + o.CAFile + "' holds no PEM certificate")
		}
	}
	verifyPeer, verifyName := isTrue(o.VerifyPeer, true), isTrue(o.VerifyPeerName, true)
	selfSigned := isTrue(o.AllowSelfSigned, false)
	lo, hi := versions(o.CryptoMethod)
	cfg := &tls.Config{
		InsecureSkipVerify: true, // verified below, with PHP's options
		MinVersion:         lo,
		MaxVersion:         hi,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if !verifyPeer {
				return nil
			}
			if len(cs.PeerCertificates) == 0 {
				return errors.New("the peer sent no certificate")
			}
			leaf := cs.PeerCertificates[0]
			opts := x509.VerifyOptions{Roots: roots, Intermediates: x509.NewCertPool(),
				KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
			for _, c := range cs.PeerCertificates[1:] {
				opts.Intermediates.AddCert(c)
			}
			// PHP takes the CN when the name is not among the subjectAltNames;
			// Go refuses CN-only certificates, so those are matched below.
			byCN := verifyName && !hasSAN(leaf)
			if verifyName && !byCN {
				opts.DNSName = name
			}
			_, err := leaf.Verify(opts)
			var unknown x509.UnknownAuthorityError
			if selfSigned && errors.As(err, &unknown) && signedItself(leaf) {
				// PHP forgives only OpenSSL's DEPTH_ZERO_SELF_SIGNED_CERT:
				// the leaf becomes its own root, and its dates, extended key
				// usage and name are checked as any other's.
				alone := x509.NewCertPool()
				alone.AddCert(leaf)
				opts.Roots, opts.Intermediates = alone, nil
				_, err = leaf.Verify(opts)
			}
			switch {
			case errors.As(err, &unknown):
				return errno.Wrap(verifyFailed, errno.New("it is signed by an unknown authority "+
					"(give its CA in ssl.cafile, or set allow_self_signed for a self-signed one)"))
			case err != nil:
				return errno.Wrap(verifyFailed, errno.New(strings.TrimPrefix(err.Error(), "x509: ")))
			case byCN:
				return matchCommonName(leaf, name)
			}
			return nil
		},
	}
	if _, isIP := literalIP(name); !isIP && isTrue(o.SNIEnabled, true) {
		cfg.ServerName = name
	}
	return cfg, nil
}

// verifyFailed is the context of every verification failure.
const verifyFailed = "certificate verification failed"

var oidSubjectAltName = asn1.ObjectIdentifier{2, 5, 29, 17}

// hasSAN tells whether c has a subjectAltName extension.
func hasSAN(c *x509.Certificate) bool {
	for _, e := range c.Extensions {
		if e.Id.Equal(oidSubjectAltName) {
			return true
		}
	}
	return false
}

// matchCommonName checks name against c's first CN as PHP does for a
// certificate without subjectAltName, with PHP's words when it fails.
func matchCommonName(c *x509.Certificate, name string) error {
	for _, atv := range c.Subject.Names {
		if !atv.Type.Equal(oidCommonName) {
			continue
		}
		cn, _ := atv.Value.(string)
		if !matchesWildcardName(name, cn) {
			return errno.Wrap(verifyFailed, errno.New(fmt.Sprintf("peer certificate CN=`%s' did not match expected CN=`%s'", cn, name)))
		}
		return nil
	}
	return errno.Wrap(verifyFailed, errno.New("unable to locate peer certificate CN (and it has no subjectAltName)"))
}

var oidCommonName = asn1.ObjectIdentifier{2, 5, 4, 3}

// matchesWildcardName is PHP's php_openssl_matches_wildcard_name: equal
// ignoring case, or certName's one '*' in its leftmost label stands for
// any run of characters without a dot (so "*.example.com" covers one label).
func matchesWildcardName(subject, certName string) bool {
	if strings.EqualFold(subject, certName) {
		return true
	}
	star := strings.IndexByte(certName, '*')
	if star < 0 || strings.Contains(certName[:star], ".") {
		return false
	}
	prefix, suffix := certName[:star], certName[star+1:]
	if len(prefix)+len(suffix) > len(subject) || !strings.EqualFold(subject[:len(prefix)], prefix) {
		return false
	}
	return strings.EqualFold(subject[len(subject)-len(suffix):], suffix) &&
		!strings.Contains(subject[len(prefix):len(subject)-len(suffix)], ".")
}

// signedItself tells whether c names itself as its issuer and its own key
// verifies its signature. A root pool holding c alone would not check that.
func signedItself(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) &&
		c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

// cryptoState is a stream's TLS session. A stream that a tls:// server
// accepted starts with its handshake pending: accept returns at once, and
// the handshake runs on the stream's first read, write, crypto meta data or
// stream_socket_enable_crypto, in the task that owns it, so a client that
// never speaks holds up only that task. The fields below conn and rc change
// with the Lua lock held.
type cryptoState struct {
	conn    *tls.Conn
	rc      *recordConn
	writing int // tasks in a blocking write

	pending *api          // runs the handshake still to do; nil once done
	running chan struct{} // closed when the handshake under way ends
	failed  error         // the handshake's failure, given to every later use
}

// deferHandshake gives s a server session whose handshake runs on first use.
func (a *api) deferHandshake(s *stream, cfg *tls.Config) {
	rc := &recordConn{s: s}
	s.crypto = &cryptoState{conn: tls.Server(rc, cfg), rc: rc, pending: a}
}

// ready runs c's pending handshake, bounded by the stream's timeout (none:
// tlsHandshakeTimeout), with the Lua lock released. A task that comes while
// another runs it waits for that one. Once it has failed, the stream is
// unusable: every later call gets the same failure, until fclose.
func (c *cryptoState) ready(L *lua.LState) error {
	a := c.pending
	if a == nil {
		return c.failed
	}
	if done := c.running; done != nil {
		a.host.Block(L, func() { <-done })
		return c.failed
	}
	s := c.rc.s
	done := make(chan struct{})
	c.running = done
	err := a.runHandshake(L, s, c.conn, s.peerName(), s.timeout)
	s.timedOut = errors.Is(err, os.ErrDeadlineExceeded)
	if err != nil {
		err = a.handshakeFailure(s, s.peerName(), err)
	}
	c.pending, c.running, c.failed = nil, nil, err
	close(done)
	return err
}

// usable tells whether c's session has its handshake done, and done well.
func (c *cryptoState) usable() bool { return c.pending == nil && c.failed == nil }

// recordConn is the net.Conn a tls.Conn runs over: the stream's socket,
// read one record (header, then body) at a time. With the nonblocking flags
// set, a call that would wait fails with errWouldBlock, a temporary error
// that leaves the tls.Conn usable; otherwise calls wait in Go's poller. The
// flags are atomic: another task may be blocked in a read meanwhile.
type recordConn struct {
	s                           *stream
	header                      []byte // the part of a record header read so far
	left                        int    // bytes of the current record's body still to read
	nonblockRead, nonblockWrite atomic.Bool
}

// errWouldBlock is EAGAIN as crypto/tls understands it: a timeout.
var errWouldBlock = &wouldBlockError{}

type wouldBlockError struct{}

func (*wouldBlockError) Error() string   { return "resource temporarily unavailable" }
func (*wouldBlockError) Timeout() bool   { return true }
func (*wouldBlockError) Temporary() bool { return true }

func (c *recordConn) Read(p []byte) (int, error) {
	want := c.left
	if want == 0 {
		want = 5 - len(c.header)
	}
	p = p[:min(len(p), want)]
	var n int
	var err error
	if c.nonblockRead.Load() {
		if cerr := c.s.raw.Control(func(fd uintptr) { n, err = unix.Read(int(fd), p) }); cerr != nil {
			return 0, cerr
		}
		switch {
		case err == unix.EAGAIN:
			return 0, errWouldBlock
		case err != nil:
			return 0, os.NewSyscallError("read", err)
		case n == 0:
			return 0, io.EOF
		}
	} else if n, err = c.s.pollFile().Read(p); n == 0 {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			// Unwrapped from *fs.PathError: crypto/tls must see a net.Error
			// that is Temporary, or it would fail every later read.
			err = os.ErrDeadlineExceeded
		}
		return 0, err
	}
	if c.left > 0 {
		c.left -= n
		return n, nil
	}
	c.header = append(c.header, p[:n]...)
	if len(c.header) == 5 {
		c.left = int(binary.BigEndian.Uint16(c.header[3:5]))
		c.header = c.header[:0]
	}
	return n, nil
}

func (c *recordConn) Write(p []byte) (int, error) {
	if c.nonblockWrite.Load() { // close_notify from fclose: what fits now, or nothing
		var n int
		var err error
		if cerr := c.s.raw.Control(func(fd uintptr) { n, err = unix.Write(int(fd), p) }); cerr != nil {
			return 0, cerr
		}
		if err != nil {
			return 0, errWouldBlock
		}
		return n, nil
	}
	return c.s.pollFile().Write(p)
}

func (c *recordConn) Close() error                       { return nil } // the stream owns the socket
func (c *recordConn) LocalAddr() net.Addr                { return streamAddr(c.s.localName()) }
func (c *recordConn) RemoteAddr() net.Addr               { return streamAddr(c.s.peerName()) }
func (c *recordConn) SetDeadline(t time.Time) error      { return c.s.pollFile().SetDeadline(t) }
func (c *recordConn) SetReadDeadline(t time.Time) error  { return c.s.pollFile().SetReadDeadline(t) }
func (c *recordConn) SetWriteDeadline(t time.Time) error { return c.s.pollFile().SetWriteDeadline(t) }

type streamAddr string

func (a streamAddr) Network() string { return "tcp" }
func (a streamAddr) String() string  { return string(a) }

// handshake runs a TLS handshake on s with the Lua lock released: as a
// server with cfg when server is set, else as a client. wait bounds it
// (0 or less: tlsHandshakeTimeout). Failures return as `errstr, errno`
// naming the peer.
func (a *api) handshake(L *lua.LState, s *stream, cfg *tls.Config, server bool, wait time.Duration) error {
	if s.crypto != nil {
		return errno.New("the stream already speaks TLS")
	}
	peer := s.peerName() // now, while the peer is surely there
	rc := &recordConn{s: s}
	var conn *tls.Conn
	if server {
		conn = tls.Server(rc, cfg)
	} else {
		conn = tls.Client(rc, cfg)
	}
	if err := a.runHandshake(L, s, conn, peer, wait); err != nil {
		return a.handshakeFailure(s, peer, err)
	}
	s.crypto = &cryptoState{conn: conn, rc: rc}
	return nil
}

// runHandshake runs conn's handshake on s, bounded by wait (0 or less:
// tlsHandshakeTimeout), with the Lua lock released, and traces a success.
func (a *api) runHandshake(L *lua.LState, s *stream, conn *tls.Conn, peer string, wait time.Duration) error {
	if wait <= 0 {
		wait = tlsHandshakeTimeout
	}
	// A deadline, not HandshakeContext: that interrupts by closing the
	// conn, which here belongs to the stream. A stopping run closes it.
	var err error
	_ = s.pollFile().SetDeadline(time.Now().Add(wait))
	interrupted := a.onInterrupt(L, func() { _ = s.pollFile().SetDeadline(longAgo) })
	a.host.Block(L, func() { err = conn.Handshake() })
	interrupted()
	_ = s.pollFile().SetDeadline(time.Time{})
	if a.observer != nil && err == nil {
		st := conn.ConnectionState()
		a.observe(s, sockevent.Event{Op: sockevent.TLS, Peer: peer, Note: tls.VersionName(st.Version) + " " + tls.CipherSuiteName(st.CipherSuite)})
	}
	return err
}

// handshakeFailure traces a failed handshake and words it for the script:
// "TLS handshake with <peer> failed: ..." with the error's errno.
func (a *api) handshakeFailure(s *stream, peer string, err error) error {
	if err == io.EOF {
		err = errno.New("the peer closed the connection")
	}
	if a.observer != nil {
		a.observeFailure(s, sockevent.Event{Op: sockevent.TLS, Peer: peer}, err)
	}
	msg, code := errno.Of(err)
	return errno.Wrap("TLS handshake with "+peer+" failed", &errno.Failure{Msg: strings.ReplaceAll(msg, "tls: ", ""), Errno: code})
}

// tlsRecv reads decrypted bytes: at most one record's worth, with the Lua
// lock released unless the stream is non-blocking (then "would block" is
// EAGAIN, as on a plain socket).
func (a *api) tlsRecv(L *lua.LState, s *stream) (data string, eof bool, err error) {
	buf := make([]byte, tlsReadSize)
	var n int
	c := s.crypto
	if s.nonblocking {
		c.rc.nonblockRead.Store(true)
		n, err = c.conn.Read(buf)
		c.rc.nonblockRead.Store(false)
		if errors.Is(err, errWouldBlock) {
			err = unix.EAGAIN
		}
	} else {
		if s.timeout > 0 {
			_ = s.pollFile().SetReadDeadline(time.Now().Add(s.timeout))
			defer func() { _ = s.pollFile().SetReadDeadline(time.Time{}) }()
		}
		interrupted := a.onInterrupt(L, func() { _ = s.pollFile().SetReadDeadline(longAgo) })
		a.host.Block(L, func() { n, err = c.conn.Read(buf) })
		if interrupted() && s.timeout <= 0 {
			_ = s.pollFile().SetReadDeadline(time.Time{})
		}
	}
	s.timedOut = errors.Is(err, os.ErrDeadlineExceeded)
	if err == io.EOF {
		return "", true, nil
	}
	if err != nil && n == 0 {
		return "", false, tlsIOError(err)
	}
	return string(buf[:n]), false, nil
}

// tlsWrite writes all of data encrypted, with the Lua lock released.
// TLS streams write everything even when non-blocking: a record cannot be
// left half-written.
func (a *api) tlsWrite(L *lua.LState, s *stream, data string) (int, error) {
	var n int
	var err error
	if s.timeout > 0 {
		_ = s.pollFile().SetWriteDeadline(time.Now().Add(s.timeout))
		defer func() { _ = s.pollFile().SetWriteDeadline(time.Time{}) }()
	}
	c := s.crypto
	c.writing++
	a.host.Block(L, func() { n, err = c.conn.Write(bytesOf(data)) })
	c.writing--
	s.timedOut = errors.Is(err, os.ErrDeadlineExceeded)
	if err != nil {
		return n, tlsIOError(err)
	}
	return n, nil
}

// tlsIOError keeps a system error's errno and names TLS protocol errors.
func tlsIOError(err error) error {
	var en unix.Errno
	if errors.As(err, &en) || errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, os.ErrClosed) || errors.Is(err, net.ErrClosed) {
		return err
	}
	return errno.Wrap("TLS", errno.New(strings.TrimPrefix(err.Error(), "tls: ")))
}

// closeNotify tells the peer the TLS session ends, if the socket takes it
// now and no task is writing (it would wait for that write to finish).
func (s *stream) closeNotify() error {
	c := s.crypto
	if c == nil || s.closed || c.writing > 0 || !c.usable() {
		return nil // after no handshake, or a failed one, there is no session to end
	}
	c.rc.nonblockWrite.Store(true)
	err := c.conn.CloseWrite()
	c.rc.nonblockWrite.Store(false)
	_ = s.pollFile().SetWriteDeadline(time.Time{}) // CloseWrite leaves one in the past
	return err
}

// enableCrypto is `stream_socket_enable_crypto(s, enable [, crypto_method
// [, session_stream]])` → true | `nil, errstr, errno`. enable true runs the
// handshake on a connected stream (STARTTLS): as a server on a stream that
// a server accepted (its context's ssl.local_cert), as a client on one that
// stream_socket_client made (its context's ssl options), unless
// crypto_method says which (STREAM_CRYPTO_METHOD_TLS_CLIENT/SERVER).
// enable false sends close_notify and goes back to plain bytes.
func (a *api) enableCrypto(L *lua.LState, fname string) int {
	s := checkStream(L, 1, fname)
	enable := luaarg.CheckBool(L, 2, fname)
	method := luaarg.OptInt(L, 3, fname, 0)
	if L.Get(4) != lua.LNil {
		checkStream(L, 4, fname) // sessions are not resumed; accepted for PHP scripts
	}
	if c := s.crypto; c != nil && (c.pending != nil || c.failed != nil) {
		// An accepted tls:// stream: its handshake runs now, if still to do.
		if err := c.ready(L); err != nil {
			return pushFailure(L, err)
		}
		if enable {
			L.Push(lua.LTrue)
			return 1
		}
	}
	if !enable {
		if s.crypto == nil {
			return pushFailure(L, errno.New("the stream does not speak TLS"))
		}
		err := s.closeNotify()
		s.crypto = nil
		s.eof = false // a TLS end (close_notify) is not the socket's end
		if err != nil {
			return pushFailure(L, tlsIOError(err))
		}
		L.Push(lua.LTrue)
		return 1
	}
	if !s.connected {
		return pushFailure(L, errno.New("TLS needs a connected stream"))
	}
	server := s.accepted
	if method != 0 {
		server = method&cryptoClientBit == 0
	}
	ssl := s.sslOpts()
	if method != 0 {
		m := method
		ssl.CryptoMethod = &m
	}
	var cfg *tls.Config
	var err error
	switch {
	case server && s.serverTLS != nil && method == 0:
		cfg = s.serverTLS
	case server:
		cfg, err = serverTLSConfig(&ssl)
	default:
		cfg, err = clientTLSConfig(&ssl, s.host)
	}
	if err == nil {
		if cfg != s.serverTLS { // a new one; the server's has its key log already
			cfg.KeyLogWriter = a.keyLog
		}
		err = a.handshake(L, s, cfg, server, s.timeout)
	}
	if err != nil {
		return pushFailure(L, err)
	}
	L.Push(lua.LTrue)
	return 1
}

// cryptoMeta is stream_get_meta_data's `crypto` table of a TLS stream,
// after running a pending handshake; nil (no crypto field) when that failed:
// the stream's next read or write reports why.
func cryptoMeta(L *lua.LState, c *cryptoState) lua.LValue {
	if c.ready(L) != nil {
		return lua.LNil
	}
	st := c.conn.ConnectionState()
	t := L.NewTable()
	version := strings.ReplaceAll(tls.VersionName(st.Version), " ", "v") // "TLSv1.3", as PHP names it
	cipher := tls.CipherSuiteName(st.CipherSuite)
	t.RawSetString("protocol", lua.LString(version))
	t.RawSetString("cipher_name", lua.LString(cipher))
	t.RawSetString("cipher_bits", lua.LNumber(cipherBits(cipher)))
	t.RawSetString("cipher_version", lua.LString(version))
	return t
}

func cipherBits(name string) int {
	switch {
	case strings.Contains(name, "AES_128"):
		return 128
	case strings.Contains(name, "AES_256"), strings.Contains(name, "CHACHA20"):
		return 256
	}
	return 0
}
