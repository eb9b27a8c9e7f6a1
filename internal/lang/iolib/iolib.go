// Package iolib is Lua 5.1's io library for gopher-lua: io.read formats,
// io.lines, file handles with seek and setvbuf, io.stdin/stdout/stderr as
// files, and Lua 5.1's results and error texts (glibc's strerror). It
// replaces gopher-lua's io table, which lacks much of that.
package iolib

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"

	lua "github.com/yuin/gopher-lua"

	"github.com/luasock/luasock/internal/errno"
	"github.com/luasock/luasock/internal/lang/luaarg"
)

// Host is what the library needs from the runtime that embeds it, as
// luabind.Host (whose implementation satisfies this one). Block is called
// with the Lua lock held; Track and Untrack from any goroutine.
type Host interface {
	// Block runs wait with the Lua lock released: every operation on
	// stdin or a pipe, which may wait for another program, so that the
	// other tasks run meanwhile. wait touches no Lua value.
	Block(L *lua.LState, wait func())
	// Track and Untrack hear of every file the script opens and closes,
	// so that the host closes forgotten ones when the run ends.
	Track(c io.Closer)
	Untrack(c io.Closer)
}

// Options are the run's standard streams and its host. Stdout is not
// buffered here (the host buffers it; io.flush and reads of stdin flush it
// when it has a Flush method). Without a Host, operations wait with the
// lock held and files are closed by CloseAll alone.
type Options struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Host           Host
}

// Lib is one state's io library.
type Lib struct {
	opts           Options
	stdout, stderr *lockedWriter
	stdin          *file
	input, output  *lua.LUserData // io.input() and io.output()
	meta           *lua.LTable    // file handles' metatable
	env            *lua.LTable    // the io functions' environment, as Lua 5.1's
	mu             sync.Mutex     // guards open: the host may close files from its goroutine
	open           map[*file]struct{}
}

// Open installs the io library in L: the global io and package.loaded.io.
func Open(L *lua.LState, opts Options) *Lib {
	if opts.Stdin == nil {
		opts.Stdin = strings.NewReader("")
	}
	if opts.Stdout == nil {
		opts.Stdout = io.Discard
	}
	if opts.Stderr == nil {
		opts.Stderr = io.Discard
	}
	lib := &Lib{opts: opts, open: map[*file]struct{}{}, stdout: &lockedWriter{w: opts.Stdout}, stderr: &lockedWriter{w: opts.Stderr}}
	lib.meta = L.NewTable()
	lib.meta.RawSetString("__index", lib.meta)
	L.SetFuncs(lib.meta, map[string]lua.LGFunction{
		"close":      lib.fileClose,
		"flush":      lib.fileFlush,
		"lines":      lib.fileLines,
		"read":       lib.fileRead,
		"seek":       lib.fileSeek,
		"setvbuf":    lib.fileSetvbuf,
		"write":      lib.fileWrite,
		"__tostring": lib.fileToString,
	})
	t := L.NewTable()
	L.SetFuncs(t, map[string]lua.LGFunction{
		"close":   lib.ioClose,
		"flush":   lib.ioFlush,
		"input":   lib.ioInput,
		"lines":   lib.ioLines,
		"open":    lib.ioOpen,
		"output":  lib.ioOutput,
		"popen":   lib.ioPopen,
		"read":    lib.ioRead,
		"tmpfile": lib.ioTmpfile,
		"type":    lib.ioType,
		"write":   lib.ioWrite,
	})
	lib.stdin = &file{kind: kindStd, slow: true, readable: true, r: bufio.NewReader(opts.Stdin), flushTo: lib.stdout}
	lib.input = lib.newHandle(L, lib.stdin)
	lib.output = lib.newHandle(L, &file{kind: kindStd, writable: true, w: lib.stdout})
	t.RawSetString("stdin", lib.input)
	t.RawSetString("stdout", lib.output)
	t.RawSetString("stderr", lib.newHandle(L, &file{kind: kindStd, writable: true, w: lib.stderr}))
	L.SetGlobal("io", t)
	lib.shareEnv(L, t)
	if osTable, ok := L.GetGlobal("os").(*lua.LTable); ok {
		osTable.RawSetString("execute", L.NewFunction(lib.osExecute))
	}
	if pkg, ok := L.GetGlobal("package").(*lua.LTable); ok {
		if loaded, ok := pkg.RawGetString("loaded").(*lua.LTable); ok {
			loaded.RawSetString("io", t)
		}
	}
	return lib
}

// shareEnv gives the io functions one environment, as Lua 5.1's do:
// __close (closes a file, as file:close), [1] the default input and [2]
// the default output.
func (lib *Lib) shareEnv(L *lua.LState, io *lua.LTable) {
	lib.env = L.NewTable()
	lib.env.RawSetString("__close", L.NewFunction(lib.fileClose))
	lib.env.RawSetInt(1, lib.input)
	lib.env.RawSetInt(2, lib.output)
	io.ForEach(func(_, v lua.LValue) {
		if fn, ok := v.(*lua.LFunction); ok {
			fn.Env = lib.env
		}
	})
}

// CloseAll closes every file the script opened and left open (pipes: the
// command gets a second to end, then is killed).
func (lib *Lib) CloseAll() {
	lib.mu.Lock()
	files := make([]*file, 0, len(lib.open))
	for f := range lib.open {
		files = append(files, f)
	}
	lib.mu.Unlock()
	for _, f := range files {
		_ = f.Close()
	}
}

// Close closes a handle for the host (io.Closer): no-op when already
// closed. Safe while a task waits on the file in Block: a pipe's end is
// closed first, which ends the wait.
func (f *file) Close() error {
	if f.kind == kindStd || f.closed.Load() {
		return nil
	}
	if !f.mu.TryLock() { // a task waits on it: end the wait
		if f.kind == kindPipe {
			_ = f.pipe.pipe.Close()
		}
		f.mu.Lock()
	}
	if f.closed.Load() {
		f.mu.Unlock()
		return nil
	}
	var err error
	if f.kind == kindPipe {
		f.closed.Store(true)
		f.pipe.abandon(func() {
			if f.wb != nil { // what the script wrote last reaches the command
				_ = f.wb.Flush()
			}
		})
	} else {
		err = f.close()
	}
	f.mu.Unlock()
	f.lib.forget(f)
	return err
}

// with runs op under f's lock; on stdin and pipes, which can wait for
// another program, with the Lua lock released (Options.Block).
func (lib *Lib) with(L *lua.LState, f *file, op func()) {
	locked := func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		op()
	}
	if f.slow && lib.opts.Host != nil {
		lib.opts.Host.Block(L, locked)
	} else {
		locked()
	}
}

func (lib *Lib) newHandle(L *lua.LState, f *file) *lua.LUserData {
	ud := L.NewUserData()
	ud.Value = f
	ud.Metatable = lib.meta
	if f.kind != kindStd {
		f.lib = lib
		lib.mu.Lock()
		lib.open[f] = struct{}{}
		lib.mu.Unlock()
		if lib.opts.Host != nil {
			lib.opts.Host.Track(f)
		}
	}
	return ud
}

func (lib *Lib) forget(f *file) {
	lib.mu.Lock()
	delete(lib.open, f)
	lib.mu.Unlock()
	if lib.opts.Host != nil {
		lib.opts.Host.Untrack(f)
	}
}

// argError raises Lua 5.1's "bad argument #n to 'name' (msg)": io's
// functions are named by their call site, '?' without one, as Lua 5.1's.
func argError(L *lua.LState, n int, msg string) {
	luaarg.Error(L, n, "?", msg)
}

// toFile is luaL_checkudata(L, 1, "FILE*"): a file handle, closed or not.
func toFile(L *lua.LState) *file {
	if ud, ok := L.Get(1).(*lua.LUserData); ok {
		if f, ok := ud.Value.(*file); ok {
			return f
		}
	}
	argError(L, 1, "FILE* expected, got "+luaarg.TypeName(L, 1))
	return nil
}

// checkFile is tofile: an open file handle at argument 1.
func checkFile(L *lua.LState) *file {
	f := toFile(L)
	if f.closed.Load() {
		L.RaiseError("attempt to use a closed file")
	}
	return f
}

// The checks below read the value at n and report argument argn: a
// method's file is not counted (file:seek(x) reports x as #1), as Lua 5.1
// reports it. Each coerces through luaarg, as every library does.

// checkString is luaL_checkstring: numbers become strings.
func checkString(L *lua.LState, n, argn int) string {
	s, ok := luaarg.ToString(L.Get(n))
	if !ok {
		argError(L, argn, "string expected, got "+luaarg.TypeName(L, n))
	}
	return s
}

// optString is luaL_optstring.
func optString(L *lua.LState, n, argn int, def string) string {
	if L.Get(n) == lua.LNil {
		return def
	}
	return checkString(L, n, argn)
}

// optInteger is luaL_optinteger: numeric strings count, fractions truncate.
func optInteger(L *lua.LState, n, argn int, def int64) int64 {
	if L.Get(n) == lua.LNil {
		return def
	}
	f, ok := luaarg.ToNumber(L.Get(n))
	if !ok {
		argError(L, argn, "number expected, got "+luaarg.TypeName(L, n))
	}
	return luaarg.CInteger(f)
}

// checkOption is luaL_checkoption; def "" means no default.
func checkOption(L *lua.LState, n, argn int, def string, options []string) int {
	s := def
	if def == "" || L.Get(n) != lua.LNil {
		s = checkString(L, n, argn)
	}
	return luaarg.OptionIndex(L, argn, "?", s, options)
}

// pushResult is Lua 5.1's pushresult: true, or nil, message, errno.
func pushResult(L *lua.LState, err error) int {
	return pushFileResult(L, err, nil)
}

// pushFileResult is pushresult with a file name: nil, "name: message", errno.
func pushFileResult(L *lua.LState, err error, filename *string) int {
	if err == nil {
		L.Push(lua.LTrue)
		return 1
	}
	msg, code := strerror(err)
	if filename != nil {
		msg = *filename + ": " + msg
	}
	return luaarg.FailureText(L, msg, code)
}

// strerror is glibc's text and number for err's errno (package errno's
// mapping); an error without one is EIO, as the C library reports it.
func strerror(err error) (string, int) {
	msg, code := errno.Of(err)
	if code == 0 {
		return err.Error(), int(syscall.EIO)
	}
	return msg, code
}

func ptr(s string) *string { return &s }

// cString is what C sees of a Lua string: up to the first NUL.
func cString(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

// openFlags is glibc's fopen mode: r, w or a, then within the next six
// characters '+' (read and write) and 'x' (exclusive); others are ignored.
func openFlags(mode string) (flags int, read, write, ok bool) {
	mode = cString(mode)
	if mode == "" {
		return 0, false, false, false
	}
	switch mode[0] {
	case 'r':
		flags, read = os.O_RDONLY, true
	case 'w':
		flags, write = os.O_WRONLY|os.O_CREATE|os.O_TRUNC, true
	case 'a':
		flags, write = os.O_WRONLY|os.O_CREATE|os.O_APPEND, true
	default:
		return 0, false, false, false
	}
	for i := 1; i < 7 && i < len(mode); i++ {
		switch mode[i] {
		case '+':
			flags = flags&^os.O_WRONLY | os.O_RDWR
			read, write = true, true
		case 'x':
			flags |= os.O_EXCL
		}
	}
	return flags, read, write, true
}

// openFile is fopen.
func openFile(path, mode string) (*file, error) {
	flags, read, write, ok := openFlags(mode)
	if !ok {
		return nil, syscall.EINVAL
	}
	osf, err := os.OpenFile(cString(path), flags, 0o666)
	if err != nil {
		return nil, err
	}
	return regularFile(osf, read, write), nil
}

func regularFile(osf *os.File, read, write bool) *file {
	f := &file{kind: kindRegular, osf: osf, readable: read, writable: write, w: osf}
	if read {
		f.r = bufio.NewReader(osf)
	}
	if write {
		f.wb = bufio.NewWriterSize(osf, 4096)
	}
	return f
}

// io.open(filename [, mode]) -> file | nil, "filename: message", errno;
// raises on a non-string filename or mode.
func (lib *Lib) ioOpen(L *lua.LState) int {
	name := checkString(L, 1, 1)
	mode := optString(L, 2, 2, "r")
	f, err := openFile(name, mode)
	if err != nil {
		return pushFileResult(L, err, ptr(cString(name)))
	}
	L.Push(lib.newHandle(L, f))
	return 1
}

// io.tmpfile() -> file (opened "w+", removed already) | nil, message, errno.
func (lib *Lib) ioTmpfile(L *lua.LState) int {
	osf, err := os.CreateTemp("", "lua_")
	if err != nil {
		return pushResult(L, err)
	}
	_ = os.Remove(osf.Name())
	L.Push(lib.newHandle(L, regularFile(osf, true, true)))
	return 1
}

// io.popen(prog [, mode]) -> file | nil, "prog: message", errno; runs prog
// with /bin/sh -c; mode "r" reads its output, "w" writes its input.
// Raises on a non-string argument.
func (lib *Lib) ioPopen(L *lua.LState) int {
	prog := checkString(L, 1, 1)
	mode := optString(L, 2, 2, "r")
	read, ok := popenMode(mode)
	if !ok {
		return pushFileResult(L, syscall.EINVAL, ptr(cString(prog)))
	}
	lib.mu.Lock()
	for f := range lib.open { // popen does fflush(NULL) first
		if !f.slow {
			f.mu.Lock()
			if !f.closed.Load() {
				_ = f.flush()
			}
			f.mu.Unlock()
		}
	}
	lib.mu.Unlock()
	lib.stdout.Flush()
	f, err := lib.startPipe(cString(prog), read)
	if err != nil {
		return pushFileResult(L, err, ptr(cString(prog)))
	}
	L.Push(lib.newHandle(L, f))
	return 1
}

// io.type(obj) -> "file" | "closed file" | nil; raises without an argument.
func (lib *Lib) ioType(L *lua.LState) int {
	if L.GetTop() < 1 {
		argError(L, 1, "value expected")
	}
	if ud, ok := L.Get(1).(*lua.LUserData); ok {
		if f, ok := ud.Value.(*file); ok {
			if f.closed.Load() {
				L.Push(lua.LString("closed file"))
			} else {
				L.Push(lua.LString("file"))
			}
			return 1
		}
	}
	L.Push(lua.LNil)
	return 1
}

// tostring(file) -> "file (0x...)" | "file (closed)".
func (lib *Lib) fileToString(L *lua.LState) int {
	f := toFile(L)
	if f.closed.Load() {
		L.Push(lua.LString("file (closed)"))
	} else {
		L.Push(lua.LString(fmt.Sprintf("file (%p)", f)))
	}
	return 1
}

// io.close([file]) -> true | nil, message [, errno]; closes the default
// output without an argument; a standard file gives nil, "cannot close
// standard file". Raises on a closed file or non-file.
func (lib *Lib) ioClose(L *lua.LState) int {
	if L.GetTop() == 0 {
		L.Push(lib.output)
	}
	return lib.closeFile(L, checkFile(L))
}

// file:close() -> as io.close(file); without a file it raises, as in Lua
// 5.1 (the method does not see io's default output).
func (lib *Lib) fileClose(L *lua.LState) int {
	if L.GetTop() == 0 {
		L.Push(lua.LNil)
	}
	return lib.closeFile(L, checkFile(L))
}

func (lib *Lib) closeFile(L *lua.LState, f *file) int {
	if f.kind == kindStd {
		L.Push(lua.LNil)
		L.Push(lua.LString("cannot close standard file"))
		return 2
	}
	return pushResult(L, lib.closeHandle(L, f))
}

// closeHandle is fclose/pclose, and forgets the file.
func (lib *Lib) closeHandle(L *lua.LState, f *file) error {
	var err error
	lib.with(L, f, func() {
		if !f.closed.Load() { // the host may have closed it meanwhile
			err = f.close()
		}
	})
	lib.forget(f)
	return err
}

// defaultFile is getiofile: io.input() or io.output(), open.
func (lib *Lib) defaultFile(L *lua.LState, output bool) *file {
	ud, which := lib.input, "input"
	if output {
		ud, which = lib.output, "output"
	}
	f := ud.Value.(*file)
	if f.closed.Load() {
		L.RaiseError("standard %s file is closed", which)
	}
	return f
}

// io.input([file | filename]) -> file; io.output likewise. Raises when the
// file cannot be opened ("bad argument #1 to 'input' (name: message)"), or
// on a closed file or non-file.
func (lib *Lib) ioInput(L *lua.LState) int  { return lib.ioFile(L, "input", "r", &lib.input) }
func (lib *Lib) ioOutput(L *lua.LState) int { return lib.ioFile(L, "output", "w", &lib.output) }

func (lib *Lib) ioFile(L *lua.LState, name, mode string, slot **lua.LUserData) int {
	switch v := L.Get(1).(type) {
	case *lua.LNilType:
	case lua.LString, lua.LNumber:
		path := checkString(L, 1, 1)
		f, err := openFile(path, mode)
		if err != nil {
			msg, _ := strerror(err)
			argError(L, 1, cString(path)+": "+msg)
		}
		*slot = lib.newHandle(L, f)
	default:
		checkFile(L)
		*slot = v.(*lua.LUserData)
	}
	lib.env.RawSetInt(1, lib.input)
	lib.env.RawSetInt(2, lib.output)
	L.Push(*slot)
	return 1
}

// io.flush() and file:flush() -> true | nil, message, errno.
func (lib *Lib) ioFlush(L *lua.LState) int {
	return lib.flushFile(L, lib.defaultFile(L, true))
}

func (lib *Lib) fileFlush(L *lua.LState) int {
	return lib.flushFile(L, checkFile(L))
}

func (lib *Lib) flushFile(L *lua.LState, f *file) int {
	var err error
	lib.with(L, f, func() { err = f.flush() })
	return pushResult(L, err)
}
