package host

import (
	"github.com/luasock/luasock/internal/channel"
	"io"
	"os"
	"path/filepath"

	"github.com/luasock/luasock/internal/errno"
	"github.com/luasock/luasock/internal/lang/iolib"
	"github.com/luasock/luasock/internal/lang/stdlib"
	lua "github.com/yuin/gopher-lua"
)

// readScript reads a script's source; errors read as Lua's
// ("cannot open x: No such file or directory").
func readScript(path string) ([]byte, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, errno.Wrap("cannot open "+path, err)
	}
	return src, nil
}

// setScriptArgs sets the global `arg` (arg[0] the script, arg[1..] the
// arguments) and puts the script's folder first on package.path.
func setScriptArgs(L *lua.LState, script string, args []string) {
	t := L.NewTable()
	t.RawSetInt(0, lua.LString(script))
	for i, a := range args {
		t.RawSetInt(i+1, lua.LString(a))
	}
	L.SetGlobal("arg", t)

	dir := filepath.Dir(script)
	pkg := L.GetGlobal("package").(*lua.LTable)
	path := filepath.Join(dir, "?.lua") + ";" + filepath.Join(dir, "?", "init.lua") + ";" + lua.LVAsString(pkg.RawGetString("path"))
	pkg.RawSetString("path", lua.LString(path))
}

// openStdlib routes print, the io library and os.exit through the host:
// output goes to the run's stdout, files are closed with the run's handles,
// a read of stdin lets the other tasks run, and exit runs the run's cleanup.
func (rt *scriptRun) openStdlib(L *lua.LState, stdin io.Reader) {
	L.SetGlobal("print", L.NewFunction(rt.print))
	channel.Open(L, rt) // tasks hand values over; a wait releases the lock
	iolib.Open(L, iolib.Options{Stdin: stdin, Stdout: rt.stdout, Stderr: rt.stderr, Track: rt.Track, Untrack: rt.Untrack, Block: rt.Block})
	if osTable, ok := L.GetGlobal("os").(*lua.LTable); ok {
		osTable.RawSetString("exit", L.NewFunction(rt.exit))
	}
}

// print is Lua's print: tostring of each argument, tabs between, a newline.
func (rt *scriptRun) print(L *lua.LState) int {
	var buf []byte
	for i := 1; i <= L.GetTop(); i++ {
		if i > 1 {
			buf = append(buf, '\t')
		}
		buf = append(buf, stdlib.ToString(L, L.Get(i))...)
	}
	_, _ = rt.stdout.Write(append(buf, '\n'))
	return 0
}
