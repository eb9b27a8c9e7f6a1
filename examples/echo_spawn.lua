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

local MAX_LINE = 8192 -- bytes in a line, "\n" included: a longer one ends the client

local function serve(conn, peer)
  print(peer .. " connected")
  while true do -- fgets waits for this client only; the other tasks go on
    local line = fgets(conn, MAX_LINE + 1) -- at most MAX_LINE bytes
    if not line then break end
    if #line == MAX_LINE and line:sub(-1) ~= "\n" then
      fwrite(conn, "line too long (over " .. MAX_LINE .. " bytes)\n")
      print(peer .. " sent a line too long")
      break
    end
    fwrite(conn, line)
  end
  fclose(conn)
  print(peer .. " left")
end

while true do
  local conn, peer = stream_socket_accept(server)
  -- conn belongs to the task: it is closed when serve ends, even by an error
  if conn then spawn(serve, conn, peer) end
end
