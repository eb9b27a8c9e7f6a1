package luabind

import (
	"io"
	"strconv"
	"strings"

	"github.com/luasock/luasock/internal/failures"
	lua "github.com/yuin/gopher-lua"
	"golang.org/x/sys/unix"
)

// A nil an API call returns is noted for the hints (package failures: a
// later error on that nil says why), and a failure is printed as PHP's
// warning when warnings are on.

// endsStream names the calls whose nil alone is the end of a stream.
var endsStream = map[string]bool{
	"fread": true, "fgets": true, "stream_get_line": true, "stream_socket_recvfrom": true,
	"read": true, "gets": true, "getline": true, "recvfrom": true,
}

// noteNil handles results `nil[, errstr[, errno]]` on top of L's stack,
// returned by the call named call (fname: as the script called it).
func (a *api) noteNil(L *lua.LState, call, fname string, n int) {
	var f failures.Failure
	errstr, failed := L.Get(-n + 1).(lua.LString)
	if n < 2 || !failed {
		f.End = endsStream[fname]
		failures.Note(L, fname, f)
		return
	}
	f.Errstr = string(errstr)
	if n >= 3 {
		if code, ok := L.Get(-n + 2).(lua.LNumber); ok {
			f.Errno = int(code)
		}
	}
	if fname == "stream_socket_server" || fname == "stream_socket_client" {
		f.Address = lua.LVAsString(L.Get(1)) // checked by the call: a string
		if fname == "stream_socket_server" && f.Errno == int(unix.EADDRINUSE) {
			f.Advice = "Another program, or another run of this script, is using that address."
			if strings.HasPrefix(f.Address, "unix://") || strings.HasPrefix(f.Address, "udg://") {
				f.Advice = "A file is already there: a server still running, or a file left behind (remove it if nothing uses it)."
			}
		}
	}
	if s := toStream(L, 1); s != nil && s.closedAt != nil && f.Errno == int(unix.EBADF) {
		f.Advice = "The stream was " + s.closedAt.String() + " while the call waited."
	}
	failures.Note(L, fname, f)
	// A non-blocking read that finds nothing is no failure to PHP, which
	// warns of none: a polling loop would print one each round.
	if a.warnings != nil && f.Errno != int(unix.EAGAIN) {
		a.warnFailure(L, call, f)
	}
}

// warnFailure writes PHP's warning for a failure (the errno as the system
// numbers it): `Warning: stream_socket_accept(): Connection timed out (110)
// in server.lua on line 12`. A server's or client's names its address as PHP's does: `Unable to
// connect to tcp://127.0.0.1:8000 (Address already in use (98))`.
func (a *api) warnFailure(L *lua.LState, call string, f failures.Failure) {
	text := f.Errstr
	if f.Errno != 0 {
		text += " (" + strconv.Itoa(f.Errno) + ")"
	}
	if f.Address != "" {
		text = "Unable to connect to " + f.Address + " (" + text + ")"
	}
	msg := "Warning: " + call + ": " + text
	if source, line := callerLine(L); line > 0 {
		msg += " in " + source + " on line " + strconv.Itoa(line)
	}
	_, _ = io.WriteString(a.warnings, msg+"\n")
}

// callerLine is the chunk and line of the Lua code that called the running
// Go function; line 0 when a Go function called it.
func callerLine(L *lua.LState) (string, int) {
	dbg, ok := L.GetStack(1)
	if !ok {
		return "", 0
	}
	if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil || dbg.CurrentLine <= 0 {
		return "", 0
	}
	return dbg.Source, dbg.CurrentLine
}

// closeSite is who closed a stream, for the error a later call on it
// raises: `closed by fclose() at chat.lua:12`.
type closeSite struct {
	by     string // the call; "" when the task it belonged to ended
	source string
	line   int
}

func (c *closeSite) String() string {
	if c.by == "" {
		return "closed when the task it belonged to ended"
	}
	s := "closed by " + c.by
	if c.line > 0 {
		s += " at " + c.source + ":" + strconv.Itoa(c.line)
	}
	return s
}

// closedBy is the closeSite of a close by the call fname ("fclose" or the
// method "close") that L is running.
func closedBy(L *lua.LState, fname string) *closeSite {
	c := &closeSite{by: "fclose()"}
	if fname == "close" {
		c.by = "stream:close()"
	}
	c.source, c.line = callerLine(L)
	return c
}
