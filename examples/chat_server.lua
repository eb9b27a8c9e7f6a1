#!/usr/bin/env luasock
-- A line chat for many clients, served from one loop with stream_select, the
-- PHP way: every line a client sends reaches every other client. Clients come
-- and go at any time, and none can stall the others: sockets are non-blocking,
-- half lines wait in their buffers, and what a slow reader cannot take yet
-- waits in its own queue (a client that falls too far behind is dropped).
--   luasock run examples/chat_server.lua [address]   (default tcp://127.0.0.1:8001)
--   then: nc 127.0.0.1 8001   (several times)

local MAX_QUEUE = 256 * 1024 -- bytes waiting for one client before it is dropped
local MAX_LINE = 8192         -- bytes in a line, "\n" included: a longer one drops its sender

local server, errstr, errno = stream_socket_server(arg[1] or "tcp://127.0.0.1:8001")
if not server then
  print(errstr .. " (" .. errno .. ")")
  os.exit(1)
end
print("chat server on " .. stream_socket_get_name(server, false))

local clients = {} -- handle -> {name = "ip:port", queue = "bytes to send"}

local function drop(c, why)
  local name = clients[c].name
  clients[c] = nil
  fclose(c)
  print(name .. " " .. why)
  return name
end

local function send(c, text)
  local client = clients[c]
  client.queue = client.queue .. text
  if #client.queue > MAX_QUEUE then drop(c, "dropped: too slow") end
end

local function broadcast(text, from)
  for c in pairs(clients) do
    if c ~= from then send(c, text) end
  end
end

-- said passes a client's line on to the others: where a protocol would
-- parse and act on it. An error in it (a bug that some line sets off)
-- drops that client alone: pcall catches it below, and the others go on.
local function said(c, line)
  broadcast(clients[c].name .. ": " .. line, c)
end

while true do
  local read, write = {server}, {}
  for c, client in pairs(clients) do
    read[#read + 1] = c
    if client.queue ~= "" then write[#write + 1] = c end
  end
  stream_select(read, write, nil, nil) -- nil: wait until something happens

  for _, c in pairs(write) do
    local client = clients[c]
    if client then
      local n = fwrite(c, client.queue) -- non-blocking: what fits now
      if n then client.queue = client.queue:sub(n + 1) else drop(c, "left") end
    end
  end

  for _, c in pairs(read) do
    if c == server then
      local conn, peer = stream_socket_accept(server, 0)
      if conn then
        stream_set_blocking(conn, false)
        clients[conn] = {name = peer, queue = ""}
        print(peer .. " joined")
        broadcast("* " .. peer .. " joined\n", conn)
      end
    elseif clients[c] then
      -- Non-blocking fgets: a whole line, "" when only part of one is here,
      -- nil when the client has gone; MAX_LINE bytes without a "\n" when the
      -- line is too long. A few lines a round keep the loop fair: the rest
      -- stays buffered, and stream_select counts it as readable.
      for _ = 1, 64 do
        local line = fgets(c, MAX_LINE + 1)
        if line == nil then
          broadcast("* " .. drop(c, "left") .. " left\n")
          break
        elseif line == "" then
          break
        elseif #line == MAX_LINE and line:sub(-1) ~= "\n" then
          fwrite(c, "* line too long (over " .. MAX_LINE .. " bytes)\n")
          broadcast("* " .. drop(c, "dropped: line too long") .. " left\n")
          break
        end
        local ok, err = pcall(said, c, line)
        if not ok then
          broadcast("* " .. drop(c, "dropped: " .. tostring(err)) .. " left\n")
          break
        end
      end
    end
  end
end
