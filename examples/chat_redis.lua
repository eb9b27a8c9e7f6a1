#!/usr/bin/env luasock
-- The line chat of chat_spawn.lua with its room in Redis, so that it spans
-- every worker (luasock run --workers 2) and every machine behind a
-- balancer: a line is published to a Redis channel, and each server passes
-- what it hears there on to its own clients. Clients see the same lines as
-- with chat_spawn.lua.
--   luasock run examples/chat_redis.lua [address [redis_address]]
--     (defaults tcp://127.0.0.1:8001 and 127.0.0.1:6379)
--   then: nc 127.0.0.1 8001   (several times; also to another server on the same Redis)

local redis = require("redis")

local QUEUE = 1024    -- lines waiting for one client above which senders wait
local STALL = 2       -- seconds a sender waits for a full outbox before dropping its client
local MAX_LINE = 8192 -- bytes in a line, "\n" included: a longer one drops its sender
local ROOM = "luasock:chat" -- the Redis channel every server publishes to and hears

local server, errstr, errno = stream_socket_server(arg[1] or "tcp://127.0.0.1:8001")
if not server then
  print(errstr .. " (" .. errno .. ")")
  os.exit(1)
end

-- Two connections to Redis: a subscribed one only hears, the other sends
-- (tasks share it: its calls take turns).
local redis_address = arg[2] or "127.0.0.1:6379"
local pub, errstr2, errno2 = redis.connect(redis_address, {timeout = 5})
local sub = pub and redis.connect(redis_address, {timeout = 5})
local heard = sub and sub:subscribe(ROOM)
if not heard then
  print("Redis at " .. redis_address .. ": " .. tostring(errstr2) .. " (" .. tostring(errno2) .. ")")
  os.exit(1)
end
-- Redis numbers its connections: that number tells this server's lines
-- from the others' (a server does not send a client its own line back).
local me = pub:client("ID")
-- with --workers, which worker says it
local worker = WORKER and (" (worker " .. WORKER .. ")") or ""
print("chat server on " .. stream_socket_get_name(server, false) .. worker .. ", room in Redis at " .. redis_address)

local clients = {} -- handle -> {conn, name, outbox, idle = true while its writer waits}

local function drop(client, why)
  if clients[client.conn] ~= client then return false end -- dropped already
  clients[client.conn] = nil
  client.outbox:close()
  fclose(client.conn)
  print(client.name .. " " .. why .. worker)
  return true
end

-- deliver sends text to every client of this server but `from` (a name).
local function deliver(text, from)
  local to = {}
  for _, client in pairs(clients) do
    if client.name ~= from then to[#to + 1] = client end
  end
  for _, client in ipairs(to) do
    local ok, err = client.outbox:send(text, STALL)
    if not ok and err ~= "Broken pipe" then
      drop(client, "dropped: too slow")
    end
  end
end

-- broadcast publishes text to the room: "server name\n" then the text.
local function broadcast(text, from)
  local ok, err = pub:publish(ROOM, me .. " " .. from.name .. "\n" .. text)
  if not ok then error("Redis: " .. err) end
end

-- The room as Redis tells it: every line from every server, this one's too.
spawn(function()
  while true do
    local ok, m = heard:receive()
    if not ok then
      print("lost Redis at " .. redis_address .. worker)
      os.exit(1)
    end
    local server_id, name, text = m.message:match("^(%d+) ([^\n]*)\n(.*)$")
    if server_id then deliver(text, tonumber(server_id) == me and name or nil) end
  end
end)

local function writer(client)
  while true do
    client.idle = true
    local ok, text = client.outbox:receive()
    client.idle = false
    if not ok then return end
    if not fwrite(client.conn, text) then
      if drop(client, "left") then broadcast("* " .. client.name .. " left\n", client) end
      return
    end
  end
end

local function said(client, line)
  broadcast(client.name .. ": " .. line, client)
end

local function reader(client)
  broadcast("* " .. client.name .. " joined\n", client)
  while clients[client.conn] == client do
    local line = fgets(client.conn, MAX_LINE + 1)
    if not line then break end
    if #line == MAX_LINE and line:sub(-1) ~= "\n" then
      if client.idle then
        stream_set_blocking(client.conn, false)
        fwrite(client.conn, "* line too long (over " .. MAX_LINE .. " bytes)\n")
      end
      if drop(client, "dropped: line too long") then broadcast("* " .. client.name .. " left\n", client) end
      return
    end
    local ok, err = pcall(said, client, line)
    if not ok then
      if drop(client, "dropped: " .. tostring(err)) then broadcast("* " .. client.name .. " left\n", client) end
      return
    end
  end
  if drop(client, "left") then broadcast("* " .. client.name .. " left\n", client) end
end

while true do
  local conn, peer = stream_socket_accept(server)
  if conn then
    local client = {conn = conn, name = peer, outbox = channel.make(QUEUE)}
    clients[conn] = client
    print(peer .. " joined" .. worker)
    spawn(reader, client)
    spawn(writer, client)
  end
end
