package impair

import (
	"slices"
	"testing"
	"time"
)

func TestPieces(t *testing.T) {
	for _, c := range []struct {
		n, size int
		want    []int
	}{
		{5, 1, []int{1, 1, 1, 1, 1}},
		{7, 3, []int{3, 3, 1}},
		{3, 0, []int{3}},
		{0, 2, []int{0}},
		{4, 4, []int{4}},
	} {
		if got := Pieces(c.n, c.size); !slices.Equal(got, c.want) {
			t.Errorf("Pieces(%d, %d) = %v, want %v", c.n, c.size, got, c.want)
		}
	}
}

func TestParse(t *testing.T) {
	d, j, err := ParseDelay("20:5")
	if err != nil || d != 20*time.Millisecond || j != 5*time.Millisecond {
		t.Errorf("ParseDelay(20:5) = %v, %v, %v", d, j, err)
	}
	if d, j, err = ParseDelay("1.5"); err != nil || d != 1500*time.Microsecond || j != 0 {
		t.Errorf("ParseDelay(1.5) = %v, %v, %v", d, j, err)
	}
	for _, bad := range []string{"", "x", "-1", "5:", "5:-1", "NaN"} {
		if _, _, err := ParseDelay(bad); err == nil {
			t.Errorf("ParseDelay(%q) took it", bad)
		}
	}
	for _, bad := range []string{"", "1.01", "-0.1", "NaN", "x"} {
		if _, err := ParseProbability(bad); err == nil {
			t.Errorf("ParseProbability(%q) took it", bad)
		}
	}
}

// The same seed gives the same decisions; the rates come out near the
// probabilities asked.
func TestDiceReplays(t *testing.T) {
	s := Settings{Drop: 0.3, Duplicate: 0.2, Reorder: 0.1, Delay: 10 * time.Millisecond, Jitter: 5 * time.Millisecond, Seed: 42}
	a, b := NewDice(s, 1), NewDice(s, 1)
	drops := 0
	const n = 10000
	for range n {
		fa, fb := a.Datagram(), b.Datagram()
		if fa != fb {
			t.Fatalf("same seed, different fates: %+v %+v", fa, fb)
		}
		if fa.Drop {
			drops++
		} else if fa.Delay < 5*time.Millisecond || fa.Delay > 15*time.Millisecond {
			t.Fatalf("delay %v outside 10ms ± 5ms", fa.Delay)
		}
	}
	if drops < n*25/100 || drops > n*35/100 {
		t.Errorf("%d drops in %d at 0.3", drops, n)
	}
	if ReadLength := (Settings{Slice: 3}).ReadLength(10); ReadLength != 3 {
		t.Errorf("ReadLength = %d", ReadLength)
	}
}
