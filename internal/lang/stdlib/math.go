package stdlib

import (
	"math"

	lua "github.com/yuin/gopher-lua"
)

// negNaN is the NaN an x86 FPU produces for an invalid operation (0/0,
// sqrt(-1)): its sign bit is set, so Lua 5.1 prints it "-nan".
var negNaN = math.Float64frombits(0xfff8000000000000)

// posNaN is the NaN glibc returns from some functions (acos(2)): "nan".
var posNaN = math.Float64frombits(0x7ff8000000000000)

// libmResult gives a NaN result the sign glibc gives it: an argument's NaN
// passes through, a NaN made from numbers is domain (x86's default NaN is
// negative; glibc's acos, asin and log10 return a positive one).
func libmResult(r, domain float64, args ...float64) float64 {
	if !math.IsNaN(r) {
		return r
	}
	for _, a := range args {
		if math.IsNaN(a) {
			return a
		}
	}
	return domain
}

func openMath(L *lua.LState) {
	rnd := &randState{}
	rnd.seed(1) // C's rand() before any srand
	tb := register(L, "math", map[string]lua.LGFunction{
		"abs":        mathAbs,
		"acos":       mathFunc1(math.Acos, posNaN),
		"asin":       mathFunc1(math.Asin, posNaN),
		"atan":       mathFunc1(math.Atan, negNaN),
		"atan2":      mathAtan2,
		"ceil":       mathFunc1(math.Ceil, negNaN),
		"cos":        mathFunc1(math.Cos, negNaN),
		"cosh":       mathFunc1(math.Cosh, negNaN),
		"deg":        mathFunc1(func(x float64) float64 { return x / (math.Pi / 180.0) }, negNaN),
		"exp":        mathFunc1(math.Exp, negNaN),
		"floor":      mathFunc1(math.Floor, negNaN),
		"fmod":       mathFunc2(math.Mod),
		"mod":        mathFunc2(math.Mod),
		"frexp":      mathFrexp,
		"ldexp":      mathLdexp,
		"log":        mathFunc1(logSubnormal, negNaN),
		"log10":      mathFunc1(func(x float64) float64 { return logSubnormal(x) * (1 / math.Ln10) }, posNaN),
		"max":        mathMax,
		"min":        mathMin,
		"modf":       mathModf,
		"pow":        mathPow,
		"rad":        mathFunc1(func(x float64) float64 { return x * (math.Pi / 180.0) }, negNaN),
		"random":     rnd.random,
		"randomseed": rnd.randomseed,
		"sin":        mathFunc1(math.Sin, negNaN),
		"sinh":       mathFunc1(math.Sinh, negNaN),
		"sqrt":       mathFunc1(math.Sqrt, negNaN),
		"tan":        mathFunc1(math.Tan, negNaN),
		"tanh":       mathFunc1(math.Tanh, negNaN),
	})
	tb.RawSetString("huge", lua.LNumber(math.Inf(1)))
	tb.RawSetString("pi", lua.LNumber(math.Pi))
}

// logSubnormal is math.Log, scaling subnormal numbers first: Go's assembly
// Log on amd64 returns -709.09 for 5e-324 (glibc: -744.44).
func logSubnormal(x float64) float64 {
	if x > 0 && x < 2.2250738585072014e-308 {
		return math.Log(x*(1<<54)) - 54*math.Ln2
	}
	return math.Log(x)
}

// mathAbs: math.abs(x) -> number (fabs clears a NaN's sign too); raises on
// a non-number.
func mathAbs(L *lua.LState) int {
	L.Push(lua.LNumber(math.Abs(checkNumber(L, 1))))
	return 1
}

// mathFunc1 makes math.f(x) -> number; raises on a non-number. domain is
// the NaN f returns for an argument outside its domain.
func mathFunc1(f func(float64) float64, domain float64) lua.LGFunction {
	return func(L *lua.LState) int {
		x := checkNumber(L, 1)
		L.Push(lua.LNumber(libmResult(f(x), domain, x)))
		return 1
	}
}

// mathFunc2 makes math.f(x, y) -> number; raises on a non-number, checking
// y first as Lua 5.1 compiled by gcc does (arguments evaluated right to left).
func mathFunc2(f func(float64, float64) float64) lua.LGFunction {
	return func(L *lua.LState) int {
		y := checkNumber(L, 2)
		x := checkNumber(L, 1)
		L.Push(lua.LNumber(libmResult(f(x, y), negNaN, x, y)))
		return 1
	}
}

// mathAtan2: math.atan2(y, x) -> number; raises on a non-number. Of two
// NaNs glibc returns x's.
func mathAtan2(L *lua.LState) int {
	x := checkNumber(L, 2)
	y := checkNumber(L, 1)
	L.Push(lua.LNumber(libmResult(math.Atan2(y, x), negNaN, x, y)))
	return 1
}

// powSubnormal is math.Pow, scaling a subnormal x first: Go's Pow loses
// digits there (pow(5e-324, 1e-5): Go 0.99293, glibc 0.99258).
func powSubnormal(x, y float64) float64 {
	if a := math.Abs(x); a > 0 && a < 2.2250738585072014e-308 {
		return math.Pow(x*(1<<54), y) * math.Pow(2, -54*y)
	}
	return math.Pow(x, y)
}

// mathPow: math.pow(x, y) -> number; raises on a non-number. glibc's pow
// treats a NaN x with its sign set as negative: an odd integer y flips it.
func mathPow(L *lua.LState) int {
	y := checkNumber(L, 2)
	x := checkNumber(L, 1)
	r := libmResult(powSubnormal(x, y), negNaN, x, y)
	if math.IsNaN(x) && !math.IsNaN(y) && !math.IsInf(y, 0) && y == math.Trunc(y) && math.Mod(y, 2) != 0 {
		r = math.Abs(x)
	}
	L.Push(lua.LNumber(r))
	return 1
}

// mathFrexp: math.frexp(x) -> m, e; raises on a non-number.
func mathFrexp(L *lua.LState) int {
	m, e := math.Frexp(checkNumber(L, 1))
	L.Push(lua.LNumber(m))
	L.Push(lua.LNumber(e))
	return 2
}

// mathLdexp: math.ldexp(m, e) -> number; raises on a non-number.
func mathLdexp(L *lua.LState) int {
	e := checkInt(L, 2)
	m := checkNumber(L, 1)
	L.Push(lua.LNumber(math.Ldexp(m, e)))
	return 1
}

// mathModf: math.modf(x) -> integral part, fraction (C's modf: modf(inf)
// is inf, 0); raises on a non-number.
func mathModf(L *lua.LState) int {
	x := checkNumber(L, 1)
	var ip, fp float64
	switch {
	case math.IsInf(x, 0):
		ip, fp = x, math.Copysign(0, x)
	case math.IsNaN(x):
		ip, fp = x, x
	default:
		ip, fp = math.Modf(x)
	}
	L.Push(lua.LNumber(ip))
	L.Push(lua.LNumber(fp))
	return 2
}

// mathMax: math.max(x, ...) -> number; raises on a non-number or none.
func mathMax(L *lua.LState) int {
	m := checkNumber(L, 1)
	for i := 2; i <= L.GetTop(); i++ {
		if d := checkNumber(L, i); d > m {
			m = d
		}
	}
	L.Push(lua.LNumber(m))
	return 1
}

// mathMin: math.min(x, ...) -> number; raises on a non-number or none.
func mathMin(L *lua.LState) int {
	m := checkNumber(L, 1)
	for i := 2; i <= L.GetTop(); i++ {
		if d := checkNumber(L, i); d < m {
			m = d
		}
	}
	L.Push(lua.LNumber(m))
	return 1
}

// randState is glibc's rand() (random_r's TYPE_3 additive generator), so
// that math.random gives lua5.1's numbers for the same seed.
type randState struct {
	i    int
	ring [31]int32
}

func (s *randState) seed(seed uint32) {
	if seed == 0 {
		seed = 1
	}
	r := make([]int32, 344)
	r[0] = int32(seed)
	for i := 1; i < 31; i++ {
		// 16807 * r[i-1] % (2^31 - 1), as glibc computes it (Schrage)
		hi, lo := int64(r[i-1])/127773, int64(r[i-1])%127773
		w := 16807*lo - 2836*hi
		if w < 0 {
			w += 2147483647
		}
		r[i] = int32(w)
	}
	for i := 31; i < 34; i++ {
		r[i] = r[i-31]
	}
	for i := 34; i < 344; i++ {
		r[i] = int32(uint32(r[i-31]) + uint32(r[i-3]))
	}
	copy(s.ring[:], r[344-31:])
	s.i = 0
}

// next is rand(): 0..2^31-1.
func (s *randState) next() int32 {
	// ring holds the last 31 values; slot i is r[n-31], slot i+28 is r[n-3]
	v := int32(uint32(s.ring[s.i]) + uint32(s.ring[(s.i+28)%31]))
	s.ring[s.i] = v
	s.i = (s.i + 1) % 31
	return int32(uint32(v) >> 1)
}

// random: math.random([m [, n]]) -> number in [0,1), [1,m] or [m,n];
// raises on an empty interval or more than two arguments.
func (s *randState) random(L *lua.LState) int {
	const randMax = 2147483647
	r := float64(s.next()%randMax) / randMax
	switch L.GetTop() {
	case 0:
		L.Push(lua.LNumber(r))
	case 1:
		u := checkInt(L, 1)
		if u < 1 {
			argError(L, 1, "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(r*float64(u)) + 1))
	case 2:
		l := checkInt(L, 1)
		u := checkInt(L, 2)
		if l > u {
			argError(L, 2, "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(r*float64(int32(u-l+1))) + float64(l)))
	default:
		raise(L, "wrong number of arguments")
	}
	return 1
}

// randomseed: math.randomseed(x) is srand(x); raises on a non-number.
func (s *randState) randomseed(L *lua.LState) int {
	s.seed(uint32(checkInt(L, 1)))
	return 0
}
