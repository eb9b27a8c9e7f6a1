-- Every base-library function called with every list of up to three
-- arguments from a pool of wrong, missing and extra values; each outcome
-- (the values returned, or the error) is compared with lua5.1's.
local pool = {
  function() return nil end, function() return true end, function() return 0 end,
  function() return 1.5 end, function() return -1 end, function() return "x" end,
  function() return "10" end, function() return "" end, function() return {} end,
  function() return type end,
}
local names = {"nil", "true", "0", "1.5", "-1", '"x"', '"10"', '""', "{}", "type"}
local funcs = {
  -- next is in corners.lua: Lua 5.1 raises "invalid key to 'next'" for a key the
  -- table never held, luasock returns nil (it cannot tell a removed key)
  "assert", "error", "getmetatable", "ipairs", "load", "loadstring", "pairs",
  "pcall", "rawequal", "rawget", "rawset", "select", "setmetatable", "tonumber",
  "tostring", "type", "unpack", "xpcall",
}
local function show(v)
  local t = type(v)
  if t == "table" or t == "function" or t == "thread" or t == "userdata" then return t end
  return (string.gsub(tostring(v), "0x%x+", "0x..."))
end
local function outcome(...)
  local n = select("#", ...)
  local out = {}
  for i = 1, n do out[i] = show((select(i, ...))) end
  return table.concat(out, ", ")
end
for _, name in ipairs(funcs) do
  local f = _G[name]
  local function call(args, desc)
    local vals = {}
    for i, k in ipairs(args) do vals[i] = pool[k]() end
    print(name .. "(" .. desc .. ") -> " .. outcome(pcall(f, unpack(vals, 1, #args))))
  end
  call({}, "")
  for a = 1, #pool do
    call({a}, names[a])
    for b = 1, #pool do
      call({a, b}, names[a] .. ", " .. names[b])
      for c = 1, #pool do
        call({a, b, c}, names[a] .. ", " .. names[b] .. ", " .. names[c])
      end
    end
  end
end
