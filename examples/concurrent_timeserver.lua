#!/usr/bin/env luasock
-- The manual's TCP time server with one task per connection: a client that
-- holds its connection open, or reads slowly, never delays the next one.
--   luasock run examples/concurrent_timeserver.lua [address]

local socket, errstr, errno = stream_socket_server(arg[1] or "tcp://127.0.0.1:8000")
if not socket then
  print(errstr .. " (" .. errno .. ")")
  os.exit(1)
else
  while true do
    local conn = stream_socket_accept(socket)
    if not conn then break end
    -- PHP has no tasks; here the connection gets its own, and the loop goes
    -- straight back to accept.
    spawn(function()
      fwrite(conn, "The local time is " .. date("n/j/Y g:i a") .. "\n")
      fclose(conn)
    end)
  end
  fclose(socket)
end
