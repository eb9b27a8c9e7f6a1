package stdlib

import (
	"strings"

	"github.com/luasock/luasock/internal/lang/luaarg"
	lua "github.com/yuin/gopher-lua"
)

// Lua 5.1's pattern matcher (lstrlib.c), ported step for step: gopher-lua's
// differs (%f at the start of the subject, "^" in gmatch, error texts).

const (
	maxCaptures   = 32
	capUnfinished = -1
	capPosition   = -2
	maxMatchDepth = 200000 // C recursion would overflow the stack near here
)

type capture struct{ init, len int }

type matchState struct {
	L       *lua.LState
	src     string
	pat     string
	level   int
	depth   int
	capture [maxCaptures]capture
}

// at is the pattern byte at p, NUL past the end (as C's string reads).
func (ms *matchState) at(p int) byte {
	if p < len(ms.pat) {
		return ms.pat[p]
	}
	return 0
}

func (ms *matchState) srcAt(s int) byte {
	if s < len(ms.src) {
		return ms.src[s]
	}
	return 0
}

func (ms *matchState) classEnd(p int) int {
	c := ms.at(p)
	p++
	if c == '%' {
		if p >= len(ms.pat) {
			raise(ms.L, "malformed pattern (ends with '%%')")
		}
		return p + 1
	}
	if c == '[' {
		if ms.at(p) == '^' {
			p++
		}
		for {
			if p >= len(ms.pat) {
				raise(ms.L, "malformed pattern (missing ']')")
			}
			c := ms.pat[p]
			p++
			if c == '%' && p < len(ms.pat) {
				p++
			}
			if ms.at(p) == ']' {
				break
			}
		}
		return p + 1
	}
	return p
}

func isAlpha(c byte) bool  { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }
func isDigitC(c byte) bool { return c >= '0' && c <= '9' }

func matchClass(c, cl byte) bool {
	var res bool
	switch cl | 0x20 {
	case 'a':
		res = isAlpha(c)
	case 'c':
		res = c < 32 || c == 127
	case 'd':
		res = isDigitC(c)
	case 'l':
		res = c >= 'a' && c <= 'z'
	case 'p':
		res = c > 32 && c < 127 && !isAlpha(c) && !isDigitC(c)
	case 's':
		res = c == ' ' || (c >= '\t' && c <= '\r')
	case 'u':
		res = c >= 'A' && c <= 'Z'
	case 'w':
		res = isAlpha(c) || isDigitC(c)
	case 'x':
		res = isDigitC(c) || ((c|0x20) >= 'a' && (c|0x20) <= 'f')
	case 'z':
		res = c == 0
	default:
		return cl == c
	}
	if cl >= 'A' && cl <= 'Z' {
		return !res
	}
	return res
}

func (ms *matchState) matchBracketClass(c byte, p, ec int) bool {
	sig := true
	if ms.at(p+1) == '^' {
		sig = false
		p++
	}
	for p++; p < ec; p++ {
		if ms.pat[p] == '%' {
			p++
			if matchClass(c, ms.at(p)) {
				return sig
			}
		} else if ms.at(p+1) == '-' && p+2 < ec {
			p += 2
			if ms.pat[p-2] <= c && c <= ms.pat[p] {
				return sig
			}
		} else if ms.pat[p] == c {
			return sig
		}
	}
	return !sig
}

func (ms *matchState) singleMatch(c byte, p, ep int) bool {
	switch ms.pat[p] {
	case '.':
		return true
	case '%':
		return matchClass(c, ms.at(p+1))
	case '[':
		return ms.matchBracketClass(c, p, ep-1)
	}
	return ms.pat[p] == c
}

// match returns the end of the match of pattern p at subject s, or -1.
func (ms *matchState) match(s, p int) int {
	ms.depth++
	defer func() { ms.depth-- }()
	if ms.depth > maxMatchDepth {
		raise(ms.L, "pattern too complex")
	}
	for {
		switch ms.at(p) {
		case '(':
			if ms.at(p+1) == ')' {
				return ms.startCapture(s, p+2, capPosition)
			}
			return ms.startCapture(s, p+1, capUnfinished)
		case ')':
			return ms.endCapture(s, p+1)
		case 0:
			if p >= len(ms.pat) {
				return s
			}
		case '$':
			if p+1 == len(ms.pat) {
				if s == len(ms.src) {
					return s
				}
				return -1
			}
		case '%':
			switch ms.at(p + 1) {
			case 'b':
				s = ms.matchBalance(s, p+2)
				if s < 0 {
					return -1
				}
				p += 4
				continue
			case 'f':
				p += 2
				if ms.at(p) != '[' {
					raise(ms.L, "missing '[' after '%%f' in pattern")
				}
				ep := ms.classEnd(p)
				var prev byte
				if s > 0 {
					prev = ms.src[s-1]
				}
				if ms.matchBracketClass(prev, p, ep-1) || !ms.matchBracketClass(ms.srcAt(s), p, ep-1) {
					return -1
				}
				p = ep
				continue
			default:
				if d := ms.at(p + 1); isDigitC(d) {
					s = ms.matchCapture(s, d)
					if s < 0 {
						return -1
					}
					p += 2
					continue
				}
			}
		}
		// a single-character class, maybe with a repetition
		ep := ms.classEnd(p)
		m := s < len(ms.src) && ms.singleMatch(ms.src[s], p, ep)
		switch ms.at(ep) {
		case '?':
			if m {
				if res := ms.match(s+1, ep+1); res >= 0 {
					return res
				}
			}
			p = ep + 1
			continue
		case '*':
			return ms.maxExpand(s, p, ep)
		case '+':
			if !m {
				return -1
			}
			return ms.maxExpand(s+1, p, ep)
		case '-':
			return ms.minExpand(s, p, ep)
		}
		if !m {
			return -1
		}
		s++
		p = ep
	}
}

func (ms *matchState) matchBalance(s, p int) int {
	if p+1 >= len(ms.pat) {
		raise(ms.L, "unbalanced pattern")
	}
	if s >= len(ms.src) || ms.src[s] != ms.pat[p] {
		return -1
	}
	b, e := ms.pat[p], ms.pat[p+1]
	cont := 1
	for s++; s < len(ms.src); s++ {
		if ms.src[s] == e {
			if cont--; cont == 0 {
				return s + 1
			}
		} else if ms.src[s] == b {
			cont++
		}
	}
	return -1
}

func (ms *matchState) maxExpand(s, p, ep int) int {
	i := 0
	for s+i < len(ms.src) && ms.singleMatch(ms.src[s+i], p, ep) {
		i++
	}
	for ; i >= 0; i-- {
		if res := ms.match(s+i, ep+1); res >= 0 {
			return res
		}
	}
	return -1
}

func (ms *matchState) minExpand(s, p, ep int) int {
	for {
		if res := ms.match(s, ep+1); res >= 0 {
			return res
		}
		if s < len(ms.src) && ms.singleMatch(ms.src[s], p, ep) {
			s++
		} else {
			return -1
		}
	}
}

func (ms *matchState) startCapture(s, p, what int) int {
	if ms.level >= maxCaptures {
		raise(ms.L, "too many captures")
	}
	ms.capture[ms.level] = capture{s, what}
	ms.level++
	res := ms.match(s, p)
	if res < 0 {
		ms.level--
	}
	return res
}

func (ms *matchState) endCapture(s, p int) int {
	l := -1
	for i := ms.level - 1; i >= 0; i-- {
		if ms.capture[i].len == capUnfinished {
			l = i
			break
		}
	}
	if l < 0 {
		raise(ms.L, "invalid pattern capture")
	}
	ms.capture[l].len = s - ms.capture[l].init
	res := ms.match(s, p)
	if res < 0 {
		ms.capture[l].len = capUnfinished
	}
	return res
}

func (ms *matchState) matchCapture(s int, d byte) int {
	l := int(d) - '1'
	if l < 0 || l >= ms.level || ms.capture[l].len == capUnfinished {
		raise(ms.L, "invalid capture index")
	}
	c := ms.capture[l]
	if c.len >= 0 && len(ms.src)-s >= c.len && ms.src[c.init:c.init+c.len] == ms.src[s:s+c.len] {
		return s + c.len
	}
	return -1
}

// oneCapture is capture i of a match from s to e (the whole match when the
// pattern has no captures).
func (ms *matchState) oneCapture(i, s, e int) lua.LValue {
	if i >= ms.level {
		if i != 0 {
			raise(ms.L, "invalid capture index")
		}
		return lua.LString(ms.src[s:e])
	}
	c := ms.capture[i]
	switch c.len {
	case capUnfinished:
		raise(ms.L, "unfinished capture")
	case capPosition:
		return lua.LNumber(c.init + 1)
	}
	return lua.LString(ms.src[c.init : c.init+c.len])
}

// pushCaptures pushes the captures (or, with whole set, the match when
// there are none) and returns how many.
func (ms *matchState) pushCaptures(s, e int, whole bool) int {
	n := ms.level
	if n == 0 && whole {
		n = 1
	}
	for i := 0; i < n; i++ {
		ms.L.Push(ms.oneCapture(i, s, e))
	}
	return n
}

// cPattern is the pattern as C reads it: up to its first NUL.
func cPattern(p string) string {
	if i := strings.IndexByte(p, 0); i >= 0 {
		return p[:i]
	}
	return p
}

func openPatterns(L *lua.LState) {
	register(L, "string", map[string]lua.LGFunction{
		"find":   func(L *lua.LState) int { return strFindAux(L, true) },
		"match":  func(L *lua.LState) int { return strFindAux(L, false) },
		"gmatch": strGmatch,
		"gsub":   strGsub,
	})
}

// strFindAux: string.find(s, pattern [, init [, plain]]) -> start, end,
// captures; string.match(s, pattern [, init]) -> captures; nil when there
// is no match; raises on a malformed pattern with Lua 5.1's text.
func strFindAux(L *lua.LState, find bool) int {
	s := checkString(L, 1)
	p := checkString(L, 2)
	init := posrelat(optInteger(L, 3, 1), len(s)) - 1
	if init < 0 {
		init = 0
	} else if init > int64(len(s)) {
		init = int64(len(s))
	}
	if find && (lua.LVAsBool(L.Get(4)) || !strings.ContainsAny(cPattern(p), "^$*+?.([%-")) {
		if i := strings.Index(s[init:], p); i >= 0 {
			L.Push(lua.LNumber(int(init) + i + 1))
			L.Push(lua.LNumber(int(init) + i + len(p)))
			return 2
		}
		L.Push(lua.LNil)
		return 1
	}
	p = cPattern(p)
	anchor := strings.HasPrefix(p, "^")
	if anchor {
		p = p[1:]
	}
	ms := &matchState{L: L, src: s, pat: p}
	for s1 := int(init); ; s1++ {
		ms.level = 0
		if e := ms.match(s1, 0); e >= 0 {
			if find {
				L.Push(lua.LNumber(s1 + 1))
				L.Push(lua.LNumber(e))
				return ms.pushCaptures(-1, -1, false) + 2
			}
			return ms.pushCaptures(s1, e, true)
		}
		if s1 >= len(s) || anchor {
			break
		}
	}
	L.Push(lua.LNil)
	return 1
}

// strGmatch: string.gmatch(s, pattern) -> iterator over the matches ("^"
// is an ordinary character here, as in Lua 5.1); raises on a non-string.
func strGmatch(L *lua.LState) int {
	s := checkString(L, 1)
	p := cPattern(checkString(L, 2))
	pos := 0
	L.Push(L.NewFunction(func(L *lua.LState) int {
		ms := &matchState{L: L, src: s, pat: p}
		for src := pos; src <= len(s); src++ {
			ms.level = 0
			if e := ms.match(src, 0); e >= 0 {
				pos = e
				if e == src {
					pos++
				}
				return ms.pushCaptures(src, e, true)
			}
		}
		pos = len(s) + 1
		return 0
	}))
	return 1
}

// strGsub: string.gsub(s, pattern, repl [, n]) -> string, count; raises
// "invalid replacement value (a table)" and Lua 5.1's pattern errors.
func strGsub(L *lua.LState) int {
	src := checkString(L, 1)
	p := cPattern(checkString(L, 2))
	maxN := optInt(L, 4, len(src)+1)
	repl := L.Get(3)
	switch repl.(type) {
	case lua.LNumber, lua.LString, *lua.LTable, *lua.LFunction:
	default:
		argError(L, 3, "string/function/table expected")
	}
	anchor := strings.HasPrefix(p, "^")
	if anchor {
		p = p[1:]
	}
	ms := &matchState{L: L, src: src, pat: p}
	var b strings.Builder
	n, s := 0, 0
	for n < maxN {
		ms.level = 0
		e := ms.match(s, 0)
		if e >= 0 {
			n++
			ms.addValue(&b, repl, s, e)
		}
		if e >= 0 && e > s {
			s = e
		} else if s < len(src) {
			b.WriteByte(src[s])
			s++
		} else {
			break
		}
		if anchor {
			break
		}
	}
	b.WriteString(src[s:])
	L.Push(lua.LString(b.String()))
	L.Push(lua.LNumber(n))
	return 2
}

func (ms *matchState) addValue(b *strings.Builder, repl lua.LValue, s, e int) {
	L := ms.L
	var v lua.LValue
	switch r := repl.(type) {
	case lua.LNumber, lua.LString:
		news, _ := luaarg.ToString(r)
		for i := 0; i < len(news); i++ {
			if news[i] != '%' {
				b.WriteByte(news[i])
				continue
			}
			i++
			c := byte(0) // a final "%" reads the C string's NUL
			if i < len(news) {
				c = news[i]
			}
			switch {
			case !isDigitC(c):
				b.WriteByte(c)
			case c == '0':
				b.WriteString(ms.src[s:e])
			default:
				cs, _ := luaarg.ToString(ms.oneCapture(int(c-'1'), s, e))
				b.WriteString(cs)
			}
		}
		return
	case *lua.LFunction:
		top := L.GetTop()
		L.Push(r)
		n := ms.pushCaptures(s, e, true)
		L.Call(n, 1)
		v = L.Get(-1)
		L.SetTop(top)
	case *lua.LTable:
		v = L.GetTable(r, ms.oneCapture(0, s, e))
	}
	if !lua.LVAsBool(v) {
		b.WriteString(ms.src[s:e])
		return
	}
	str, ok := luaarg.ToString(v)
	if !ok {
		raise(L, "invalid replacement value (a %s)", v.Type())
	}
	b.WriteString(str)
}
