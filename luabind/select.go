package luabind

import (
	"fmt"
	"math"
	"time"

	"github.com/luasock/luasock/internal/channel"
	"github.com/luasock/luasock/internal/lang/luaarg"
	lua "github.com/yuin/gopher-lua"
	"golang.org/x/sys/unix"
)

// pollSlice bounds one poll(2) call, so that a select notices a stopping run.
const pollSlice = 250 * time.Millisecond

// selectEntry is one handle of one of stream_select's tables.
type selectEntry struct {
	table  *lua.LTable
	key    lua.LValue
	s      *stream
	pfd    int // index into the poll set
	intake int // a PROXY server's intake wakeFD in the poll set, or -1
}

// selectStreams is `stream_select(read, write, except, seconds [, microseconds])`
// → count | `nil, errstr, errno`. Each table (or nil) maps keys to handles;
// it is rewritten in place to the ready ones, keeping their keys. nil seconds
// waits forever. Readable: data (also data fgets buffered), a pending
// connection, or a closed peer. Writable: room to write, or a finished
// connect. Except: urgent (OOB) data. poll(2) has no 1024-descriptor limit.
// The read and write tables may also hold channels: readable when a receive
// would not wait, writable when a send would not (so a task waits on
// sockets and channels together).
func (a *api) selectStreams(L *lua.LState, fname string) int {
	tables, wait := checkSelectArgs(L, fname)
	var set pollSet
	for i, t := range tables {
		if t != nil {
			set.add(L, fname, i, t)
		}
	}
	if set.buffered {
		wait = 0 // data fgets read ahead is ready now
	}
	if err := a.waitForSet(L, &set, wait); err != nil {
		return pushFailure(L, err)
	}
	L.Push(lua.LNumber(set.keepReady()))
	return 1
}

// checkSelectArgs checks stream_select's arguments: the three tables (at
// least one given) and the wait (< 0: forever).
func checkSelectArgs(L *lua.LState, fname string) (tables [3]*lua.LTable, wait time.Duration) {
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
	if L.Get(4) == lua.LNil {
		return tables, -1
	}
	sec := luaarg.CheckNumber(L, 4, fname)
	if sec < 0 {
		luaarg.Error(L, 4, fname, "must be greater than or equal to 0")
	}
	usec := luaarg.OptNumber(L, 5, fname, 0)
	if usec < 0 {
		luaarg.Error(L, 5, fname, "must be greater than or equal to 0")
	}
	return tables, seconds(sec, usec)
}

// Which of stream_select's tables an entry is in, and what poll(2) asks for it.
const (
	selectRead = iota
	selectWrite
	selectExcept
)

var selectEvents = [3]int16{unix.POLLIN, unix.POLLOUT, unix.POLLPRI}

// pollSet is what one stream_select polls: a descriptor per stream, however
// many tables it is in, and an entry per table slot.
type pollSet struct {
	fds      []unix.PollFd
	index    map[*stream]int // the stream's descriptor in fds
	intakes  map[*stream]int // a PROXY server's intake wakeFD in fds
	entries  [3][]selectEntry
	chans    []chanEntry
	buffered bool // a readable stream has data buffered: no need to wait
}

// add puts the handles of table number i in the set; it raises for a value
// that is not an open stream.
func (p *pollSet) add(L *lua.LState, fname string, i int, t *lua.LTable) {
	t.ForEach(func(k, v lua.LValue) {
		if c, ok := channel.FromLua(v); ok {
			p.chans = append(p.chans, chanEntry{table: t, key: k, c: c, kind: i})
			return
		}
		ud, _ := v.(*lua.LUserData)
		var s *stream
		if ud != nil {
			s, _ = ud.Value.(*stream)
		}
		if s == nil || s.closed {
			msg := fmt.Sprintf("element %s is not a valid stream resource", lua.LVAsString(k))
			if s != nil && s.closedAt != nil {
				msg += ": " + s.closedAt.String()
			}
			luaarg.Error(L, i+1, fname, msg)
		}
		if i == selectRead && (len(s.readBuf) > 0 || len(s.dgrams) > 0) {
			p.buffered = true
		}
		n, ok := p.index[s]
		if !ok {
			if p.index == nil {
				p.index = map[*stream]int{}
			}
			n = len(p.fds)
			p.index[s] = n
			fd := -1
			_ = s.raw.Control(func(f uintptr) { fd = int(f) })
			p.fds = append(p.fds, unix.PollFd{Fd: int32(fd)})
		}
		p.fds[n].Events |= selectEvents[i]
		intake := -1
		if i == selectRead && s.proxy != nil {
			// Connections whose header was read wait in the intake, not
			// in the listener's queue.
			intake = p.addIntake(s)
		}
		p.entries[i] = append(p.entries[i], selectEntry{table: t, key: k, s: s, pfd: n, intake: intake})
	})
}

// addIntake puts a PROXY server's intake wakeFD in the set, once.
func (p *pollSet) addIntake(s *stream) int {
	if n, ok := p.intakes[s]; ok {
		return n
	}
	if p.intakes == nil {
		p.intakes = map[*stream]int{}
	}
	n := len(p.fds)
	p.intakes[s] = n
	p.fds = append(p.fds, unix.PollFd{Fd: int32(s.proxy.wake.r), Events: unix.POLLIN})
	return n
}

// keepReady removes the entries that are not ready from their tables and
// counts the rest.
func (p *pollSet) keepReady() int {
	ready := 0
	for i := range p.entries {
		for _, e := range p.entries[i] {
			rev := p.fds[e.pfd].Revents
			if e.intake >= 0 && p.fds[e.intake].Revents&unix.POLLIN != 0 {
				rev |= unix.POLLIN
			}
			if e.ready(i, rev) {
				ready++
			} else {
				e.table.RawSet(e.key, lua.LNil)
			}
		}
	}
	for _, e := range p.chans {
		if e.ready() {
			ready++
		} else {
			e.table.RawSet(e.key, lua.LNil)
		}
	}
	return ready
}

// ready tells whether an entry of table i is ready, given poll's answer.
func (e selectEntry) ready(i int, rev int16) bool {
	switch i {
	case selectRead:
		return rev&(unix.POLLIN|unix.POLLHUP|unix.POLLERR) != 0 || len(e.s.readBuf) > 0 || len(e.s.dgrams) > 0
	case selectWrite:
		return rev&(unix.POLLOUT|unix.POLLHUP|unix.POLLERR) != 0
	}
	return rev&unix.POLLPRI != 0
}

// chanEntry is a channel in one of stream_select's tables.
type chanEntry struct {
	table *lua.LTable
	key   lua.LValue
	c     *channel.Chan
	kind  int // selectRead, selectWrite or selectExcept (never ready)
}

func (e chanEntry) ready() bool {
	switch e.kind {
	case selectRead:
		return e.c.Readable()
	case selectWrite:
		return e.c.Writable()
	}
	return false
}

// waitForSet waits until something in the set is ready or wait passes
// (< 0: forever). Channels wake the poll through a wakeFD in the poll
// set; a channel that changed without becoming ready for this select (a
// value another task took first) does not end the wait.
func (a *api) waitForSet(L *lua.LState, p *pollSet, wait time.Duration) error {
	if len(p.chans) == 0 {
		return a.poll(L, p.fds, wait)
	}
	wake, err := newWakeFD(false)
	if err != nil {
		return err
	}
	defer wake.close()
	chans := make([]*channel.Chan, len(p.chans))
	for i, e := range p.chans {
		chans[i] = e.c
	}
	stop := channel.Watch(chans, wake.post)
	defer stop()
	fds := append(p.fds[:len(p.fds):len(p.fds)], unix.PollFd{Fd: int32(wake.r), Events: unix.POLLIN})
	deadline := time.Now().Add(wait)
	for {
		if p.chansReady() { // checked after Watch: no change is missed
			wait = 0
		}
		if err := a.poll(L, fds, wait); err != nil {
			return err
		}
		copy(p.fds, fds)
		if wait == 0 || p.socketsReady() || p.chansReady() {
			return nil
		}
		wake.drain() // this wake-up is used
		if wait > 0 {
			if wait = time.Until(deadline); wait <= 0 {
				return nil
			}
		}
		for i := range fds {
			fds[i].Revents = 0
		}
	}
}

func (p *pollSet) chansReady() bool {
	for _, e := range p.chans {
		if e.ready() {
			return true
		}
	}
	return false
}

func (p *pollSet) socketsReady() bool {
	for _, f := range p.fds {
		if f.Revents != 0 {
			return true
		}
	}
	return false
}

// poll waits until one of fds is ready or wait passes (< 0: forever), with
// the Lua lock released. It wakes every pollSlice to see whether the run stops.
func (a *api) poll(L *lua.LState, fds []unix.PollFd, wait time.Duration) error {
	n, err := pollRetry(fds, 0)
	if n != 0 || wait == 0 || err != nil {
		return err
	}
	ctx := a.waitContext(L)
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
