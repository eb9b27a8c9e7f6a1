//go:build !unix

package stdlib

import lua "github.com/yuin/gopher-lua"

// openOSClock keeps gopher-lua's os.clock where getrusage is missing.
func openOSClock(L *lua.LState) {}
