// Differences from Lua 5.1 that remain (the engine formats or matches them
// itself, or Go cannot reproduce them):
//
//   - The .. operator formats a number with gopher-lua's own text (1e15
//     gives "1000000000000000", 1/0 "+Inf"); write tostring(x) or
//     string.format("%.14g", x) to get Lua 5.1's.
//   - Arithmetic on strings reads them with Go's rules: "0b101" + 0 is 5,
//     "1_000" + 0 is 1000, "0o17" + 0 is 15 (Lua 5.1 raises), "10\0" + 0
//     raises (Lua 5.1: 10); write tonumber(s) to get Lua 5.1's reading.
//   - Comparison errors from the < operator read "attempt to compare table
//     with table" (Lua 5.1: "attempt to compare two table values").
//   - tostring of tables and functions gives other addresses (as any two
//     Lua runs do).
//   - math.sin, cos, exp, pow, ... may differ from glibc in the last bit.
//   - collectgarbage("count") is Go's heap in KB; "step" always reports a
//     finished cycle; "setpause"/"setstepmul" only remember their value.
//   - unpack and string.byte raise "registry overflow" past gopher-lua's
//     value stack (5120 slots by default), where Lua 5.1 allows 8000.
//   - A method call's bad self is reported as argument #1, not "calling
//     'f' on bad self".
//   - os.time ignores the isdst field.
package stdlib
