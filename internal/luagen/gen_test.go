package luagen

import (
	"math/rand"
	"strings"
	"testing"
)

func TestGenerateIsDeterministic(t *testing.T) {
	for seed := int64(0); seed < 50; seed++ {
		a := Program(rand.New(rand.NewSource(seed)))
		b := Program(rand.New(rand.NewSource(seed)))
		if a != b {
			t.Fatalf("seed %d: two programs:\n%s\n----\n%s", seed, a, b)
		}
	}
}

func TestFeaturesSelectSnippets(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 200; i++ {
		src := Generate(r, Options{Features: Assign})
		for _, word := range []string{"pcall", "select(", "tonumber", "string.format(\"%s"} {
			if strings.Contains(src, word) {
				t.Fatalf("assign-only program uses %s:\n%s", word, src)
			}
		}
	}
}

func TestParseFeatures(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Feature
	}{
		{"", DefaultFeatures},
		{"default", DefaultFeatures},
		{"all", AllFeatures},
		{"all,-numbers", AllFeatures &^ Numbers},
		{"varargs, andor", Varargs | AndOr},
	} {
		got, err := ParseFeatures(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseFeatures(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	if _, err := ParseFeatures("all,-nosuch"); err == nil {
		t.Error(`ParseFeatures("all,-nosuch"): no error`)
	}
	if s := (Varargs | Numbers).String(); s != "varargs,numbers" {
		t.Errorf("String() = %q", s)
	}
}

func TestMinimizeKeepsTheFailingLines(t *testing.T) {
	src := "local a = 1\ndo\n  local b = 2\n  print(b)\nend\nprint(\"bug\")\nlocal c = 3\n"
	calls := 0
	got := Minimize(src, func(s string) bool {
		calls++
		return strings.Contains(s, "bug") && strings.Count(s, "do") == strings.Count(s, "end")
	}, 100)
	if got != "print(\"bug\")\n" {
		t.Errorf("Minimize = %q", got)
	}
	if calls > 100 {
		t.Errorf("%d calls, budget 100", calls)
	}
}
