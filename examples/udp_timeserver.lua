#!/usr/bin/env luasock
-- The UDP time server of PHP's stream_socket_server manual page, in Lua.
-- It prints each sender's ip:port and answers with "D M j H:i:s Y\r\n".
--   luasock run examples/udp_timeserver.lua [address]   (then: nc -u 127.0.0.1 1113)

local socket, errstr, errno = stream_socket_server(arg[1] or "udp://127.0.0.1:1113", STREAM_SERVER_BIND)
if not socket then
  print(errstr .. " (" .. errno .. ")") -- PHP: die("$errstr ($errno)");
  os.exit(1)                            -- die() with a message ends with status 0
end

-- PHP: do { ... } while ($pkt !== false);
-- The peer's address is a second result instead of PHP's by-reference $peer.
repeat
  local pkt, peer = stream_socket_recvfrom(socket, 1, 0)
  print(peer)
  stream_socket_sendto(socket, date("D M j H:i:s Y\r\n"), 0, peer)
until pkt == nil
