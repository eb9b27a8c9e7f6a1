package iolib

import (
	"bufio"
	"errors"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
)

// fileKind decides how a handle closes: a standard file refuses, a pipe
// waits for its command, a regular file closes its descriptor.
type fileKind int

const (
	kindStd fileKind = iota
	kindRegular
	kindPipe
)

// bufMode is setvbuf's mode for a regular file or pipe.
type bufMode int

const (
	bufFull bufMode = iota
	bufNone
	bufLine
)

// file is what a Lua file handle holds: the C library's FILE with its read
// buffer (bufio) and, for regular files and pipes, its write buffer.
type file struct {
	mu       sync.Mutex  // held by every operation (see Lib.with)
	closed   atomic.Bool // set by the script's close or the host's
	kind     fileKind
	slow     bool // stdin and pipes: reading or writing waits for another program
	readable bool
	writable bool

	osf *os.File      // regular files and tmpfile: seekable
	r   *bufio.Reader // readable files
	w   io.Writer     // writable files: where bytes go
	wb  *bufio.Writer // regular files and pipes: nil for stdout/stderr
	buf bufMode

	flushTo io.Writer // stdin: the run's stdout, flushed before a read that must wait
	pipe    *pipeProc // kindPipe
	lib     *Lib      // tracks it while open (not standard files)
}

var (
	errBadFD = syscall.EBADF
	errSpipe = syscall.ESPIPE
)

// beforeRead flushes pending writes, as C's stdio does when a stream
// switches from writing to reading.
func (f *file) beforeRead() error {
	if !f.readable {
		return errBadFD
	}
	if f.wb != nil && f.wb.Buffered() > 0 {
		if err := f.wb.Flush(); err != nil {
			return err
		}
	}
	if f.flushTo != nil && f.r.Buffered() == 0 {
		flushWriter(f.flushTo)
	}
	return nil
}

// flushWriter flushes w when it buffers (the host's stdout), so a prompt
// shows before the script waits for input.
func flushWriter(w io.Writer) {
	switch fl := w.(type) {
	case interface{ Flush() error }:
		_ = fl.Flush()
	case interface{ Flush() }:
		fl.Flush()
	}
}

// beforeWrite gives back what the read buffer holds ahead of the file
// position, so a write lands where the script's reading stopped.
func (f *file) beforeWrite() error {
	if !f.writable {
		return errBadFD
	}
	if f.r != nil && f.osf != nil {
		if n := f.r.Buffered(); n > 0 {
			if _, err := f.osf.Seek(int64(-n), io.SeekCurrent); err != nil {
				return err
			}
			f.r.Reset(f.osf)
		}
	}
	return nil
}

// write writes p with the handle's buffering.
func (f *file) write(p []byte) error {
	if err := f.beforeWrite(); err != nil {
		return err
	}
	if f.wb == nil {
		_, err := f.w.Write(p)
		return err
	}
	if _, err := f.wb.Write(p); err != nil {
		return err
	}
	switch f.buf {
	case bufNone:
		return f.wb.Flush()
	case bufLine:
		for _, c := range p {
			if c == '\n' {
				return f.wb.Flush()
			}
		}
	}
	return nil
}

// flush writes out the write buffer; the run's stdout is flushed too when
// it buffers.
func (f *file) flush() error {
	if f.wb != nil {
		return f.wb.Flush()
	}
	if f.w != nil {
		flushWriter(f.w)
	}
	return nil
}

// seek is fseek then ftell.
func (f *file) seek(whence int, off int64) (int64, error) {
	if f.osf == nil {
		return 0, errSpipe
	}
	if err := f.flush(); err != nil {
		return 0, err
	}
	if whence == io.SeekCurrent && f.r != nil {
		off -= int64(f.r.Buffered())
	}
	pos, err := f.osf.Seek(off, whence)
	if err != nil {
		return 0, err
	}
	if f.r != nil {
		f.r.Reset(f.osf)
	}
	return pos, nil
}

// close releases the handle: flushes, closes the descriptor or waits for
// the command.
func (f *file) close() error {
	f.closed.Store(true)
	var err error
	if f.wb != nil {
		err = f.wb.Flush()
	}
	switch f.kind {
	case kindRegular:
		if cerr := f.osf.Close(); err == nil {
			err = cerr
		}
	case kindPipe:
		if cerr := f.pipe.close(); err == nil {
			err = cerr
		}
	}
	return err
}

// readLine is read_line: a line without its "\n"; ok when something (even
// just the "\n") was read.
func (f *file) readLine() (line []byte, ok bool, err error) {
	if err := f.beforeRead(); err != nil {
		return nil, false, err
	}
	line, err = f.r.ReadBytes('\n')
	if err == nil {
		return line[:len(line)-1], true, nil
	}
	if errors.Is(err, io.EOF) {
		return line, len(line) > 0, nil
	}
	return nil, false, err
}

// readChars is read_chars: up to n bytes; ok when n were read or at least
// one. n < 0 means all.
func (f *file) readChars(n int64) ([]byte, bool, error) {
	if err := f.beforeRead(); err != nil {
		return nil, false, err
	}
	var out []byte
	if n < 0 {
		b, err := io.ReadAll(f.r)
		return b, len(b) > 0, err
	}
	if n < 1<<16 {
		out = make([]byte, 0, n)
	}
	chunk := make([]byte, 1<<14)
	for int64(len(out)) < n {
		want := n - int64(len(out))
		if want > int64(len(chunk)) {
			want = int64(len(chunk))
		}
		k, err := f.r.Read(chunk[:want])
		out = append(out, chunk[:k]...)
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, false, err
		}
	}
	return out, int64(len(out)) == n || len(out) > 0, nil
}

// testEOF is test_eof (read(0)): "" unless at end of file.
func (f *file) testEOF() (bool, error) {
	if err := f.beforeRead(); err != nil {
		return false, err
	}
	_, err := f.r.Peek(1)
	if err == nil {
		return true, nil
	}
	if errors.Is(err, io.EOF) {
		return false, nil
	}
	return false, err
}

// readNumber is read_number: fscanf(f, "%lf").
func (f *file) readNumber() (float64, bool, error) {
	if err := f.beforeRead(); err != nil {
		return 0, false, err
	}
	return scanNumber(f.r)
}
