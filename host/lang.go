package host

import (
	"strconv"
	"time"

	"github.com/luasock/luasock/internal/channel"
	"github.com/luasock/luasock/internal/codec"
	"github.com/luasock/luasock/internal/lang"
	"github.com/luasock/luasock/internal/lang/compile"
	"github.com/luasock/luasock/internal/phplib"
	"github.com/luasock/luasock/internal/redislib"
	"github.com/luasock/luasock/internal/sockevent"
	"github.com/luasock/luasock/luabind"
	lua "github.com/yuin/gopher-lua"
)

// openLibraries installs what a script sees, in this order: the language
// (lang.Open: Lua 5.1 over gopher-lua; io and print write to the run's
// output, waits on stdin release the lock, files close with the run);
// PHP's functions that need no socket (codec's globals and
// require("codec"), phplib's date, microtime, hrtime, strerror and errno);
// channels; the sockets (luabind), whose require("luasock") also holds
// phplib's values and the host's spawn and sleep; the Redis client on
// those sockets (require("redis")); and the host's os.exit,
// which runs the run's cleanup.
func (rt *scriptRun) openLibraries(opts Options, worker luabind.Worker, observer sockevent.Observer, takeover []luabind.Server) {
	L := rt.L
	lg := lang.Open(L, lang.Options{
		Stdin: opts.Stdin, Stdout: rt.stdout, Stderr: rt.stderr, Host: rt,
		Chunk: chunkName(opts.Script), Source: opts.Source,
		LoopCheck: rt.loopCheck,
	})
	rt.loader, rt.protector = lg.Loader, lg.Protector
	codec.Open(L)
	extra := phplib.Open(L)
	channel.Open(L, rt) // tasks hand values over; a wait releases the lock
	extra["spawn"] = L.NewFunction(rt.spawn)
	extra["sleep"] = L.NewFunction(rt.sleep)
	rt.binding = luabind.Open(L, rt, luabind.Config{
		Extra:    extra,
		Worker:   worker,
		Observer: observer,
		Warnings: opts.Warnings,
		KeyLog:   opts.KeyLog,
		Impair:   opts.Impair,
		Takeover: takeover,
	})
	redislib.Open(L) // require("redis"), on the sockets above
	if osTable, ok := L.GetGlobal("os").(*lua.LTable); ok {
		osTable.RawSetString("exit", L.NewFunction(rt.exit))
	}
}

// loopCheck is what every loop calls every compile.CheckEvery passes, with
// the Lua lock held: it ends a task that has held the lock for longer
// than the busy limit (it never waited, so no other task ran), and an
// evaluation at the prompt that Ctrl-C interrupted, by raising an error
// where the loop is; once the run stops, it ends the task there, as a
// wait would (so SIGINT ends a loop too).
func (rt *scriptRun) loopCheck(L *lua.LState) int {
	if rt.stopping.Load() {
		rt.endTask()
	}
	if ctx := rt.Interrupted(L); ctx != nil && ctx.Err() != nil {
		L.RaiseError("%s", errInterrupted)
	}
	if rt.busyLimit > 0 && min(rt.lock.heldFor(), rt.calls.sinceLast()) > rt.busyLimit {
		L.RaiseError("task ran %s%s", seconds(rt.busyLimit), busyText)
	}
	L.Push(lua.LNumber(compile.CheckEvery))
	return 1
}

// busyText ends the error of a task that ran too long without waiting;
// busyHint is what the learner reads after it.
const (
	busyText = " without waiting"
	busyHint = "this loop calls nothing that waits (a read, an accept, sleep, a channel), so no " +
		"other task ran meanwhile; wait somewhere in it, or raise the limit with --busy-limit " +
		"(0: none)"
)

// seconds says a duration as a learner reads it: "5 s", "0.5 s".
func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " s"
}
