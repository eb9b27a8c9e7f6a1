#!/usr/bin/env luasock
-- The echo server with a task per client: plain blocking code, many clients
-- at once. Compare echo_server.lua (one client at a time).
--   luasock run examples/echo_spawn.lua [address]   (default tcp://127.0.0.1:7000)

local server, errstr, errno = stream_socket_server(arg[1] or "tcp://127.0.0.1:7000")
if not server then
  print(errstr .. " (" .. errno .. ")")
  os.exit(1)
end
print("echo server on " .. stream_socket_get_name(server, false))

local function serve(conn, peer)
  print(peer .. " connected")
  local line = fgets(conn)
  while line do -- fgets waits for this client only; the other tasks go on
    fwrite(conn, line)
    line = fgets(conn)
  end
  fclose(conn)
  print(peer .. " left")
end

while true do
  local conn, peer = stream_socket_accept(server)
  if conn then spawn(serve, conn, peer) end
end
