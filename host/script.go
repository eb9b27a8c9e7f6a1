package host

import (
	"os"
	"path/filepath"

	"github.com/luasock/luasock/internal/errno"
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
