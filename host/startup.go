package host

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// startup is what happens once every worker's main task has first waited:
// by then the script has made its servers (on privileged ports too), so
// luasock writes Options.ReadyFile, drops to Options.User and tells
// systemd READY=1 (Options.NotifySocket). With a user to drop to, each
// worker waits there, its Lua lock held, until the last one arrives: no
// Lua code runs as root after it. A reload's new generation has its own
// startup, which does not drop privileges again (adopted servers need none).
type startup struct {
	opts    Options
	user    string // Options.User, for the first generation only
	first   bool   // the first generation: it announces where it listens
	mu      sync.Mutex
	pending int           // workers yet to arrive
	done    chan struct{} // closed once it ran: the generation serves
	err     error         // its failure: every worker stops
	early   bool          // a worker ended before it first waited
	runs    []*scriptRun
}

func newStartup(opts Options, workers int, first bool) *startup {
	s := &startup{opts: opts, pending: workers, done: make(chan struct{}), first: first}
	if first {
		s.user = opts.User
	}
	return s
}

// arrive is a worker's first wait (or its end, if it never waited). The
// last to arrive runs the startup, and on failure says why and stops every
// worker; the others wait for it when there is a user to drop to.
func (s *startup) arrive(rt *scriptRun, ended bool) {
	s.mu.Lock()
	s.early = s.early || ended
	s.pending--
	s.runs = append(s.runs, rt)
	last := s.pending == 0
	s.mu.Unlock()
	if last {
		if s.early { // a worker ended: the generation does not serve
			close(s.done)
			return
		}
		if s.err = s.run(); s.err != nil {
			rt.stdout.Flush()
			fmt.Fprintf(rt.stderr, "luasock: %v\n", s.err)
			for _, r := range s.runs {
				r.stop(ExitError)
			}
		}
		close(s.done)
		return
	}
	if s.user != "" {
		select {
		case <-s.done:
		case <-rt.ctx.Done():
		}
	}
}

func (s *startup) run() error {
	if s.opts.ReadyFile != "" {
		if err := writeReadyFile(s.opts.ReadyFile, s.serverAddresses()); err != nil {
			return fmt.Errorf("--ready-file: %w", err)
		}
	}
	if addrs := s.serverAddresses(); s.opts.Announce != nil && s.first && len(addrs) > 0 {
		s.runs[0].stdout.Flush() // what the script printed first comes first
		fmt.Fprintf(s.opts.Announce, "luasock: listening on %s\n", strings.Join(addrs, " and "))
	}
	if s.user != "" {
		if err := dropPrivileges(s.user); err != nil {
			return fmt.Errorf("--user %s: %w", s.user, err)
		}
	}
	// Last: whoever waits for READY=1 sees the process as it will stay.
	if s.opts.NotifySocket != "" {
		if err := sdNotify(s.opts.NotifySocket, "READY=1"); err != nil {
			return fmt.Errorf("NOTIFY_SOCKET: %w", err)
		}
	}
	return nil
}

// serverAddresses lists the servers every worker has open, once each.
func (s *startup) serverAddresses() []string {
	var addrs []string
	for _, rt := range s.runs {
		for _, srv := range rt.servers() {
			if !slices.Contains(addrs, srv.Address()) {
				addrs = append(addrs, srv.Address())
			}
		}
	}
	slices.Sort(addrs)
	return addrs
}

// writeReadyFile writes the servers' addresses, one a line, to path at
// once (a temporary file renamed): a reader never sees half of it.
func writeReadyFile(path string, addrs []string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	text := strings.Join(addrs, "\n")
	if text != "" {
		text += "\n"
	}
	_, err = tmp.WriteString(text)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
	}
	return err
}

// sdNotify sends state to systemd's notification socket (sd_notify(3)): a
// path, or an abstract name written with a leading '@'.
func sdNotify(socket, state string) error {
	addr := &net.UnixAddr{Name: socket, Net: "unixgram"}
	if strings.HasPrefix(socket, "@") {
		addr.Name = "\x00" + socket[1:]
	}
	c, err := net.DialUnix("unixgram", nil, addr)
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.Write([]byte(state))
	return err
}

// dropPrivileges makes every thread of the process run as spec ("user" or
// "user:group", names or numbers) with the user's groups, for good: as
// root, setuid sets the saved uid too, so nothing can take root back. On
// Linux, where ids are per thread, Go applies setuid, setgid and setgroups
// to every thread; on macOS and the BSDs they are the process's anyway.
func dropPrivileges(spec string) error {
	name, group, _ := strings.Cut(spec, ":")
	u, err := lookupUser(name)
	if err != nil {
		return err
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return err
	}
	groups := []int{gid}
	if ids, err := u.GroupIds(); err == nil {
		for _, g := range ids {
			if n, err := strconv.Atoi(g); err == nil && !slices.Contains(groups, n) {
				groups = append(groups, n)
			}
		}
	}
	if group != "" {
		g, err := lookupGroup(group)
		if err != nil {
			return err
		}
		if gid, err = strconv.Atoi(g.Gid); err != nil {
			return err
		}
		groups = []int{gid}
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return err
	}
	if err := syscall.Setgroups(groups); err != nil {
		return fmt.Errorf("setgroups: %w", err)
	}
	if err := syscall.Setgid(gid); err != nil {
		return fmt.Errorf("setgid: %w", err)
	}
	if err := syscall.Setuid(uid); err != nil {
		return fmt.Errorf("setuid: %w", err)
	}
	if syscall.Setuid(0) == nil && uid != 0 {
		return errors.New("root could be taken back after setuid")
	}
	return nil
}

func lookupUser(name string) (*user.User, error) {
	if _, err := strconv.Atoi(name); err == nil {
		return user.LookupId(name)
	}
	return user.Lookup(name)
}

func lookupGroup(name string) (*user.Group, error) {
	if _, err := strconv.Atoi(name); err == nil {
		return user.LookupGroupId(name)
	}
	return user.LookupGroup(name)
}

// firstWait is this worker's arrival at the startup, once, with the Lua
// lock held.
func (rt *scriptRun) firstWait() {
	if !rt.arrived.Swap(true) {
		rt.startup.arrive(rt, false)
	}
}

// failed tells, once done is closed, that the generation does not serve:
// the startup failed, or a worker ended before it first waited.
func (s *startup) failed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err != nil || s.early
}
