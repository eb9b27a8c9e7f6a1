#!/usr/bin/env luasock
-- RFC 867 daytime, over TCP and UDP at once: a TCP client gets the date as
-- one line and the connection closes; a UDP datagram (any content) gets the
-- date back. The UDP side runs as its own task (spawn), so each waits for
-- its own clients.
--   luasock run examples/daytime.lua [tcp-address [udp-address]]
--   (default tcp://127.0.0.1:1313 and udp://127.0.0.1:1313; the standard port 13 needs root)
--   then: socat - TCP:127.0.0.1:1313   or   echo | nc -u -w1 127.0.0.1 1313

-- RFC 867 leaves the format free; this is its example's shape:
-- "Weekday, Month Day, Year Time-Zone".
local function daytime() return date("l, F j, Y H:i:s T") .. "\r\n" end

local tcp, errstr, errno = stream_socket_server(arg[1] or "tcp://127.0.0.1:1313")
if not tcp then
  print(errstr .. " (" .. errno .. ")")
  os.exit(1)
end
local udp
udp, errstr, errno = stream_socket_server(arg[2] or "udp://127.0.0.1:1313", STREAM_SERVER_BIND)
if not udp then
  print(errstr .. " (" .. errno .. ")")
  os.exit(1)
end
print("daytime on tcp " .. stream_socket_get_name(tcp, false) .. " and udp " .. stream_socket_get_name(udp, false))

spawn(function()
  while true do
    local _, peer = stream_socket_recvfrom(udp, 512)
    if peer then stream_socket_sendto(udp, daytime(), 0, peer) end
  end
end)

while true do
  local conn = stream_socket_accept(tcp)
  if conn then
    fwrite(conn, daytime())
    fclose(conn)
  end
end
