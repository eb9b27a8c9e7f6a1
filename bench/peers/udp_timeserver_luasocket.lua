-- examples/udp_timeserver.lua written for Lua 5.4 with LuaSocket, for the
-- comparison in docs/benchmarks.md: lua5.4 udp_timeserver_luasocket.lua 127.0.0.1:1113
local socket = require("socket")
local host, port = (arg[1] or "127.0.0.1:1113"):match("^(.*):(%d+)$")
local server = assert(socket.udp())
assert(server:setsockname(host, tonumber(port)))

-- PHP's date("D M j H:i:s Y\r\n"): the day without padding
local function now()
  local t = os.date("*t")
  return os.date("%a %b ") .. t.day .. os.date(" %H:%M:%S %Y\r\n")
end

while true do
  local pkt, ip, from = server:receivefrom(1)
  if pkt then
    print(ip .. ":" .. from)
    server:sendto(now(), ip, from)
  end
end
