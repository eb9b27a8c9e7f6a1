// Package replay is luasock's record and replay of conversations: the
// session file (a readable, editable text of every connection's bytes, in
// the order they went, each way), the recorder that writes it from the
// socket events of a run (luasock run --record), and the player that plays
// one side of a recorded session against live servers or clients and
// reports the first difference (luasock replay).
package replay

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A session file (documented in docs/lab.md):
//
//	# luasock session: ...
//	connection 1 tcp 127.0.0.1:8001
//	connection 2 tcp 127.0.0.1:8001  # bob
//	1 < "* " {client2} " joined\n"
//	1 > "hi\n"
//	2 < {client1} ": hi\n"
//	2 > hex
//	    00000000  10 10 00 04 4d 51 54 54  {id 00 01} ??           |....MQTT....|
//	2 > end
//	1 = tls
//
// The file's order is the order things happened, across connections. A
// step names its connection by number; without one, it is the
// connection of the line before. Old files, one block per connection,
// read the same way (block order). See markers.go for the {...} markers.

// tlsWord marks where a connection starts TLS.
const tlsWord = "= tls"

// Header is the first line of a session file.
const Header = "# luasock session: > client to server, < server to client (docs/lab.md)"

// Direction says who sent a step's bytes.
type Direction byte

// The two directions, as the file writes them.
const (
	ToServer Direction = '>'
	ToClient Direction = '<'
)

// Step is one thing that happened on a connection: it began, bytes went
// one way, one way ended, or TLS started.
type Step struct {
	Conn   int // the connection's number
	Open   bool
	Dir    Direction
	Data   string  // the bytes as recorded (a marker's recorded value in its place)
	Pieces []Piece // Data cut at its markers; nil when it has none
	Hex    bool    // written as a hex dump
	End    bool    // the sender ended its stream
	TLS    bool    // both sides start TLS here (Dir and Data unused)
	Notes  []string
	Line   int // the line in the file (0 when not read from one)
}

// Conn is one recorded connection (for a datagram transport, the
// datagrams between one client address and the server).
type Conn struct {
	ID        int
	Transport string // tcp, unix or udp
	Server    string // the server's address as recorded
	Name      string // what the script called its peer (a comment)
	Client    string // the client's address as recorded (not in the file)
	Steps     []*Step
	Line      int
}

// Datagram tells whether the connection is datagrams: each step is one.
func (c *Conn) Datagram() bool { return c.Transport == "udp" }

// Session is a recorded file: its connections, in the order they began,
// and every step of every connection in the order they happened (the
// connections' beginnings are Open steps).
type Session struct {
	Conns []*Conn
	Steps []*Step
	byID  map[int]*Conn
}

// Conn is the connection numbered id, or nil.
func (s *Session) Conn(id int) *Conn {
	if len(s.byID) != len(s.Conns) {
		s.byID = make(map[int]*Conn, len(s.Conns))
		for _, c := range s.Conns {
			s.byID[c.ID] = c
		}
	}
	return s.byID[id]
}

// add appends a step to the session and to its connection's steps.
func (s *Session) add(st *Step) {
	s.Steps = append(s.Steps, st)
	if !st.Open {
		if c := s.Conn(st.Conn); c != nil {
			c.Steps = append(c.Steps, st)
		}
	}
}

// FormatData is bytes as a text step writes them: a Go quoted string.
func FormatData(data string) string { return strconv.QuoteToASCII(data) }

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

// WriteTo writes the session in the file's format. Steps carry their
// connection's number when there is more than one connection.
func (s *Session) WriteTo(w io.Writer) (int64, error) {
	b := &strings.Builder{}
	b.WriteString(Header + "\n")
	numbered := len(s.Conns) > 1
	for _, st := range s.Steps {
		for _, n := range st.Notes {
			fmt.Fprintf(b, "# note: %s\n", oneLine(n))
		}
		if st.Open {
			c := s.Conn(st.Conn)
			fmt.Fprintf(b, "\nconnection %d %s %s", c.ID, c.Transport, serverField(c.Server))
			if c.Name != "" {
				fmt.Fprintf(b, "  # %s", oneLine(c.Name))
			}
			b.WriteString("\n")
			continue
		}
		if numbered {
			fmt.Fprintf(b, "%d ", st.Conn)
		}
		switch {
		case st.TLS:
			b.WriteString(tlsWord + "\n")
		case st.End:
			fmt.Fprintf(b, "%c end\n", st.Dir)
		case st.Hex || st.Pieces == nil && !isText(st.Data):
			fmt.Fprintf(b, "%c hex\n", st.Dir)
			writeDump(b, st.pieces())
		default:
			fmt.Fprintf(b, "%c %s\n", st.Dir, formatText(st.pieces()))
		}
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// oneLine keeps a comment on its line.
func oneLine(s string) string {
	return strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(s)
}

// pieces is the step's data as pieces (one literal when it has no marker).
func (st *Step) pieces() []Piece {
	if st.Pieces != nil {
		return st.Pieces
	}
	return []Piece{{Bytes: st.Data}}
}

// formatText writes pieces as a text step: quoted strings and markers.
func formatText(ps []Piece) string {
	var parts []string
	for _, p := range ps {
		if p.Mark == "" {
			parts = append(parts, FormatData(p.Bytes))
		} else {
			parts = append(parts, p.marker(false))
		}
	}
	if len(parts) == 0 {
		return `""`
	}
	return strings.Join(parts, " ")
}

// dumpIndent starts a hex dump's lines.
const dumpIndent = "    "

// writeDump writes pieces as hexdump -C does: the offset, 16 bytes in two
// groups of 8, the printable ones between bars. A marker stays whole on
// the line where it begins.
func writeDump(b *strings.Builder, ps []Piece) {
	type cell struct {
		text  string // "8a", "??", or a whole marker
		bytes string // the bytes it stands for, for the printable column
	}
	var cells []cell
	for _, p := range ps {
		switch {
		case p.Mark == "":
			for i := 0; i < len(p.Bytes); i++ {
				cells = append(cells, cell{fmt.Sprintf("%02x", p.Bytes[i]), p.Bytes[i : i+1]})
			}
		case p.Mark == "*" && p.Blank && len(p.Bytes) == 1:
			cells = append(cells, cell{"??", "."})
		default:
			cells = append(cells, cell{p.marker(true), p.Bytes})
		}
	}
	off := 0
	for len(cells) > 0 {
		var hexPart, text strings.Builder
		n := 0 // bytes on this line
		for len(cells) > 0 && n < 16 {
			c := cells[0]
			cells = cells[1:]
			if n == 8 {
				hexPart.WriteString(" ")
			}
			hexPart.WriteString(c.text + " ")
			text.WriteString(printable(c.bytes))
			n += len(c.bytes)
		}
		h := hexPart.String()
		if pad := 49 - len(h); pad > 0 {
			h += strings.Repeat(" ", pad)
		}
		fmt.Fprintf(b, "%s%08x  %s |%s|\n", dumpIndent, off, h, text.String())
		off += n
	}
}

// printable is the dump's right column: printable ASCII, '.' for the rest.
func printable(s string) string {
	out := []byte(s)
	for i, c := range out {
		if c < 0x20 || c > 0x7e {
			out[i] = '.'
		}
	}
	return string(out)
}

// serverField is a connection's server address as its line writes it:
// quoted when it would not read back as one word (a unix path with a
// space or a '#').
func serverField(addr string) string {
	if addr == "" || strings.ContainsAny(addr, " \t#\"") || !utf8.ValidString(addr) {
		return strconv.Quote(addr)
	}
	return addr
}
