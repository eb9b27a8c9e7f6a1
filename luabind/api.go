// Package luabind is luasock's Lua-facing API for sockets: PHP's
// stream-socket functions carried into Lua (docs/reference.md), their
// handles, contexts and TLS sessions, and the constants. It installs
// sockets only: the language is internal/lang's, PHP's functions that need
// no socket are phplib's and codec's, the errstr, errno mapping is errno's,
// TLS keys are pemkey's, and the socket events that the trace and the
// packet capture observe are sockevent's.
package luabind

import (
	"context"
	"io"
	"sync/atomic"

	"github.com/luasock/luasock/internal/impair"
	"github.com/luasock/luasock/internal/lang/luaarg"
	"github.com/luasock/luasock/internal/sockevent"
	lua "github.com/yuin/gopher-lua"
)

// Host is what the API needs from the runtime that embeds it. Every method is
// called by the goroutine that holds the Lua lock, except that Track and
// Untrack may be called from any goroutine.
type Host interface {
	// Block releases the Lua lock, runs wait, and takes the lock back before
	// it returns. wait must not touch any Lua value. If the run stops while
	// wait runs, Block does not return: the calling task ends there.
	Block(L *lua.LState, wait func())
	// Resolving is Block for a name resolution, which does not count as
	// the script's first wait: a server whose name is being resolved is
	// not made yet (the host acts on the first wait: --ready-file, --user).
	Resolving(L *lua.LState, wait func())
	// Track registers a resource that the host closes when the run ends, on
	// every path. Untrack forgets it (the script closed it itself).
	Track(c io.Closer)
	Untrack(c io.Closer)
	// Context is cancelled when the run stops; waits that are not on a
	// tracked socket (name resolution) watch it.
	Context() context.Context
	// Turn is called after every API call, with the Lua lock held: when the
	// calling task has held the lock for its time slice while other tasks
	// wait for it, it hands the lock over to them (in order) and takes it
	// back, as Block does. A call whose socket is always ready (a client
	// that streams without pause) so cannot keep the other tasks waiting.
	Turn(L *lua.LState)
	// HandleClosed is called when a call finds its handle closed by the
	// host (Close, not fclose): the host ends the calling task there, as
	// Block does, when it closed the handle to stop the run or to stop
	// serving (a drain); otherwise it returns and the call fails with EBADF.
	HandleClosed(L *lua.LState)
	// Interrupted is, for the task that evaluates what was typed at the
	// prompt (luasock -i), a context that Ctrl-C cancels (and the run's
	// stop); nil for every other task, whose waits watch Context.
	Interrupted(L *lua.LState) context.Context
}

// Server is what the handles stream_socket_server makes implement besides
// io.Closer: a host that stops serving (SIGTERM, a reload) closes these and
// lets the connections finish. Address is the server's own address in
// stream_socket_server's form ("tcp://127.0.0.1:8000", "unix:///path").
type Server interface {
	io.Closer
	Address() string
}

type api struct {
	host     Host
	worker   Worker
	observer sockevent.Observer // nil: nobody watches the socket events
	impair   *impairer          // nil: the sockets are not impaired (impair.go)
	warnings io.Writer          // nil: warnings are off
	keyLog   io.Writer          // TLS secrets (SSLKEYLOGFILE); nil: none
	takeover []Server           // a reload's: the old state's servers not taken yet

	streamsSeen uint64 // the handles numbered for the events so far
}

// Worker says which of several independent states running the same script
// this is (luasock run --workers N). The zero value is a single run.
type Worker struct {
	ID, Count int // 1..Count; 0 when not a worker
	// Group is shared by the workers of one run (NewWorkerGroup): where the
	// kernel does not spread a port's clients, they share its socket.
	Group *WorkerGroup
	// Streams, when set, numbers this worker's handles for the socket
	// events across the run's states: a reload's state goes on from the
	// last number, so that (Worker, Stream) stays one handle for the
	// observers, which outlive a reload. nil: the state numbers its own.
	Streams *atomic.Uint64
}

// Config is what Open installs besides the API.
type Config struct {
	Extra  map[string]lua.LValue // the host's own functions (spawn, sleep) and PHP's that need no socket (date)
	Worker Worker
	// Observer watches every socket event (luasock run --trace, --pcap;
	// sockevent.Join combines several); nil when nobody does.
	Observer sockevent.Observer
	// Warnings, when set (luasock run --warnings), receives a line in PHP's
	// shape for every failure an API call returns to the script. Workers
	// write to it at the same time: it must be safe for that (os.Stderr is).
	Warnings io.Writer
	// KeyLog, when set (the SSLKEYLOGFILE variable), receives the secrets
	// of every TLS session in the NSS key log format, so that Wireshark
	// can decrypt a capture of the real traffic (crypto/tls's
	// KeyLogWriter, which serialises its writes).
	KeyLog io.Writer
	// Impair makes the script's own sockets misbehave as a slow or lossy
	// network would (luasock run --slice, --delay, --drop, --duplicate,
	// --reorder), from its seed; the zero value impairs nothing.
	Impair impair.Settings
	// Takeover are the servers of the state this one replaces (a reload),
	// which stream_socket_server takes over instead of binding again.
	Takeover []Server
}

// moduleName is what `require` takes to get the API as a table.
const moduleName = "luasock"

// Open installs the API into L: the functions and constants as globals, the
// stream metatable, and `require("luasock")`, with the host's values of
// cfg.Extra (its own functions, the errno table) installed the same way. A worker also
// gets WORKER (its number) and WORKERS (how many), and its IP servers reuse
// the port.
func Open(L *lua.LState, host Host, cfg Config) *Binding {
	loadActivation() // once per process: the sockets a parent passed (LISTEN_FDS)
	a := &api{host: host, worker: cfg.Worker, observer: cfg.Observer, warnings: cfg.Warnings, keyLog: cfg.KeyLog, takeover: cfg.Takeover}
	a.impair = newImpairer(cfg.Impair, cfg.Worker.ID)
	mod := a.module(L)
	for name, v := range cfg.Extra {
		mod.RawSetString(name, v)
	}
	if cfg.Worker.Count > 0 {
		mod.RawSetString("WORKER", lua.LNumber(cfg.Worker.ID))
		mod.RawSetString("WORKERS", lua.LNumber(cfg.Worker.Count))
	}
	mod.ForEach(func(k, v lua.LValue) { L.SetGlobal(string(k.(lua.LString)), v) })
	L.PreloadModule(moduleName, func(L *lua.LState) int {
		L.Push(mod)
		return 1
	})
	return &Binding{a}
}

// Binding is one state's API as the host sees it.
type Binding struct{ a *api }

// Release closes v, as fclose does, when it is a stream that is still open,
// and reports whether it did. The host calls it, with the Lua lock held,
// for the handles a task was given by spawn and neither closed nor handed
// on when it ended.
func (b *Binding) Release(v lua.LValue) bool {
	s, ok := openStream(v)
	if !ok {
		return false
	}
	if b.a.observer != nil {
		b.a.observeClose(s)
	}
	b.a.closeStream(s)
	s.closedAt = &closeSite{} // the task it belonged to ended
	return true
}

// module builds the table of everything the API exports.
func (a *api) module(L *lua.LState) *lua.LTable {
	mod := L.NewTable()
	for name, fn := range a.functions() {
		mod.RawSetString(name, L.NewFunction(a.turning(name+"()", name, fn)))
	}
	for name, v := range constants {
		mod.RawSetString(name, lua.LNumber(v))
	}

	mt := L.NewTypeMetatable(streamTypeName)
	methods := L.NewTable()
	for name, fn := range a.methods() {
		methods.RawSetString(name, L.NewFunction(a.turning("stream:"+name+"()", name, fn)))
	}
	mt.RawSetString("__index", methods)
	mt.RawSetString("__tostring", L.NewFunction(streamToString))
	mt.RawSetString("__name", lua.LString(streamTypeName))

	ctxMT := L.NewTypeMetatable(contextTypeName)
	ctxMT.RawSetString("__tostring", L.NewFunction(contextToString))
	return mod
}

// turning makes fn a Lua function named fname: it gives the other tasks
// their turn after fn (Host.Turn), and notes a nil it returned, warning of
// a failure when warnings are on (failure.go). fn is called directly, not
// through a method value or a naming closure: every frame between
// gopher-lua and a call that waits is held by the waiting task's stack
// (BenchmarkIdleConnections).
func (a *api) turning(call, fname string, fn apiFunc) lua.LGFunction {
	return func(L *lua.LState) int {
		n := fn(a, L, fname)
		if n > 0 && L.Get(-n) == lua.LNil {
			a.noteNil(L, call, fname, n)
		}
		a.host.Turn(L)
		return n
	}
}

// apiFunc is an API function: fname is the name it raises "bad argument"
// with (PHP's, or the method's).
type apiFunc func(a *api, L *lua.LState, fname string) int

// free is an apiFunc that needs no *api.
func free(fn func(L *lua.LState, fname string) int) apiFunc {
	return func(_ *api, L *lua.LState, fname string) int { return fn(L, fname) }
}

// functions is the global function table, PHP's names.
func (a *api) functions() map[string]apiFunc {
	return map[string]apiFunc{
		"stream_socket_server":        (*api).server,
		"stream_socket_accept":        (*api).accept,
		"stream_socket_client":        (*api).client,
		"stream_socket_pair":          (*api).pair,
		"stream_select":               (*api).selectStreams,
		"stream_socket_recvfrom":      (*api).recvfrom,
		"stream_socket_sendto":        (*api).sendto,
		"stream_socket_get_name":      free(getName),
		"stream_socket_shutdown":      (*api).shutdown,
		"stream_get_transports":       free(func(L *lua.LState, _ string) int { return getTransports(L) }),
		"stream_context_create":       free(contextCreate),
		"stream_set_timeout":          free(setTimeout),
		"stream_set_blocking":         free(setBlocking),
		"stream_get_meta_data":        free(getMetaData),
		"stream_socket_enable_crypto": (*api).enableCrypto,
		"stream_get_contents":         (*api).getContents,
		"stream_get_line":             (*api).getLine,
		"fread":                       (*api).read,
		"fgets":                       (*api).gets,
		"fwrite":                      (*api).write,
		"fputs":                       (*api).write,
		"fclose":                      (*api).close,
		"feof":                        (*api).eof,
		"trace_note":                  (*api).traceNote,
		"trace_name":                  (*api).traceName,
	}
}

// methods is the handle method table: the functions without their prefix.
func (a *api) methods() map[string]apiFunc {
	return map[string]apiFunc{
		"accept":       (*api).accept,
		"recvfrom":     (*api).recvfrom,
		"sendto":       (*api).sendtoMethod,
		"read":         (*api).read,
		"gets":         (*api).gets,
		"write":        (*api).write,
		"close":        (*api).close,
		"eof":          (*api).eof,
		"name":         free(func(L *lua.LState, fname string) int { return pushName(L, fname, false) }),
		"peer":         free(func(L *lua.LState, fname string) int { return pushName(L, fname, true) }),
		"settimeout":   free(setTimeout),
		"setblocking":  free(setBlocking),
		"shutdown":     (*api).shutdown,
		"meta":         free(getMetaData),
		"contents":     (*api).getContents,
		"getline":      (*api).getLine,
		"enablecrypto": (*api).enableCrypto,
	}
}

// streamToString is __tostring: `tcp server 127.0.0.1:8000`,
// `tcp stream 127.0.0.1:8000 <-> 127.0.0.1:40312`, `closed tcp handle`.
func streamToString(L *lua.LState) int {
	s := toStream(L, 1)
	if s == nil {
		luaarg.TypeError(L, 1, "tostring", "stream")
	}
	L.Push(lua.LString(s.String()))
	return 1
}
