package replay

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

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
	ErrUnknownConn = errors.New("a step of a connection that has not begun")
	ErrDupConn     = errors.New("a connection number used twice")
	ErrTransport   = errors.New("the transport is tcp, unix or udp")
	ErrDumpAlone   = errors.New("a hex dump line that follows no hex step")
	ErrEmptyDump   = errors.New("a hex step without a hex dump line after it")
	ErrNotStream   = errors.New("end and tls are for stream connections")
)

// MaxLine bounds a session file's line.
const MaxLine = 16 << 20

// Parse reads a session file.
func Parse(r io.Reader) (*Session, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxLine)
	s := &Session{}
	cur := 0           // the connection of the line before
	var dump *Step     // the hex step whose dump lines follow
	var dumped []Piece // its pieces so far
	var notes []string // "# note:" lines, for the next step
	known := map[string]bool{}
	endDump := func() error {
		if dump == nil {
			return nil
		}
		if len(dumped) == 0 {
			return &SyntaxError{Line: dump.Line, Text: fmt.Sprintf("%c hex", dump.Dir), Err: ErrEmptyDump}
		}
		joinPieces(dump, dumped)
		if err := checkLengths(dump.pieces(), known); err != nil {
			return &SyntaxError{Line: dump.Line, Text: fmt.Sprintf("%c hex", dump.Dir), Err: err}
		}
		dump, dumped = nil, nil
		return nil
	}
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), " \t\r")
		bad := func(err error) error { return &SyntaxError{Line: n, Text: line, Err: err} }
		trimmed := strings.TrimLeft(line, " \t")
		if dump != nil && len(trimmed) >= 8 && isHex(trimmed[:8]) && (len(trimmed) == 8 || trimmed[8] == ' ') {
			ps, err := parseDumpLine(line)
			if err != nil {
				return nil, bad(err)
			}
			dumped = append(dumped, ps...)
			continue
		}
		if err := endDump(); err != nil {
			return nil, err
		}
		switch {
		case trimmed == "":
		case strings.HasPrefix(trimmed, "#"):
			if note, ok := strings.CutPrefix(trimmed, "# note: "); ok {
				notes = append(notes, note)
			}
		case strings.HasPrefix(line, "connection "):
			c, err := parseConnLine(line, n)
			if err != nil {
				return nil, bad(err)
			}
			if s.Conn(c.ID) != nil {
				return nil, bad(ErrDupConn)
			}
			s.Conns = append(s.Conns, c)
			s.add(&Step{Conn: c.ID, Open: true, Line: n, Notes: notes})
			notes = nil
			known[ClientName(c.ID)] = true
			cur = c.ID
		case len(trimmed) >= 8 && isHex(trimmed[:8]) && (len(trimmed) == 8 || trimmed[8] == ' '):
			return nil, bad(ErrDumpAlone)
		default:
			st, err := parseStep(line, cur, n)
			if err != nil {
				return nil, bad(err)
			}
			c := s.Conn(st.Conn)
			switch {
			case cur == 0 && st.Conn == 0:
				return nil, bad(ErrStepOutside)
			case c == nil:
				return nil, bad(ErrUnknownConn)
			case c.Datagram() && (st.End || st.TLS):
				return nil, bad(ErrNotStream)
			}
			if !st.End && !st.TLS && !st.Hex {
				if err := checkLengths(st.pieces(), known); err != nil {
					return nil, bad(err)
				}
			}
			st.Notes, notes = notes, nil
			s.add(st)
			cur = st.Conn
			if st.Hex && st.Data == "" && st.Pieces == nil {
				dump = st
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", n+1, err)
	}
	if err := endDump(); err != nil {
		return nil, err
	}
	return s, nil
}

// parseConnLine reads "connection N TRANSPORT SERVER [# name]"; SERVER
// may be a quoted string (a unix path with a space or a '#').
func parseConnLine(line string, n int) (*Conn, error) {
	f := strings.Fields(line)
	if len(f) < 4 {
		return nil, ErrBadLine
	}
	id, err := strconv.Atoi(f[1])
	if err != nil || id < 1 {
		return nil, ErrBadLine
	}
	switch f[2] {
	case "tcp", "unix", "udp":
	default:
		return nil, ErrTransport
	}
	rest := line
	for _, field := range f[:3] { // past "connection", N and TRANSPORT
		rest = strings.TrimLeft(strings.TrimPrefix(strings.TrimLeft(rest, " \t"), field), " \t")
	}
	server := rest
	if strings.HasPrefix(rest, `"`) {
		q, err := strconv.QuotedPrefix(rest)
		if err != nil {
			return nil, ErrBadLine
		}
		server, _ = strconv.Unquote(q)
		rest = rest[len(q):]
	} else {
		server, rest, _ = strings.Cut(rest, " ")
		server = strings.TrimRight(server, "\t")
		rest = " " + rest
	}
	name := ""
	if rest = strings.TrimSpace(rest); rest != "" {
		var ok bool
		if name, ok = strings.CutPrefix(rest, "#"); !ok {
			return nil, ErrBadLine
		}
	}
	return &Conn{ID: id, Transport: f[2], Server: server, Name: strings.TrimSpace(name), Line: n}, nil
}

// parseStep reads "[N] DIR DATA" or "[N] = tls"; cur is the connection
// of a step without a number.
func parseStep(line string, cur, n int) (*Step, error) {
	st := &Step{Conn: cur, Line: n}
	rest := line
	if i := strings.IndexByte(rest, ' '); i > 0 && isDigits(rest[:i]) {
		id, err := strconv.Atoi(rest[:i])
		if err != nil || id < 1 {
			return nil, ErrBadLine
		}
		st.Conn = id
		rest = strings.TrimLeft(rest[i:], " ")
	}
	if rest == tlsWord || strings.HasPrefix(rest, tlsWord+" #") {
		st.TLS = true
		return st, nil
	}
	if len(rest) < 2 || rest[0] != '>' && rest[0] != '<' || rest[1] != ' ' {
		return nil, ErrBadLine
	}
	st.Dir = Direction(rest[0])
	rest = strings.TrimLeft(rest[2:], " ")
	word, after, _ := strings.Cut(rest, " ")
	after = strings.TrimLeft(after, " ")
	switch {
	case word == "end" && (after == "" || after[0] == '#'):
		st.End = true
	case word == "hex" && (after == "" || after[0] == '#'):
		st.Hex = true // the dump lines follow
	case word == "hex":
		h, _, _ := strings.Cut(after, " #")
		b, err := hex.DecodeString(strings.TrimSpace(h))
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadData, err)
		}
		st.Hex, st.Data = true, string(b)
	default:
		ps, err := parseText(rest)
		if err != nil {
			return nil, err
		}
		joinPieces(st, ps)
	}
	return st, nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
