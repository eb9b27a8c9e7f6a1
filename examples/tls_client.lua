#!/usr/bin/env luasock
-- A TLS client: connects, checks the server's certificate (against cafile,
-- or the system's trusted roots), sends a line and prints the answer.
--   luasock run examples/tls_client.lua [address [cafile [line]]]
--   (default tls://127.0.0.1:8443; try it against tls_echo.lua)

local address, cafile = arg[1] or "tls://127.0.0.1:8443", arg[2]
local context = stream_context_create({ssl = {cafile = cafile}})
local conn, errstr, errno = stream_socket_client(address, 10, STREAM_CLIENT_CONNECT, context)
if not conn then
  print(errstr .. " (" .. errno .. ")")
  os.exit(1)
end
print("connected with " .. stream_get_meta_data(conn).crypto.protocol)
fwrite(conn, (arg[3] or "hello over TLS") .. "\n")
io.write(fgets(conn) or "(no answer)\n")
fclose(conn)
