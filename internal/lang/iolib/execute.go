package iolib

import (
	"os"
	"os/exec"
	"syscall"

	lua "github.com/yuin/gopher-lua"
)

// osExecute: os.execute([command]) -> C's system() status. Without a
// command: 1 when there is a shell (else 0). With one: the wait status
// (the exit code × 256, or the number of the signal that ended it), after
// the script's output so far is written; the command writes where the
// script does, and the other tasks run while it does (Options.Block).
// Raises on a command that is not a string.
func (lib *Lib) osExecute(L *lua.LState) int {
	if L.Get(1) == lua.LNil {
		shell := 0
		if _, err := os.Stat("/bin/sh"); err == nil {
			shell = 1
		}
		L.Push(lua.LNumber(shell))
		return 1
	}
	cmd := exec.Command("/bin/sh", "-c", cString(checkString(L, 1, 1)))
	cmd.Stdout, cmd.Stderr = lib.stdout, lib.stderr
	if lib.opts.Stdin == os.Stdin {
		cmd.Stdin = os.Stdin
	}
	lib.stdout.Flush()
	status := 127 << 8 // what system() gives when the shell cannot run
	run := func() {
		_ = cmd.Run()
		if cmd.ProcessState == nil {
			return
		}
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok {
			status = int(ws)
		}
	}
	if lib.opts.Host != nil {
		lib.opts.Host.Block(L, run)
	} else {
		run()
	}
	L.Push(lua.LNumber(status))
	return 1
}
