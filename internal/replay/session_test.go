package replay

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// twoConns is a session of two connections whose steps interleave.
func twoConns() *Session {
	s := &Session{}
	s.Conns = []*Conn{{ID: 1, Transport: "tcp", Server: "127.0.0.1:6379"}, {ID: 2, Transport: "udp", Server: "127.0.0.1:53", Name: "bob"}}
	for _, st := range []*Step{
		{Conn: 1, Open: true},
		{Conn: 1, Dir: ToServer, Data: "PING\r\n", Notes: []string{"PING"}},
		{Conn: 2, Open: true},
		{Conn: 1, Dir: ToClient, Data: "\x00\xff\x10"},
		{Conn: 2, Dir: ToServer, Data: strings.Repeat("\x01\x02abc", 7)},
		{Conn: 1, TLS: true},
		{Conn: 1, Dir: ToServer, End: true},
		{Conn: 1, Dir: ToClient, Data: "héllo \"q\"\n"},
	} {
		s.add(st)
	}
	return s
}

func write(t *testing.T, s *Session) string {
	t.Helper()
	var b bytes.Buffer
	if _, err := s.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// sameSteps compares what replay uses of two sessions' steps.
func sameSteps(t *testing.T, got, want *Session) {
	t.Helper()
	if len(got.Steps) != len(want.Steps) || len(got.Conns) != len(want.Conns) {
		t.Fatalf("%d steps, %d connections back; want %d, %d", len(got.Steps), len(got.Conns), len(want.Steps), len(want.Conns))
	}
	for i, g := range got.Steps {
		w := want.Steps[i]
		if g.Conn != w.Conn || g.Open != w.Open || g.Dir != w.Dir || g.Data != w.Data || g.End != w.End || g.TLS != w.TLS ||
			strings.Join(g.Notes, "|") != strings.Join(w.Notes, "|") || len(g.Pieces) != len(w.Pieces) {
			t.Errorf("step %d: %+v, want %+v", i, g, w)
		}
	}
	for i, c := range got.Conns {
		w := want.Conns[i]
		if c.ID != w.ID || c.Transport != w.Transport || c.Server != w.Server || c.Name != w.Name || len(c.Steps) != len(w.Steps) {
			t.Errorf("connection %d: %+v, want %+v", i, c, w)
		}
	}
}

// A session written and read back is the same: steps interleaved and
// numbered, text quoted, the rest a hex dump, notes and names comments.
func TestSessionRoundTrip(t *testing.T) {
	s := twoConns()
	text := write(t, s)
	for _, want := range []string{
		"\nconnection 1 tcp 127.0.0.1:6379\n# note: PING\n1 > \"PING\\r\\n\"\n\nconnection 2 udp 127.0.0.1:53  # bob\n",
		"1 < hex\n    00000000  00 ff 10                                          |...|\n",
		"2 > hex\n    00000000  01 02 61 62 63 01 02 61  62 63 01 02 61 62 63 01  |..abc..abc..abc.|\n" +
			"    00000010  02 61 62 63 01 02 61 62  63 01 02 61 62 63 01 02  |.abc..abc..abc..|\n" +
			"    00000020  61 62 63                                          |abc|\n",
		"1 = tls\n1 > end\n", `1 < "h\u00e9llo \"q\"\n"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the file lacks %q:\n%s", want, text)
		}
	}
	back, err := Parse(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	sameSteps(t, back, s)
	if again := write(t, back); again != text {
		t.Errorf("written again:\n%s\nfirst:\n%s", again, text)
	}
}

// Files of the first format, one block per connection, read in block
// order: connection 2's steps come after connection 1's.
func TestParseBlocks(t *testing.T) {
	s, err := Parse(strings.NewReader("# old\nconnection 1 tcp a:1\n> \"x\"\n< hex 00ff\nconnection 2 tcp a:1\n> end\n"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range s.Steps {
		got = append(got, strconv.Itoa(st.Conn)+strconv.FormatBool(st.Open)+st.Data)
	}
	if want := "1true 1falsex 1false\x00\xff 2true 2false"; strings.Join(got, " ") != want {
		t.Errorf("order %q, want %q", strings.Join(got, " "), want)
	}
}

// Markers, in text and in hex dumps, read back as written.
func TestMarkersRoundTrip(t *testing.T) {
	text := Header + "\n\nconnection 1 tcp a:1\n" +
		"> \"ID \" {id} \" at \" {* \"12:00\"} \"\\n\"  # a comment\n" +
		"< {client1} \": \" {id} \" \" {port \"54302\"}\n" +
		"> hex\n    00000000  10 ?? {pid 00 01} 04  4d 51 {pid} ab          |..MQ.|\n" +
		"< {*} \"\\n\"\n"
	s, err := Parse(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	steps := s.Conns[0].Steps
	if p := steps[0].Pieces; len(p) != 5 || p[1].Mark != "id" || !p[1].Blank || p[3].Bytes != "12:00" || p[3].Mark != "*" {
		t.Errorf("text markers: %+v", p)
	}
	if p := steps[2].Pieces; len(p) != 6 || p[1].Mark != "*" || !p[1].Fixed || p[2].Mark != "pid" || p[2].Bytes != "\x00\x01" || p[4].Mark != "pid" || !p[4].Blank {
		t.Errorf("hex markers: %+v", p)
	}
	out := write(t, s)
	for _, want := range []string{
		"> \"ID \" {id} \" at \" {* \"12:00\"} \"\\n\"\n",
		"< {client1} \": \" {id} \" \" {port \"54302\"}\n",
		"> hex\n    00000000  10 ?? {pid 00 01} 04 4d 51 {pid} ab               |.....MQ.|\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("written, lacks %q:\n%s", want, out)
		}
	}
	back, err := Parse(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	sameSteps(t, back, s)
}

// Generated sessions (random bytes, directions, connections, markers)
// survive writing and reading. REPLAY_SEED repeats a run.
func TestGeneratedRoundTrip(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if v, err := strconv.ParseUint(os.Getenv("REPLAY_SEED"), 10, 64); err == nil {
		seed = v
	}
	t.Logf("REPLAY_SEED=%d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	alphabet := "ab \r\n\t\"\\{}#|\x00\x01\x7f\xff\xe9"
	for range 200 {
		s := &Session{}
		conns := 1 + rng.IntN(3)
		for id := 1; id <= conns; id++ {
			s.Conns = append(s.Conns, &Conn{ID: id, Transport: []string{"tcp", "unix", "udp"}[rng.IntN(3)], Server: "x:" + strconv.Itoa(id)})
			s.add(&Step{Conn: id, Open: true})
		}
		for range rng.IntN(20) {
			var b []byte
			for range rng.IntN(40) {
				b = append(b, alphabet[rng.IntN(len(alphabet))])
			}
			st := &Step{Conn: 1 + rng.IntN(conns), Dir: []Direction{ToServer, ToClient}[rng.IntN(2)], Data: string(b)}
			if rng.IntN(4) == 0 && len(b) > 0 { // a marker with its bytes, then a literal
				st.Pieces = []Piece{{Mark: "v" + strconv.Itoa(rng.IntN(3)), Bytes: string(b[:1]), Fixed: !isText(st.Data)}, {Bytes: "z"}}
				st.Data = string(b[:1]) + "z"
				st.Hex = !isText(st.Data)
			}
			s.add(st)
		}
		text := write(t, s)
		back, err := Parse(strings.NewReader(text))
		if err != nil {
			t.Fatalf("%v\n%s", err, text)
		}
		sameSteps(t, back, s)
		if again := write(t, back); again != text {
			t.Fatalf("written again:\n%s\nfirst:\n%s", again, text)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for text, want := range map[string]error{
		"> \"x\"\n":                                        ErrStepOutside,
		"connection 1 tcp a:1\n> zz\n":                     ErrBadData,
		"connection 1 tcp a:1\n> \"x\" zz\n":               ErrBadData,
		"connection 1 tcp a:1\n> hex 0g\n":                 ErrBadData,
		"connection x tcp a:1\n":                           ErrBadLine,
		"connection 1 sctp a:1\n":                          ErrTransport,
		"connection 1 tcp a:1\nconnection 1 tcp a:1\n":     ErrDupConn,
		"connection 1 tcp a:1\nwhatever\n":                 ErrBadLine,
		"connection 1 tcp a:1\n2 > \"x\"\n":                ErrUnknownConn,
		"connection 1 udp a:1\n> end\n":                    ErrNotStream,
		"connection 1 tcp a:1\n> {no\n":                    ErrBadMarker,
		"connection 1 tcp a:1\n> {a-b}\n":                  ErrBadMarker,
		"connection 1 tcp a:1\n> {a \"x}\n":                ErrBadMarker,
		"connection 1 tcp a:1\n> {*}\n":                    ErrNoLength,
		"connection 1 tcp a:1\n> \"a\" {x} {y \"1\"}\n":    ErrNoLength,
		"connection 1 tcp a:1\n> hex\n":                    ErrEmptyDump,
		"connection 1 tcp a:1\n> hex\n< \"x\"\n":           ErrEmptyDump,
		"connection 1 tcp a:1\n> hex\n  00000000  0g\n":    ErrBadDump,
		"connection 1 tcp a:1\n> hex\n  00000000  {x}\n":   ErrNoLength,
		"connection 1 tcp a:1\n> hex\n  00000000  {x 1}\n": ErrBadMarker,
		"connection 1 tcp a:1\n  00000000  00\n":           ErrDumpAlone,
	} {
		_, err := Parse(strings.NewReader(text))
		var se *SyntaxError
		if !errors.Is(err, want) || !errors.As(err, &se) || se.Line == 0 {
			t.Errorf("Parse(%q) = %v, want %v", text, err, want)
		}
	}
}

func TestDifferenceText(t *testing.T) {
	d := &Difference{Conn: 2, Line: 7, Want: "+OK\r\n", Got: "+NO\r\n", Offset: 1, Reason: "the server's bytes differ at byte 1"}
	want := "connection 2, session line 7: the server's bytes differ at byte 1\n" +
		"  want: \"+OK\\r\\n\"\n" +
		"  got:  \"+NO\\r\\n\"\n" +
		"          ^ byte 1\n"
	if d.Error() != want {
		t.Errorf("got\n%s\nwant\n%s", d.Error(), want)
	}
}

// No input makes Parse panic; what it reads, it writes and reads again.
func FuzzParse(f *testing.F) {
	f.Add("connection 1 tcp a:1\n> \"x\" {id} \"y\"\n< hex\n    00000000  {id 01} ?? 02 |..|\n2 > end\n")
	f.Add("connection 1 udp a:1\n1 < {* \"\\x00\"}\n> hex 00ff\n# note: x\n1 = tls\n")
	f.Fuzz(func(t *testing.T, text string) {
		s, err := Parse(strings.NewReader(text))
		if err != nil {
			return
		}
		var b bytes.Buffer
		if _, err := s.WriteTo(&b); err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(&b); err != nil {
			t.Fatalf("%q read, written, then: %v\n%s", text, err, b.String())
		}
	})
}

// TestServerAddressQuoted: a unix path with a space or a '#' is written
// quoted on its connection line and read back whole, its name too.
func TestServerAddressQuoted(t *testing.T) {
	for _, server := range []string{"/tmp/my sock", "/tmp/a#b", `/tmp/"q"`, "127.0.0.1:6379"} {
		s := &Session{}
		c := &Conn{ID: 1, Transport: "unix", Server: server, Name: "alice"}
		s.Conns = append(s.Conns, c)
		s.add(&Step{Conn: 1, Open: true})
		s.add(&Step{Conn: 1, Dir: ToServer, Data: "hi\n"})
		var b strings.Builder
		if _, err := s.WriteTo(&b); err != nil {
			t.Fatal(err)
		}
		got, err := Parse(strings.NewReader(b.String()))
		if err != nil {
			t.Fatalf("%q: %v\n%s", server, err, b.String())
		}
		if g := got.Conns[0]; g.Server != server || g.Name != "alice" {
			t.Errorf("%q read back as %q (name %q):\n%s", server, g.Server, g.Name, b.String())
		}
	}
}
