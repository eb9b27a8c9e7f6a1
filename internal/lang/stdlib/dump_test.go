package stdlib

import (
	"os"
	"strconv"
	"testing"
)

// TestDumpProgram writes the generated program of STDLIB_SEED to the file
// STDLIB_DUMP, to run it by hand: lua5.1 FILE.
func TestDumpProgram(t *testing.T) {
	path := os.Getenv("STDLIB_DUMP")
	if path == "" {
		t.Skip("set STDLIB_DUMP=file (and STDLIB_SEED) to write a generated program")
	}
	seed, _ := strconv.ParseInt(os.Getenv("STDLIB_SEED"), 10, 64)
	n := 4000
	if s := os.Getenv("STDLIB_CASES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	src, _ := program(seed, n)
	if err := os.WriteFile(path, []byte(src+epilogue), 0o644); err != nil {
		t.Fatal(err)
	}
}
