package stdlib

import (
	"fmt"
	"strings"

	"github.com/luasock/luasock/internal/lang/luaarg"
	lua "github.com/yuin/gopher-lua"
)

func openTable(L *lua.LState) {
	register(L, "table", map[string]lua.LGFunction{
		"concat": tabConcat,
		"insert": tabInsert,
		"remove": tabRemove,
		"sort":   tabSort,
		"maxn":   tabMaxn,
		"getn":   tabGetn,
	})
}

// tabConcat: table.concat(t [, sep [, i [, j]]]) -> string, numbers as
// "%.14g"; raises "invalid value (at index k) in table for 'concat'" on an
// element that is neither string nor number.
func tabConcat(L *lua.LState) int {
	sep := optString(L, 2, "")
	t := checkTable(L, 1)
	i := optInt(L, 3, 1)
	last := optInt(L, 4, t.Len())
	var b strings.Builder
	add := func(k int) {
		v := rawGetInt(t, k)
		s, ok := luaarg.ToString(v)
		if !ok {
			raise(L, "invalid value (%s) at index %d in table for 'concat'", v.Type(), k)
		}
		b.WriteString(s)
	}
	for ; i < last; i++ {
		add(i)
		b.WriteString(sep)
	}
	if i == last {
		add(i)
	}
	L.Push(lua.LString(b.String()))
	return 1
}

// tabInsert: table.insert(t, [pos,] v); raises "wrong number of arguments
// to 'insert'" with other than 2 or 3 arguments.
func tabInsert(L *lua.LState) int {
	t := checkTable(L, 1)
	e := t.Len() + 1
	var pos int
	switch L.GetTop() {
	case 2:
		pos = e
	case 3:
		pos = checkInt(L, 2)
		if pos > e {
			e = pos
		}
		for i := e; i > pos; i-- {
			t.RawSetInt(i, rawGetInt(t, i-1))
		}
	default:
		raise(L, "wrong number of arguments to 'insert'")
	}
	t.RawSetInt(pos, L.Get(L.GetTop()))
	return 0
}

// tabRemove: table.remove(t [, pos]) -> the removed value, nothing when pos
// is outside 1..#t; raises on a non-table.
func tabRemove(L *lua.LState) int {
	t := checkTable(L, 1)
	e := t.Len()
	pos := optInt(L, 2, e)
	if pos < 1 || pos > e {
		return 0
	}
	L.Push(rawGetInt(t, pos))
	for ; pos < e; pos++ {
		t.RawSetInt(pos, rawGetInt(t, pos+1))
	}
	t.RawSetInt(e, lua.LNil)
	return 1
}

// tabMaxn: table.maxn(t) -> the largest positive number key, or 0.
func tabMaxn(L *lua.LState) int {
	t := checkTable(L, 1)
	maxKey := 0.0
	t.ForEach(func(k, _ lua.LValue) {
		if n, ok := k.(lua.LNumber); ok && float64(n) > maxKey {
			maxKey = float64(n)
		}
	})
	L.Push(lua.LNumber(maxKey))
	return 1
}

// tabGetn: table.getn(t) -> #t; raises on a non-table.
func tabGetn(L *lua.LState) int {
	L.Push(lua.LNumber(checkTable(L, 1).Len()))
	return 1
}

// sorter is Lua 5.1's auxsort, ported step for step so that the same
// comparisons happen in the same order and a bad order function raises
// where Lua 5.1 does.
type sorter struct {
	L    *lua.LState
	t    *lua.LTable
	less lua.LValue // nil: the < operator
}

// tabSort: table.sort(t [, less]); raises "invalid order function for
// sorting" when less is inconsistent, and on values < cannot compare.
func tabSort(L *lua.LState) int {
	t := checkTable(L, 1)
	n := t.Len()
	s := &sorter{L: L, t: t}
	if L.Get(2) != lua.LNil {
		if _, ok := L.Get(2).(*lua.LFunction); !ok {
			typeError(L, 2, "function")
		}
		s.less = L.Get(2)
	}
	s.sort(1, n)
	return 0
}

func (s *sorter) lt(a, b lua.LValue) bool {
	if s.less != nil {
		s.L.Push(s.less)
		s.L.Push(a)
		s.L.Push(b)
		s.L.Call(2, 1)
		r := s.L.Get(-1)
		s.L.Pop(1)
		return lua.LVAsBool(r)
	}
	return lessThan(s.L, a, b)
}

// lessThan is Lua 5.1's a < b with its error text.
func lessThan(L *lua.LState, a, b lua.LValue) bool {
	switch x := a.(type) {
	case lua.LNumber:
		if y, ok := b.(lua.LNumber); ok {
			return x < y
		}
	case lua.LString:
		if y, ok := b.(lua.LString); ok {
			return x < y
		}
	}
	if a.Type() == b.Type() {
		mm := L.GetMetaField(a, "__lt")
		if mm != lua.LNil && L.RawEqual(mm, L.GetMetaField(b, "__lt")) {
			return L.LessThan(a, b)
		}
		// the VM's error, raised in a Go function: no position, as in Lua 5.1
		L.Error(lua.LString(fmt.Sprintf("attempt to compare two %s values", a.Type())), 0)
	}
	L.Error(lua.LString(fmt.Sprintf("attempt to compare %s with %s", a.Type(), b.Type())), 0)
	return false
}

func (s *sorter) get(i int) lua.LValue    { return rawGetInt(s.t, i) }
func (s *sorter) set(i int, v lua.LValue) { s.t.RawSetInt(i, v) }

func (s *sorter) invalid() {
	raise(s.L, "invalid order function for sorting")
}

func (s *sorter) sort(l, u int) {
	for l < u {
		if a, b := s.get(l), s.get(u); s.lt(b, a) {
			s.set(l, b)
			s.set(u, a)
		}
		if u-l == 1 {
			break
		}
		i := (l + u) / 2
		if ai, al := s.get(i), s.get(l); s.lt(ai, al) {
			s.set(i, al)
			s.set(l, ai)
		} else if au := s.get(u); s.lt(au, ai) {
			s.set(i, au)
			s.set(u, ai)
		}
		if u-l == 2 {
			break
		}
		p := s.get(i)
		s.set(i, s.get(u-1))
		s.set(u-1, p)
		i, j := l, u-1
		for {
			var ai, aj lua.LValue
			for {
				i++
				ai = s.get(i)
				if !s.lt(ai, p) {
					break
				}
				if i > u {
					s.invalid()
				}
			}
			for {
				j--
				aj = s.get(j)
				if !s.lt(p, aj) {
					break
				}
				if j < l {
					s.invalid()
				}
			}
			if j < i {
				break
			}
			s.set(i, aj)
			s.set(j, ai)
		}
		a, b := s.get(u-1), s.get(i)
		s.set(u-1, b)
		s.set(i, a)
		if i-l < u-i {
			j = l
			i = i - 1
			l = i + 2
		} else {
			j = i + 1
			i = u
			u = j - 2
		}
		s.sort(j, i)
	}
}
