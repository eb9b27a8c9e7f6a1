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
		fd := h.lockFD()
		if fd < 0 {
			return nil, nil
		}
		nfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
		h.unlockFD()
		if err != nil {
			return nil, err
		}
		s, err := newStream(nfd, h.transport, h.family)
		if err != nil {
			unix.Close(nfd)
			return nil, err
		}
		s.listening = h.listening
		if h.sockFile != nil { // the new handle removes it, not the old one
			s.sockFile = h.sockFile
			h.handedOver.Store(true)
		}
		return s, nil
	}
	return nil, nil
}
