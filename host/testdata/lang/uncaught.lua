-- An uncaught error: its message and a traceback as lua5.1 prints them.
local t = setmetatable({}, {__index = function(_, k) error("no field " .. k) end})
local function get(k) return t[k] end
local function outer(k)
  local v = get(k)
  return v
end
print(pcall(outer, "a"))
outer("b")
