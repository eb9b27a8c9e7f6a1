package host

import (
	"errors"
	"fmt"

	"github.com/luasock/luasock/internal/replay"
	"github.com/luasock/luasock/internal/sockevent"
	"github.com/luasock/luasock/internal/sockpcap"
	"github.com/luasock/luasock/internal/socktrace"
	"github.com/luasock/luasock/internal/tracefilter"
)

// TraceFormats are the values of Options.TraceFormat.
var TraceFormats = []string{"text", "json", "mermaid"}

// ErrTraceFormat is the failure of a run given an unknown TraceFormat.
var ErrTraceFormat = errors.New("unknown trace format")

// newObserver makes the observers of the run's socket events that opts
// asks for (the trace, the capture, the recording, the live view; the
// first two through TraceFilter), joined: nil when there is none, so
// that the binding pays one comparison per call. sockevent.Finish, once the
// run has ended, writes what waits for the end (a Mermaid diagram).
func newObserver(opts Options) (sockevent.Observer, error) {
	var trace sockevent.Observer
	if opts.Trace != nil {
		stopped := func(err error) { fmt.Fprintf(opts.Stderr, "luasock: the trace stopped: %v\n", err) }
		switch opts.TraceFormat {
		case "", "text":
			trace = socktrace.New(opts.Trace, opts.TraceBytes, stopped)
		case "json":
			trace = socktrace.NewJSON(opts.Trace, opts.TraceBytes, stopped)
		case "mermaid":
			trace = socktrace.NewMermaid(opts.Trace, opts.TraceBytes, stopped)
		default:
			return nil, fmt.Errorf("%w %q (known: text, json, mermaid)", ErrTraceFormat, opts.TraceFormat)
		}
	}
	var capture sockevent.Observer
	if opts.Pcap != nil {
		w, err := sockpcap.New(opts.Pcap, func(err error) {
			fmt.Fprintf(opts.Stderr, "luasock: the capture stopped: %v\n", err)
		})
		if err != nil {
			return nil, fmt.Errorf("cannot write the capture: %w", err)
		}
		capture = w
	}
	var record sockevent.Observer
	if opts.Record != nil {
		record = replay.NewRecorder(opts.Record, func(err error) {
			fmt.Fprintf(opts.Stderr, "luasock: the recording stopped: %v\n", err)
		})
	}
	trace, capture = tracefilter.Wrap(opts.TraceFilter, trace), tracefilter.Wrap(opts.TraceFilter, capture)
	var live sockevent.Observer
	if opts.Live != nil { // (a nil *View would be an observer that is not nil)
		live = opts.Live
	}
	return sockevent.Join(trace, capture, record, live), nil
}
