-- string.pack, string.unpack and string.packsize: known encodings of the
-- protocols the examples speak, and every error shape. Package luapack's
-- tests check a few hundred generated cases against Lua 5.4 itself.
local T = require("testing")

local function hex(s) return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end)) end

T.test("integers, both byte orders", function()
  T.eq(hex(string.pack(">I4", 3913056000)), "e93c7f00") -- RFC 868: 2024-01-01
  T.eq(hex(string.pack("<I4", 3913056000)), "007f3ce9")
  T.eq(hex(string.pack(">i2", -2)), "fffe")
  T.eq(hex(string.pack(">i16", -1)), ("ff"):rep(16))
  T.eq(hex(string.pack(">I3", 0x010203)), "010203")
  T.eq(hex(string.pack("=b", -1)), "ff")
  T.eq(string.unpack(">I4", "\233\60\127\0"), 3913056000)
  T.eq(string.unpack("<i2", "\254\255"), -2)
  T.eq(string.unpack(">J", ("\255"):rep(8)), -1) -- wraps as Lua 5.4's integers do
  T.eq(select(2, string.unpack(">I2I2", "\0\1\0\2")), 2)
  T.eq(select(3, string.unpack(">I2I2", "\0\1\0\2")), 5) -- the next position
end)

T.test("an SNTP header", function()
  local msg = string.pack(">BBbbI4I4c4I4I4", 0x24, 2, 6, -20, 0, 0, "LOCL", 3913056000, 0)
  T.eq(#msg, string.packsize(">BBbbI4I4c4I4I4"))
  local li_vn_mode, stratum, poll, precision, _, _, ref, secs = string.unpack(">BBbbI4I4c4I4", msg)
  T.eq(li_vn_mode, 0x24) T.eq(stratum, 2) T.eq(poll, 6) T.eq(precision, -20)
  T.eq(ref, "LOCL") T.eq(secs, 3913056000)
end)

T.test("floats, strings, alignment", function()
  T.eq(hex(string.pack(">d", 1.5)), "3ff8000000000000")
  T.eq(hex(string.pack("<f", 0.25)), "0000803e")
  T.eq(string.unpack("<n", string.pack("<n", 1 / 3)), 1 / 3)
  T.eq(hex(string.pack(">s2", "hi")), "00026869")
  T.eq(hex(string.pack("z", "hi")), "686900")
  T.eq(hex(string.pack("c4", "hi")), "68690000")
  T.eq(hex(string.pack("!4 b i4", 1, 2)), "0100000002000000")
  T.eq(hex(string.pack("b x Xi4 b", 1, 2)), "010002") -- no '!': alignment 1
  T.eq(hex(string.pack("!4 b x Xi4 b", 1, 2)), "0100000002")
  T.eq(string.packsize("!8 b d"), 16)
  T.eq(("<I2"):pack(258), "\2\1") -- through the string metatable, as in Lua 5.3
  T.eq(select(2, string.unpack("z", "ab\0cd")), 4)
  T.eq(string.unpack("c2", "abcd", -2), "cd")
end)

T.test("bad formats raise", function()
  T.raises("invalid format option 'w'", string.pack, "w", 1)
  T.raises("integral size (17) out of limits [1,16]", string.pack, "i17", 1)
  T.raises("integral size (0) out of limits [1,16]", string.packsize, "i0")
  T.raises("missing size for format option 'c'", string.pack, "c", "a")
  T.raises("bad argument #1 to 'pack' (invalid next option for option 'X')", string.pack, "X")
  T.raises("bad argument #1 to 'pack' (format asks for alignment not power of 2)", string.pack, "!3 b i4", 1, 2)
  T.raises("bad argument #1 to 'packsize' (variable-length format)", string.packsize, "s4")
  T.raises("bad argument #1 to 'pack' (string expected, got no value)", string.pack)
end)

T.test("bad values raise", function()
  T.raises("bad argument #2 to 'pack' (integer overflow)", string.pack, "i1", 128)
  T.raises("bad argument #3 to 'pack' (unsigned overflow)", string.pack, "B B", 1, 256)
  T.raises("bad argument #2 to 'pack' (unsigned overflow)", string.pack, "I2", -1)
  T.raises("bad argument #2 to 'pack' (number has no integer representation)", string.pack, "i4", 1.5)
  T.raises("bad argument #2 to 'pack' (number expected, got table)", string.pack, "i4", {})
  T.raises("bad argument #2 to 'pack' (number expected, got nil)", string.pack, "i4")
  T.raises("bad argument #2 to 'pack' (string longer than given size)", string.pack, "c2", "abc")
  T.raises("bad argument #2 to 'pack' (string length does not fit in given size)", string.pack, "s1", ("x"):rep(256))
  T.raises("bad argument #2 to 'pack' (string contains zeros)", string.pack, "z", "a\0b")
end)

T.test("short data raises", function()
  T.raises("bad argument #2 to 'unpack' (data string too short)", string.unpack, ">I4", "abc")
  T.raises("bad argument #2 to 'unpack' (data string too short)", string.unpack, "s1", "\5ab")
  T.raises("bad argument #2 to 'unpack' (unfinished string for format 'z')", string.unpack, "z", "abc")
  T.raises("bad argument #3 to 'unpack' (initial position out of string)", string.unpack, "b", "abc", 5)
  T.raises("9-byte integer does not fit into Lua Integer", string.unpack, "<i9", ("\255"):rep(8) .. "\1")
  T.raises("bad argument #2 to 'unpack' (string expected, got no value)", string.unpack, "b")
end)

T.done()
