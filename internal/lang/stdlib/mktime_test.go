package stdlib

import (
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/luasock/luasock/internal/clock"
	"github.com/luasock/luasock/internal/testprog"
	lua "github.com/yuin/gopher-lua"
)

// mktimeZones have DST gaps and repeated hours of every shape: an hour
// (Paris, New York), half an hour (Lord Howe), negative DST (Dublin), a
// skipped day (Apia), DST abolished (Sao Paulo), none at all (Kolkata).
var mktimeZones = []string{"Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Europe/Dublin",
	"Pacific/Apia", "America/Sao_Paulo", "Asia/Kolkata", "UTC"}

// mktimeProgram is n calls of os.time and os.date in zone, with dates
// around the zone's offset changes (the gap, the repeated hour), isdst
// given or not, and out-of-range fields: what glibc's mktime decides.
func mktimeProgram(r *rand.Rand, zone *time.Location, n int) string {
	var b strings.Builder
	b.WriteString("local function p(...) local t = {} for i = 1, select('#', ...) do t[i] = tostring((select(i, ...))) end print(table.concat(t, ' ')) end\n")
	pick := func(options ...string) string { return options[r.Intn(len(options))] }
	for i := 0; i < n; i++ {
		// a second near an offset change between 1970 and 2037
		at := time.Unix(r.Int63n(1<<31), 0).In(zone)
		if _, end := at.ZoneBounds(); !end.IsZero() && r.Intn(4) > 0 {
			at = end.Add(time.Duration(r.Intn(7201)-3600) * time.Second).In(zone)
		}
		y, mo, d := at.Date()
		h, mi, s := at.Clock()
		if r.Intn(3) == 0 {
			mi = []int{0, 15, 30, 45, 59, 60, -1, 90}[r.Intn(8)]
		}
		if r.Intn(4) == 0 {
			s = []int{0, 59, 60, 61, -1, 3600, -3600, 86400}[r.Intn(8)]
		}
		if r.Intn(5) == 0 {
			h += r.Intn(5) - 2
		}
		if r.Intn(8) == 0 {
			mo += time.Month(pick12(r))
		}
		if r.Intn(8) == 0 {
			d += r.Intn(63) - 31
		}
		fields := fmt.Sprintf("year = %d, month = %d, day = %d, hour = %d, min = %d, sec = %d", y, mo, d, h, mi, s)
		isdst := pick("", "", ", isdst = true", ", isdst = false")
		fmt.Fprintf(&b, "p(%d, os.time({%s%s}))\n", i, fields, isdst)
		if r.Intn(4) == 0 {
			fmt.Fprintf(&b, "p(%d, os.date('%%Y-%%m-%%d %%H:%%M:%%S %%Z %%z %%s|!%%s', %d), os.date('!%%s', %d))\n", i, at.Unix(), at.Unix())
		}
		if r.Intn(4) == 0 {
			fmt.Fprintf(&b, "do local t = os.date('*t', %d) p(%d, t.isdst, t.yday, t.wday, os.time(t)) end\n", at.Unix(), i)
		}
	}
	return b.String()
}

func pick12(r *rand.Rand) int { return []int{-13, -12, -1, 1, 11, 12, 13}[r.Intn(7)] }

// TestMktimeAsLua51: os.time and os.date's %s are glibc's mktime, call
// for call, as lua5.1 runs them with TZ set to zones with every kind of
// DST change. MKTIME_SEED replays a run.
func TestMktimeAsLua51(t *testing.T) {
	lua51 := testprog.Need(t, "lua5.1", "lua5.1")
	seed := testprog.EnvInt(t, "MKTIME_SEED", time.Now().UnixNano())
	t.Logf("seed %d (replay: MKTIME_SEED=%d)", seed, seed)
	r := rand.New(rand.NewSource(seed))
	for _, name := range mktimeZones {
		zone, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		if zone == time.UTC {
			zone = time.FixedZone("UTC", 0) // TZ=UTC's local zone, not gmtime's
		}
		src := mktimeProgram(r, zone, 300)

		cmd := exec.Command(lua51, "-")
		cmd.Env = append(os.Environ(), "TZ="+name)
		cmd.Stdin = strings.NewReader(src)
		want, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("lua5.1: %v\n%s", err, want)
		}

		restore := clock.Set(time.Now(), zone)
		var got strings.Builder
		L := lua.NewState()
		Open(L)
		L.SetGlobal("print", L.NewFunction(func(L *lua.LState) int {
			got.WriteString(L.CheckString(1) + "\n")
			return 0
		}))
		err = L.DoString(src)
		L.Close()
		restore()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}

		wantLines, gotLines := strings.Split(string(want), "\n"), strings.Split(got.String(), "\n")
		bad := 0
		for i := range max(len(wantLines), len(gotLines)) {
			var w, g string
			if i < len(wantLines) {
				w = wantLines[i]
			}
			if i < len(gotLines) {
				g = gotLines[i]
			}
			if w != g {
				if bad++; bad <= 10 {
					t.Errorf("%s, case %s:\nluasock %s\nlua5.1  %s\n%s", name, strings.Fields(w + " ?")[0], g, w, caseSource(src, w))
				}
			}
		}
	}
}

// caseSource is the line of the program that printed line.
func caseSource(src, line string) string {
	id := strings.Fields(line + " ?")[0]
	var lines []string
	for _, l := range strings.Split(src, "\n") {
		if strings.Contains(l, "p("+id+",") {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}
