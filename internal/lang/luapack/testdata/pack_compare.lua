-- Generated string.pack/unpack/packsize cases, printed one result per line.
-- Run by both `lua5.4` and gopher-lua with package luapack; luapack_test.go
-- compares the two outputs line by line. Plain Lua 5.1 code, so both can run
-- it (`luasock run` too).
--   lua5.4 internal/luapack/testdata/pack_compare.lua [cases]

local CASES = tonumber(arg and arg[1]) or 400
local unpackArgs = table.unpack or unpack

-- Park-Miller: every product stays below 2^53, exact in both runtimes.
local seed = 20261122
local function rand(n) -- 0 .. n-1
  seed = (seed * 16807) % 2147483647
  return seed % n
end

local function pick(list) return list[rand(#list) + 1] end

local function show(v)
  if type(v) == "string" then
    return (v:gsub(".", function(c) return string.format("%02x", c:byte()) end)) .. "h"
  elseif type(v) ~= "number" then
    return tostring(v)
  elseif v ~= v then
    return "nan"
  elseif v == 1 / 0 then
    return "inf"
  elseif v == -1 / 0 then
    return "-inf"
  end
  return string.format("%.17g", v)
end

-- The error without the "file:line:" where it was raised. Lua 5.4 names a
-- function called through pcall 'string.pack', and 'pack' when called directly.
local function message(err)
  return (tostring(err):gsub("^[^:]*:%d+: ", ""):gsub("'string%.", "'"))
end

local function randomString(len, zeros)
  local t = {}
  for i = 1, len do t[i] = string.char(zeros and rand(256) or rand(255) + 1) end
  return table.concat(t)
end

-- An integer that fits `bytes` bytes (signed or not), or, now and then, one
-- just past the limit or a fraction.
local function randomInt(bytes, signed)
  local bits = math.min(bytes * 8, 52)
  local v = rand(2 ^ math.min(bits, 26))
  if bits > 26 then v = v * 2 ^ (bits - 26) + rand(2 ^ (bits - 26)) end
  if signed then v = v - 2 ^ (bits - 1) end
  local odd = rand(20)
  if odd == 0 and bytes < 7 then
    v = signed and 2 ^ (bytes * 8 - 1) or 2 ^ (bytes * 8) -- overflow
  elseif odd == 1 then
    v = v + 0.5 -- no integer representation
  elseif odd == 2 and not signed then
    v = -1
  end
  return v
end

local function randomFloat()
  local v = (rand(2 ^ 30) - 2 ^ 29) / (rand(1000) + 1) * 2 ^ (rand(80) - 40)
  if rand(30) == 0 then v = 2 ^ 200 end -- past float's range
  return v
end

-- One option with a value for it; sizes may be out of range on purpose.
local function randomOption()
  local kind = rand(9)
  if kind == 8 and rand(4) == 0 then kind = 9 end
  if kind == 0 then
    local o = pick({"b", "B", "h", "H", "l", "L", "j", "J", "T"})
    local sizes = {b = 1, B = 1, h = 2, H = 2}
    return o, randomInt(sizes[o] or 8, o == o:lower())
  elseif kind == 1 or kind == 2 then
    local o, n = pick({"i", "I"}), pick({"", "1", "2", "3", "4", "5", "6", "7", "8", "16"})
    return o .. n, randomInt(tonumber(n) or 4, o == "i")
  elseif kind == 3 then
    return pick({"f", "d", "n"}), randomFloat()
  elseif kind == 4 then
    local n = pick({"", "1", "2", "4", "8"})
    local len = rand(6) == 0 and 300 or rand(20)
    return "s" .. n, randomString(len, true)
  elseif kind == 5 then
    return "z", randomString(rand(12), rand(8) == 0)
  elseif kind == 6 then
    local n = rand(8)
    return "c" .. n, randomString(rand(10) == 0 and n + 1 or rand(n + 1), true)
  elseif kind == 7 then
    return pick({"x", "Xi4", "Xh", "X!4", " "})
  elseif kind == 8 then
    return pick({"<", ">", "=", "!", "!2", "!4", "!8", "!16", "!3"})
  elseif kind == 9 then
    return pick({"i0", "i17", "w", "c", "X", "Xc2", "Xz"}) -- bad formats
  end
  return pick({"i", "I", "h", "d"}) .. "", rand(100)
end

local function randomCase()
  local format, values = pick({"", "<", ">", "!", "<!4", ">!8"}), {}
  for _ = 1, rand(5) + 1 do
    local o, v = randomOption()
    format = format .. o
    if v ~= nil then values[#values + 1] = v end
  end
  return format, values
end

local function results(ok, ...)
  if not ok then return "error: " .. message((...)) end
  local out = {}
  for i = 1, select("#", ...) do out[i] = show((select(i, ...))) end
  return table.concat(out, " ")
end

for i = 1, CASES do
  local format, values = randomCase()
  local packed = results(pcall(string.pack, format, unpackArgs(values)))
  print(i, "pack", format, packed)
  print(i, "packsize", format, results(pcall(string.packsize, format)))
  local ok, data = pcall(string.pack, format, unpackArgs(values))
  if ok then
    print(i, "unpack", format, results(pcall(string.unpack, format, data)))
  end
  -- The same format over arbitrary bytes, from a random position.
  local bytes = randomString(rand(40), true)
  local pos = pick({1, 1, rand(#bytes + 2), 0 - rand(#bytes + 2), rand(60) - 10}) -- 0 - x: never -0, which Lua 5.4 prints as 0
  print(i, "unpack bytes", format, show(bytes), pos,
    results(pcall(string.unpack, format, bytes, pos)))
end
