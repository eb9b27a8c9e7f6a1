package replay

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Markers stand for bytes that change from run to run (ports, times, ids):
//
//	{*}              any bytes, up to the first byte of the text after it
//	{* "12:00"}      the same, with the bytes recorded there (sent as is)
//	{port}           like {*}, and captured as port; later, {port} (either
//	{port "54302"}   way, on any connection) stands for the captured bytes
//	??               in a hex dump: any one byte
//	{id 8a 3f}       in a hex dump: two bytes, any, captured as id
//	{client2}        connection 2's client address (host:port), known from
//	                 its connection: the recorder writes it where it appears
//
// A marker with nothing literal after it in its step is as long as its
// recorded bytes. The player's own bytes send a name's value, else the
// marker's recorded bytes (?? sends 00, {*} nothing); a name with neither
// cannot be sent.

// Piece is a run of a step's bytes: literal, or a marker.
type Piece struct {
	Bytes string // the literal bytes; a marker's recorded bytes
	Mark  string // "" for literal bytes; "*" any bytes; else a name
	Fixed bool   // the marker matches exactly len(Bytes) bytes (hex dumps)
	Blank bool   // the marker has no recorded bytes (??, {*}, {port})
}

// maxMarker bounds the bytes one marker takes from a peer.
const maxMarker = 4096

// ClientName names connection id's client address.
func ClientName(id int) string { return "client" + strconv.Itoa(id) }

// marker writes a marker piece.
func (p Piece) marker(inHex bool) string {
	if p.Blank {
		return "{" + p.Mark + "}"
	}
	if !inHex {
		return "{" + p.Mark + " " + FormatData(p.Bytes) + "}"
	}
	var b strings.Builder
	b.WriteString("{" + p.Mark)
	for i := 0; i < len(p.Bytes); i++ {
		fmt.Fprintf(&b, " %02x", p.Bytes[i])
	}
	return b.String() + "}"
}

// The ways data fails to parse.
var (
	ErrBadData   = errors.New("neither quoted strings and markers, hex nor end")
	ErrBadMarker = errors.New("a marker is {NAME}, {NAME \"bytes\"} or, in a hex dump, {NAME 8a 3f} or ??")
	ErrBadDump   = errors.New("a hex dump line is an offset, then hex bytes, then |text| (or nothing)")
	ErrNoLength  = errors.New("a marker with nothing after it needs its recorded bytes, for its length")
)

// isName: "*", or a letter or _ then letters, digits and _.
func isName(s string) bool {
	if s == "*" {
		return true
	}
	for i, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

// parseText reads a text step: quoted strings and markers, then maybe a
// comment.
func parseText(s string) ([]Piece, error) {
	var ps []Piece
	for {
		s = strings.TrimLeft(s, " \t")
		switch {
		case s == "" || s[0] == '#':
			if len(ps) == 0 {
				return nil, ErrBadData
			}
			return ps, nil
		case s[0] == '"':
			q, err := strconv.QuotedPrefix(s)
			if err != nil {
				return nil, ErrBadData
			}
			text, _ := strconv.Unquote(q)
			ps = append(ps, Piece{Bytes: text})
			s = s[len(q):]
		case s[0] == '{':
			p, rest, err := parseTextMarker(s[1:])
			if err != nil {
				return nil, err
			}
			ps = append(ps, p)
			s = rest
		default:
			return nil, ErrBadData
		}
		if s != "" && s[0] != ' ' && s[0] != '\t' {
			return nil, ErrBadData
		}
	}
}

// parseTextMarker reads `NAME}` or `NAME "bytes"}`.
func parseTextMarker(s string) (Piece, string, error) {
	end := strings.IndexAny(s, " }")
	if end < 0 || !isName(s[:end]) {
		return Piece{}, "", ErrBadMarker
	}
	p := Piece{Mark: s[:end], Blank: true}
	s = strings.TrimLeft(s[end:], " ")
	if strings.HasPrefix(s, `"`) {
		q, err := strconv.QuotedPrefix(s)
		if err != nil {
			return Piece{}, "", ErrBadMarker
		}
		p.Bytes, _ = strconv.Unquote(q)
		p.Blank = false
		s = strings.TrimLeft(s[len(q):], " ")
	}
	if !strings.HasPrefix(s, "}") {
		return Piece{}, "", ErrBadMarker
	}
	return p, s[1:], nil
}

// parseDumpLine reads a hex dump line: "00000010  8a 3f ?? {id 01 02}
// ... |text|". The offset is for the reader: the bytes count, not it.
func parseDumpLine(line string) ([]Piece, error) {
	f := strings.TrimLeft(line, " \t")
	if len(f) < 8 || !isHex(f[:8]) || len(f) > 8 && f[8] != ' ' && f[8] != '\t' {
		return nil, ErrBadDump
	}
	s := f[8:]
	var ps []Piece
	for {
		s = strings.TrimLeft(s, " \t")
		switch {
		case s == "" || s[0] == '|' || s[0] == '#':
			return ps, nil
		case s[0] == '{':
			end := strings.IndexByte(s, '}')
			if end < 0 {
				return nil, ErrBadMarker
			}
			f := strings.Fields(s[1:end])
			if len(f) == 0 || !isName(f[0]) {
				return nil, ErrBadMarker
			}
			b, err := hex.DecodeString(strings.Join(f[1:], ""))
			if err != nil || !allPairs(f[1:]) {
				return nil, ErrBadMarker
			}
			ps = append(ps, Piece{Mark: f[0], Bytes: string(b), Fixed: true, Blank: len(b) == 0})
			s = s[end+1:]
		case strings.HasPrefix(s, "??"):
			ps = append(ps, Piece{Mark: "*", Bytes: "\x00", Fixed: true, Blank: true})
			s = s[2:]
		case len(s) >= 2 && isHex(s[:2]):
			b, _ := hex.DecodeString(s[:2])
			ps = append(ps, Piece{Bytes: string(b)})
			s = s[2:]
		default:
			return nil, ErrBadDump
		}
		if s != "" && s[0] != ' ' && s[0] != '\t' {
			return nil, ErrBadDump
		}
	}
}

func allPairs(f []string) bool {
	for _, x := range f {
		if len(x) != 2 {
			return false
		}
	}
	return true
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// joinPieces merges neighbouring literals and sets Data; a step without
// markers keeps Pieces nil.
func joinPieces(st *Step, ps []Piece) {
	var out []Piece
	var data strings.Builder
	marked := false
	for _, p := range ps {
		data.WriteString(p.Bytes)
		if p.Mark != "" {
			marked = true
		} else if n := len(out); n > 0 && out[n-1].Mark == "" {
			out[n-1].Bytes += p.Bytes
			continue
		}
		out = append(out, p)
	}
	st.Data = data.String()
	if marked {
		st.Pieces = out
	}
}

// checkLengths: a marker not known yet with nothing literal after it must
// have recorded bytes (its length). known holds the names defined before.
func checkLengths(ps []Piece, known map[string]bool) error {
	for i, p := range ps {
		if p.Mark == "" {
			continue
		}
		literalNext := i+1 < len(ps) && ps[i+1].Mark == "" && ps[i+1].Bytes != ""
		if p.Blank && !p.Fixed && !literalNext && !known[p.Mark] {
			return fmt.Errorf("%w: {%s}", ErrNoLength, p.Mark)
		}
		if p.Blank && p.Fixed && len(p.Bytes) == 0 && !known[p.Mark] {
			return fmt.Errorf("%w: {%s}", ErrNoLength, p.Mark)
		}
		if p.Mark != "*" {
			known[p.Mark] = true
		}
	}
	return nil
}
