// Package tracefilter keeps some of a run's socket events (luasock run
// --trace-filter EXPR) from the trace and the capture. An expression is
// terms separated by spaces, all of which an event must match; a term is
// FIELD=VALUES (one of the values, separated by commas) or FIELD!=VALUES
// (none of them):
//
//	port=7000 kind=read,write     reads and writes on either end's port 7000
//	peer=127.0.0.1:54302          one peer; peer=127.0.0.1: any of its ports
//	handle=3 dir=in               what handle 3 received or accepted
//	kind!=note,name               all but the script's notes and names
//
// The fields are in Fields.
package tracefilter

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/luasock/luasock/internal/sockevent"
)

// Filter is a parsed expression; the zero value and nil keep everything.
type Filter struct {
	expr  string
	terms []term
}

// term is one FIELD=VALUES or FIELD!=VALUES.
type term struct {
	not    bool
	values []string
	match  func(e *sockevent.Event, value string) bool
}

// field is what a field matches and how its values are checked; want
// says what a value is, for errors.
type field struct {
	name, want string
	check      func(value string) (string, error) // the value as match takes it
	match      func(e *sockevent.Event, value string) bool
}

// Kinds are the values of kind=: the operations of package sockevent, read
// and write for recv and send, datagram (a datagram sent, received or
// dropped) and error (any failed operation).
var Kinds = []string{"listen", "bind", "accept", "connect", "read", "write", "datagram", "drop",
	"shutdown", "close", "tls", "note", "name", "error"}

var fields = []field{
	{"port", "a port number (0 to 65535)", checkPort, matchPort},
	{"peer", "an address (ip:port, ip, or a unix socket's path)", checkAny, matchPeer},
	{"handle", "a handle's number (1 or more)", checkNumber, matchHandle},
	{"worker", "a worker's number (0 or more)", checkNumber, matchWorker},
	{"dir", "in or out", checkDir, matchDir},
	{"kind", "one of " + strings.Join(Kinds, ", "), checkKind, matchKind},
}

// Fields is the known fields, for messages.
func Fields() string {
	var names []string
	for _, f := range fields {
		names = append(names, f.name)
	}
	return strings.Join(names, ", ")
}

// Parse reads an expression; its error names the term at fault and, for
// an unknown field, the known ones.
func Parse(expr string) (*Filter, error) {
	f := &Filter{expr: expr}
	for _, text := range strings.Fields(expr) {
		t, err := parseTerm(text)
		if err != nil {
			return nil, err
		}
		f.terms = append(f.terms, t)
	}
	if len(f.terms) == 0 {
		return nil, fmt.Errorf("an empty expression (terms such as port=7000 kind=read,write; fields: %s)", Fields())
	}
	return f, nil
}

func parseTerm(text string) (term, error) {
	name, values, ok := strings.Cut(text, "=")
	var t term
	if strings.HasSuffix(name, "!") {
		name, t.not = name[:len(name)-1], true
	}
	var fd *field
	for i := range fields {
		if fields[i].name == name {
			fd = &fields[i]
		}
	}
	switch {
	case !ok:
		return t, fmt.Errorf("%q is not FIELD=VALUE (fields: %s)", text, Fields())
	case fd == nil:
		return t, fmt.Errorf("unknown field %q in %q (fields: %s)", name, text, Fields())
	}
	t.match = fd.match
	for _, v := range strings.Split(values, ",") {
		checked, err := fd.check(v)
		if err != nil {
			return t, fmt.Errorf("%q: %s takes %s, not %q", text, fd.name, fd.want, v)
		}
		t.values = append(t.values, checked)
	}
	return t, nil
}

// String is the expression as given.
func (f *Filter) String() string {
	if f == nil {
		return ""
	}
	return f.expr
}

// Keep tells whether e matches every term.
func (f *Filter) Keep(e *sockevent.Event) bool {
	if f == nil {
		return true
	}
	for _, t := range f.terms {
		matched := false
		for _, v := range t.values {
			if t.match(e, v) {
				matched = true
				break
			}
		}
		if matched == t.not {
			return false
		}
	}
	return true
}

// Skipper is an observer that hears of the events a filter leaves out, to
// keep its own state in step (the trace numbers clients by arrival).
type Skipper interface {
	Skip(e *sockevent.Event)
}

// Wrap is o seeing only the events f keeps (o itself when f or o is nil).
// A sockevent.Finisher stays one.
func Wrap(f *Filter, o sockevent.Observer) sockevent.Observer {
	if f == nil || o == nil {
		return o
	}
	w := &filtered{f: f, o: o}
	w.skip, _ = o.(Skipper)
	return w
}

type filtered struct {
	f    *Filter
	o    sockevent.Observer
	skip Skipper
}

func (w *filtered) Observe(e *sockevent.Event) {
	switch {
	case w.f.Keep(e):
		w.o.Observe(e)
	case w.skip != nil:
		w.skip.Skip(e)
	}
}

func (w *filtered) Finish() { sockevent.Finish(w.o) }

func checkAny(v string) (string, error) {
	if v == "" {
		return "", fmt.Errorf("empty")
	}
	return v, nil
}

func checkPort(v string) (string, error) {
	n, err := strconv.ParseUint(v, 10, 16)
	return ":" + strconv.FormatUint(n, 10), err
}

func checkNumber(v string) (string, error) {
	n, err := strconv.ParseUint(v, 10, 64)
	return strconv.FormatUint(n, 10), err
}

func checkDir(v string) (string, error) {
	if v != "in" && v != "out" {
		return "", fmt.Errorf("not a direction")
	}
	return v, nil
}

func checkKind(v string) (string, error) {
	switch v {
	case "recv":
		return "read", nil
	case "send":
		return "write", nil
	}
	for _, k := range Kinds {
		if v == k {
			return v, nil
		}
	}
	return "", fmt.Errorf("not a kind")
}

// matchPort: port is ":N", which an IP address ends with.
func matchPort(e *sockevent.Event, port string) bool {
	if e.Transport != "tcp" && e.Transport != "udp" {
		return false
	}
	return strings.HasSuffix(e.Local, port) || strings.HasSuffix(e.Peer, port)
}

func matchPeer(e *sockevent.Event, peer string) bool {
	if e.Peer == "" {
		return false
	}
	if e.Peer == peer {
		return true
	}
	host, _, err := net.SplitHostPort(e.Peer)
	return err == nil && (e.Transport == "tcp" || e.Transport == "udp") && host == strings.Trim(peer, "[]")
}

func matchHandle(e *sockevent.Event, n string) bool {
	return e.Stream != 0 && strconv.FormatUint(e.Stream, 10) == n
}

func matchWorker(e *sockevent.Event, n string) bool { return strconv.Itoa(e.Worker) == n }

func matchDir(e *sockevent.Event, dir string) bool {
	switch e.Op {
	case sockevent.Recv, sockevent.Accept:
		return dir == "in"
	case sockevent.Send, sockevent.Connect, sockevent.Drop:
		return dir == "out"
	}
	return false
}

func matchKind(e *sockevent.Event, kind string) bool {
	switch kind {
	case "read":
		return e.Op == sockevent.Recv
	case "write":
		return e.Op == sockevent.Send
	case "datagram":
		return e.Datagram() && (e.Op == sockevent.Send || e.Op == sockevent.Recv || e.Op == sockevent.Drop)
	case "error":
		return e.Err != nil
	}
	return string(e.Op) == kind
}
