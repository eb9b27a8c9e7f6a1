package luagen

import "strings"

// Minimize drops lines of src while fails(candidate) stays true and returns
// the smallest program found. It tries whole indented blocks, then block
// wrappers (keeping the body), then delta debugging over line ranges. fails
// is called at most budget times; src itself is assumed to fail.
func Minimize(src string, fails func(string) bool, budget int) string {
	lines := strings.SplitAfter(strings.TrimSuffix(src, "\n")+"\n", "\n")
	lines = lines[:len(lines)-1] // SplitAfter leaves a final ""
	try := func(cand []string) bool {
		if budget <= 0 {
			return false
		}
		budget--
		return fails(strings.Join(cand, ""))
	}
	without := func(ls []string, drop ...[2]int) []string {
		var out []string
		for i, l := range ls {
			keep := true
			for _, d := range drop {
				if i >= d[0] && i < d[1] {
					keep = false
				}
			}
			if keep {
				out = append(out, l)
			}
		}
		return out
	}
	for round := 0; round < 3 && budget > 0; round++ {
		before := len(lines)
		// whole blocks: a line and the more-indented lines after it (and its
		// closing end/until line), or a single line
		for i := 0; i < len(lines); {
			j := blockEnd(lines, i)
			if cand := without(lines, [2]int{i, j}); try(cand) {
				lines = cand
				continue
			}
			i++
		}
		// wrappers: the opening and closing lines of a block, body kept
		for i := 0; i < len(lines); i++ {
			j := blockEnd(lines, i)
			if j-i < 3 {
				continue
			}
			if cand := without(lines, [2]int{i, i + 1}, [2]int{j - 1, j}); try(cand) {
				lines = cand
			}
		}
		lines = ddmin(lines, try, without)
		if len(lines) == before {
			break
		}
	}
	return strings.Join(lines, "")
}

// ddmin removes ranges of lines, halving the range size when no range of
// the current size can go.
func ddmin(lines []string, try func([]string) bool, without func([]string, ...[2]int) []string) []string {
	n := 2
	for len(lines) >= 2 {
		size := (len(lines) + n - 1) / n
		removed := false
		for start := 0; start < len(lines); start += size {
			if cand := without(lines, [2]int{start, start + size}); try(cand) {
				lines, removed = cand, true
				n = max(n-1, 2)
				break
			}
		}
		if !removed {
			if n >= len(lines) {
				break
			}
			n = min(2*n, len(lines))
		}
	}
	return lines
}

// blockEnd returns the index after the block that starts at line i: the
// following lines indented deeper, plus a closing line at i's indentation.
func blockEnd(lines []string, i int) int {
	ind := indent(lines[i])
	j := i + 1
	for j < len(lines) && indent(lines[j]) > ind {
		j++
	}
	if j > i+1 && j < len(lines) && indent(lines[j]) == ind {
		rest := strings.TrimSpace(lines[j])
		if strings.HasPrefix(rest, "end") || strings.HasPrefix(rest, "until") || strings.HasPrefix(rest, "else") {
			j++
		}
	}
	return j
}

func indent(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }
