package host

import (
	"slices"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// luaKeywords complete as globals do.
var luaKeywords = []string{"and", "break", "do", "else", "elseif", "end", "false", "for", "function",
	"if", "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while"}

// Complete implements Session: Tab at the prompt. It takes the Lua lock
// (the prompt's goroutine holds it not) and reads tables only: no Lua code
// runs, so an __index function is not followed.
func (s *session) Complete(text string) []string {
	start := len(text)
	for start > 0 && isNameByte(text[start-1], true) {
		start--
	}
	expr := text[start:]
	cut := strings.LastIndexAny(expr, ".:")
	partial := expr[cut+1:]
	if strings.ContainsAny(partial, ".:") || (partial != "" && isDigit(partial[0])) {
		return nil
	}

	rt := s.rt
	rt.lock.Lock()
	defer rt.lock.Unlock()
	var names []string
	if cut < 0 {
		names = fieldNames(rt.L.G.Global, false)
		names = append(names, luaKeywords...)
	} else {
		v := lookupPath(rt.L, expr[:cut])
		if v == nil {
			return nil
		}
		names = memberNames(rt.L, v, expr[cut] == ':')
	}
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, partial) {
			out = append(out, text[:len(text)-len(partial)]+n)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// lookupPath follows a.b.c from the globals by raw reads; nil where a step
// is not a table.
func lookupPath(L *lua.LState, path string) lua.LValue {
	var v lua.LValue = L.G.Global
	for _, name := range strings.Split(path, ".") {
		if name == "" || !isName(name) {
			return nil
		}
		t, ok := v.(*lua.LTable)
		if !ok {
			return nil
		}
		v = t.RawGetString(name)
		if v == lua.LNil {
			return nil
		}
	}
	return v
}

// memberNames lists what follows v. or v: — a table's fields and, for a
// handle or a string, what its metatable's __index table holds; after ":"
// only functions.
func memberNames(L *lua.LState, v lua.LValue, methods bool) []string {
	var names []string
	if t, ok := v.(*lua.LTable); ok {
		names = fieldNames(t, methods)
	}
	if mt, ok := L.GetMetatable(v).(*lua.LTable); ok {
		if index, ok := mt.RawGetString("__index").(*lua.LTable); ok {
			names = append(names, fieldNames(index, methods)...)
		}
	}
	return names
}

// fieldNames lists a table's keys that are names (functions only, if
// functions).
func fieldNames(t *lua.LTable, functions bool) []string {
	var names []string
	t.ForEach(func(k, v lua.LValue) {
		s, ok := k.(lua.LString)
		if !ok || !isName(string(s)) {
			return
		}
		if functions && v.Type() != lua.LTFunction {
			return
		}
		names = append(names, string(s))
	})
	return names
}

func isName(s string) bool {
	if s == "" || isDigit(s[0]) || slices.Contains(luaKeywords, s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isNameByte(s[i], false) {
			return false
		}
	}
	return true
}

// isNameByte tells a byte of a name (and, in a path, its . and :).
func isNameByte(c byte, path bool) bool {
	return c == '_' || isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'z') || (path && (c == '.' || c == ':'))
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
