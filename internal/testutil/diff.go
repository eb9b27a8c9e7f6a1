package testutil

import (
	"fmt"
	"strings"
)

// diffLines is how many lines of each side Diff shows from the first
// difference on.
const diffLines = 3

// Diff compares two outputs line by line. It returns "" when they are equal;
// else the number of the first line that differs, the line before it, and
// from there up to three lines of each side (- want, + got), quoted so that
// tabs, \r and a missing last newline show.
func Diff(want, got string) string {
	if want == got {
		return ""
	}
	w, g := splitLines(want), splitLines(got)
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	var b strings.Builder
	fmt.Fprintf(&b, "first difference at line %d (- want, %d lines; + got, %d lines):\n", i+1, len(w), len(g))
	if i > 0 {
		fmt.Fprintf(&b, "  %4d %q\n", i, w[i-1])
	}
	for _, side := range []struct {
		sign  string
		lines []string
	}{{"-", w}, {"+", g}} {
		if i == len(side.lines) {
			fmt.Fprintf(&b, "%s      (no more lines)\n", side.sign)
		}
		for j := i; j < len(side.lines) && j < i+diffLines; j++ {
			fmt.Fprintf(&b, "%s %4d %q\n", side.sign, j+1, side.lines[j])
		}
	}
	return b.String()
}

// splitLines cuts s after each newline, keeping it.
func splitLines(s string) []string {
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}
