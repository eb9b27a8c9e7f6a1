// Package impair is the pure part of luasock's network impairment
// (luasock run --slice, --delay, --drop, --duplicate, --reorder, --seed):
// the settings, how a write is cut into pieces, and the seeded decisions
// about each datagram. The socket binding applies them to the script's own
// sockets; nothing here touches a socket.
package impair

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Settings are the impairments of a run. The zero value impairs nothing.
type Settings struct {
	// Slice > 0: every read of a stream socket returns at most Slice bytes
	// and every write is sent in pieces of at most Slice bytes, each its
	// own send.
	Slice int
	// Delay (± Jitter, uniformly) before every send: each piece of a sliced
	// write, each datagram.
	Delay, Jitter time.Duration
	// Probabilities (0..1) for each datagram the script sends: not sent at
	// all; sent twice; held back and sent after the socket's next one.
	Drop, Duplicate, Reorder float64
	// Seed drives every decision, so that a run replays exactly.
	Seed uint64
}

// On tells whether s impairs anything.
func (s Settings) On() bool {
	return s.Slice > 0 || s.Delay > 0 || s.Jitter > 0 || s.Drop > 0 || s.Duplicate > 0 || s.Reorder > 0
}

// Random tells whether the seed decides anything: slicing and a fixed
// delay are the same on every run.
func (s Settings) Random() bool {
	return s.Jitter > 0 || s.Drop > 0 || s.Duplicate > 0 || s.Reorder > 0
}

// ErrValue is the failure of a flag value that does not parse.
var ErrValue = errors.New("bad impairment value")

// ParseDelay parses --delay's "MS[:JITTER]", both in milliseconds.
func ParseDelay(text string) (delay, jitter time.Duration, err error) {
	ms, jit, hasJitter := strings.Cut(text, ":")
	d, err1 := parseMillis(ms)
	j := 0.0
	var err2 error
	if hasJitter {
		j, err2 = parseMillis(jit)
	}
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("%w: %q is not MS[:JITTER] in milliseconds", ErrValue, text)
	}
	return time.Duration(d * float64(time.Millisecond)), time.Duration(j * float64(time.Millisecond)), nil
}

func parseMillis(s string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 3_600_000 || f != f {
		return 0, ErrValue
	}
	return f, nil
}

// ParseProbability parses a probability from 0 to 1.
func ParseProbability(text string) (float64, error) {
	p, err := strconv.ParseFloat(text, 64)
	if err != nil || !(p >= 0 && p <= 1) {
		return 0, fmt.Errorf("%w: %q is not a probability from 0 to 1", ErrValue, text)
	}
	return p, nil
}

// Pieces cuts n bytes into the lengths of the sends a write makes: pieces
// of at most size bytes (size <= 0: one piece). Zero bytes are one empty
// piece (an empty datagram is still a datagram).
func Pieces(n, size int) []int {
	if size <= 0 || n <= size {
		return []int{n}
	}
	out := make([]int, 0, (n+size-1)/size)
	for n > 0 {
		k := min(n, size)
		out = append(out, k)
		n -= k
	}
	return out
}

// ReadLength is how much one read may return under s: at most s.Slice.
func (s Settings) ReadLength(length int) int {
	if s.Slice > 0 && length > s.Slice {
		return s.Slice
	}
	return length
}

// Fate is what happens to one datagram the script sends.
type Fate struct {
	Drop      bool          // not sent
	Duplicate bool          // sent twice
	Hold      bool          // held back, sent after the socket's next datagram
	Delay     time.Duration // waited before sending
}

// Dice draws the decisions from the seed. It is safe for concurrent use;
// with one task the sequence of decisions, so the run, replays exactly.
type Dice struct {
	settings Settings
	mu       sync.Mutex
	rng      *rand.Rand
}

// NewDice makes the decisions of s for the stream of decisions numbered
// stream (a worker's number: each worker replays on its own).
func NewDice(s Settings, stream uint64) *Dice {
	// PCG's first draws from small seeds (1, 2, 3) are alike: mix them.
	return &Dice{settings: s, rng: rand.New(rand.NewPCG(splitmix(s.Seed), splitmix(stream^0x9e3779b97f4a7c15)))}
}

// splitmix is SplitMix64's output function: nearby seeds, distant states.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// Settings are the impairments the dice decide.
func (d *Dice) Settings() Settings { return d.settings }

// Delay is the wait before one send: Delay ± Jitter, never below 0.
func (d *Dice) Delay() time.Duration {
	if d.settings.Delay == 0 && d.settings.Jitter == 0 {
		return 0
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.delayLocked()
}

func (d *Dice) delayLocked() time.Duration {
	w := d.settings.Delay
	if j := d.settings.Jitter; j > 0 {
		w += time.Duration(d.rng.Int64N(int64(2*j)+1)) - j
	}
	return max(w, 0)
}

// Datagram decides the fate of the next datagram. Every probability draws
// a number whether or not it is set, so that adding one impairment keeps
// the others' decisions.
func (d *Dice) Datagram() Fate {
	d.mu.Lock()
	defer d.mu.Unlock()
	drop, dup, hold := d.rng.Float64(), d.rng.Float64(), d.rng.Float64()
	f := Fate{
		Drop:      drop < d.settings.Drop,
		Duplicate: dup < d.settings.Duplicate,
		Hold:      hold < d.settings.Reorder,
	}
	if !f.Drop {
		f.Delay = d.delayLocked()
	}
	return f
}

// NewSeed is a seed for a run that was given none: printed, so that a
// failure can be replayed with --seed.
func NewSeed() uint64 { return rand.Uint64() % 1_000_000_000 }
