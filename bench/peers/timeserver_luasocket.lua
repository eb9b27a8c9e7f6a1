-- examples/timeserver.lua written for Lua 5.4 with LuaSocket, for the
-- comparison in docs/benchmarks.md: lua5.4 timeserver_luasocket.lua 127.0.0.1:8000
local socket = require("socket")
local host, port = (arg[1] or "127.0.0.1:8000"):match("^(.*):(%d+)$")
local server = assert(socket.bind(host, tonumber(port)))

-- PHP's date("n/j/Y g:i a")
local function now()
  local t = os.date("*t")
  local hour = t.hour % 12
  if hour == 0 then hour = 12 end
  return string.format("%d/%d/%d %d:%02d %s", t.month, t.day, t.year, hour, t.min, t.hour < 12 and "am" or "pm")
end

while true do
  local conn = server:accept()
  if conn then
    conn:send("The local time is " .. now() .. "\n")
    conn:close()
  end
end
