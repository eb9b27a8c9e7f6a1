#!/usr/bin/env luasock
-- An echo server: every line a client sends comes back to it.
-- One client at a time, the way PHP's blocking examples work; see
-- chat_server.lua for many clients from one loop with stream_select.
--   luasock run examples/echo_server.lua [address]   (default tcp://127.0.0.1:7000)

local server, errstr, errno = stream_socket_server(arg[1] or "tcp://127.0.0.1:7000")
if not server then
  print(errstr .. " (" .. errno .. ")")
  os.exit(1)
end
print("echo server on " .. stream_socket_get_name(server, false))

while true do
  local conn, peer = stream_socket_accept(server)
  if conn then
    print(peer .. " connected")
    local line = fgets(conn)
    while line do -- nil at the end of the stream
      fwrite(conn, line)
      line = fgets(conn)
    end
    fclose(conn)
    print(peer .. " left")
  end
end
