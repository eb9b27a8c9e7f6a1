package clock

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSetStopsTheClock(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 2, 29, 23, 59, 59, 250_000_000, paris)
	restore := Set(at, paris)
	if got := Now(); !got.Equal(at) || Now() != got {
		t.Errorf("Now() = %v, want %v both times", got, at)
	}
	if Zone() != paris {
		t.Errorf("Zone() = %v, want Europe/Paris", Zone())
	}
	inner := Set(at.Add(time.Hour), nil) // nil: the zone is the system's again
	if Zone() != time.Local || !Now().Equal(at.Add(time.Hour)) {
		t.Errorf("after Set(t, nil): %v in %v", Now(), Zone())
	}
	inner()
	if Zone() != paris || !Now().Equal(at) {
		t.Errorf("restore did not bring back the outer setting: %v in %v", Now(), Zone())
	}
	restore()
	if Zone() != time.Local {
		t.Errorf("after restore Zone() = %v, want time.Local", Zone())
	}
	before := time.Now()
	if got := Now(); got.Before(before) || got.Sub(before) > time.Hour {
		t.Errorf("after restore Now() = %v, not the system's clock (%v)", got, before)
	}
}

// TestOnlyTestsSetTheClock: no code that a luasock binary is built from
// calls Set, so no script, flag or variable can stop a real server's clock.
func TestOnlyTestsSetTheClock(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		if strings.Contains(string(src), "clock.Set(") {
			t.Errorf("%s calls clock.Set outside a test", path)
		}
		return nil
	})
	if err != nil || files < 50 {
		t.Fatalf("read %d Go files under %s: %v", files, root, err)
	}
}
