package luabind

import "golang.org/x/sys/unix"

// wakeFD is a descriptor that poll(2) finds readable while its count is
// above zero: an eventfd on Linux, a self-pipe elsewhere (newWakeFD, in
// sys_*.go). A PROXY server's intake counts its ready connections in one;
// stream_select's channels wake its poll through one.
type wakeFD struct {
	r, w  int    // the eventfd twice, or the pipe's two ends
	token []byte // what one post writes: eventfd's 8-byte 1, or a pipe's byte
}

// post adds one to the count. A pipe that is full is readable anyway.
func (w wakeFD) post() { _, _ = unix.Write(w.w, w.token) }

// takeOne takes one off the count: a semaphore eventfd's read, a pipe's
// byte.
func (w wakeFD) takeOne() {
	var b [8]byte
	_, _ = unix.Read(w.r, b[:len(w.token)])
}

// drain takes the whole count: one read of an eventfd, a pipe's bytes until
// it is empty.
func (w wakeFD) drain() {
	var b [64]byte
	for {
		if n, err := unix.Read(w.r, b[:]); err != nil || n < len(b) {
			return
		}
	}
}

func (w wakeFD) close() {
	unix.Close(w.r)
	if w.w != w.r {
		unix.Close(w.w)
	}
}
