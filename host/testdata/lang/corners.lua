-- The library corners of Lua 5.1 that gopher-lua lacks or checks
-- otherwise; each line is compared with lua5.1's.
local function show(...)
  local t = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    t[i] = type(v) == "table" and "table" or tostring(v)
  end
  print(table.concat(t, " | "))
end
local function try(name, f, ...) show(name, pcall(f, ...)) end

-- table
try("foreach", table.foreach, {10, 20, x = 1}, function(k, v) io.write(tostring(k), "=", tostring(v), ";") end)
try("foreachi", table.foreachi, {10, 20, nil, 40}, function(i, v) io.write(i, "=", tostring(v), ";") end)
try("foreach stops", table.foreach, {10, 20}, function(k, v) return k * 100 end)
try("foreachi stops", table.foreachi, {"a", "b"}, function(i, v) if v == "b" then return "found " .. i end end)
try("foreach no function", table.foreach, {}, 1)
try("foreachi no table", table.foreachi, nil, print)
try("getn", table.getn, {1, 2, 3})
try("getn bad", table.getn, 1)
try("setn", table.setn, {1, 2, 3}, 2)
try("setn bad", table.setn, 1, 2)
try("maxn", table.maxn, {1, 2, [10] = 3, [1.5] = 4, [-3] = 5})
try("maxn empty", table.maxn, {})
try("maxn bad", table.maxn)

-- base
try("next order", function() local s = "" for k, v in next, {"one", "two", "three"} do s = s .. k .. v end return s end)
try("next no value", next)
try("next nil", next, nil)
try("pairs no value", pairs)
try("ipairs no value", ipairs)
try("ipairs stops at nil", function() local n = 0 for i, v in ipairs({1, 2, nil, 4}) do n = i end return n end)
show("pairs's next", pairs({}) == next)
try("assert no value", assert)
try("assert message", assert, false, "my message")
try("assert default", assert, nil)
try("assert values", assert, 1, 2, 3)
try("getfenv(-3)", getfenv, -3)
try("getfenv(0)", function() return getfenv(0) == _G end)
try("getfenv(1)", function() return getfenv(1) == _G end)
try("getfenv(f)", function() local function f() end return getfenv(f) == _G end)
try("getfenv(print)", function() return getfenv(print) == _G end)
try("getfenv level", function() return getfenv(50) end)
try("getfenv string", function() return getfenv("x") end)
try("setfenv print", setfenv, print, {})
try("setfenv non-table", setfenv, 1, 2)
try("setfenv level", function() return setfenv(50, {}) end)
do
  local env = setmetatable({}, {__index = _G})
  local function f() return x end
  setfenv(f, env)
  env.x = 5
  show("setfenv f", f(), getfenv(f) == env)
  local function g() setfenv(1, env) y = 7 end
  g()
  show("setfenv 1", env.y, y)
end

-- os
show("os.execute()", os.execute())
show("os.execute status", os.execute("exit 3"))
try("os.exit bad", function() os.exit("x") end)
try("os.exit true", function() os.exit(true) end)

-- package and require
do
  local names = {}
  for k in pairs(package.loaded) do
    if ({_G = 1, coroutine = 1, debug = 1, io = 1, math = 1, os = 1, package = 1, string = 1, table = 1})[k] then
      names[#names + 1] = k
    end
  end
  table.sort(names)
  show("package.loaded", table.concat(names, ","))
end
show("loaders", type(package.loaders), #package.loaders, package.loaded.package == package)
show("config", package.config)
try("require no value", require)
package.path = "./?.lua"
package.cpath = "./?.so"
try("require missing", require, "nosuchmod")
try("require dotted", require, "no.such.mod")
package.preload.pre = function(name) return {name = name} end
try("require preload", function() return require("pre").name end)
package.loaded.done = false
try("require loaded false", function() return require("assignmod") ~= nil end)

-- debug
show("debug", type(debug.getregistry()), type(debug.debug))
show("gethook", debug.gethook())
show("sethook off", pcall(debug.sethook))
try("getlocal", function() local a = 5 return debug.getlocal(1, 1) end)
try("getupvalue", function() local u = 7 local function f() return u end return debug.getupvalue(f, 1) end)
try("setupvalue", function() local u = 7 local function f() return u end debug.setupvalue(f, 1, 9) return f() end)
try("getmetatable", function() return debug.getmetatable("x").__index == string end)

-- io's shared environment
do
  local env = getfenv(io.open)
  show("io env", type(env.__close), env[1] == io.stdin, env[2] == io.stdout, getfenv(io.write) == env)
end

-- Lua 5.1's compatibility names, the C locale, and keys near 2^31
show("gfind", string.gfind == string.gmatch, type(gcinfo()))
show("setlocale", os.setlocale(), os.setlocale("C"), os.setlocale("POSIX"), os.setlocale(nil, "numeric"), os.setlocale("xx"))
try("setlocale bad category", os.setlocale, "C", "bad")
try("unpack 2^31-1", unpack, {[2^31-1] = 20}, 2^31-1, 2^31-1)
try("unpack 2^31-2", unpack, {[2^31-1] = 20}, 2^31-2, 2^31-1)
try("concat 2^31-1", table.concat, {[2^31-1] = "alo"}, "x", 2^31-1, 2^31-1)

-- C libraries and environments of what has none
show("loadlib", package.loadlib("./no-such-lib.so", "luaopen_x"))
try("debug.setfenv number", debug.setfenv, 3, {})
try("debug.setfenv non-table", debug.setfenv, function() end, 1)
show("debug.setfenv function", (function() local f = function() end return debug.setfenv(f, {}) == f end)())
