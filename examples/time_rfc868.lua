#!/usr/bin/env luasock
-- RFC 868 time, over TCP and UDP: the time as a 32-bit big-endian count of
-- seconds since 1900-01-01 00:00 UTC. A TCP client gets the 4 bytes and the
-- connection closes; a UDP datagram (any content) gets them back.
--   luasock run examples/time_rfc868.lua [tcp-address [udp-address]]
--   (default tcp://127.0.0.1:3737 and udp://127.0.0.1:3737; the standard port 37 needs root)
--   then: rdate -p -o 3737 127.0.0.1   or   rdate -p -u -o 3737 127.0.0.1

local SINCE_1900 = 2208988800 -- seconds from 1900-01-01 to 1970-01-01

local function now() return string.pack(">I4", (os.time() + SINCE_1900) % 2 ^ 32) end

local tcp, errstr, errno = stream_socket_server(arg[1] or "tcp://127.0.0.1:3737")
if not tcp then
  print(errstr .. " (" .. errno .. ")")
  os.exit(1)
end
local udp
udp, errstr, errno = stream_socket_server(arg[2] or "udp://127.0.0.1:3737", STREAM_SERVER_BIND)
if not udp then
  print(errstr .. " (" .. errno .. ")")
  os.exit(1)
end
print("time on tcp " .. stream_socket_get_name(tcp, false) .. " and udp " .. stream_socket_get_name(udp, false))

spawn(function()
  while true do
    local _, peer = stream_socket_recvfrom(udp, 512)
    if peer then stream_socket_sendto(udp, now(), 0, peer) end
  end
end)

while true do
  local conn = stream_socket_accept(tcp)
  if conn then
    fwrite(conn, now())
    fclose(conn)
  end
end
