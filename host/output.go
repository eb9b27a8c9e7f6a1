package host

import (
	"io"
	"sync"
	"time"
)

// flushDelay bounds how long a printed line may wait in the buffer: a reader
// of a pipe sees each line well within 100 ms, without one write per line.
const flushDelay = 20 * time.Millisecond

// flushSize flushes at once when this much output is waiting.
const flushSize = 64 << 10

// lineWriter is the script's stdout. Safe for concurrent use (workers).
// A write that fails (the reader of a pipe went away) must not fail the
// script: from then on output is dropped, and broken is told once.
type lineWriter struct {
	mu     sync.Mutex
	w      io.Writer
	buf    []byte
	timer  *time.Timer
	armed  bool
	closed bool
	failed bool
	broken func(error) // called once, with the lock held, on the first failed write
}

func newLineWriter(w io.Writer, broken func(error)) *lineWriter {
	return &lineWriter{w: w, broken: broken}
}

func (lw *lineWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if lw.failed {
		return len(p), nil
	}
	if lw.closed {
		lw.write(p)
		return len(p), nil
	}
	lw.buf = append(lw.buf, p...)
	switch {
	case len(lw.buf) >= flushSize:
		lw.flushLocked()
	case !lw.armed:
		lw.armed = true
		if lw.timer == nil {
			lw.timer = time.AfterFunc(flushDelay, lw.Flush)
		} else {
			lw.timer.Reset(flushDelay)
		}
	}
	return len(p), nil
}

// Flush writes what is buffered.
func (lw *lineWriter) Flush() {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	lw.flushLocked()
}

func (lw *lineWriter) flushLocked() {
	lw.armed = false
	if len(lw.buf) > 0 {
		lw.write(lw.buf)
		lw.buf = lw.buf[:0]
	}
}

// write writes p through, unless an earlier write failed.
func (lw *lineWriter) write(p []byte) {
	if lw.failed {
		return
	}
	if _, err := lw.w.Write(p); err != nil {
		lw.failed = true
		if lw.broken != nil {
			lw.broken(err)
		}
	}
}

// Close flushes and stops the timer; later writes go straight through.
func (lw *lineWriter) Close() {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if lw.timer != nil {
		lw.timer.Stop()
	}
	lw.flushLocked()
	lw.closed = true
}
