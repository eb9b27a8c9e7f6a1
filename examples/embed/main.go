// Command embed shows luasock as a Go library: a Go program runs a Lua
// server script with host.RunContext, hands it Go values and functions
// (converted by gopher-luar), and stops it by cancelling a context.
//
//	go run ./examples/embed [address]   (default tcp://127.0.0.1:7070)
//	then: nc 127.0.0.1 7070   (each visit is counted on the Go side)
//	Ctrl-C stops the script; the Go program then prints the counts.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"

	"github.com/luasock/luasock/host"
)

// script is the Lua side: a TCP server that greets each client through Go.
const script = `
local server, errstr, errno = stream_socket_server(arg[1])
if not server then
  print(errstr .. " (" .. errno .. ")")
  os.exit(1)
end
print("serving on " .. stream_socket_get_name(server, false))
while true do
  local conn, peer = stream_socket_accept(server)
  if conn then
    local ip = peer:match("^(.*):%d+$")
    local n = visits:Add(ip)                          -- a Go method
    fwrite(conn, greet(config.name, n) .. "\n")       -- a Go function, a Go map
    fclose(conn)
  end
end
`

// Visits counts connections per client address. The script calls Add; the
// Go side reads the counts after the run.
type Visits struct {
	mu     sync.Mutex
	counts map[string]int
}

// Add counts one visit from ip and returns how many there were.
func (v *Visits) Add(ip string) int {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.counts[ip]++
	return v.counts[ip]
}

// Report lists the counts, one "ip: n" per line.
func (v *Visits) Report() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	var lines []string
	for ip, n := range v.counts {
		lines = append(lines, fmt.Sprintf("%s: %d", ip, n))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// serve runs the script on address until ctx is done and returns its exit
// status and the visits it counted.
func serve(ctx context.Context, address string, stdout, stderr io.Writer) (int, *Visits) {
	visits := &Visits{counts: map[string]int{}}
	code := host.RunContext(ctx, host.Options{
		Script: "embedded.lua",
		Source: []byte(script),
		Args:   []string{address},
		Stdout: stdout,
		Stderr: stderr,
		Globals: map[string]any{
			"visits": visits,
			"greet": func(name string, n int) string {
				return fmt.Sprintf("Hello from %s, visit %d", name, n)
			},
			"config": map[string]string{"name": "Go"},
		},
	})
	return code, visits
}

func main() {
	address := "tcp://127.0.0.1:7070"
	if len(os.Args) > 1 {
		address = os.Args[1]
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	code, visits := serve(ctx, address, os.Stdout, os.Stderr)
	fmt.Println("visits:\n" + visits.Report())
	if code != host.ExitInterrupted {
		os.Exit(code)
	}
}
