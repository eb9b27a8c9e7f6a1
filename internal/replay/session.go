// Package replay is luasock's record and replay of conversations: the
// session file (a readable, diffable text of each connection's bytes, in
// order and direction), the recorder that writes it from the socket events
// of a run (luasock run --record), and the player that plays one side of a
// recorded session against a live server or client and reports the first
// difference (luasock replay).
package replay

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A session file, one line per step (documented in docs/lab.md):
//
//	# luasock session
//	connection 1 tcp 127.0.0.1:6379
//	> "PING\r\n"
//	< "+PONG\r\n"
//	> hex 00ff10
//	> end
//	< end
//	= tls
//
// ">" is the client's bytes to the server, "<" the server's to the client;
// "end" is that side ending its stream (a shutdown, a close). Text is a Go
// quoted string (ASCII, with \r \n \t \xNN escapes); bytes that are not
// text are "hex". "= tls" is where both sides start TLS (at once on a
// tls:// server, after STARTTLS on a plain one): the bytes after it are the
// plaintext inside TLS, and a replay runs a TLS handshake there (as a
// client it does not verify the server's certificate; as a server it
// shows a self-signed one). Blank lines and lines starting with '#' are
// comments.

// tlsLine marks where a connection starts TLS.
const tlsLine = "= tls"

// Header is the first line of a session file.
const Header = "# luasock session: > client to server, < server to client (docs/lab.md)"

// Direction says who sent a step's bytes.
type Direction byte

// The two directions, as the file writes them.
const (
	ToServer Direction = '>'
	ToClient Direction = '<'
)

// Step is one line of a connection: bytes one way, or the end of one way.
type Step struct {
	Dir  Direction
	Data string
	End  bool // the sender ended its stream
	TLS  bool // both sides start TLS here (Dir and Data unused)
	Line int  // the line in the file (0 when not read from one)
}

// Conn is one recorded connection.
type Conn struct {
	ID        int
	Transport string // tcp or unix
	Server    string // the server's address as recorded
	Steps     []Step
	Line      int
}

// Session is a recorded file: its connections, in the order they began.
type Session struct{ Conns []*Conn }

// FormatData is a step's bytes as the file writes them: quoted text, or
// hex when they are not text.
func FormatData(data string) string {
	if isText(data) {
		return strconv.QuoteToASCII(data)
	}
	return "hex " + hex.EncodeToString([]byte(data))
}

// isText: valid UTF-8 with no control byte but tab, CR and LF.
func isText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' && c != '\r' && c != '\n' || c == 0x7f {
			return false
		}
	}
	return true
}

// WriteTo writes the session in the file's format.
func (s *Session) WriteTo(w io.Writer) (int64, error) {
	b := &strings.Builder{}
	b.WriteString(Header + "\n")
	for _, c := range s.Conns {
		fmt.Fprintf(b, "\nconnection %d %s %s\n", c.ID, c.Transport, c.Server)
		for _, st := range c.Steps {
			if st.TLS {
				b.WriteString(tlsLine + "\n")
				continue
			}
			if st.End {
				fmt.Fprintf(b, "%c end\n", st.Dir)
			} else {
				fmt.Fprintf(b, "%c %s\n", st.Dir, FormatData(st.Data))
			}
		}
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// SyntaxError is a line of a session file that does not parse.
type SyntaxError struct {
	Line int
	Text string
	Err  error
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %v: %q", e.Line, e.Err, e.Text) }
func (e *SyntaxError) Unwrap() error { return e.Err }

// The ways a line fails.
var (
	ErrStepOutside = errors.New("a step before any connection line")
	ErrBadLine     = errors.New("not a connection line, a step or a comment")
	ErrBadData     = errors.New("neither a quoted string, hex nor end")
)

// Parse reads a session file.
func Parse(r io.Reader) (*Session, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<30)
	s := &Session{}
	var cur *Conn
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), " \r")
		bad := func(err error) error { return &SyntaxError{Line: n, Text: line, Err: err} }
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case line == tlsLine:
			if cur == nil {
				return nil, bad(ErrStepOutside)
			}
			cur.Steps = append(cur.Steps, Step{TLS: true, Line: n})
		case strings.HasPrefix(line, "connection "):
			f := strings.Fields(line)
			if len(f) != 4 {
				return nil, bad(ErrBadLine)
			}
			id, err := strconv.Atoi(f[1])
			if err != nil {
				return nil, bad(ErrBadLine)
			}
			cur = &Conn{ID: id, Transport: f[2], Server: f[3], Line: n}
			s.Conns = append(s.Conns, cur)
		case len(line) >= 2 && (line[0] == '>' || line[0] == '<') && line[1] == ' ':
			if cur == nil {
				return nil, bad(ErrStepOutside)
			}
			st := Step{Dir: Direction(line[0]), Line: n}
			rest := line[2:]
			switch {
			case rest == "end":
				st.End = true
			case strings.HasPrefix(rest, "hex "):
				b, err := hex.DecodeString(rest[4:])
				if err != nil {
					return nil, bad(fmt.Errorf("%w: %w", ErrBadData, err))
				}
				st.Data = string(b)
			default:
				d, err := strconv.Unquote(rest)
				if err != nil {
					return nil, bad(ErrBadData)
				}
				st.Data = d
			}
			cur.Steps = append(cur.Steps, st)
		default:
			return nil, bad(ErrBadLine)
		}
	}
	return s, sc.Err()
}
