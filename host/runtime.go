// Package host is luasock's runtime: it owns the Lua state, runs the script's
// tasks one at a time under the Lua lock, tracks every handle, and ends a run
// cleanly on every path (end of script, os.exit, error, signal).
//
// Threading: each task runs on its own goroutine and runs Lua only while it
// holds scriptRun.lock. A Go function that blocks hands the lock back through
// Block, the one path by which another goroutine gets to run Lua. Track,
// Untrack and stop may be called from any goroutine.
package host

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/luasock/luasock/internal/impair"
	"github.com/luasock/luasock/internal/lang/compile"
	"github.com/luasock/luasock/internal/lang/diagnose"
	"github.com/luasock/luasock/internal/lang/luaarg"
	"github.com/luasock/luasock/internal/lang/luaparse"
	"github.com/luasock/luasock/internal/lang/protect"
	"github.com/luasock/luasock/internal/liveview"
	"github.com/luasock/luasock/internal/sockevent"
	"github.com/luasock/luasock/internal/socktrace"
	"github.com/luasock/luasock/internal/tracefilter"
	"github.com/luasock/luasock/luabind"
	lua "github.com/yuin/gopher-lua"
)

// Exit statuses of a run.
const (
	ExitOK          = 0
	ExitError       = 1   // uncaught error, or the script could not be loaded
	ExitUsage       = 2   // bad command line
	ExitInterrupted = 130 // SIGINT
	ExitTerminated  = 143 // SIGTERM
)

// DefaultGrace is how long tasks may finish their connections after a
// SIGTERM (or a reload) stopped serving, and how long a stopping run waits
// for tasks that are running Lua code before it returns anyway.
const DefaultGrace = 10 * time.Second

// DefaultBusyLimit is how long a task may run Lua without waiting before
// it is ended. In a teaching tool a loop that never waits is nearly always
// a mistake (a parser that never advances, a condition that never changes)
// while every other client waits; 5 s is far longer than any lesson's
// honest computation and short enough that the learner is still watching.
const DefaultBusyLimit = 5 * time.Second

// DefaultTraceBytes is how much of each message a trace dumps by default.
const DefaultTraceBytes = socktrace.DefaultBytes

// Options configure one run.
type Options struct {
	// Script is the script's path; "-" is standard input, named so by
	// `luasock -` (arg[0] is "-"), and "" with Source is standard input
	// as bare luasock reads it (no arg table, as lua). "" without Source:
	// no script (a Prompt, or only the Prelude).
	Script string
	Source []byte   // the script's text; nil reads Script
	Args   []string // arg[1..] and the main chunk's `...`
	// Prelude runs before the script, in order and in its state, as lua's
	// -e and -l: luasock -e 'code' and -l name (as name = require("name")).
	// An error in one ends the run before the script, with status 1.
	Prelude []Chunk
	// Prompt, when set, makes the run interactive (luasock -i, or luasock
	// with no script on a terminal): after the prelude and the script, the
	// main task reads chunks from it and evaluates each (interactive.go).
	// The end of its input ends the run.
	Prompt Prompt
	// Announce, when set, gets one line once the script serves (its main
	// task first waits, in every worker): "luasock: listening on
	// tcp://127.0.0.1:8000". luasock sets it when stderr is a terminal.
	Announce io.Writer
	Stdin    io.Reader // io.read, io.lines() and io.stdin; nil: empty
	Stdout   io.Writer
	Stderr   io.Writer
	// Signals stops the run: the first SIGINT gracefully (every handle
	// closed, exit 130), the first SIGTERM by draining it (the servers
	// close at once, the tasks may finish their connections for Grace,
	// exit 143), a second signal at once.
	Signals <-chan os.Signal
	Grace   time.Duration // 0: DefaultGrace
	// BusyLimit ends a task that has run Lua this long without waiting
	// (luasock run --busy-limit): every other task is held up meanwhile.
	// It raises "task ran 5 s without waiting" in it, where it loops; the
	// task ends as on any error. 0: DefaultBusyLimit; below 0: no limit.
	BusyLimit time.Duration
	// ReadyFile, when set, is written once the script is serving (its main
	// task, in every worker, first waits): the servers' addresses, one a
	// line ("tcp://127.0.0.1:8000"). NotifySocket (systemd's NOTIFY_SOCKET)
	// then gets READY=1. User ("name[:group]") is who the process runs as
	// from then on: privileged ports are bound as root, and every thread
	// drops to the user and its groups before any Lua code runs again.
	ReadyFile    string
	NotifySocket string
	User         string
	// Watch reloads the script when it (or a Lua file beside it) changes on
	// disk, as a SIGHUP on Signals does: a new state takes over the
	// servers and the old one drains (see supervise.go).
	Watch bool
	// Workers runs that many independent Lua states on the same script
	// (0 or 1: one). Their IP servers get SO_REUSEPORT.
	Workers int
	// Trace, when set, receives one line per socket event (luasock run
	// --trace) with a hex dump of at most TraceBytes of each message.
	Trace      io.Writer
	TraceBytes int
	// TraceFormat is how Trace is written: "text" (or ""), the lines
	// above; "json", one JSON object per event and line; "mermaid", a
	// Mermaid sequence diagram of the conversation, written when the run
	// ends (package socktrace).
	TraceFormat string
	// Pcap, when set (luasock run --pcap FILE), receives a pcapng capture
	// of the bytes the script's TCP and UDP sockets send and receive, in
	// synthesized IP packets (package sockpcap); a TLS stream's plaintext.
	Pcap io.Writer
	// TraceFilter, when set (luasock run --trace-filter), keeps from Trace
	// and Pcap the events it does not match (not from Record).
	TraceFilter *tracefilter.Filter
	// Record, when set (luasock run --record FILE), receives the session
	// of every stream connection, written when the run ends (package
	// replay's format): what luasock replay plays back.
	Record io.Writer
	// Impair makes the script's own sockets misbehave as a slow or lossy
	// network would (luasock run --slice, --delay, --drop, --duplicate,
	// --reorder), from Impair.Seed; the zero value impairs nothing.
	Impair impair.Settings
	// KeyLog, when set (luasock sets it from SSLKEYLOGFILE), receives the
	// secrets of every TLS session in the NSS key log format, so that
	// Wireshark can decrypt a real capture of the run's traffic.
	KeyLog io.Writer
	// ReturnMemory gives the memory a burst of tasks or connections left
	// back to the system once the run is quiet (memory.go); luasock run
	// sets it. Memory is the process's: an embedder decides for itself.
	ReturnMemory bool
	// Warnings, when set (luasock run --warnings), receives a line in PHP's
	// shape (`Warning: fread(): ...`) for every failure a call returns to
	// the script. With Workers it must be safe for concurrent use.
	Warnings io.Writer
	// Live, when set (luasock run --ui), is the live view: it observes
	// every socket event and hears what each task does and waits for
	// (live.go). nil costs nothing: no observer, no goroutine.
	Live *liveview.View
	// Globals are an embedder's Go values and functions, set as globals of
	// the script (of every worker) with gopher-luar: structs, maps, slices
	// and funcs become userdata the script indexes and calls. They run with
	// the Lua lock held, on the calling task's goroutine: a Go function that
	// blocks stops every task, and must not keep Lua values for later. A
	// func whose last result is an error returns, as luasock's own calls
	// do, `nil, errstr, errno` when it fails and its other results (or
	// true) when not; methods keep gopher-luar's results (the error as a
	// userdata, nil when there is none).
	Globals map[string]any
}

// Chunk is a piece of Lua code run before the script (Options.Prelude).
type Chunk struct {
	Name string // its name in errors: "=(command line)", as lua's -e
	Code string
}

// program is what a run's main task runs: the prelude's chunks, then the
// script (nil: none, at a prompt).
type program struct {
	prelude []*lua.FunctionProto
	script  *lua.FunctionProto
}

// chunkName is the name the script's code has in errors: its path, or
// stdin's as lua gives it.
func chunkName(script string) string {
	if script == "-" || script == "" {
		return "=stdin"
	}
	return "@" + script
}

// scriptRun is one run of a script. It implements luabind.Host.
type scriptRun struct {
	lock   fairLock // the Lua lock, handed over in FIFO order
	L      *lua.LState
	stdout *lineWriter
	stderr io.Writer

	tasks    sync.WaitGroup
	stopping atomic.Bool
	stopOnce sync.Once
	stopped  chan struct{} // closed by stop
	exitCode int           // written once, before stopped is closed
	ctx      context.Context
	cancel   context.CancelFunc

	loader    *compile.Loader    // loads code; keeps sources to explain errors
	protector *protect.Protector // pcall and xpcall
	binding   *luabind.Binding
	// owned are the values each task was given by spawn (its handles among
	// them) and has not handed on to another spawn; read and written with
	// the Lua lock held.
	owned map[*lua.LState][]lua.LValue
	// freeThreads are the threads of spawned tasks that ended, for spawn to
	// reuse (tasks.go); touched with the Lua lock held.
	freeThreads []*lua.LState
	// idleRunners hands a new task to a goroutine that finished one
	// (runTasks, tasks.go); idle counts those waiting.
	idleRunners chan taskStart
	idle        atomic.Int32

	grace     time.Duration // Options.Grace, or its default
	draining  atomic.Bool   // SIGTERM: the servers are closed, the tasks finish
	drainCode int           // the exit status a drain ends with

	startup   *startup                // shared by the generation's workers
	arrived   atomic.Bool             // this run's main task has first waited (startup)
	prompt    Prompt                  // Options.Prompt: nil unless interactive
	session   atomic.Pointer[session] // the prompt's, once it runs
	busyLimit time.Duration           // Options.BusyLimit, or its default; < 0: none
	calls     callClock               // the API calls of the lock's holder, for the busy limit
	live      *liveTasks              // what the tasks do, for Options.Live; nil without it

	handlesMu sync.Mutex
	handles   map[io.Closer]struct{}
	released  bool // the handles were closed: late ones are closed at once
}

// Run runs a script to its end and returns the exit status.
func Run(opts Options) int { return RunContext(context.Background(), opts) }

// RunContext runs a script until it ends or ctx is done. Cancelling ctx
// stops the run as a first SIGINT does (every handle closed, every task
// woken, ExitInterrupted); a Go program embedding luasock uses it to stop
// a server script.
func RunContext(ctx context.Context, opts Options) int {
	if opts.Stderr == nil {
		opts.Stderr = io.Discard
	}
	var prog program
	for _, c := range opts.Prelude {
		proto, err := compile.Compile(c.Name, []byte(c.Code))
		if err != nil {
			printLoadError(opts.Stderr, err)
			return ExitError
		}
		prog.prelude = append(prog.prelude, proto)
	}
	src, err := opts.Source, error(nil)
	if src == nil && opts.Script != "" {
		src, err = readScript(opts.Script)
	}
	if err == nil && (opts.Script != "" || src != nil) {
		prog.script, err = compile.CompileFile(chunkName(opts.Script), src)
	}
	if err != nil {
		printLoadError(opts.Stderr, err)
		return ExitError
	}
	opts.Source = src // each state remembers it, to explain its errors
	if opts.ReturnMemory {
		stop := make(chan struct{})
		defer close(stop)
		go returnMemory(stop)
	}
	stdout := opts.Stdout
	if stdout == nil {
		stdout = io.Discard
	}
	out := newLineWriter(stdout, func(err error) {
		fmt.Fprintf(opts.Stderr, "luasock: stdout is closed (%v): the script's output is dropped from now on\n", err)
	})
	defer out.Close()
	observer, err := newObserver(opts)
	if err != nil {
		fmt.Fprintf(opts.Stderr, "luasock: %v\n", err)
		return ExitError
	}
	defer sockevent.Finish(observer)
	return supervise(ctx, prog, opts, out, observer)
}

// printLoadError prints why a script could not start: Lua's message, and
// for a syntax error luasock's hint, if there is one.
func printLoadError(w io.Writer, err error) {
	fmt.Fprintln(w, err)
	var se *luaparse.Error
	if errors.As(err, &se) && se.Hint != "" {
		fmt.Fprintf(w, "hint: %s\n", se.Hint)
	}
}

// newRuntime makes the state of one run (of one worker) writing to out.
// Workers share out and the observer of the socket events.
func newRuntime(opts Options, out *lineWriter, observer sockevent.Observer, worker luabind.Worker, st *startup, takeover []luabind.Server) *scriptRun {
	ctx, cancel := context.WithCancel(context.Background())
	rt := &scriptRun{
		stdout:      out,
		stderr:      opts.Stderr,
		stopped:     make(chan struct{}),
		idleRunners: make(chan taskStart),
		ctx:         ctx,
		cancel:      cancel,
		handles:     map[io.Closer]struct{}{},
		grace:       opts.Grace,
		startup:     st,
	}
	if rt.grace <= 0 {
		rt.grace = DefaultGrace
	}
	switch rt.busyLimit = opts.BusyLimit; {
	case rt.busyLimit == 0:
		rt.busyLimit = DefaultBusyLimit
	case rt.busyLimit < 0:
		rt.busyLimit = 0
	}
	rt.L = lua.NewState(lua.Options{
		CallStackSize:       maxNestedCalls,
		MinimizeStackMemory: true,
		RegistrySize:        128, // NewState's least; the tasks' threads start smaller (below)
		RegistryMaxSize:     1 << 22,
		RegistryGrowStep:    64,
	})
	// NewThread builds a thread from these options as they are, where
	// NewState raises a registry under 128 slots to gopher-lua's default of
	// 5,120 (80 KiB): a task blocked in a read uses a few dozen slots, and
	// 32 of 16 bytes are 1.5 KiB less per idle connection than 128.
	rt.L.Options.RegistrySize = taskRegistrySize
	rt.owned = map[*lua.LState][]lua.LValue{}
	rt.prompt = opts.Prompt
	if opts.Live != nil {
		rt.live = newLiveTasks(opts.Live, worker.ID, opts.Script)
	}
	rt.openLibraries(opts, worker, observer, takeover)
	setGlobals(rt.L, opts.Globals)
	return rt
}

func (rt *scriptRun) run(ctx context.Context, prog program, opts Options) int {
	if prog.script != nil && opts.Script != "" {
		setScriptArgs(rt.L, opts.Script, opts.Args)
	}
	args := make([]lua.LValue, len(opts.Args))
	for i, a := range opts.Args {
		args[i] = lua.LString(a)
	}
	rt.tasks.Add(1)
	go rt.runMain(prog, args)

	allDone := make(chan struct{})
	go func() { rt.tasks.Wait(); close(allDone) }()

	wait := rt.grace // for the tasks to end once stopped
	select {
	case <-allDone:
		rt.stop(ExitOK) // no-op when a stop came first
	case <-rt.stopped:
	case sig := <-opts.Signals:
		if isDrainSignal(sig) {
			// The grace counts from the signal: a task that never waits
			// does not get it twice.
			deadline := time.Now().Add(rt.grace)
			rt.drainThenStop(signalStatus(sig), allDone, opts.Signals, rt.grace)
			wait = max(time.Until(deadline), wakeTime)
		} else {
			rt.stop(signalStatus(sig))
		}
	case <-ctx.Done():
		rt.stop(ExitInterrupted)
	}
	// Closing the handles wakes every task blocked on a socket; Block ends it.
	rt.releaseHandles()
	finished := rt.awaitTasks(allDone, opts.Signals, wait)
	if !rt.arrived.Swap(true) { // it ended before it first waited: the other workers go on
		rt.startup.arrive(rt, true)
	}
	rt.stdout.Flush()
	if finished {
		rt.L.Close()
	}
	return rt.exitCode
}

// wakeTime is how long the tasks that a stop wakes have to end after a
// drain used up the grace: they only see the stop and return.
const wakeTime = 100 * time.Millisecond

// busyNotice is how long a task must have run Lua code without a wait,
// while the run stops, before the run says so and how to exit at once.
// Tasks that are only slow to wind down (a loaded machine) hold the lock
// for moments at a time and are not mentioned.
const busyNotice = 300 * time.Millisecond

// awaitTasks waits for the tasks to end after a stop, at most grace, or until
// a second signal forces the exit. It reports whether they all ended.
func (rt *scriptRun) awaitTasks(allDone <-chan struct{}, signals <-chan os.Signal, grace time.Duration) bool {
	deadline := time.NewTimer(grace)
	defer deadline.Stop()
	notice := time.NewTimer(busyNotice)
	defer notice.Stop()
	for {
		select {
		case <-allDone:
			return true
		case <-signals: // the second signal forces the exit
			return false
		case <-notice.C:
			if held := rt.lock.heldFor(); held < busyNotice {
				notice.Reset(busyNotice - held)
				continue
			}
			rt.stdout.Flush()
			fmt.Fprintln(rt.stderr, "luasock: stopping: a task is still running Lua code; interrupt again to exit now")
		case <-deadline.C:
			fmt.Fprintln(rt.stderr, "luasock: a task did not stop in time; exiting anyway")
			return false
		}
	}
}

func signalStatus(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return ExitInterrupted
}

// stop ends the run with the given status; the first call wins. Blocked
// tasks end when they wake; no Lua code runs after a stop except the task
// that holds the lock, until it reaches Block.
func (rt *scriptRun) stop(code int) {
	rt.stopOnce.Do(func() {
		if rt.draining.Load() {
			code = rt.drainCode
		}
		rt.exitCode = code
		rt.stopping.Store(true)
		rt.cancel()
		close(rt.stopped)
	})
}

// maxNestedCalls bounds the Lua calls nested in the main chunk or a task
// (Python's default recursion limit too): gopher-lua gives each thread, so
// each idle connection's task, an index of one pointer per 8 of them, 1 KiB
// here (docs/benchmarks.md).
const maxNestedCalls = 1000

// overflowHint follows an uncaught stack overflow; its number is
// maxNestedCalls.
const overflowHint = "more than 1,000 calls were nested: a function that calls itself with no case " +
	"that ends it, or a recursion deeper than luasock allows; write a deep one as a loop"

// taskRegistrySize is the registry slots a task's thread starts with; it
// grows by RegistryGrowStep as the task's calls need.
const taskRegistrySize = 32

// startTask runs fn(args...) on L as a spawned task: on a goroutine that a
// finished task left waiting (runTasks), or on a new one. It is called
// with the lock held: the task runs at the spawner's next wait.
func (rt *scriptRun) startTask(L *lua.LState, fn *lua.LFunction, args []lua.LValue) {
	rt.tasks.Add(1)
	t := taskStart{L: L, fn: fn, args: args, turn: rt.lock.reserve()}
	if rt.live != nil {
		rt.live.spawned(L, fn)
	}
	select {
	case rt.idleRunners <- t:
	default:
		go rt.runTasks(t)
	}
}

// taskError is what a task's error handler found where the error was
// raised; one per goroutine, made once for all the tasks it runs.
type taskError struct {
	handler         *lua.LFunction
	traceback, hint string
}

// prepare readies e for a task on L, with the Lua lock held.
func (e *taskError) prepare(rt *scriptRun, L *lua.LState) {
	e.traceback, e.hint = "", ""
	if e.handler != nil {
		return
	}
	e.handler = L.NewFunction(func(L *lua.LState) int {
		// Called where the error was raised, with its frames still there.
		msg, h := diagnose.Explain(L, L.Get(1), rt.loader.Source)
		if h == "" && strings.HasSuffix(lua.LVAsString(msg), busyText) {
			h = busyHint
		}
		e.traceback, e.hint = rt.protector.Traceback(L, "", 1), h
		L.Push(msg)
		return 1
	})
}

// releaseOwned closes the handles that a task ending now was given by spawn
// and neither closed nor handed on: a task that raises (or forgets) must
// not leave its client waiting until the run ends.
func (rt *scriptRun) releaseOwned(L *lua.LState) {
	for _, v := range rt.owned[L] {
		rt.binding.Release(v)
	}
	delete(rt.owned, L)
}

// releaseFailed is the ownership rule's second half, for a task that ended
// with an error: the connections in the tables it was given by spawn (one
// level down, as `spawn(reader, client)` with `client.conn`) are closed
// too, so that a client is not left waiting for a task that is gone. A
// server in such a table is not: it serves the other tasks.
func (rt *scriptRun) releaseFailed(L *lua.LState) {
	for _, v := range rt.owned[L] {
		t, ok := v.(*lua.LTable)
		if !ok {
			continue
		}
		t.ForEach(func(_, field lua.LValue) {
			if rt.binding.IsConnection(field) {
				rt.binding.Release(field)
			}
		})
	}
}

// handOn moves the values spawn passes to a new task out of the calling
// task's ownership.
func (rt *scriptRun) handOn(caller *lua.LState, args []lua.LValue) {
	owned := rt.owned[caller]
	if len(owned) == 0 {
		return
	}
	kept := owned[:0]
	for _, v := range owned {
		if !slices.Contains(args, v) {
			kept = append(kept, v)
		}
	}
	rt.owned[caller] = kept
}

// report prints an uncaught error and its traceback on stderr, as lua5.1
// does (without the interpreter's name), and then the hint, if any.
func (rt *scriptRun) report(err error, traceback, hint string) {
	rt.stdout.Flush()
	var ae *lua.ApiError
	if !errors.As(err, &ae) {
		fmt.Fprintln(rt.stderr, err)
		return
	}
	switch obj := ae.Object.(type) {
	case *lua.LNilType: // error(): lua5.1 prints nothing
		return
	case lua.LString, lua.LNumber:
		msg := lua.LVAsString(obj)
		if protect.IsStackOverflow(obj) { // the handler could not run: no room
			msg, traceback, hint = "stack overflow", "", overflowHint
		}
		fmt.Fprintln(rt.stderr, msg)
		if traceback != "" {
			fmt.Fprintln(rt.stderr, traceback)
		}
	default: // lua5.1 gives no traceback either
		fmt.Fprintln(rt.stderr, "(error object is not a string)")
	}
	if hint != "" {
		fmt.Fprintf(rt.stderr, "hint: %s\n", hint)
	}
}

// Block implements luabind.Host: it releases the Lua lock around wait. If
// the run stopped meanwhile the task ends here, without running more Lua.
func (rt *scriptRun) Block(L *lua.LState, wait func()) {
	if !rt.arrived.Load() {
		rt.firstWait()
	}
	rt.Resolving(L, wait)
}

// Resolving implements luabind.Host: Block without the first-wait actions.
func (rt *scriptRun) Resolving(L *lua.LState, wait func()) {
	if rt.live != nil {
		rt.live.wait(rt, L, wait)
		return
	}
	rt.lock.Unlock()
	wait()
	if !rt.enter(L) {
		runtime.Goexit() // enter released the lock
	}
}

// enter takes the Lua lock for the task running on L, the only way a task
// (re)starts running Lua. It reports false, with the lock released, when the
// run has stopped meanwhile: the task must end without running more Lua.
func (rt *scriptRun) enter(L *lua.LState) bool { return rt.enterOnTurn(L, nil) }

// enterOnTurn is enter on a turn that reserve queued (nil: none).
func (rt *scriptRun) enterOnTurn(L *lua.LState, t *turn) bool {
	rt.lock.lockTurn(t)
	if rt.stopping.Load() {
		rt.lock.Unlock()
		return false
	}
	// gopher-lua keeps one running thread per state (G.CurrentThread), which
	// coroutine.running, coroutine.status and resume's "cannot resume a
	// running thread" check read. Tasks are threads of one state that take
	// turns, so each says it is the running one when it gets the lock
	// (inside pcall, L is a pool thread standing in for the task's).
	L.G.CurrentThread = rt.protector.Thread(L)
	return true
}

// endTask ends the calling task's goroutine at once, giving up the Lua
// lock; deferred calls (the task count) still run.
func (rt *scriptRun) endTask() {
	rt.lock.Unlock()
	runtime.Goexit()
}

// turnSlice is how long a task may hold the Lua lock while others wait
// before a socket call hands it over (Turn). docs/benchmarks.md measures
// the cost.
const turnSlice = time.Millisecond

// Turn implements luabind.Host: after its time slice, a task whose calls
// never wait lets the waiting tasks run first.
func (rt *scriptRun) Turn(L *lua.LState) {
	rt.calls.count++
	if rt.lock.overdue(turnSlice) {
		if rt.live != nil {
			rt.live.yield = true
		}
		rt.Block(L, func() {})
	}
}

// Context implements luabind.Host: it is cancelled when the run stops.
func (rt *scriptRun) Context() context.Context { return rt.ctx }

// Track implements luabind.Host. A handle tracked after the run released its
// handles is closed at once.
func (rt *scriptRun) Track(c io.Closer) {
	rt.handlesMu.Lock()
	late := rt.released
	if !late {
		rt.handles[c] = struct{}{}
	}
	rt.handlesMu.Unlock()
	if late {
		_ = c.Close()
	}
}

// Untrack implements luabind.Host.
func (rt *scriptRun) Untrack(c io.Closer) {
	rt.handlesMu.Lock()
	delete(rt.handles, c)
	rt.handlesMu.Unlock()
}

// releaseHandles closes every handle still open (removing the unix socket
// files the script created).
func (rt *scriptRun) releaseHandles() {
	rt.handlesMu.Lock()
	open := rt.handles
	rt.handles = map[io.Closer]struct{}{}
	rt.released = true
	rt.handlesMu.Unlock()
	for c := range open {
		_ = c.Close()
	}
}

// exit is os.exit([code]): the run ends with code (true 0, false 1) after the
// usual cleanup. It does not return to the script.
func (rt *scriptRun) exit(L *lua.LState) int {
	code := ExitOK
	if L.Get(1) != lua.LNil {
		code = int(int32(int64(luaarg.CheckNumber(L, 1, "?")))) // luaL_optint
	}
	rt.stop(code)
	rt.endTask()
	return 0
}
