package socktrace_test

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/luasock/luasock/internal/socktrace"
)

// TestRecord: each part of an event line, and the dump under it.
func TestRecord(t *testing.T) {
	tests := []struct {
		name     string
		maxBytes int
		e        socktrace.Event
		want     string // after the time
	}{
		{"no count, no peer", 16, socktrace.Event{Handle: "tcp server 127.0.0.1:80", Op: "listen", N: -1},
			"tcp server 127.0.0.1:80  listen\n"},
		{"a worker's", 16, socktrace.Event{Worker: 2, Handle: "udp socket 127.0.0.1:9", Op: "bind", N: -1},
			"[w2] udp socket 127.0.0.1:9  bind\n"},
		{"one byte", 0, socktrace.Event{Handle: "h", Op: "send", Arrow: "->", Peer: "p", N: 1, Data: "x"},
			"h  send     -> p  1 byte\n"},
		{"a note", 16, socktrace.Event{Handle: "h", Op: "recv", Arrow: "<-", Peer: "p", N: 0, Note: "(end of stream)"},
			"h  recv     <- p  0 bytes  (end of stream)\n"},
		{"a dump cut short", 16, socktrace.Event{Handle: "h", Op: "send", Arrow: "->", Peer: "p", N: 23, Data: "AB\x00\x01\xff\r\n" + strings.Repeat("A", 16)},
			"h  send     -> p  23 bytes\n" +
				"            0000  41 42 00 01 ff 0d 0a 41  41 41 41 41 41 41 41 41  |AB.....AAAAAAAAA|\n" +
				"            ...   7 more bytes\n"},
		{"a short line", 64, socktrace.Event{Handle: "h", Op: "sendto", Arrow: "->", Peer: "p", N: 4, Data: "ping"},
			"h  sendto   -> p  4 bytes\n" +
				"            0000  70 69 6e 67                                       |ping|\n"},
		{"two lines", 64, socktrace.Event{Handle: "h", Op: "recv", N: 20, Data: strings.Repeat("0123456789", 2)},
			"h  recv      20 bytes\n" +
				"            0000  30 31 32 33 34 35 36 37  38 39 30 31 32 33 34 35  |0123456789012345|\n" +
				"            0010  36 37 38 39                                       |6789|\n"},
	}
	stamp := regexp.MustCompile(`^ +\d+\.\d{6}  `)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			socktrace.New(&out, tt.maxBytes, nil).Record(tt.e)
			if !stamp.MatchString(out.String()) {
				t.Fatalf("no time stamp: %q", out.String())
			}
			if got := stamp.ReplaceAllString(out.String(), ""); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestFailedWriteStops: after a failed write (to /dev/full, as a full disk)
// the trace writes nothing more, and onError hears of it once.
func TestFailedWriteStops(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer full.Close()
	var heard []string
	tr := socktrace.New(full, 16, func(err error) { heard = append(heard, err.Error()) })
	for range 3 {
		tr.Record(socktrace.Event{Handle: "h", Op: "close", N: -1})
	}
	if len(heard) != 1 || heard[0] != "write /dev/full: no space left on device" {
		t.Fatalf("heard %q", heard)
	}
}
