-- The engine's runtime errors, caught by pcall, in Lua 5.1's words.
local t = {}
local s = "text"
local n
count = nil
local function try(f) print(pcall(f)) end
try(function() prnt("x") end)
try(function() return t.missing.field end)
try(function() return n + 1 end)
try(function() return t.x * 2 end)
try(function() return "a" .. n end)
try(function() return #n end)
try(function() return s:nosuch() end)
try(function() return t:method() end)
try(function() return count + 1 end)
try(function() return n < 1 end)
try(function() return 1 < "2" end)
try(function() return {} < {} end)
try(function() local f = 5; f() end)
try(function() return -t end)
try(function() return t.a.b.c end)
try(function() n.field = 1 end)
try(function() local up = n; return (function() return up.x end)() end)

-- inside multiple assignments, which luasock compiles in its own order
local a, b = 1
try(function() a, b = b.x, a end)
local u
try(function() a, u.x = 1, 2 end)
try(function() u.y, a = 1, 2 end)
try(function() a, b = nofunc(), 2 end)
try(function() local c, d = 1, 2; c, d = d + nil, c end)
