package host

import (
	"testing"
	"time"
)

// TestMemoryWatchDue: memory goes back only after a quiet second, and only
// once the heap grew well past what the last return left.
func TestMemoryWatchDue(t *testing.T) {
	const MiB = 1 << 20
	w := memoryWatch{baseline: 10 * MiB}
	steps := []struct {
		held, allocs uint64
		due          bool
		why          string
	}{
		{12 * MiB, 5 * MiB, false, "busy, small"},
		{150 * MiB, 200 * MiB, false, "a burst: allocating"},
		{150 * MiB, 200*MiB + 100, true, "the burst ended: quiet, 140 MiB more"},
		{30 * MiB, 200*MiB + 200, false, "quiet, 20 MiB over the baseline: not worth a collection"},
	}
	for _, s := range steps {
		if got := w.due(s.held, s.allocs); got != s.due {
			t.Fatalf("%s: due(%d MiB held, %d allocated) = %v", s.why, s.held/MiB, s.allocs, got)
		}
	}
	// After a return at 1 GiB held (a large idle server), growth below a
	// quarter of it is not worth a collection.
	w = memoryWatch{baseline: 1024 * MiB, allocs: 0}
	if w.due(1200*MiB, 0) {
		t.Fatal("176 MiB over 1 GiB: due")
	}
	if !w.due(1300*MiB, 0) {
		t.Fatal("276 MiB over 1 GiB, quiet: not due")
	}
}

// TestReturnMemoryStops: the watcher's goroutine ends with the run.
func TestReturnMemoryStops(t *testing.T) {
	stop, done := make(chan struct{}), make(chan struct{})
	go func() { returnMemory(stop); close(done) }()
	close(stop)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("returnMemory did not return after stop")
	}
}
