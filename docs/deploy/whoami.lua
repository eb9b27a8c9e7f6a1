-- docs/deploy/whoami.lua: a server behind a load balancer that speaks the
-- PROXY protocol: it answers each client with the client's own address (not
-- the balancer's) and prints it. Only the balancer (on 127.0.0.1) may send
-- the header: a client that reaches the port directly and forges one is
-- closed unread.
--   luasock run whoami.lua tcp://127.0.0.1:9001
local server, errstr, errno = stream_socket_server(arg[1] or "tcp://127.0.0.1:9001", nil,
  {socket = {proxy_protocol = true, proxy_trusted = "127.0.0.1"}})
if not server then
  print(errstr .. " (" .. errno .. ")")
  os.exit(1)
end
print("listening on " .. server:name())
while true do
  local conn, peer = stream_socket_accept(server)
  if conn then
    print(peer)
    fwrite(conn, "you are " .. peer .. "\n")
    fclose(conn)
  end
end
