package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/impair"
	"github.com/luasock/luasock/internal/liveview"
	"github.com/luasock/luasock/internal/tracefilter"
)

// runFlags are run's options.
type runFlags struct {
	workers    int
	trace      traceFlag
	traceBytes int
	traceFmt   string // --trace-format; "" when not given
	pcap       string // --pcap FILE; "" when off
	warnings   bool
	grace      time.Duration
	busyLimit  time.Duration // --busy-limit; 0: the default, < 0: none
	readyFile  string
	user       string
	watch      bool
	impair     impair.Settings // --slice, --delay, --drop, --duplicate, --reorder, --seed
	seeded     bool            // --seed was given
	record     string          // --record FILE; "" when off
	ui         uiFlag          // --ui [ADDR]: the live view
	prelude    []host.Chunk    // -e and -l, in the order given
	prompt     bool            // -i
	set        *flag.FlagSet
	badValue   error // the first value a flag refused, in luasock's words

	filter *tracefilter.Filter // --trace-filter; nil: every event
}

func newRunFlags() *runFlags {
	f := &runFlags{workers: 1, traceBytes: host.DefaultTraceBytes}
	f.set = flag.NewFlagSet("run", flag.ContinueOnError)
	f.set.SetOutput(io.Discard) // run reports a failure, with the usage text
	f.set.Usage = func() {}
	// The usage text in cli.go describes the flags.
	f.add("workers", &numberFlag{n: &f.workers, name: "--workers", min: 1, max: 1024, want: "a number from 1 to 1024"})
	f.add("trace", &f.trace)
	f.add("trace-bytes", &numberFlag{n: &f.traceBytes, name: "--trace-bytes", min: 0, max: math.MaxInt, want: "a number of bytes (0 or more)"})
	f.add("trace-format", choiceFlag{value: &f.traceFmt, name: "--trace-format", choices: host.TraceFormats})
	f.add("pcap", fileFlag{file: &f.pcap, name: "--pcap"})
	f.add("trace-filter", filterFlag{filter: &f.filter})
	f.add("warnings", switchFlag{on: &f.warnings, name: "--warnings"})
	f.add("W", switchFlag{on: &f.warnings, name: "-W"})
	f.add("grace", &durationFlag{d: &f.grace, name: "--grace"})
	f.add("busy-limit", &busyFlag{d: &f.busyLimit})
	f.add("ready-file", &textFlag{s: &f.readyFile, name: "--ready-file", want: "a file name"})
	f.add("user", &textFlag{s: &f.user, name: "--user", want: "a user name (user or user:group)"})
	f.add("watch", switchFlag{on: &f.watch, name: "--watch"})
	f.add("slice", &numberFlag{n: &f.impair.Slice, name: "--slice", min: 1, max: math.MaxInt32, want: "a number of bytes (1 or more)"})
	f.add("delay", delayFlag{s: &f.impair})
	f.add("drop", probabilityFlag{p: &f.impair.Drop, name: "--drop"})
	f.add("duplicate", probabilityFlag{p: &f.impair.Duplicate, name: "--duplicate"})
	f.add("reorder", probabilityFlag{p: &f.impair.Reorder, name: "--reorder"})
	f.add("seed", seedFlag{seed: &f.impair.Seed, given: &f.seeded})
	f.add("record", fileFlag{file: &f.record, name: "--record"})
	f.add("ui", &f.ui)
	f.add("e", chunkFlag{chunks: &f.prelude})
	f.add("l", chunkFlag{chunks: &f.prelude, require: true})
	f.add("i", switchFlag{on: &f.prompt, name: "-i"})
	return f
}

func (f *runFlags) add(name string, v flag.Value) {
	f.set.Var(keepBadValue{v, &f.badValue}, name, "")
}

// parse reads the flags before the script's name, with one dash or two; a
// value follows '=' or comes as the next argument (--trace takes only
// '=FILE'). It returns the script's name and arguments: none when there
// is no script (the caller decides whether that may be).
func (f *runFlags) parse(args []string) ([]string, error) {
	args = splitAttached(args)
	err := f.set.Parse(args)
	switch {
	case f.badValue != nil:
		return nil, f.badValue
	case err != nil:
		return nil, f.flagError(args, len(args)-f.set.NArg(), err)
	}
	return f.uiAddressAfter(args, f.set.Args())
}

// uiAddressAfter takes the address of `--ui ADDR` from the arguments left
// after the flags (rest, the tail of args): the flag package stops at it,
// as --ui may stand alone. It is ADDR only when it looks like one
// (host:port, :port) and --ui came just before it.
func (f *runFlags) uiAddressAfter(args, rest []string) ([]string, error) {
	if !f.ui.bare || len(rest) == 0 || !looksLikeAddress(rest[0]) {
		return rest, nil
	}
	if taken := len(args) - len(rest); taken > 0 && (args[taken-1] == "--ui" || args[taken-1] == "-ui") {
		if err := f.ui.Set(rest[0]); err != nil {
			return nil, err
		}
		return rest[1:], nil
	}
	return rest, nil
}

// splitAttached writes lua's attached forms of -e and -l, -e"print(1)"
// and -lmodule, as two arguments, so that `lua` command lines work as they
// are. Only the options before the script are looked at.
func splitAttached(args []string) []string {
	var out []string
	for i, a := range args {
		if a == "--" || a == "-" || !strings.HasPrefix(a, "-") {
			return append(out, args[i:]...)
		}
		if len(a) > 2 && (a[1] == 'e' || a[1] == 'l') {
			out = append(out, a[:2], a[2:])
			continue
		}
		out = append(out, a)
	}
	return out
}

// flagError says what the flag package refused as luasock always has, with
// the flag spelled as the user did (the package's messages use one dash).
// The package took args[:taken] off the list: an unknown flag, or one whose
// value is missing, is the last it took; a malformed one (---x) the next.
func (f *runFlags) flagError(args []string, taken int, err error) error {
	var arg string
	if strings.HasPrefix(err.Error(), "bad flag syntax") {
		arg = args[taken]
	} else {
		arg = args[taken-1]
	}
	name, _, _ := strings.Cut(arg, "=")
	if f.isFlag(name) { // known, so refused for want of a value
		want := "a number"
		bare := strings.TrimLeft(name, "-")
		if v, ok := f.set.Lookup(bare).Value.(keepBadValue).Value.(interface{ wants() string }); ok {
			want = v.wants()
		}
		return fmt.Errorf("%s needs %s", name, want)
	}
	return fmt.Errorf("unknown flag %q", name)
}

// isFlag tells whether name, with one dash or two, is one of run's flags.
func (f *runFlags) isFlag(name string) bool {
	bare := strings.TrimPrefix(strings.TrimPrefix(name, "-"), "-")
	return bare != name && bare != "" && f.set.Lookup(bare) != nil
}

// misplacedFlag is the first of run's flags among the script's arguments,
// where a user may put one by mistake.
func (f *runFlags) misplacedFlag(scriptArgs []string) string {
	for _, a := range scriptArgs {
		if name, _, _ := strings.Cut(a, "="); f.isFlag(name) {
			return name
		}
	}
	return ""
}

// keepBadValue keeps the first error of its Value's Set: the flag package
// would print it inside its own sentence.
type keepBadValue struct {
	flag.Value
	bad *error
}

// String allows the zero keepBadValue the flag package may make.
func (v keepBadValue) String() string {
	if v.Value == nil {
		return ""
	}
	return v.Value.String()
}

func (v keepBadValue) Set(s string) error {
	err := v.Value.Set(s)
	if err != nil && *v.bad == nil {
		*v.bad = err
	}
	return err
}

// IsBoolFlag passes on the wrapped Value's: such a flag stands alone.
func (v keepBadValue) IsBoolFlag() bool {
	b, ok := v.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// numberFlag is a whole number from min to max.
type numberFlag struct {
	n        *int
	name     string
	min, max int
	want     string // the numbers it takes, for the error
}

func (v *numberFlag) String() string { return strconv.Itoa(*v.n) }

func (v *numberFlag) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < v.min || n > v.max {
		return fmt.Errorf("%s takes %s, not %q", v.name, v.want, s)
	}
	*v.n = n
	return nil
}

// switchFlag is on when present and takes no value. The flag package gives
// a bare flag the value "true", so -W=true is the one value it takes.
type switchFlag struct {
	on   *bool
	name string
}

func (v switchFlag) String() string   { return "" }
func (v switchFlag) IsBoolFlag() bool { return true }

func (v switchFlag) Set(s string) error {
	if s != "true" {
		return fmt.Errorf("%s takes no value", v.name)
	}
	*v.on = true
	return nil
}

// fileFlag is a file's name, which must not be empty.
type fileFlag struct {
	file *string
	name string
}

func (v fileFlag) String() string {
	if v.file == nil {
		return ""
	}
	return *v.file
}

func (v fileFlag) wants() string { return "a file name" }

func (v fileFlag) Set(s string) error {
	if s == "" {
		return fmt.Errorf("%s needs a file name", v.name)
	}
	*v.file = s
	return nil
}

// choiceFlag is one of a few words.
type choiceFlag struct {
	value   *string
	name    string
	choices []string
}

func (v choiceFlag) String() string {
	if v.value == nil {
		return ""
	}
	return *v.value
}

func (v choiceFlag) wants() string { return "one of " + strings.Join(v.choices, ", ") }

func (v choiceFlag) Set(s string) error {
	if !slices.Contains(v.choices, s) {
		return fmt.Errorf("%s takes %s, not %q", v.name, v.wants(), s)
	}
	*v.value = s
	return nil
}

// traceFlag is --trace (to stderr) or --trace=FILE. IsBoolFlag lets it
// stand alone, for which the flag package passes "true": so --trace=true
// is stderr too, and a file named true is --trace=./true.
type traceFlag struct {
	on   bool
	file string // "": stderr
}

func (v *traceFlag) String() string   { return v.file }
func (v *traceFlag) IsBoolFlag() bool { return true }

func (v *traceFlag) Set(s string) error {
	switch s {
	case "":
		return errors.New("--trace= needs a file name")
	case "true":
		v.on, v.file = true, ""
	default:
		v.on, v.file = true, s
	}
	return nil
}

// durationFlag is a time: seconds ("2.5") or a Go duration ("1m30s").
type durationFlag struct {
	d    *time.Duration
	name string
}

func (v *durationFlag) String() string {
	if v.d == nil {
		return ""
	}
	return v.d.String()
}

func (v *durationFlag) wants() string { return "a value" }

func (v *durationFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if sec, ferr := strconv.ParseFloat(s, 64); ferr == nil {
		d, err = time.Duration(sec*float64(time.Second)), nil
		if math.IsNaN(sec) || sec > math.MaxInt64/float64(time.Second) {
			err = errors.New("out of range")
		}
	}
	if err != nil || d <= 0 {
		return fmt.Errorf("%s takes a time above 0 (seconds, or 1m30s), not %q", v.name, s)
	}
	*v.d = d
	return nil
}

// textFlag is a value that must not be empty.
type textFlag struct {
	s    *string
	name string
	want string
}

func (v *textFlag) String() string {
	if v.s == nil {
		return ""
	}
	return *v.s
}

func (v *textFlag) wants() string { return "a value" }

func (v *textFlag) Set(s string) error {
	if s == "" {
		return fmt.Errorf("%s takes %s", v.name, v.want)
	}
	*v.s = s
	return nil
}

// delayFlag is --delay MS[:JITTER].
type delayFlag struct{ s *impair.Settings }

func (v delayFlag) String() string { return "" }
func (v delayFlag) wants() string  { return "MS[:JITTER] (milliseconds)" }

func (v delayFlag) Set(s string) error {
	d, j, err := impair.ParseDelay(s)
	if err != nil {
		return fmt.Errorf("--delay takes %s, not %q", v.wants(), s)
	}
	v.s.Delay, v.s.Jitter = d, j
	return nil
}

// probabilityFlag is a probability from 0 to 1.
type probabilityFlag struct {
	p    *float64
	name string
}

func (v probabilityFlag) String() string { return "" }
func (v probabilityFlag) wants() string  { return "a probability from 0 to 1" }

func (v probabilityFlag) Set(s string) error {
	p, err := impair.ParseProbability(s)
	if err != nil {
		return fmt.Errorf("%s takes %s, not %q", v.name, v.wants(), s)
	}
	*v.p = p
	return nil
}

// seedFlag is --seed S, a whole number 0 or more.
type seedFlag struct {
	seed  *uint64
	given *bool
}

func (v seedFlag) String() string { return "" }
func (v seedFlag) wants() string  { return "a whole number (0 or more)" }

func (v seedFlag) Set(s string) error {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return fmt.Errorf("--seed takes %s, not %q", v.wants(), s)
	}
	*v.seed, *v.given = n, true
	return nil
}

// chunkFlag is -e CODE or -l NAME: Lua run before the script, in the order
// given, as lua's -e and -l; -l NAME sets the global NAME to what
// require("NAME") returns, as Lua 5.4's lua does (a name with a dot is
// only required).
type chunkFlag struct {
	chunks  *[]host.Chunk
	require bool
}

func (v chunkFlag) String() string { return "" }

func (v chunkFlag) wants() string {
	if v.require {
		return "a module name"
	}
	return "Lua code"
}

func (v chunkFlag) Set(s string) error {
	code := s
	if v.require {
		if s == "" {
			return errors.New("-l needs a module name")
		}
		code = fmt.Sprintf("require(%q)", s)
		if isLuaName(s) {
			code = s + " = " + code
		}
	}
	*v.chunks = append(*v.chunks, host.Chunk{Name: "=(command line)", Code: code})
	return nil
}

// isLuaName tells a name a Lua global can have.
func isLuaName(s string) bool {
	for i, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

// busyFlag is --busy-limit: seconds (or 1m30s) a task may run Lua without
// waiting, 0 for no limit.
type busyFlag struct{ d *time.Duration }

func (v *busyFlag) String() string { return "" }
func (v *busyFlag) wants() string  { return "a number of seconds (0: no limit)" }

func (v *busyFlag) Set(s string) error {
	if sec, err := strconv.ParseFloat(s, 64); err == nil && sec == 0 {
		*v.d = -1
		return nil
	}
	d := durationFlag{d: v.d, name: "--busy-limit"}
	if err := d.Set(s); err != nil {
		return fmt.Errorf("--busy-limit takes %s, not %q", v.wants(), s)
	}
	return nil
}

// filterFlag is --trace-filter EXPR, parsed at once: a bad expression is
// a usage error before anything runs.
type filterFlag struct{ filter **tracefilter.Filter }

func (v filterFlag) String() string {
	if v.filter == nil {
		return ""
	}
	return (*v.filter).String()
}

func (v filterFlag) wants() string { return "an expression such as 'port=7000 kind=read,write'" }

func (v filterFlag) Set(s string) error {
	f, err := tracefilter.Parse(s)
	if err != nil {
		return fmt.Errorf("--trace-filter: %v", err)
	}
	*v.filter = f
	return nil
}

// uiFlag is --ui, --ui=ADDR or --ui ADDR (parse takes ADDR): the live view,
// on 127.0.0.1 at a port the kernel picks unless ADDR says. ADDR is
// [HOST]:PORT, HOST an IP address or localhost; ":PORT" stays on 127.0.0.1
// (the page is for this machine: another address must be given).
type uiFlag struct {
	on   bool
	addr string // where the view listens
	bare bool   // --ui alone (so far): the next argument may be its address
}

// defaultUIAddress is --ui's address alone: loopback, any free port.
const defaultUIAddress = "127.0.0.1:0"

func (v *uiFlag) String() string   { return v.addr }
func (v *uiFlag) IsBoolFlag() bool { return true }
func (v *uiFlag) wants() string    { return "[HOST]:PORT" }

func (v *uiFlag) Set(s string) error {
	if s == "true" { // alone
		v.on, v.bare, v.addr = true, true, defaultUIAddress
		return nil
	}
	host, port, err := net.SplitHostPort(s)
	n, perr := strconv.Atoi(port)
	switch {
	case err != nil || perr != nil || n < 0 || n > 65535:
		return fmt.Errorf("--ui takes [HOST]:PORT (127.0.0.1:8080, :8080), not %q", s)
	case host == "":
		host = "127.0.0.1"
	case host != "localhost" && net.ParseIP(host) == nil:
		return fmt.Errorf("--ui takes [HOST]:PORT with HOST an IP address or localhost, not %q", s)
	}
	v.on, v.bare, v.addr = true, false, net.JoinHostPort(host, port)
	return nil
}

// looksLikeAddress tells an argument after --ui that is its address
// (host:port, :port, [::1]:port) from a script's name.
func looksLikeAddress(s string) bool {
	_, port, err := net.SplitHostPort(s)
	if err != nil || port == "" || strings.HasSuffix(s, ".lua") {
		return false
	}
	_, err = strconv.Atoi(port)
	return err == nil
}

// startLiveView serves the live view that --ui asks for and says where, on
// stderr; nil (whose Close does nothing) without --ui.
func startLiveView(f *runFlags, stderr io.Writer) (*liveview.View, error) {
	if !f.ui.on {
		return nil, nil
	}
	live := liveview.New(0)
	if err := live.Listen(f.ui.addr); err != nil {
		return nil, fmt.Errorf("cannot serve the live view: %w", err)
	}
	fmt.Fprintf(stderr, "luasock: live view at %s\n", live.URL())
	if host, _, err := net.SplitHostPort(f.ui.addr); err == nil && !isLoopback(host) {
		fmt.Fprintf(stderr, "luasock: --ui %s serves the view beyond this machine, in plain HTTP: whoever sees the traffic sees the token\n", f.ui.addr)
	}
	return live, nil
}

// isLoopback tells whether host (an IP address or localhost) is this
// machine's own.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
