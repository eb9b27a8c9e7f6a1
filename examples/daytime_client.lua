#!/usr/bin/env luasock
-- The client side of PHP's stream_socket_client manual page: ask a time
-- server for the date and print what it says.
--   luasock run examples/daytime_client.lua [address]
-- udp:// sends one datagram and reads the answer (the manual's daytime query);
-- tcp:// and unix:// print everything the server sends until it closes.
-- Try it against examples/udp_timeserver.lua or examples/timeserver.lua.

local address = arg[1] or "udp://127.0.0.1:1113"
local fp, errstr, errno = stream_socket_client(address, 30)
if not fp then
  print("ERROR: " .. errno .. " - " .. errstr) -- the manual adds "<br />"
  os.exit(1)
elseif address:match("^udp://") then
  stream_set_timeout(fp, 5) -- a lost datagram must not hang the client (PHP waits forever)
  fwrite(fp, "\n")
  local answer, err, code = fread(fp, 26)
  if not answer then
    print("ERROR: " .. tostring(code) .. " - " .. tostring(err)) -- e.g. errno.ECONNREFUSED (111 on Linux, 61 on macOS) when nothing listens
    os.exit(1)
  end
  io.write(answer)
  fclose(fp)
else
  while not feof(fp) do
    io.write(fgets(fp, 1024) or "") -- fgets gives nil (PHP: false) at the end
  end
  fclose(fp)
end
