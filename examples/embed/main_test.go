package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/luasock/luasock/host"
)

// TestEmbed runs the example's script from Go, talks to it, stops it by
// cancelling the context, and reads what the script counted in Go.
func TestEmbed(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, w := io.Pipe()
	var stderr strings.Builder
	type result struct {
		code   int
		visits *Visits
	}
	done := make(chan result, 1)
	go func() {
		code, visits := serve(ctx, "tcp://127.0.0.1:0", w, &stderr)
		w.Close()
		done <- result{code, visits}
	}()
	lines := bufio.NewScanner(out)
	if !lines.Scan() {
		t.Fatal("the script printed nothing")
	}
	addr := strings.TrimPrefix(lines.Text(), "serving on ")
	go io.Copy(io.Discard, out) // the rest of stdout

	for i := 1; i <= 3; i++ {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		got, err := io.ReadAll(c)
		c.Close()
		want := "Hello from Go, visit " + string(rune('0'+i)) + "\n"
		if err != nil || string(got) != want {
			t.Fatalf("visit %d: %q, %v; want %q", i, got, err, want)
		}
	}
	cancel()
	select {
	case r := <-done:
		if r.code != host.ExitInterrupted || stderr.String() != "" {
			t.Fatalf("exit %d, stderr %q", r.code, stderr.String())
		}
		if rep := r.visits.Report(); rep != "127.0.0.1: 3" {
			t.Fatalf("report %q", rep)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("cancelling the context did not stop the script")
	}
}

// TestEmbedBadAddress: the script's own failure comes back as its status.
func TestEmbedBadAddress(t *testing.T) {
	var stdout, stderr strings.Builder
	code, _ := serve(context.Background(), "tcp://127.0.0.1:99999", &stdout, &stderr)
	if code != 1 || !strings.Contains(stdout.String(), "the port must be a number from 0 to 65535 (0)") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
}
