#!/usr/bin/env luasock
-- The manual's TCP time server on a unix socket: the same code, another address.
-- The socket file is created here and removed when the server ends.
--   luasock run examples/unix_timeserver.lua [address]
--   (then: socat - UNIX-CONNECT:timeserver.sock)

local socket, errstr, errno = stream_socket_server(arg[1] or "unix://timeserver.sock")
if not socket then
  print(errstr .. " (" .. errno .. ")")
  os.exit(1)
else
  while true do
    local conn = stream_socket_accept(socket)
    if not conn then break end
    fwrite(conn, "The local time is " .. date("n/j/Y g:i a") .. "\n")
    fclose(conn)
  end
  fclose(socket)
end
