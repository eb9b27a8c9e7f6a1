package luabind

import (
	"slices"

	"golang.org/x/sys/unix"
)

// A reload starts a new state from the new code while the old one still
// serves (Config.Takeover). The new state's stream_socket_server for an
// address that an old server was made with, with the same flags, takes a
// second descriptor of that server's socket instead of binding: the socket,
// its queue of clients and its file (unix) carry on, and a privileged port
// needs no root again. The old state then closes its own descriptor.

// takeOver returns a stream on the socket of the old server made with
// address and flags, or nil when there is none (or it is closed already).
func (a *api) takeOver(address string, flags int) (*stream, error) {
	for i, srv := range a.takeover {
		h, ok := srv.(serverHandle)
		if !ok || h.request != address || h.requestFlags != flags {
			continue
		}
		a.takeover = slices.Delete(a.takeover, i, i+1) // each is taken once
		s, err := h.duplicate()
		if s == nil || err != nil {
			return nil, err
		}
		if h.sockFile != nil { // the new handle removes it, not the old one
			s.sockFile = h.sockFile
			h.handedOver.Store(true)
		}
		return s, nil
	}
	return nil, nil
}

// duplicate is a new stream on a second descriptor of s's socket (nil
// when s is closed): a server taken over, or shared by workers.
func (s *stream) duplicate() (*stream, error) {
	fd := s.lockFD()
	if fd < 0 {
		return nil, nil
	}
	nfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	s.unlockFD()
	if err != nil {
		return nil, err
	}
	d, err := newStream(nfd, s.transport, s.family)
	if err != nil {
		unix.Close(nfd)
		return nil, err
	}
	d.listening = s.listening
	return d, nil
}
