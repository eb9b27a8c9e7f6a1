#!/usr/bin/env luasock
-- The line chat of chat_server.lua written with tasks instead of stream_select:
-- every client gets a reader task and a writer task, both plain blocking code.
-- A reader queues each line for the other clients; a writer sends its client's
-- queue. Two rules keep one slow client from hurting the rest:
--   * a sender waits while a receiver has more than HIGH bytes queued, so a
--     flood goes at the pace of its readers instead of filling memory;
--   * a client that stays more than HIGH bytes behind for STALL seconds is
--     dropped, so nobody waits for it longer than that.
--   luasock run examples/chat_spawn.lua [address]   (default tcp://127.0.0.1:8001)
--   then: nc 127.0.0.1 8001   (several times)

local HIGH = 64 * 1024 -- queued bytes for one client above which senders wait
local STALL = 2        -- seconds a client may stay over HIGH before it is dropped
local MAX_LINE = 8192  -- bytes in a line, "\n" included: a longer one drops its sender

local server, errstr, errno = stream_socket_server(arg[1] or "tcp://127.0.0.1:8001")
if not server then
  print(errstr .. " (" .. errno .. ")")
  os.exit(1)
end
print("chat server on " .. stream_socket_get_name(server, false))

-- handle -> {name, queue = {lines}, queued = bytes not yet sent, bell = {r, w},
--            idle = true while the writer waits for its bell}
local clients = {}

local function drop(c, why)
  local client = clients[c]
  if not client then return nil end -- the other task of this client was first
  clients[c] = nil
  fclose(c) -- wakes this client's other task with "Bad file descriptor"
  fclose(client.bell[1])
  fclose(client.bell[2])
  print(client.name .. " " .. why)
  return client.name
end

-- Queues text for every client but `from` and returns who got it. A writer
-- with nothing to send waits on its bell (a socket pair): one byte rings it.
local function broadcast(text, from)
  local to = {}
  for c, client in pairs(clients) do
    if c ~= from then
      to[#to + 1] = client
      client.queue[#client.queue + 1] = text
      client.queued = client.queued + #text
      if client.idle then
        client.idle = false
        fwrite(client.bell[2], "!")
      end
    end
  end
  return to
end

-- Backpressure: wait until none of `to` is over HIGH, dropping any that
-- stays over it for STALL seconds.
local function wait_for(to)
  for _, client in ipairs(to) do
    local waited = 0
    while client.queued > HIGH and clients[client.conn] == client do
      if waited >= STALL then
        drop(client.conn, "dropped: too slow")
      else
        sleep(0.01)
        waited = waited + 0.01
      end
    end
  end
end

local function writer(c, client)
  while clients[c] == client do
    if #client.queue == 0 then
      client.idle = true
      fread(client.bell[1], 1) -- wait for the bell (nil once dropped)
    else
      local text = table.concat(client.queue)
      client.queue = {} -- lines that arrive while we write wait for the next round
      local sent = 0
      while sent < #text and clients[c] == client do
        local n = fwrite(c, text:sub(sent + 1, sent + 16384))
        if not n then -- the client has gone, or was dropped while we waited
          if drop(c, "left") then broadcast("* " .. client.name .. " left\n") end
          return
        end
        sent = sent + n
        client.queued = client.queued - n
      end
    end
  end
end

local function reader(c, client)
  while clients[c] == client do -- checked after every wait: the writer may drop c
    local line = fgets(c, MAX_LINE + 1)
    if not line then break end
    if #line == MAX_LINE and line:sub(-1) ~= "\n" then
      if client.idle then -- tell it why, if that needs neither a wait nor the writer
        stream_set_blocking(c, false)
        fwrite(c, "* line too long (over " .. MAX_LINE .. " bytes)\n")
      end
      if drop(c, "dropped: line too long") then broadcast("* " .. client.name .. " left\n") end
      return
    end
    wait_for(broadcast(client.name .. ": " .. line, c))
  end
  if drop(c, "left") then broadcast("* " .. client.name .. " left\n") end
end

while true do
  local conn, peer = stream_socket_accept(server)
  if conn then
    local r, w = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0)
    local client = {conn = conn, name = peer, queue = {}, queued = 0, bell = {r, w}}
    broadcast("* " .. peer .. " joined\n")
    clients[conn] = client
    print(peer .. " joined")
    spawn(reader, conn, client)
    spawn(writer, conn, client)
  end
end
