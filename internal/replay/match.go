package replay

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Difference is the first place where the live peer parted from the
// recording: what the session wanted there and what came.
type Difference struct {
	Conn   int    // the connection's number in the session
	Line   int    // the session line of the step that differs
	Peer   string // "server" or "client": whose bytes differ
	Want   string // the step's bytes (markers: what matched, or as recorded)
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
	caret := len(strconv.QuoteToASCII(d.Want[min(start, len(d.Want)):min(d.Offset, len(d.Want))])) - 1
	if start > 0 {
		caret += 3 // the "..." before the window
	}
	fmt.Fprintf(&b, "        %s^ byte %d\n", strings.Repeat(" ", caret), d.Offset)
	return b.String()
}

// window quotes s[from:to], marking what was cut.
func window(s string, from, to int) string {
	from = min(from, len(s))
	q := strconv.QuoteToASCII(s[from:min(to, len(s))])
	if from > 0 {
		q = "..." + q
	}
	if to < len(s) {
		q += "..."
	}
	return q
}

// mismatch is where a peer's bytes left a step's pieces.
type mismatch struct {
	got  string // the bytes read for the step
	want string // what the step wanted: got up to the difference, then the rest
	off  int    // the first byte that differs
	err  error  // nil: a byte differed; else why no byte came
	long bool   // a marker ran past maxMarker
}

// matcher checks a peer's bytes against a step's pieces, filling in the
// markers: known reads a name's value, capture keeps one.
type matcher struct {
	known   func(name string) (string, bool)
	capture func(name, value string)
}

// match reads the peer's bytes for ps from src. A marker unknown so far
// takes a fixed count of bytes, or those up to the first byte of what
// follows it, at most maxMarker.
func (m matcher) match(src io.ByteScanner, ps []Piece) *mismatch {
	var got []byte
	fail := func(i, j int, err error) *mismatch { // at piece i's byte j
		off := len(got)
		if err == nil {
			off-- // the byte that differs
		}
		return &mismatch{got: string(got), want: string(got[:off]) + m.rest(ps, i, j), off: off, err: err}
	}
	for i, p := range ps {
		if want, ok := m.exact(p); ok {
			for j := 0; j < len(want); j++ {
				b, err := src.ReadByte()
				if err != nil {
					return fail(i, j, err)
				}
				got = append(got, b)
				if b != want[j] {
					return fail(i, j, nil)
				}
			}
			continue
		}
		start := len(got)
		stop, delimited := -1, false
		if i+1 < len(ps) && !p.Fixed {
			if next, ok := m.exact(ps[i+1]); ok && next != "" {
				stop, delimited = int(next[0]), true
			}
		}
		for n := 0; delimited || n < len(p.Bytes); n++ {
			if n == maxMarker {
				return &mismatch{got: string(got), want: string(got[:start]) + m.rest(ps, i, 0), off: start, long: true}
			}
			b, err := src.ReadByte()
			if err != nil {
				return &mismatch{got: string(got), want: string(got) + m.rest(ps, i+1, 0), off: len(got), err: err}
			}
			if delimited && int(b) == stop {
				_ = src.UnreadByte()
				break
			}
			got = append(got, b)
		}
		if p.Mark != "*" {
			m.capture(p.Mark, string(got[start:]))
		}
	}
	return nil
}

// exact is the bytes a piece stands for when they are known: literal
// bytes, or a name's value.
func (m matcher) exact(p Piece) (string, bool) {
	if p.Mark == "" {
		return p.Bytes, true
	}
	if p.Mark != "*" {
		return m.known(p.Mark)
	}
	return "", false
}

// rest shows what ps want from piece i's byte j on: known bytes, or a
// marker as recorded (as written, when nothing was recorded).
func (m matcher) rest(ps []Piece, i, j int) string {
	var b strings.Builder
	for k := i; k < len(ps); k++ {
		if want, ok := m.exact(ps[k]); ok {
			if k == i {
				want = want[min(j, len(want)):]
			}
			b.WriteString(want)
		} else if ps[k].Blank {
			b.WriteString(ps[k].marker(false))
		} else {
			b.WriteString(ps[k].Bytes)
		}
	}
	return b.String()
}

// outgoing is the bytes ps send: a name's value, else the marker's
// recorded bytes (which become the name's value).
func (m matcher) outgoing(ps []Piece) (string, error) {
	var b strings.Builder
	for _, p := range ps {
		if want, ok := m.exact(p); ok {
			b.WriteString(want)
			continue
		}
		if p.Blank && p.Mark != "*" {
			return "", fmt.Errorf("%w: %s", errNothingToSend, p.marker(p.Fixed))
		}
		b.WriteString(p.Bytes) // (?? sends 00; {*}, nothing)
		if p.Mark != "*" {
			m.capture(p.Mark, p.Bytes)
		}
	}
	return b.String(), nil
}

var errNothingToSend = errors.New("a name with neither a value nor recorded bytes cannot be sent")
