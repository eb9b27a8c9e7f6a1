package iolib

import (
	"bufio"
	"io"

	lua "github.com/yuin/gopher-lua"

	"github.com/luasock/luasock/internal/luanum"
)

// io.read(...) -> values per format ("*n", "*l", "*a", a byte count) from
// io.input(); nil for the first that fails (end of file), nothing after it;
// nil, message, errno on a read error. Raises on an invalid format.
func (lib *Lib) ioRead(L *lua.LState) int {
	return readFormats(L, lib.defaultFile(L, false), 1)
}

// file:read(...) -> as io.read, from file.
func (lib *Lib) fileRead(L *lua.LState) int {
	return readFormats(L, checkFile(L, "read"), 2)
}

// readFormats is g_read: the formats are arguments first.. (argument
// numbers in messages count from first, as for a method call).
func readFormats(L *lua.LState, f *file, first int) int {
	nargs := L.GetTop() - first + 1
	if nargs <= 0 {
		line, ok, err := f.readLine()
		if err != nil {
			return pushResult(L, err)
		}
		if ok {
			L.Push(lua.LString(line))
		} else {
			L.Push(lua.LNil)
		}
		return 1
	}
	results := make([]lua.LValue, 0, nargs)
	success := true
	for n := first; n < first+nargs && success; n++ {
		var val lua.LValue
		var err error
		switch v := L.Get(n).(type) {
		case lua.LNumber:
			count := toInteger(float64(v))
			if count == 0 {
				success, err = f.testEOF()
				val = lua.LString("")
			} else {
				if count < 0 { // a huge size_t in C: all there is
					count = -1
				}
				var b []byte
				b, success, err = f.readChars(count)
				val = lua.LString(b)
			}
		default:
			s, isString := v.(lua.LString)
			if !isString || len(s) == 0 || s[0] != '*' {
				argError(L, n-first+1, "read", "invalid option")
			}
			var format byte
			if len(s) > 1 {
				format = s[1]
			}
			switch format {
			case 'n':
				var num float64
				num, success, err = f.readNumber()
				val = lua.LNumber(num)
			case 'l':
				var b []byte
				b, success, err = f.readLine()
				val = lua.LString(b)
			case 'a':
				var b []byte
				b, _, err = f.readChars(-1)
				success = true
				val = lua.LString(b)
			default:
				argError(L, n-first+1, "read", "invalid format")
			}
		}
		if err != nil {
			return pushResult(L, err)
		}
		results = append(results, val)
	}
	if !success {
		results[len(results)-1] = lua.LNil
	}
	for _, v := range results {
		L.Push(v)
	}
	return len(results)
}

// io.write(...) -> true | nil, message, errno: strings and numbers (%.14g)
// to io.output(). Raises on any other argument, after writing those before it.
func (lib *Lib) ioWrite(L *lua.LState) int {
	return writeArgs(L, lib.defaultFile(L, true), 1)
}

// file:write(...) -> as io.write, to file.
func (lib *Lib) fileWrite(L *lua.LState) int {
	return writeArgs(L, checkFile(L, "write"), 2)
}

// writeArgs is g_write, with the arguments gathered into one write.
func writeArgs(L *lua.LState, f *file, first int) int {
	var buf []byte
	for n := first; n <= L.GetTop(); n++ {
		switch v := L.Get(n).(type) {
		case lua.LString:
			buf = append(buf, v...)
		case lua.LNumber:
			buf = luanum.AppendFormat(buf, float64(v))
		default:
			if len(buf) > 0 {
				_ = f.write(buf)
			}
			argError(L, n-first+1, "write", "string expected, got "+typeName(L, n))
		}
	}
	var err error
	if len(buf) > 0 {
		err = f.write(buf)
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
		toFile(L, "lines")
	}
	path := checkString(L, 1, 1, "lines")
	f, err := openFile(path, "r")
	if err != nil {
		msg, _ := strerror(err)
		argError(L, 1, "lines", cString(path)+": "+msg)
	}
	L.Push(L.NewClosure(lib.readLineIter, lib.newHandle(L, f), lua.LTrue))
	return 1
}

// file:lines() -> iterator over the file's lines (the file stays open).
func (lib *Lib) fileLines(L *lua.LState) int {
	checkFile(L, "lines")
	L.Push(L.NewClosure(lib.readLineIter, L.Get(1), lua.LFalse))
	return 1
}

// readLineIter is io_readline: the next line, or nothing at the end (then
// closes the file when io.lines opened it). Raises "file is already closed"
// and on a read error.
func (lib *Lib) readLineIter(L *lua.LState) int {
	ud := L.Get(lua.UpvalueIndex(1)).(*lua.LUserData)
	f := ud.Value.(*file)
	if f.closed {
		L.RaiseError("file is already closed")
	}
	line, ok, err := f.readLine()
	if err != nil {
		msg, _ := strerror(err)
		L.RaiseError("%s", msg)
	}
	if ok {
		L.Push(lua.LString(line))
		return 1
	}
	if L.Get(lua.UpvalueIndex(2)) == lua.LTrue {
		_ = f.closeHandle()
	}
	return 0
}

var seekNames = []string{"set", "cur", "end"}

// file:seek([whence [, offset]]) -> position | nil, message, errno; whence
// "set", "cur" (default) or "end". Raises on an invalid whence or offset.
func (lib *Lib) fileSeek(L *lua.LState) int {
	f := checkFile(L, "seek")
	whence := checkOption(L, 2, 1, "seek", "cur", seekNames)
	off := optInteger(L, 3, 2, "seek", 0)
	pos, err := f.seek([]int{io.SeekStart, io.SeekCurrent, io.SeekEnd}[whence], off)
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
	f := checkFile(L, "setvbuf")
	mode := checkOption(L, 2, 1, "setvbuf", "", vbufNames)
	size := optInteger(L, 3, 2, "setvbuf", 8192)
	if f.wb != nil {
		err := f.wb.Flush()
		if size > 0 && size <= 1<<24 && int(size) != f.wb.Size() {
			f.wb = bufio.NewWriterSize(f.w, int(size))
		}
		f.buf = []bufMode{bufNone, bufFull, bufLine}[mode]
		return pushResult(L, err)
	}
	return pushResult(L, nil)
}
