package iolib

import (
	"bufio"
	"io"

	lua "github.com/yuin/gopher-lua"

	"github.com/luasock/luasock/internal/lang/luaarg"
	"github.com/luasock/luasock/internal/lang/luanum"
)

// io.read(...) -> values per format ("*n", "*l", "*a", a byte count) from
// io.input(); nil for the first that fails (end of file), nothing after it;
// nil, message, errno on a read error. Raises on an invalid format.
func (lib *Lib) ioRead(L *lua.LState) int {
	return lib.readFormats(L, lib.defaultFile(L, false), 1)
}

// file:read(...) -> as io.read, from file.
func (lib *Lib) fileRead(L *lua.LState) int {
	return lib.readFormats(L, checkFile(L), 2)
}

// readOp is one format of read: 'n', 'l', 'a', or 'c' (count bytes; 0
// tests for the end of the file, a negative count reads all).
type readOp struct {
	format byte
	count  int64
}

// parseFormat checks one argument of read; msg is the argument error.
func parseFormat(v lua.LValue) (op readOp, msg string) {
	if num, ok := v.(lua.LNumber); ok {
		count := luaarg.CInteger(float64(num))
		if count < 0 { // a huge size_t in C: all there is
			count = -1
		}
		return readOp{format: 'c', count: count}, ""
	}
	s, ok := v.(lua.LString)
	if !ok || len(s) == 0 || s[0] != '*' {
		return op, "invalid option"
	}
	if len(s) > 1 && (s[1] == 'n' || s[1] == 'l' || s[1] == 'a') {
		return readOp{format: s[1]}, ""
	}
	return op, "invalid format"
}

// readFormats is g_read: the formats are arguments first.. (argument
// numbers in messages count from first, as for a method call). The formats
// are checked first, so the reads can wait without the Lua lock; an invalid
// one still raises only once the reads before it succeeded, as in C.
func (lib *Lib) readFormats(L *lua.LState, f *file, first int) int {
	nargs := L.GetTop() - first + 1
	ops := []readOp{{format: 'l'}}
	badArg, badMsg := 0, ""
	if nargs > 0 {
		ops = ops[:0]
		for n := first; n < first+nargs; n++ {
			op, msg := parseFormat(L.Get(n))
			if msg != "" {
				badArg, badMsg = n-first+1, msg
				break
			}
			ops = append(ops, op)
		}
	}
	var results []lua.LValue
	success := true
	var err error
	if len(ops) > 0 {
		lib.with(L, f, func() { results, success, err = runReads(f, ops) })
	}
	if err != nil {
		return pushResult(L, err)
	}
	if badArg > 0 && success {
		argError(L, badArg, badMsg)
	}
	if !success {
		results[len(results)-1] = lua.LNil
	}
	for _, v := range results {
		L.Push(v)
	}
	return len(results)
}

// runReads reads ops in order until one fails; it touches no Lua state.
func runReads(f *file, ops []readOp) ([]lua.LValue, bool, error) {
	results := make([]lua.LValue, 0, len(ops))
	success := true
	for _, op := range ops {
		if !success {
			break
		}
		var val lua.LValue
		var err error
		var b []byte
		switch {
		case op.format == 'n':
			var num float64
			num, success, err = f.readNumber()
			val = lua.LNumber(num)
		case op.format == 'l':
			b, success, err = f.readLine()
			val = lua.LString(b)
		case op.format == 'a':
			b, _, err = f.readChars(-1)
			success, val = true, lua.LString(b)
		case op.count == 0:
			success, err = f.testEOF()
			val = lua.LString("")
		default:
			b, success, err = f.readChars(op.count)
			val = lua.LString(b)
		}
		if err != nil {
			return nil, false, err
		}
		results = append(results, val)
	}
	return results, success, nil
}

// io.write(...) -> true | nil, message, errno: strings and numbers (%.14g)
// to io.output(). Raises on any other argument, after writing those before it.
func (lib *Lib) ioWrite(L *lua.LState) int {
	return lib.writeArgs(L, lib.defaultFile(L, true), 1)
}

// file:write(...) -> as io.write, to file.
func (lib *Lib) fileWrite(L *lua.LState) int {
	return lib.writeArgs(L, checkFile(L), 2)
}

// writeArgs is g_write, with the arguments gathered into one write.
func (lib *Lib) writeArgs(L *lua.LState, f *file, first int) int {
	var buf []byte
	bad := 0
	for n := first; n <= L.GetTop() && bad == 0; n++ {
		switch v := L.Get(n).(type) {
		case lua.LString:
			buf = append(buf, v...)
		case lua.LNumber:
			buf = luanum.AppendFormat(buf, float64(v))
		default:
			bad = n
		}
	}
	var err error
	if len(buf) > 0 {
		lib.with(L, f, func() { err = f.write(buf) })
	}
	if bad > 0 {
		argError(L, bad-first+1, "string expected, got "+luaarg.TypeName(L, bad))
	}
	return pushResult(L, err)
}

// io.lines([filename]) -> iterator over lines. With a filename the file is
// closed at its end; a file that cannot be opened raises
// "bad argument #1 to 'lines' (name: message)". Without one it reads
// io.input() (an explicit nil raises, as in Lua 5.1).
func (lib *Lib) ioLines(L *lua.LState) int {
	if L.GetTop() == 0 {
		L.Push(lib.input)
		return lib.fileLines(L)
	}
	if L.Get(1) == lua.LNil {
		toFile(L)
	}
	path := checkString(L, 1, 1)
	f, err := openFile(path, "r")
	if err != nil {
		msg, _ := strerror(err)
		argError(L, 1, cString(path)+": "+msg)
	}
	L.Push(L.NewClosure(lib.readLineIter, lib.newHandle(L, f), lua.LTrue))
	return 1
}

// file:lines() -> iterator over the file's lines (the file stays open).
func (lib *Lib) fileLines(L *lua.LState) int {
	checkFile(L)
	L.Push(L.NewClosure(lib.readLineIter, L.Get(1), lua.LFalse))
	return 1
}

// readLineIter is io_readline: the next line, or nothing at the end (then
// closes the file when io.lines opened it). Raises "file is already closed"
// and on a read error.
func (lib *Lib) readLineIter(L *lua.LState) int {
	ud := L.Get(lua.UpvalueIndex(1)).(*lua.LUserData)
	f := ud.Value.(*file)
	if f.closed.Load() {
		L.RaiseError("file is already closed")
	}
	var line []byte
	var ok bool
	var err error
	lib.with(L, f, func() { line, ok, err = f.readLine() })
	if err != nil {
		msg, _ := strerror(err)
		L.RaiseError("%s", msg)
	}
	if ok {
		L.Push(lua.LString(line))
		return 1
	}
	if L.Get(lua.UpvalueIndex(2)) == lua.LTrue {
		_ = lib.closeHandle(L, f)
	}
	return 0
}

var seekNames = []string{"set", "cur", "end"}

// file:seek([whence [, offset]]) -> position | nil, message, errno; whence
// "set", "cur" (default) or "end". Raises on an invalid whence or offset.
func (lib *Lib) fileSeek(L *lua.LState) int {
	f := checkFile(L)
	whence := checkOption(L, 2, 1, "cur", seekNames)
	off := optInteger(L, 3, 2, 0)
	var pos int64
	var err error
	lib.with(L, f, func() { pos, err = f.seek([]int{io.SeekStart, io.SeekCurrent, io.SeekEnd}[whence], off) })
	if err != nil {
		return pushResult(L, err)
	}
	L.Push(lua.LNumber(pos))
	return 1
}

var vbufNames = []string{"no", "full", "line"}

// file:setvbuf(mode [, size]) -> true; mode "no", "full" or "line" (the
// run's stdout and stderr stay unbuffered here). Raises on an invalid mode.
func (lib *Lib) fileSetvbuf(L *lua.LState) int {
	f := checkFile(L)
	mode := checkOption(L, 2, 1, "", vbufNames)
	size := optInteger(L, 3, 2, 8192)
	var err error
	lib.with(L, f, func() {
		if f.wb != nil {
			err = f.wb.Flush()
			if size > 0 && size <= 1<<24 && int(size) != f.wb.Size() {
				f.wb = bufio.NewWriterSize(f.w, int(size))
			}
			f.buf = []bufMode{bufNone, bufFull, bufLine}[mode]
		}
	})
	return pushResult(L, err)
}
