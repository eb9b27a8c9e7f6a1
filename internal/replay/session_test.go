package replay

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// A session written and read back is the same; text is quoted, the rest hex.
func TestSessionRoundTrip(t *testing.T) {
	s := &Session{Conns: []*Conn{{ID: 1, Transport: "tcp", Server: "127.0.0.1:6379", Steps: []Step{
		{Dir: ToServer, Data: "PING\r\n"},
		{Dir: ToClient, Data: "\x00\xff\x10"},
		{TLS: true},
		{Dir: ToServer, End: true},
		{Dir: ToClient, Data: "héllo \"q\"\n"},
	}}}}
	var b bytes.Buffer
	if _, err := s.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	for _, want := range []string{"> \"PING\\r\\n\"\n", "< hex 00ff10\n", "= tls\n", "> end\n", `< "h\u00e9llo \"q\"\n"`} {
		if !strings.Contains(text, want) {
			t.Errorf("the file lacks %q:\n%s", want, text)
		}
	}
	back, err := Parse(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	got, want := back.Conns[0].Steps, s.Conns[0].Steps
	if len(got) != len(want) {
		t.Fatalf("%d steps back, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].Dir != want[i].Dir || got[i].Data != want[i].Data || got[i].End != want[i].End || got[i].TLS != want[i].TLS {
			t.Errorf("step %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestParseErrors(t *testing.T) {
	for text, want := range map[string]error{
		"> \"x\"\n":                        ErrStepOutside,
		"connection 1 tcp a:1\n> zz\n":     ErrBadData,
		"connection 1 tcp a:1\n> hex 0g\n": ErrBadData,
		"connection x tcp a:1\n":           ErrBadLine,
		"connection 1 tcp a:1\nwhatever\n": ErrBadLine,
	} {
		_, err := Parse(strings.NewReader(text))
		var se *SyntaxError
		if !errors.Is(err, want) || !errors.As(err, &se) {
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
