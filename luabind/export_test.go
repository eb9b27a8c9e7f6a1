package luabind

import (
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// SetProxyHeaderTimeout shortens how long a PROXY server waits for a
// header, for a test; it returns the function that restores it.
func SetProxyHeaderTimeout(d time.Duration) (restore func()) {
	old := proxyHeaderTimeout
	proxyHeaderTimeout = d
	return func() { proxyHeaderTimeout = old }
}

// SetMaxPendingHeaders changes how many connections a PROXY server holds
// before the script accepts them, for a test; it returns the restore.
func SetMaxPendingHeaders(n int) (restore func()) {
	old := maxPendingHeaders
	maxPendingHeaders = n
	return func() { maxPendingHeaders = old }
}

// testSocket is a blocking, close-on-exec socket, made as on every system.
func testSocket(family, sotype int) (int, error) {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	fd, err := unix.Socket(family, sotype, 0)
	if err == nil {
		unix.CloseOnExec(fd)
	}
	return fd, err
}
