#!/usr/bin/env luasock
-- The line chat of chat_server.lua written with tasks instead of stream_select:
-- every client gets a reader task and a writer task, both plain blocking code,
-- and an outbox: a channel of the lines on their way to it. A reader sends each
-- line into the other clients' outboxes; a writer sends its outbox to its client.
-- Two rules keep one slow client from hurting the rest:
--   * an outbox holds at most QUEUE lines: a sender waits while it is full, so
--     a flood goes at the pace of its readers instead of filling memory;
--   * a client whose outbox stays full for STALL seconds is dropped, so nobody
--     waits for it longer than that.
-- And an error while handling one client's line drops that client, not the
-- server (said, below; were the reader task to fail, luasock would close the
-- connection in the table it was given anyway).
--   luasock run examples/chat_spawn.lua [address]   (default tcp://127.0.0.1:8001)
--   then: nc 127.0.0.1 8001   (several times)

local QUEUE = 1024    -- lines waiting for one client above which senders wait
local STALL = 2       -- seconds a sender waits for a full outbox before dropping its client
local MAX_LINE = 8192 -- bytes in a line, "\n" included: a longer one drops its sender

local server, errstr, errno = stream_socket_server(arg[1] or "tcp://127.0.0.1:8001")
if not server then
  print(errstr .. " (" .. errno .. ")")
  os.exit(1)
end
print("chat server on " .. stream_socket_get_name(server, false))

local clients = {} -- handle -> {conn, name, outbox, idle = true while its writer waits}

-- drop forgets a client, once: closing its outbox ends its writer, closing
-- its connection wakes whichever of its tasks waits on it.
local function drop(client, why)
  if clients[client.conn] ~= client then return false end -- dropped already
  clients[client.conn] = nil
  client.outbox:close()
  fclose(client.conn)
  print(client.name .. " " .. why)
  return true
end

-- broadcast sends text to every client but `from`. The list is taken first:
-- other tasks join and leave while a send waits.
local function broadcast(text, from)
  local to = {}
  for _, client in pairs(clients) do
    if client ~= from then to[#to + 1] = client end
  end
  for _, client in ipairs(to) do
    local ok, err = client.outbox:send(text, STALL)
    if not ok and err ~= "Broken pipe" then -- timed out (a broken pipe: it left)
      drop(client, "dropped: too slow")
    end
  end
end

local function writer(client)
  while true do
    client.idle = true
    local ok, text = client.outbox:receive()
    client.idle = false
    if not ok then return end -- dropped: the outbox was closed
    if not fwrite(client.conn, text) then
      if drop(client, "left") then broadcast("* " .. client.name .. " left\n") end
      return
    end
  end
end

-- said passes a client's line on to the others: where a protocol would
-- parse and act on it. An error in it (a bug that some line sets off)
-- drops that client alone (see reader); the others go on.
local function said(client, line)
  broadcast(client.name .. ": " .. line, client)
end

local function reader(client)
  broadcast("* " .. client.name .. " joined\n", client) -- here, not in the accept loop: it may wait
  while clients[client.conn] == client do
    local line = fgets(client.conn, MAX_LINE + 1)
    if not line then break end
    if #line == MAX_LINE and line:sub(-1) ~= "\n" then
      if client.idle then -- tell it why, if that needs neither a wait nor the writer
        stream_set_blocking(client.conn, false)
        fwrite(client.conn, "* line too long (over " .. MAX_LINE .. " bytes)\n")
      end
      if drop(client, "dropped: line too long") then broadcast("* " .. client.name .. " left\n") end
      return
    end
    local ok, err = pcall(said, client, line)
    if not ok then
      if drop(client, "dropped: " .. tostring(err)) then broadcast("* " .. client.name .. " left\n") end
      return
    end
  end
  if drop(client, "left") then broadcast("* " .. client.name .. " left\n") end
end

while true do
  local conn, peer = stream_socket_accept(server)
  if conn then
    local client = {conn = conn, name = peer, outbox = channel.make(QUEUE)}
    clients[conn] = client
    print(peer .. " joined")
    spawn(reader, client)
    spawn(writer, client)
  end
end
