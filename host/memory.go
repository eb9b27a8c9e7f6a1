package host

import (
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// A burst (10,000 tasks that raise, 10,000 connections that come and go)
// leaves its memory to Go's heap: collected, but held for reuse, and an
// idle server allocates nothing that would make the runtime give it back
// soon (its scavenger returns a little at a time; a whole burst took
// minutes). So, with Options.ReturnMemory, a watcher looks once a second
// and, once the run has been quiet for that second after its heap grew
// well past what it held after the last return, collects and gives the
// free memory back to the system (debug.FreeOSMemory). A busy server is
// never quiet, and pays only the look.

// memoryCheckEvery is how often the watcher looks.
const memoryCheckEvery = time.Second

// Thresholds of memoryWatch.due: the heap must have grown by at least
// returnGrowth, and a quarter, since the last return; a second in which
// less than quietAllocs was allocated is quiet.
const (
	returnGrowth = 32 << 20
	quietAllocs  = 1 << 20
)

// memoryWatch decides when to give memory back. Only the watcher's
// goroutine uses it.
type memoryWatch struct {
	baseline uint64 // heap bytes held after the last return
	allocs   uint64 // bytes allocated since the start, at the last look
}

// due tells, from the heap's bytes held (objects, free and unused spans)
// and the bytes allocated since the start, whether to return memory now.
func (w *memoryWatch) due(held, allocs uint64) bool {
	quiet := allocs-w.allocs < quietAllocs
	w.allocs = allocs
	return quiet && held >= w.baseline+max(returnGrowth, w.baseline/4)
}

// heapSamples are what the watcher reads: the heap's held bytes are the
// first three's sum.
var heapSamples = []string{
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/free:bytes",
	"/memory/classes/heap/unused:bytes",
	"/gc/heap/allocs:bytes",
}

func readHeap(s []metrics.Sample) (held, allocs uint64) {
	metrics.Read(s)
	return s[0].Value.Uint64() + s[1].Value.Uint64() + s[2].Value.Uint64(), s[3].Value.Uint64()
}

// returnMemory is the watcher: it runs on its own goroutine until stop is
// closed, and touches nothing but the runtime's counters.
func returnMemory(stop <-chan struct{}) {
	s := make([]metrics.Sample, len(heapSamples))
	for i, name := range heapSamples {
		s[i].Name = name
	}
	var w memoryWatch
	w.baseline, w.allocs = readHeap(s)
	tick := time.NewTicker(memoryCheckEvery)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		if w.due(readHeap(s)) {
			debug.FreeOSMemory()
			w.baseline, w.allocs = readHeap(s)
		}
	}
}
