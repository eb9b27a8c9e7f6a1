package luabind

import (
	"fmt"
	"math"
	"time"

	"github.com/luasock/luasock/internal/luaarg"
	lua "github.com/yuin/gopher-lua"
	"golang.org/x/sys/unix"
)

// pollSlice bounds one poll(2) call, so that a select notices a stopping run.
const pollSlice = 250 * time.Millisecond

// selectEntry is one handle of one of stream_select's tables.
type selectEntry struct {
	table *lua.LTable
	key   lua.LValue
	s     *stream
	pfd   int // index into the poll set
}

// selectStreams is `stream_select(read, write, except, seconds [, microseconds])`
// → count | `nil, errstr, errno`. Each table (or nil) maps keys to handles;
// it is rewritten in place to the ready ones, keeping their keys. nil seconds
// waits forever. Readable: data (also data fgets buffered), a pending
// connection, or a closed peer. Writable: room to write, or a finished
// connect. Except: urgent (OOB) data. poll(2) has no 1024-descriptor limit.
func (a *api) selectStreams(L *lua.LState, fname string) int {
	var tables [3]*lua.LTable
	given := false
	for i := range tables {
		switch v := L.Get(i + 1).(type) {
		case *lua.LTable:
			tables[i], given = v, true
		case *lua.LNilType:
		default:
			luaarg.TypeError(L, i+1, fname, "table or nil")
		}
	}
	if !given {
		luaarg.Error(L, 1, fname, "no stream arrays were passed")
	}
	wait := time.Duration(-1)
	if L.Get(4) != lua.LNil {
		sec := luaarg.CheckNumber(L, 4, fname)
		if sec < 0 {
			luaarg.Error(L, 4, fname, "must be greater than or equal to 0")
		}
		usec := luaarg.OptNumber(L, 5, fname, 0)
		if usec < 0 {
			luaarg.Error(L, 5, fname, "must be greater than or equal to 0")
		}
		wait = seconds(sec, usec)
	}
	events := [3]int16{unix.POLLIN, unix.POLLOUT, unix.POLLPRI}
	var entries [3][]selectEntry
	var fds []unix.PollFd
	index := map[*stream]int{}
	buffered := false
	for i, t := range tables {
		if t == nil {
			continue
		}
		t.ForEach(func(k, v lua.LValue) {
			ud, _ := v.(*lua.LUserData)
			var s *stream
			if ud != nil {
				s, _ = ud.Value.(*stream)
			}
			if s == nil || s.closed {
				luaarg.Error(L, i+1, fname, fmt.Sprintf("element %s is not a valid stream resource", lua.LVAsString(k)))
			}
			if i == 0 && (len(s.readBuf) > 0 || len(s.dgrams) > 0) {
				buffered = true
			}
			n, ok := index[s]
			if !ok {
				n = len(fds)
				index[s] = n
				fd := -1
				_ = s.raw.Control(func(f uintptr) { fd = int(f) })
				fds = append(fds, unix.PollFd{Fd: int32(fd)})
			}
			fds[n].Events |= events[i]
			entries[i] = append(entries[i], selectEntry{table: t, key: k, s: s, pfd: n})
		})
	}
	if buffered {
		wait = 0 // data fgets read ahead is ready now
	}
	err := a.poll(L, fds, wait)
	if err != nil {
		return pushFailure(L, err)
	}
	ready := 0
	for i := range entries {
		for _, e := range entries[i] {
			rev := fds[e.pfd].Revents
			var ok bool
			switch i {
			case 0:
				ok = rev&(unix.POLLIN|unix.POLLHUP|unix.POLLERR) != 0 || len(e.s.readBuf) > 0 || len(e.s.dgrams) > 0
			case 1:
				ok = rev&(unix.POLLOUT|unix.POLLHUP|unix.POLLERR) != 0
			case 2:
				ok = rev&unix.POLLPRI != 0
			}
			if ok {
				ready++
			} else {
				e.table.RawSet(e.key, lua.LNil)
			}
		}
	}
	L.Push(lua.LNumber(ready))
	return 1
}

// poll waits until one of fds is ready or wait passes (< 0: forever), with
// the Lua lock released. It wakes every pollSlice to see whether the run stops.
func (a *api) poll(L *lua.LState, fds []unix.PollFd, wait time.Duration) error {
	n, err := pollRetry(fds, 0)
	if n != 0 || wait == 0 || err != nil {
		return err
	}
	ctx := a.host.Context()
	a.host.Block(L, func() {
		deadline := time.Now().Add(wait)
		for ctx.Err() == nil {
			slice := pollSlice
			if wait >= 0 {
				slice = max(min(slice, time.Until(deadline)), 0)
			}
			n, err = pollRetry(fds, int(math.Ceil(float64(slice)/float64(time.Millisecond))))
			if n != 0 || err != nil || (wait >= 0 && !time.Now().Before(deadline)) {
				return
			}
		}
	})
	return err
}

// pollRetry is poll(2), called again when a signal interrupts it (Go's
// runtime signals its threads, so EINTR is common).
func pollRetry(fds []unix.PollFd, ms int) (int, error) {
	for {
		n, err := unix.Poll(fds, ms)
		if err != unix.EINTR {
			return n, err
		}
	}
}
