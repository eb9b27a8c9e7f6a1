package luabind

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestSocketFileBornClosed: with a mode asked, the file bind creates has
// no permission bits at all until setFileAccess gives it the mode, so a
// udg socket (which receives from bind on) never takes a datagram from a
// user the mode keeps out.
func TestSocketFileBornClosed(t *testing.T) {
	for _, sotype := range []int{unix.SOCK_STREAM, unix.SOCK_DGRAM} {
		fd, err := testSocket(unix.AF_UNIX, sotype)
		if err != nil {
			t.Fatal(err)
		}
		defer unix.Close(fd)
		mode := uint32(0o666)
		opts := &socketOptions{Mode: &mode}
		path := filepath.Join(t.TempDir(), "s.sock")
		if err := bindClosed(fd, &unix.SockaddrUnix{Name: path}); err != nil {
			t.Fatal(err)
		}
		var st unix.Stat_t
		if err := unix.Stat(path, &st); err != nil || st.Mode&0o7777 != 0 {
			t.Fatalf("after bind: mode %o, %v; want 0", st.Mode&0o7777, err)
		}
		if err := setFileAccess(path, newSocketFile(path), opts); err != nil {
			t.Fatal(err)
		}
		if err := unix.Stat(path, &st); err != nil || st.Mode&0o7777 != 0o666 {
			t.Fatalf("after setFileAccess: mode %o, %v; want 666", st.Mode&0o7777, err)
		}
	}
}

// TestSocketFileReplaced: when the socket file was replaced by a symlink
// between bind and setFileAccess, the mode goes nowhere: the file the link
// points to keeps its own.
func TestSocketFileReplaced(t *testing.T) {
	dir := t.TempDir()
	path, target := filepath.Join(dir, "s.sock"), filepath.Join(dir, "secret")
	if err := os.WriteFile(target, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	fd, err := testSocket(unix.AF_UNIX, unix.SOCK_STREAM)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		t.Fatal(err)
	}
	created := newSocketFile(path)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
	mode := uint32(0o666)
	if err := setFileAccess(path, created, &socketOptions{Mode: &mode}); err == nil {
		t.Fatal("setFileAccess went through the symlink")
	}
	if st, err := os.Stat(target); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("the link's target: %v, %v", st.Mode(), err)
	}
}
