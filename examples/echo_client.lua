#!/usr/bin/env luasock
-- Sends lines to an echo server and prints what comes back.
--   luasock run examples/echo_client.lua [address] [line...]
-- Without lines on the command line it sends each line of its standard input.

local address = arg[1] or "tcp://127.0.0.1:7000"
local conn, errstr, errno = stream_socket_client(address)
if not conn then
  print(errstr .. " (" .. errno .. ")")
  os.exit(1)
end

local function echo(line)
  fwrite(conn, line .. "\n")
  local answer, err = fgets(conn)
  if not answer then
    print(err or "the server closed the connection")
    os.exit(1)
  end
  io.write(answer)
end

if #arg >= 2 then
  for i = 2, #arg do echo(arg[i]) end
else
  for line in io.lines() do echo(line) end
end
fclose(conn)
