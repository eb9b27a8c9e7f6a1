-- Multiple assignment in Lua 5.1's order, through every path that compiles
-- source: this file (the script), a module, loadstring, load, loadfile, dofile.
local a, b = 1, 2
a, b = b, a
print("script", a, b)
local x, y = 0, 0
x, y = x + 1, x + y
print("script", x, y)
local p, q, r = 1, 2, 3
p, q, r = r, p, q
print("script", p, q, r)

-- tables and keys are taken before any value is assigned
local t, i = {}, 1
t[i], i = i + 10, i + 1
print("keys", t[1], t[2], i)
i = 1
i, t[i] = i + 1, 20
print("keys", t[1], t[2], i)

-- a closure sees the old value while the values are computed
local u = 1
local function peek() return u end
local v
u, v = 2, peek()
print("closure", u, v)

-- values beyond the targets are computed (and dropped); missing ones are nil
local calls = 0
local function count() calls = calls + 1 return calls end
local m, n = count(), count(), count()
m, n = n, m, count()
print("extra", m, n, calls)
m, n = 7
print("missing", m, n)

-- the last value spreads over the remaining targets
local function three() return 1, 2, 3 end
local e, f, g = 0, 0, 0
e, f, g = three()
print("spread", e, f, g)
e, f, g = 9, three()
print("spread", e, f, g)

-- the same target twice: Lua 5.1 assigns right to left
local d
d, d = 1, 2
print("twice", d)

-- upvalues and globals
local w = "w"
local function swapOuter() w, G = G, w end
G = "g"
swapOuter()
print("outer", w, G)

-- in loops and nested functions
local fib = function(k)
  local s, s2 = 0, 1
  for _ = 1, k do s, s2 = s2, s + s2 end
  return s
end
print("fib", fib(10), fib(30))

local mod = require("assignmod")
print("module", mod.swap(1, 2))
print("loadstring", loadstring("local a, b = 1, 2; a, b = b, a; return a, b")())
local chunk = "local a, b = 'x', 'y'; a, b = b, a; return a, b"
local once = false
print("load", load(function() if once then return nil end once = true return chunk end)())
print("loadfile", loadfile("assignmod.lua")().swap(3, 4))
print("dofile", dofile("assignmod.lua").swap(5, 6))

-- a table target stores the value computed first, even when a later value
-- changes the local it came from
local y = 1
local w = {}
w[1] = y, (function() y = 50 end)()
print("single", w[1])
local z = 1
w[1], w[2] = z, (function() z = 2 return 3 end)()
print("fields", w[1], w[2])
local old = w
w[1], w = 10, {}
print("table target", old[1], w[1])

-- a long statement (its values go through one table)
t100 = {} -- a global: the chunk below sees it
local src = {}
for i = 1, 100 do src[i] = "t100[" .. i .. "]" end
local chunk = table.concat(src, ", ") .. " = " .. string.rep("1, ", 99) .. "t100[1] or 2"
assert(loadstring(chunk))()
print("long", #t100, t100[100])
