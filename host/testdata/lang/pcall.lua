-- pcall and xpcall keep every enclosing function's locals, and behave as
-- Lua 5.1's otherwise.
local n = 0
local function f() pcall(error, "x"); n = n + 1 end
f(); f()
print("count", n)

local a
function Use_a() return a end
pcall(function() error("an error") end)
a = "set after"
print("global function", Use_a())

-- a closure made in the function that failed keeps its own local
local g
pcall(function() local z = 5; g = function() z = z + 1 return z end; error("e") end)
print("closed", g(), g())
for _ = 1, 3 do pcall(function() local junk = {} error(junk) end) end
print("still", g())

local h
xpcall(function() local z = 50; h = function() z = z + 1 return z end; error("e") end, function(m) return m end)
print("xclosed", h(), h())

-- nesting: an inner error leaves the outer pcall working
local depth = 0
print("nested", select("#", pcall(function()
  depth = depth + 1
  print("inner", pcall(error, "in"))
  depth = depth + 1
  error({code = depth})
end)))
print("depth", depth)

-- results, error objects and levels
print(pcall(error))
print(pcall(error, nil))
print(pcall(error, "lvl2", 2))
local function lvl(k) error("at level " .. k, k) end
local function caller(k) lvl(k) end
print(pcall(caller, 1))
print(pcall(caller, 2))
print(pcall(caller, 3))
print(pcall(lvl, 2))
print(pcall(error, "x", "2"))
print(pcall(function(...) return select("#", ...), ... end, nil, 2, nil))
print(pcall(setmetatable({}, {__call = function(self, x) return x * 2 end}), 21))
print(pcall(nil))
print(pcall(42))
print(select("#", pcall(function() end)))
print(xpcall(nil, function(m) return "H:" .. m end))
print(xpcall(function() return 1, 2, 3 end, print))
print(xpcall(error, 5))
local ok, e = pcall(error, setmetatable({}, {__tostring = function() return "obj" end}))
print(ok, tostring(e))

-- tracebacks see the whole stack, through the protected call
local function inner() error("deep") end
local function outer() inner() end
print(xpcall(outer, debug.traceback))
local function rec(k) if k == 0 then return debug.traceback("tb") end return (rec(k - 1)) end
print(rec(30))

-- coroutines: running inside pcall, yield across it fails as in Lua 5.1
print(coroutine.running())
print(pcall(coroutine.running))
local co
co = coroutine.create(function()
  print("same thread", select(2, pcall(coroutine.running)) == co)
  print(pcall(coroutine.yield, 1))
  coroutine.yield("after")
end)
print(coroutine.resume(co))
print(coroutine.resume(co))
print(coroutine.status(co))

-- nested too deep fails with Lua's message
local d = 0
local function r() d = d + 1; return pcall(r) end
print(select(2, r()), d)

-- a number raised at a level becomes a string with the position
local okn, en = pcall(error, 42)
print(type(en), en)
print(pcall(function() error(42) end))
print(type(select(2, pcall(function() error(42, 0) end))))
print(pcall(error, 1e15))
