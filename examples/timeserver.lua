#!/usr/bin/env luasock
-- The TCP time server of PHP's stream_socket_server manual page, in Lua.
-- Every client gets "The local time is n/j/Y g:i a" and the connection closes.
--   luasock run examples/timeserver.lua [address]     (then: nc 127.0.0.1 8000)

-- The manual listens on tcp://0.0.0.0:8000; we default to loopback and take
-- the address as the first argument.
local socket, errstr, errno = stream_socket_server(arg[1] or "tcp://127.0.0.1:8000")
if not socket then
  print(errstr .. " (" .. errno .. ")") -- the manual adds "<br />" for a browser
  os.exit(1)                            -- PHP's example ends with status 0 here
else
  -- PHP: while ($conn = stream_socket_accept($socket)) { ... }
  -- Lua has no assignment in a condition, so the loop tests and breaks.
  -- Without a timeout accept waits for the next client (PHP gives up after 60 s).
  while true do
    local conn = stream_socket_accept(socket)
    if not conn then break end
    fwrite(conn, "The local time is " .. date("n/j/Y g:i a") .. "\n")
    fclose(conn)
  end
  fclose(socket)
end
