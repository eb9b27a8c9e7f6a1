package iolib

import (
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// genSeed is IOLIB_SEED when set (to replay a failure), else the clock.
func genSeed(t *testing.T) int64 {
	if s := os.Getenv("IOLIB_SEED"); s != "" {
		seed, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("IOLIB_SEED: %v", err)
		}
		return seed
	}
	return time.Now().UnixNano()
}

// numberTokens are texts "*n" meets: numbers in every spelling and the
// prefixes where fscanf stops or fails.
var numberTokens = []string{
	"0", "7", "-3", "+12", "3.25", ".5", "-.5", "5.", "1e3", "1E-2", "-2.5e+3", "1e", "1e+", "1e-x",
	"0x1F", "0X1p4", "0x.8", "0x", "0xg", "-0x10", "inf", "-inf", "INF", "infinity", "Infinity", "infin",
	"nan", "NaN", "-nan", "na", "in", "x", "-", "+", ".", "..5", "1.2.3", "--5", "00012", "1e400",
	"-1e400", "1e-400", "123456789012345678901234567890", "0.1", "9007199254740993", "+-1", "e5", "abc",
}

// genContent makes text with random line lengths and endings, empty lines,
// numbers among words, and sometimes no final newline.
func genContent(r *rand.Rand) string {
	var b strings.Builder
	lines := r.Intn(12)
	for i := 0; i < lines; i++ {
		switch r.Intn(8) {
		case 0: // empty line
		case 1: // a long line, past any buffer boundary
			for j := r.Intn(9000) + 100; j > 0; j-- {
				b.WriteByte(byte('a' + r.Intn(26)))
			}
		default:
			for j := r.Intn(6); j >= 0; j-- {
				if j < 5 && r.Intn(2) == 0 {
					b.WriteString([]string{" ", "  ", "\t", " \t "}[r.Intn(4)])
				}
				if r.Intn(3) == 0 {
					b.WriteString(fmt.Sprintf("word%d", r.Intn(100)))
				} else {
					b.WriteString(numberTokens[r.Intn(len(numberTokens))])
				}
			}
		}
		if i < lines-1 || r.Intn(3) > 0 {
			b.WriteString([]string{"\n", "\n", "\n", "\r\n", "\r"}[r.Intn(5)])
		}
	}
	return b.String()
}

// genFormat is one argument of read.
func genFormat(r *rand.Rand) string {
	switch r.Intn(9) {
	case 0, 1, 2:
		return `"*n"`
	case 3, 4:
		return `"*l"`
	case 5:
		return `"*a"`
	case 6:
		return "0"
	case 7:
		return strconv.Itoa(r.Intn(12) + 1)
	default:
		return []string{`"*line"`, `"*number"`, `"*all"`, "2.5", "-1", "4000"}[r.Intn(6)]
	}
}

// genReads makes a program of reads on reader (an expression: "f" or "io"),
// with seeks when the file can seek.
func genReads(r *rand.Rand, reader string, seekable bool) string {
	var b strings.Builder
	sep := ":"
	if reader == "io" {
		sep = "."
	}
	linesUsed := false
	for i := r.Intn(20) + 1; i > 0; i-- {
		switch k := r.Intn(12); {
		case k < 8:
			n := r.Intn(3)
			formats := make([]string, n)
			for j := range formats {
				formats[j] = genFormat(r)
			}
			fmt.Fprintf(&b, "try(function() return %s%sread(%s) end)\n", reader, sep, strings.Join(formats, ", "))
		case k < 10 && seekable:
			whence := []string{"set", "cur", "end"}[r.Intn(3)]
			off := r.Intn(40) - 10
			if whence == "set" && off < 0 {
				off = -off
			}
			fmt.Fprintf(&b, "try(function() return f:seek(%q, %d) end)\n", whence, off)
		case k == 10 && !linesUsed:
			linesUsed = true
			if reader == "io" {
				b.WriteString("for l in io.lines() do show(\"line\", l) end\n")
			} else {
				b.WriteString("for l in f:lines() do show(\"line\", l) end\n")
			}
		}
	}
	return b.String()
}

// genWrites makes a program writing strings and numbers to f ("w+"), with
// seeks, then reading it all back.
func genWrites(r *rand.Rand) string {
	var b strings.Builder
	b.WriteString("f = io.open(D .. \"/out\", \"w+\")\n")
	for i := r.Intn(15) + 1; i > 0; i-- {
		var args []string
		for j := r.Intn(4); j >= 0; j-- {
			switch r.Intn(4) {
			case 0:
				args = append(args, strconv.Quote(numberTokens[r.Intn(len(numberTokens))]+[]string{"", "\n", " "}[r.Intn(3)]))
			case 1:
				args = append(args, strconv.Itoa(r.Intn(2000)-1000))
			case 2:
				args = append(args, strconv.FormatFloat((r.Float64()-0.5)*math10(r.Intn(40)-20), 'g', -1, 64))
			default:
				args = append(args, []string{"1/3", "2^53", "2^63", "1e15", "1e100", "-1e-300", "1/0", "-1/0", "0.1+0.2"}[r.Intn(9)])
			}
		}
		fmt.Fprintf(&b, "try(function() return f:write(%s) end)\n", strings.Join(args, ", "))
		if r.Intn(4) == 0 {
			fmt.Fprintf(&b, "try(function() return f:seek(\"set\", %d) end)\n", r.Intn(30))
		}
	}
	b.WriteString("try(function() return f:seek(\"set\") end)\ntry(function() return f:read(\"*a\") end)\nf:close()\n")
	return b.String()
}

// genUpdate makes a program that reads and writes one file opened "r+".
// C leaves a switch between reading and writing without a seek undefined
// (glibc's buffers then disagree with the file), so a seek separates them,
// and seeks stay inside the file.
func genUpdate(r *rand.Rand) string {
	var b strings.Builder
	b.WriteString("f = io.open(D .. \"/in\", \"r+\")\n")
	last := 0 // 1 read, 2 write
	for i := r.Intn(20) + 1; i > 0; i-- {
		op := r.Intn(3)
		if op < 2 && last != 0 && last != op+1 {
			b.WriteString("try(function() return f:seek(\"cur\", 0) end)\n")
		}
		switch op {
		case 0:
			fmt.Fprintf(&b, "try(function() return f:read(%s) end)\n", genFormat(r))
			last = 1
		case 1:
			fmt.Fprintf(&b, "try(function() return f:write(%q, %d) end)\n", []string{"W", "xyz", "\n", "12 "}[r.Intn(4)], r.Intn(100))
			last = 2
		default:
			fmt.Fprintf(&b, "try(function() return f:seek(\"set\", math.min(%d, f:seek(\"end\"))) end)\n", r.Intn(20))
			last = 0
		}
	}
	b.WriteString("try(function() return f:seek(\"set\") end)\ntry(function() return f:read(\"*a\") end)\nf:close()\n")
	return b.String()
}

func math10(e int) float64 {
	f, _ := strconv.ParseFloat("1e"+strconv.Itoa(e), 64)
	return f
}

// TestGenerated runs seeded random programs over random content under
// lua5.1 and here: reads of a file (with seeks), of stdin, and writes.
func TestGenerated(t *testing.T) {
	lua51 := need(t)
	seed := genSeed(t)
	t.Logf("seed %d (replay: IOLIB_SEED=%d go test -run TestGenerated ./internal/lang/iolib/)", seed, seed)
	r := rand.New(rand.NewSource(seed))
	const cases = 120
	failed := 0
	for i := 0; i < cases && failed < 3; i++ {
		content := genContent(r)
		var snippet, stdin string
		switch r.Intn(4) {
		case 3:
			snippet = genUpdate(r)
		case 0:
			snippet = "f = io.open(D .. \"/in\")\n" + genReads(r, "f", true) + "f:close()\n"
		case 1:
			stdin = content
			snippet = genReads(r, "io", false)
		default:
			snippet = genWrites(r)
		}
		if !compare(t, lua51, fmt.Sprintf("case %d (seed %d)", i, seed), snippet, stdin, map[string]string{"in": content}) {
			failed++
		}
	}
}
