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
type lineWriter struct {
	mu     sync.Mutex
	w      io.Writer
	buf    []byte
	timer  *time.Timer
	armed  bool
	closed bool
}

func newLineWriter(w io.Writer) *lineWriter { return &lineWriter{w: w} }

func (lw *lineWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if lw.closed {
		return lw.w.Write(p)
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
		_, _ = lw.w.Write(lw.buf) // a closed pipe must not fail the script
		lw.buf = lw.buf[:0]
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
