package testutil

import (
	"net"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// dialTimeout bounds a peer's connect, so that a server that never listens
// fails the test instead of hanging it.
const dialTimeout = 10 * time.Second

// Dial connects to address over network, for a peer. A peer runs on a
// goroutine of its own, where the test must not end, so on failure Dial
// reports the error and returns nil, and the peer returns.
func Dial(t testing.TB, network, address string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout(network, address, dialTimeout)
	if err != nil {
		t.Error(err)
		return nil
	}
	return c
}

// StreamPeer is a Peer that reads the address the script prints first,
// connects to it over network and runs talk with the lines that follow; the
// connection closes when talk returns.
func StreamPeer(network string, talk func(t testing.TB, c net.Conn, lines <-chan string)) Peer {
	return func(t testing.TB, lines <-chan string) {
		addr := NextLine(t, lines)
		if addr == "" {
			return
		}
		c := Dial(t, network, addr)
		if c == nil {
			return
		}
		defer c.Close()
		talk(t, c, lines)
	}
}

// SendOOB sends data on the TCP connection c as urgent data.
func SendOOB(t testing.TB, c net.Conn, data string) {
	raw, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Error(err)
		return
	}
	raw.Write(func(fd uintptr) bool {
		if err := unix.Sendto(int(fd), []byte(data), unix.MSG_OOB, nil); err != nil {
			t.Error(err)
		}
		return true
	})
}
