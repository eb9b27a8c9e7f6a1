// Package lang is the Lua 5.1 that gopher-lua is not: gopher-lua is used
// unmodified, and the packages under internal/lang fix it from outside,
// through its public parser, compiler and replaceable library functions.
// Open installs them all, in one order, as gopher-lua's linit.go opens its
// libraries:
//
//  1. iolib: Lua 5.1's io library, and print writing where io.write does.
//  2. compile: loadstring, load, loadfile, dofile and require compile
//     through luaparse (Lua 5.1's parser and its syntax errors) and the
//     compiler's fixes; every loop counts down to the host's check.
//  3. protect: pcall, xpcall, error and the coroutine functions that see
//     through the pool of threads; a caught error is explained (diagnose).
//  4. diagnose: debug.getinfo as Lua 5.1 fills it.
//  5. stdlib: the base, math, string, table and os functions as Lua 5.1
//     has them, and the compatibility functions (table.foreach, ...).
//  6. bitlib: Lua 5.2's bit32 and LuaJIT's bit.
//  7. luapack: Lua 5.4's string.pack, string.unpack, string.packsize.
//
// The order matters where two touch one table: compile's loop check and
// luapack live in the string table, which stdlib fills in place; stdlib's
// compatibility functions read the package table compile made. luaarg
// (argument checks and the failure shape) and luanum (Lua 5.1's numbers)
// are what the libraries share; none of them knows sockets.
package lang

import (
	"io"

	"github.com/luasock/luasock/internal/lang/bitlib"
	"github.com/luasock/luasock/internal/lang/compile"
	"github.com/luasock/luasock/internal/lang/diagnose"
	"github.com/luasock/luasock/internal/lang/iolib"
	"github.com/luasock/luasock/internal/lang/luapack"
	"github.com/luasock/luasock/internal/lang/protect"
	"github.com/luasock/luasock/internal/lang/stdlib"
	lua "github.com/yuin/gopher-lua"
)

// Options are what the language needs from the run.
type Options struct {
	// Stdin, Stdout and Stderr are io's standard files; print writes to
	// Stdout too. nil: empty input, output discarded.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Host releases the Lua lock around waits on stdin and pipes and hears
	// of every file opened (iolib.Host); nil: waits hold the lock.
	Host iolib.Host
	// Chunk and Source are the main chunk's name and text, remembered to
	// explain its errors (it is compiled before the state exists).
	Chunk  string
	Source []byte
	// LoopCheck is what every loop calls every compile.CheckEvery passes,
	// with the Lua lock held: it returns the passes until the next check,
	// or raises. nil: loops are never stopped.
	LoopCheck lua.LGFunction
}

// Lang is one state's language: the parts the host calls on.
type Lang struct {
	Loader    *compile.Loader    // compiles code; keeps sources to explain errors
	Protector *protect.Protector // pcall and xpcall, tasks' threads
	IO        *iolib.Lib         // the io library; CloseAll at the run's end
}

// Open installs the language into L (a state from lua.NewState, with
// gopher-lua's libraries open), in the order of the package comment.
func Open(L *lua.LState, opts Options) *Lang {
	lg := &Lang{}
	lg.IO = iolib.Open(L, iolib.Options{Stdin: opts.Stdin, Stdout: opts.Stdout, Stderr: opts.Stderr, Host: opts.Host})
	L.SetGlobal("print", L.NewFunction(printer(opts.Stdout)))
	lg.Loader = compile.Open(L, nil)
	if opts.Chunk != "" {
		lg.Loader.Remember(opts.Chunk, opts.Source)
	}
	if opts.LoopCheck != nil {
		compile.SetCheck(L, opts.LoopCheck)
	}
	lg.Protector = protect.Open(L, func(L *lua.LState, obj lua.LValue) lua.LValue {
		msg, _ := diagnose.Explain(L, obj, lg.Loader.Source)
		return msg // a caught error keeps Lua's message; hints are for people
	})
	diagnose.OpenDebug(L)
	stdlib.Open(L)
	bitlib.Open(L)
	luapack.Open(L)
	return lg
}

// printer is Lua's print writing to w: tostring of each argument, tabs
// between, a newline, in one write (workers share the host's stdout).
func printer(w io.Writer) lua.LGFunction {
	if w == nil {
		w = io.Discard
	}
	return func(L *lua.LState) int {
		var buf []byte
		for i := 1; i <= L.GetTop(); i++ {
			if i > 1 {
				buf = append(buf, '\t')
			}
			buf = append(buf, stdlib.ToString(L, L.Get(i))...)
		}
		_, _ = w.Write(append(buf, '\n'))
		return 0
	}
}
