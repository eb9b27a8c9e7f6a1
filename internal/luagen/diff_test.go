package luagen_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/luagen"
	"github.com/luasock/luasock/internal/testprog"
)

// batchDriver runs p0.lua .. p<n-1>.lua of a directory in one lua5.1, each
// in its own global environment, and ends each output with a marker line.
const batchDriver = `
local dir, n = ...
for i = 0, tonumber(n) - 1 do
  local f = loadfile(dir .. "/p" .. i .. ".lua")
  local status = "compile"
  if f then
    setfenv(f, setmetatable({}, {__index = _G}))
    status = pcall(f) and "ok" or "error"
  end
  io.write("` + marker + `", i, " ", status, "\n")
end
`

const marker = "@@LUAGEN-END "

// run is one program's outcome: stdout and whether it ended without error.
type run struct {
	out string
	ok  bool
}

func (r run) String() string {
	status := "exit 0"
	if !r.ok {
		status = "error exit"
	}
	return fmt.Sprintf("%s\n%s", status, r.out)
}

// TestDifferential runs generated programs with lua5.1 and with luasock and
// compares stdout and success. LUAGEN_N (2000), LUAGEN_SEED (the time),
// LUAGEN_FEATURES ("all"; e.g. "all,-numbers"), LUAGEN_INDEX (only that
// program), LUAGEN_REPORTS (5: minimized reports, one per kind of first
// difference; a summary counts programs per kind) and
// LUAGEN_LOOSE_NUMBERS=1 (numbers compared to 10 digits, nan and zero
// unsigned: an aid to find other differences while number formatting
// differs; a value on a rounding boundary can still differ) tune it.
func TestDifferential(t *testing.T) {
	lua := testprog.Need(t, "lua5.1", "lua5.1")
	n := testprog.EnvInt(t, "LUAGEN_N", 2000)
	seed := testprog.EnvInt(t, "LUAGEN_SEED", time.Now().UnixNano())
	index := testprog.EnvInt(t, "LUAGEN_INDEX", -1)
	reports := testprog.EnvInt(t, "LUAGEN_REPORTS", 5)
	features, err := luagen.ParseFeatures(os.Getenv("LUAGEN_FEATURES"))
	if err != nil {
		t.Fatal(err)
	}
	loose := os.Getenv("LUAGEN_LOOSE_NUMBERS") == "1"
	replay := fmt.Sprintf("LUAGEN_SEED=%d LUAGEN_FEATURES=%s", seed, features)
	if loose {
		replay += " LUAGEN_LOOSE_NUMBERS=1"
	}
	t.Logf("%s LUAGEN_N=%d go test -run TestDifferential ./internal/luagen/", replay, n)

	var idx []int64
	for i := int64(0); i < n; i++ {
		if index < 0 || i == index {
			idx = append(idx, i)
		}
	}
	progs := make([]string, len(idx))
	dir := t.TempDir()
	for k, i := range idx {
		// one source per program: any program regenerates alone
		progs[k] = luagen.Generate(rand.New(rand.NewSource(programSeed(seed, i))), luagen.Options{Features: features})
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("p%d.lua", k)), []byte(progs[k]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	want := referenceBatch(t, lua, dir, len(progs))
	refTime := time.Since(start)

	start = time.Now()
	var minimizing time.Duration
	failed := 0
	classes := map[string]int{} // difference signature -> programs
	var order []string
	for k, src := range progs {
		if !want[k].ok {
			t.Errorf("%s LUAGEN_INDEX=%d: lua5.1 itself fails on the generated program (a generator bug):\n%s\n--- lua5.1:\n%s", replay, idx[k], src, want[k])
			continue
		}
		got := luasock(src)
		d, differs := firstDifference(want[k], got, loose, features&luagen.NegativeZero != 0)
		if !differs {
			continue
		}
		failed++
		sig := d.class()
		classes[sig]++
		if classes[sig] > 1 || int64(len(order)) >= reports {
			continue
		}
		order = append(order, sig)
		// shrink while the same first difference remains, so the
		// reproducer shows this difference and not another one
		minStart := time.Now()
		small := luagen.Minimize(src, func(cand string) bool {
			w := reference(lua, cand)
			cd, differs := firstDifference(w, luasock(cand), loose, features&luagen.NegativeZero != 0)
			return w.ok && differs && cd == d
		}, 400)
		minimizing += time.Since(minStart)
		t.Errorf("%s LUAGEN_INDEX=%d: luasock differs from lua5.1: %s\n--- minimized program:\n%s--- lua5.1:\n%s--- luasock:\n%s",
			replay, idx[k], d, small, reference(lua, small), luasock(small))
	}
	t.Logf("%d programs: %d differ; lua5.1 batch %v, luasock %v, minimizing %v", len(progs), failed, refTime, time.Since(start)-minimizing, minimizing)
	if failed > 0 {
		sort.Slice(order, func(i, j int) bool { return classes[order[i]] > classes[order[j]] })
		var sum strings.Builder
		for sig, c := range classes {
			fmt.Fprintf(&sum, "\n%6d  %s", c, sig)
		}
		t.Errorf("%s: %d of %d programs differ; programs per first difference (digits shown as 9):%s", replay, failed, len(progs), sortLines(sum.String()))
	}
}

// luasock runs src in-process as `luasock run gen.lua` would. A program
// still running after 10s (a luasock bug: lua5.1 ended it) is stopped.
func luasock(src string) run {
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	code := host.RunContext(ctx, host.Options{Script: "gen.lua", Source: []byte(src), Stdout: &out, Stderr: &errb})
	return run{out: out.String(), ok: code == 0}
}

// reference runs src alone in lua5.1; one running past 2s (a minimizer's
// candidate that lost a loop's increment) counts as failing.
func reference(lua, src string) run {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, lua, "-")
	cmd.Stdin = strings.NewReader(src)
	out, err := cmd.Output()
	return run{out: string(out), ok: err == nil}
}

// referenceBatch runs p0..p<n-1>.lua of dir in one lua5.1 process.
func referenceBatch(t *testing.T, lua, dir string, n int) []run {
	driver := filepath.Join(dir, "driver.lua")
	if err := os.WriteFile(driver, []byte(batchDriver), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(lua, driver, dir, strconv.Itoa(n)).Output()
	if err != nil {
		t.Fatalf("lua5.1 batch: %v", err)
	}
	runs := make([]run, 0, n)
	var cur strings.Builder
	for _, line := range strings.SplitAfter(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, marker); ok {
			f := strings.Fields(rest)
			if len(f) != 2 || f[0] != strconv.Itoa(len(runs)) {
				t.Fatalf("lua5.1 batch: bad marker %q", line)
			}
			runs = append(runs, run{out: cur.String(), ok: f[1] == "ok"})
			cur.Reset()
			continue
		}
		cur.WriteString(line)
	}
	if len(runs) != n {
		t.Fatalf("lua5.1 batch: %d results for %d programs", len(runs), n)
	}
	return runs
}

// difference is the first field (tab-separated, in the first differing
// line) where lua5.1 and luasock differ, or a difference in success.
type difference struct{ want, got string }

func (d difference) String() string { return fmt.Sprintf("lua5.1 %q, luasock %q", d.want, d.got) }

// class is d with every digit written as 9, to count programs per kind.
func (d difference) class() string {
	nines := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return '9'
			}
			return r
		}, s)
	}
	return difference{nines(d.want), nines(d.got)}.String()
}

// firstDifference compares two runs; loose compares numbers with 10 digits.
// firstDifference finds the first field that differs. Without the
// NegativeZero feature the sign of a zero is ignored, and with it the sign
// of an infinity (x / -0): the engine stores a -0 result as 0 (a known
// difference), and ordinary arithmetic makes -0 (0 * -7).
func firstDifference(want, got run, loose, signedZero bool) (difference, bool) {
	if want.ok != got.ok {
		return difference{fmt.Sprintf("ok=%v", want.ok), fmt.Sprintf("ok=%v", got.ok)}, true
	}
	w, g := strings.Split(want.out, "\n"), strings.Split(got.out, "\n")
	for i := range max(len(w), len(g)) {
		if i >= len(w) {
			return difference{"(no more lines)", g[i]}, true
		}
		if i >= len(g) {
			return difference{w[i], "(no more lines)"}, true
		}
		wf, gf := strings.Split(w[i], "\t"), strings.Split(g[i], "\t")
		for j := range max(len(wf), len(gf)) {
			if j >= len(wf) || j >= len(gf) {
				return difference{w[i], g[i]}, true
			}
			if !signedZero && unsignedZero(wf[j]) == unsignedZero(gf[j]) {
				continue
			}
			if wf[j] != gf[j] && (!loose || looseNumbers(wf[j]) != looseNumbers(gf[j])) {
				return difference{wf[j], gf[j]}, true
			}
		}
	}
	return difference{}, false
}

// signedZeroText is a -0 in text (not the start of -0.5 or -0x10), or the
// sign of an infinity, which a division by a lost -0 flips.
var signedZeroText = regexp.MustCompile(`-(0(?:[^.0-9ex]|$)|inf)`)

// unsignedZero is a field with -0 written 0 and -inf inf.
func unsignedZero(field string) string {
	return signedZeroText.ReplaceAllStringFunc(field, func(m string) string { return m[1:] })
}

func sortLines(s string) string {
	lines := strings.Split(s, "\n")
	sort.Sort(sort.Reverse(sort.StringSlice(lines)))
	return "\n" + strings.Join(lines, "\n")
}

var numberText = regexp.MustCompile(`[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?|[iI]nf|[nN]a[nN])`)

// looseNumbers rewrites every number in s with 10 significant digits, nan
// and zero without their sign, and huge (1.797e308) as inf.
func looseNumbers(s string) string {
	return numberText.ReplaceAllStringFunc(s, func(n string) string {
		n = strings.TrimPrefix(n, "+")
		neg := strings.HasPrefix(n, "-")
		v, err := strconv.ParseFloat(strings.TrimPrefix(n, "-"), 64)
		switch {
		case err != nil && !errors.Is(err, strconv.ErrRange):
			return n
		case v != v:
			return "nan"
		case v == 0:
			return "0"
		case v == math.MaxFloat64:
			v = math.Inf(1)
		}
		if neg {
			v = -v
		}
		return strconv.FormatFloat(v, 'g', 10, 64)
	})
}

// programSeed mixes the run's seed and a program's index (splitmix64), so
// nearby seeds give unrelated programs.
func programSeed(seed, i int64) int64 {
	z := uint64(seed) + uint64(i+1)*0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return int64(z ^ z>>31)
}
