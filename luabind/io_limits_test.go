package luabind

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/luasock/luasock/internal/testprog"
	"github.com/luasock/luasock/internal/testutil/fakehost"
	lua "github.com/yuin/gopher-lua"
)

// runAgainst runs setup (which must set the global `server`), hands the
// server's address to peer on its own goroutine, then runs src.
func runAgainst(t *testing.T, setup, src string, peer func(c net.Conn)) *lua.LState {
	t.Helper()
	L := lua.NewState()
	t.Cleanup(L.Close)
	Open(L, fakehost.New(t), Config{})
	if err := L.DoString(setup); err != nil {
		t.Fatal(err)
	}
	addr := lua.LVAsString(L.GetGlobal("address"))
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		peer(c)
	}()
	if err := L.DoString(src); err != nil {
		t.Fatal(err)
	}
	<-done
	return L
}

const serverSetup = `
server = assert(stream_socket_server("tcp://127.0.0.1:0"))
address = server:name()
`

// counted is a line of n bytes whose every 8 bytes say their offset, so a
// misplaced chunk shows.
func counted(n int) []byte {
	var b strings.Builder
	b.Grow(n + 8)
	for i := 0; b.Len() < n; i += 8 {
		fmt.Fprintf(&b, "%08d", i)
	}
	return []byte(b.String()[:n])
}

// TestLongLineLinear: fgets without a length and stream_get_line with a
// huge one on a 24 MiB line that arrives in 8 KiB reads. The work is
// linear: every byte is searched for the ending about once (the old code
// searched the whole buffer after every read: ~35 GB here), and the run
// allocates about twice the line (what arrives, then the string returned),
// not the ~6× of a buffer grown by append.
func TestLongLineLinear(t *testing.T) {
	const n = 24 << 20
	line := counted(n)
	tests := []struct{ name, read, ending string }{
		{"fgets", "fgets(c)", "\n"},
		{"stream_get_line", "stream_get_line(c, 1e9, '\\r\\n')", "\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := `
local c = assert(stream_socket_accept(server))
line = ` + tt.read + `
rest = fgets(c)
after = fgets(c)
`
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			scanned0 := scannedBytes.Load()
			L := runAgainst(t, serverSetup, src, func(c net.Conn) {
				c.Write(line)
				c.Write([]byte(tt.ending + "rest\n"))
			})
			runtime.ReadMemStats(&after)
			scanned := scannedBytes.Load() - scanned0
			got := lua.LVAsString(L.GetGlobal("line"))
			want := string(line)
			if tt.ending == "\n" {
				want += "\n"
			}
			if got != want {
				t.Fatalf("the line has %d bytes (want %d)", len(got), len(want))
			}
			if r, a := L.GetGlobal("rest"), L.GetGlobal("after"); lua.LVAsString(r) != "rest\n" || a != lua.LNil {
				t.Fatalf("then %q, %v", r, a)
			}
			allocated := after.TotalAlloc - before.TotalAlloc
			t.Logf("searched %d bytes, allocated %d MiB for a %d MiB line", scanned, allocated>>20, n>>20)
			if scanned > 2*n {
				t.Errorf("searched %d bytes for the ending in a %d-byte line: not linear", scanned, n)
			}
			if allocated > 3*n {
				t.Errorf("allocated %d MiB for a %d MiB line", allocated>>20, n>>20)
			}
		})
	}
}

// TestLinesInPieces: lines of random lengths (some past the long-line size),
// sent in writes of random sizes, read back by fgets with and without a
// length and by stream_get_line with one- and two-byte endings, must come out
// as a plain Go split of the same bytes says. LINES_SEED replays a run.
func TestLinesInPieces(t *testing.T) {
	seed := uint64(os.Getpid())
	if s := os.Getenv("LINES_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("LINES_SEED=%d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	sizes := []int{0, 1, 100, 8191, 8192, 8193, longLine - 1, longLine, longLine + 1, 200000}
	for _, ending := range []string{"\n", "\r\n", "||"} {
		for _, max := range []int{-1, 5000, longLine + 3, 300000} {
			var data []byte
			for range 12 {
				k := sizes[rng.IntN(len(sizes))] + rng.IntN(3)
				data = append(data, counted(k)...)
				data = append(data, ending...)
			}
			data = append(data, "tail"...)
			call := "stream_get_line(c, " + strconv.Itoa(max) + ", '" + strings.ReplaceAll(strings.ReplaceAll(ending, "\r", "\\r"), "\n", "\\n") + "')"
			switch {
			case ending == "\n" && max < 0:
				call = "fgets(c)"
			case ending == "\n":
				call = "fgets(c, " + strconv.Itoa(max+1) + ")"
			case max < 0:
				continue // stream_get_line needs a length
			}
			src := `
local c = assert(stream_socket_accept(server))
got = {}
while true do
  local l = ` + call + `
  if not l then break end
  got[#got + 1] = l
end
`
			L := runAgainst(t, serverSetup, src, func(c net.Conn) {
				for rest := data; len(rest) > 0; {
					k := min(len(rest), 1+rng.IntN(20000))
					c.Write(rest[:k])
					rest = rest[k:]
				}
			})
			want := splitLines(data, ending, max, ending == "\n")
			tbl := L.GetGlobal("got").(*lua.LTable)
			if tbl.Len() != len(want) {
				t.Fatalf("%s: %d lines, want %d", call, tbl.Len(), len(want))
			}
			for i, w := range want {
				if g := lua.LVAsString(tbl.RawGetInt(i + 1)); g != w {
					t.Fatalf("%s: line %d has %d bytes %.20q, want %d %.20q", call, i+1, len(g), g, len(w), w)
				}
			}
		}
	}
}

// TestSplitLinesIsPHP: PHP's fgets and stream_get_line split the same kind of
// data as splitLines, which TestLinesInPieces holds luasock to. LINES_SEED
// replays a run.
func TestSplitLinesIsPHP(t *testing.T) {
	php := testprog.Need(t, "php", "php-cli")
	seed := uint64(os.Getpid())
	if s := os.Getenv("LINES_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("LINES_SEED=%d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	dir := t.TempDir()
	for _, ending := range []string{"\n", "\r\n", "||"} {
		for _, max := range []int{-1, 1, 2, 3, 7, 100, 5000} {
			var data []byte
			for range 40 {
				data = append(data, counted(rng.IntN(12))...)
				data = append(data, ending[:1+rng.IntN(len(ending))]...) // sometimes half an ending
			}
			call := "stream_get_line($f, " + strconv.Itoa(max) + ", $argv[2])"
			switch {
			case ending == "\n" && max < 0:
				call = "fgets($f)"
			case ending == "\n":
				call = "fgets($f, " + strconv.Itoa(max+1) + ")"
			case max < 0:
				continue
			}
			file := filepath.Join(dir, "data")
			if err := os.WriteFile(file, data, 0o600); err != nil {
				t.Fatal(err)
			}
			src := `$f = fopen($argv[1], "r"); while (($l = ` + call + `) !== false) echo base64_encode($l), "\n";`
			out, err := exec.Command(php, "-r", src, file, ending).Output()
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, l := range strings.SplitAfter(string(out), "\n") {
				if l == "" {
					break
				}
				l = strings.TrimSuffix(l, "\n")
				b, _ := base64.StdEncoding.DecodeString(l)
				got = append(got, string(b))
			}
			if want := splitLines(data, ending, max, ending == "\n"); strings.Join(got, "|") != strings.Join(want, "|") || len(got) != len(want) {
				t.Fatalf("%s on %q:\nphp  %q\nwant %q", call, data, got, want)
			}
		}
	}
}

// splitLines is what fgets (keep: the ending stays on the line) or
// stream_get_line returns, one call after another, reading data to its end.
func splitLines(data []byte, ending string, max int, keep bool) []string {
	var out []string
	s := string(data)
	for s != "" {
		i := strings.Index(s, ending)
		kept := 0
		if keep {
			kept = len(ending)
		}
		switch {
		case i >= 0 && (max < 0 || i+len(ending) <= max): // PHP: the ending ends within max
			out = append(out, s[:i+kept])
			s = s[i+len(ending):]
		case max >= 0 && len(s) >= max:
			out = append(out, s[:max])
			s = s[max:]
		default:
			out = append(out, s)
			s = ""
		}
	}
	return out
}
