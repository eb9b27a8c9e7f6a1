-- Coroutines with pcall around and inside them: status, resume's refusals,
-- wrap's errors, tracebacks of a suspended coroutine, the C-call limit.
local X
X = coroutine.create(function()
  pcall(function()
    coroutine.resume(coroutine.create(function() coroutine.yield() end))
    print("after an inner yield", coroutine.status(X))
    print(coroutine.resume(X))
  end)
end)
print(coroutine.resume(X))

local co = coroutine.create(function() end)
coroutine.resume(co)
print(coroutine.resume(co))
print(coroutine.status(co))
local w = coroutine.wrap(function() end)
w()
print(pcall(w))
X = coroutine.create(function()
  local Y = coroutine.create(function() print(coroutine.status(X)); print(coroutine.resume(X)) end)
  coroutine.resume(Y)
end)
coroutine.resume(X)
print(pcall(coroutine.wrap(function() error("in wrap") end)))
print(select("#", pcall(coroutine.wrap(function() error({}) end))))
print(pcall(coroutine.yield))

local tco = coroutine.create(function() local function inner() coroutine.yield() end inner() end)
coroutine.resume(tco)
print(debug.traceback(tco))
print(debug.traceback(tco, "msg"))
print(debug.traceback(tco, "msg", 1))
print(debug.traceback(nil))
print(debug.traceback("lvl", "1"))

-- nested resumes, and resumes with pcall between them, stop where Lua's do
local depth = 0
local function rec(n)
  depth = n
  return coroutine.resume(coroutine.create(function() return rec(n + 1) end))
end
rec(1)
print("resumes", depth)
depth = 0
local function rec2(n)
  depth = n
  return coroutine.resume(coroutine.create(function() return pcall(rec2, n + 1) end))
end
rec2(1)
print("resumes and pcalls", depth)

-- the thread's environment reaches inside pcall, and back
local env = setmetatable({marker = "T"}, {__index = _G})
setfenv(0, env)
print(select(2, pcall(getfenv, 0)) == env)
print(pcall(function() return loadstring("return marker")() end))
setfenv(0, _G)
pcall(setfenv, 0, env)
print(getfenv(0) == env)
setfenv(0, _G)
