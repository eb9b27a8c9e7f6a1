#!/usr/bin/env luasock
-- An echo server over TLS: echo_spawn.lua with a tls:// address and a
-- certificate. Every line a client sends comes back, encrypted both ways;
-- "quit" ends the connection.
--   luasock run examples/tls_echo.lua [address [cert.pem [key.pem]]]
--   (default tls://127.0.0.1:8443, cert.pem and key.pem in the working folder)
-- A certificate for trying it:
--   openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=localhost \
--     -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout key.pem -out cert.pem
-- then: openssl s_client -connect 127.0.0.1:8443 -CAfile cert.pem
--   or: luasock run examples/tls_client.lua tls://127.0.0.1:8443 cert.pem

local context = stream_context_create({ssl = {
  local_cert = arg[2] or "cert.pem",
  local_pk = arg[3] or "key.pem",
}})
local server, errstr, errno = stream_socket_server(arg[1] or "tls://127.0.0.1:8443",
  STREAM_SERVER_BIND + STREAM_SERVER_LISTEN, context) -- Lua 5.1: + for |
if not server then
  print(errstr .. " (" .. errno .. ")")
  os.exit(1)
end
print("tls echo on " .. stream_socket_get_name(server, false))

local function serve(conn, peer)
  -- The TLS handshake runs here, on the stream's first use (accept returned
  -- at once), so a client that never speaks holds up only its own task. A
  -- client that fails it is reported, and the server goes on.
  local line, errstr, errno = fgets(conn)
  if not line and errstr then
    print("refused: " .. errstr .. " (" .. errno .. ")")
    fclose(conn)
    return
  end
  local crypto = stream_get_meta_data(conn).crypto
  print(peer .. " connected (" .. crypto.protocol .. ", " .. crypto.cipher_name .. ")")
  while line and not line:match("^quit\r?\n$") do
    fwrite(conn, line)
    line = fgets(conn)
  end
  if line then fwrite(conn, "bye\n") end
  fclose(conn)
  print(peer .. " left")
end

while true do
  local conn, peer, code = stream_socket_accept(server)
  if conn then
    spawn(serve, conn, peer) -- conn belongs to the task: closed when serve ends, even by an error
  else
    print("accept failed: " .. peer .. " (" .. code .. ")")
  end
end
