package testutil

import "testing"

func TestDiff(t *testing.T) {
	tests := []struct{ name, want, got, diff string }{
		{"equal", "a\nb\n", "a\nb\n", ""},
		{"a line differs", "a\nb\nc\n", "a\nB\nc\n",
			"first difference at line 2 (- want, 3 lines; + got, 3 lines):\n" +
				"     1 \"a\\n\"\n" +
				"-    2 \"b\\n\"\n-    3 \"c\\n\"\n" +
				"+    2 \"B\\n\"\n+    3 \"c\\n\"\n"},
		{"first line, tab", "x\ty\n", "x y\n",
			"first difference at line 1 (- want, 1 lines; + got, 1 lines):\n" +
				"-    1 \"x\\ty\\n\"\n" +
				"+    1 \"x y\\n\"\n"},
		{"got stops early", "a\nb\n", "a\n",
			"first difference at line 2 (- want, 2 lines; + got, 1 lines):\n" +
				"     1 \"a\\n\"\n" +
				"-    2 \"b\\n\"\n" +
				"+      (no more lines)\n"},
		{"no last newline", "a\n", "a",
			"first difference at line 1 (- want, 1 lines; + got, 1 lines):\n" +
				"-    1 \"a\\n\"\n" +
				"+    1 \"a\"\n"},
		{"three lines at most", "a\nb\nc\nd\ne\n", "",
			"first difference at line 1 (- want, 5 lines; + got, 0 lines):\n" +
				"-    1 \"a\\n\"\n-    2 \"b\\n\"\n-    3 \"c\\n\"\n" +
				"+      (no more lines)\n"},
	}
	for _, tt := range tests {
		if got := Diff(tt.want, tt.got); got != tt.diff {
			t.Errorf("%s: Diff gave\n%s\nwant\n%s", tt.name, got, tt.diff)
		}
	}
}
