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
