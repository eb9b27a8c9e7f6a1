-- require("redis"): a Redis client written on luasock's own streams, so
-- --trace, --pcap, --record and the impairment flags see its traffic as
-- they see a script's. It speaks RESP 2 (docs/reference.md, "Redis").
--
-- Replies become Lua values as in Redis's own Lua scripting: a status
-- (+OK) is its text, an integer a number, a bulk string a string, an
-- array a table, and a nil bulk or nil array is false (a hole would cut
-- the table). An error reply is nil, "ERR ...", 0 from a call, and
-- {err = "ERR ..."} inside a pipeline's results. A failure of the
-- connection is nil, errstr, errno as from the stream functions.

-- The functions are kept here so that a script that reuses their global
-- names does not change the client.
local stream_socket_client, fwrite, fgets, fclose = stream_socket_client, fwrite, fgets, fclose
local stream_get_contents, stream_set_timeout = stream_get_contents, stream_set_timeout
local spawn, channel, errno, pairs = spawn, channel, errno, pairs
local type, tonumber, error, select, unpack = type, tonumber, error, select, unpack
local setmetatable, getmetatable = setmetatable, getmetatable
local format, concat, floor = string.format, table.concat, math.floor

local MAX_LINE = 64 * 1024             -- a status, error or length line
local MAX_BULK = 512 * 1024 * 1024     -- Redis's own proto-max-bulk-len
local MAX_DEPTH = 32                   -- arrays in arrays
local QUEUE = 1024                     -- pub/sub messages waiting for the script

local redis = {}

-- argument turns a command's argument into its bytes: numbers as Redis
-- reads them (integers without an exponent, others with 17 digits).
local function argument(v, i, fname, level)
  local t = type(v)
  if t == "string" then return v end
  if t == "number" then
    if v == floor(v) and v > -2 ^ 63 and v < 2 ^ 63 then return format("%.0f", v) end
    return format("%.17g", v)
  end
  error(format("bad argument #%d to '%s' (string or number expected, got %s)", i, fname, t == "nil" and "no value" or t), level + 1)
end

-- encode writes a command (an array of bulk strings) into parts.
local function encode(parts, cmd, fname, first, level)
  parts[#parts + 1] = "*" .. #cmd .. "\r\n"
  for i = 1, #cmd do
    local a = argument(cmd[i], i + first - 1, fname, level + 1)
    parts[#parts + 1] = "$" .. #a .. "\r\n"
    parts[#parts + 1] = a
    parts[#parts + 1] = "\r\n"
  end
end

local function protocol_error(what)
  return nil, "Protocol error: " .. what, errno.EPROTO
end

-- read_reply reads one reply: its value, or nil, errstr, errno. An error
-- reply is {err = text}.
local function read_reply(s, depth)
  local line, errstr, code = fgets(s, MAX_LINE)
  if not line then
    if errstr then return nil, errstr, code end
    return nil, "Redis closed the connection", 0
  end
  if line:sub(-2) ~= "\r\n" then
    if #line >= MAX_LINE - 1 then return protocol_error("a line from Redis is longer than " .. MAX_LINE .. " bytes") end
    return nil, "Redis closed the connection in the middle of a reply", 0
  end
  local kind, rest = line:sub(1, 1), line:sub(2, -3)
  if kind == "+" then return rest end
  if kind == "-" then return {err = rest} end
  if kind == ":" then
    local n = tonumber(rest)
    if not n or not rest:match("^%-?%d+$") then return protocol_error("an integer reply " .. format("%q", rest)) end
    return n
  end
  if kind == "$" or kind == "*" then
    if not rest:match("^%-?%d+$") then return protocol_error("a length " .. format("%q", rest)) end
    local n = tonumber(rest)
    if n == -1 then return false end
    if n < 0 then return protocol_error("a length " .. rest) end
    if kind == "$" then
      if n > MAX_BULK then return protocol_error("a bulk string of " .. rest .. " bytes (at most " .. MAX_BULK .. ")") end
      local data, errstr2, code2 = stream_get_contents(s, n + 2)
      if not data then return nil, errstr2, code2 end
      if #data < n + 2 then return nil, "Redis closed the connection in the middle of a reply", 0 end
      if data:sub(-2) ~= "\r\n" then return protocol_error("a bulk string not ended by CRLF") end
      return data:sub(1, n)
    end
    if depth >= MAX_DEPTH then return protocol_error("arrays nested deeper than " .. MAX_DEPTH) end
    local items = {}
    for i = 1, n do
      local v, errstr2, code2 = read_reply(s, depth + 1)
      if v == nil then return nil, errstr2, code2 end
      items[i] = v
    end
    return items
  end
  return protocol_error(format("%q where a reply starts", kind))
end

local Client = {} -- the methods
local mt = {}

-- a client's calls run one at a time (a channel of one is its lock), so
-- that tasks may share a connection: each gets its own replies. The lock is
-- given back however the call ends, an error raised in it too.
local function unlock(self, ok, ...)
  self.lock:receive()
  if not ok then error((...), 0) end
  return ...
end

local function locked(self, f, ...)
  self.lock:send(true)
  return unlock(self, pcall(f, self, ...))
end

-- close_stream closes the connection once, whoever sees its end first.
local function close_stream(self)
  if not self.closed then
    self.closed = true
    fclose(self.stream)
  end
end

local function failed(self, errstr, code)
  close_stream(self) -- after a failure mid-reply the connection's bytes are out of step
  return nil, errstr, code
end

local function roundtrip(self, data, count)
  if self.closed then return nil, "the connection to Redis is closed", errno.EBADF end
  local ok, errstr, code = fwrite(self.stream, data)
  if not ok then return failed(self, errstr, code) end
  if count == nil then
    local v, errstr2, code2 = read_reply(self.stream, 0)
    if v == nil then return failed(self, errstr2, code2) end
    if type(v) == "table" and v.err and #v == 0 then return nil, v.err, 0 end
    return v
  end
  local results = {}
  for i = 1, count do
    local v, errstr2, code2 = read_reply(self.stream, 0)
    if v == nil then return failed(self, errstr2, code2) end
    results[i] = v
  end
  return results
end

local function not_subscribed(self, fname)
  if self.messages then
    return nil, "this connection is subscribed (pub/sub): " .. fname .. " needs another connection", errno.EINVAL
  end
end

--- r:call(command, ...) -> reply | nil, errstr, errno
function Client.call(self, ...)
  local n = select("#", ...)
  if n == 0 then error("bad argument #1 to 'call' (string expected, got no value)", 2) end
  local parts, cmd = {}, {...}
  encode(parts, cmd, "call", 1, 2)
  local _, errstr, code = not_subscribed(self, "call")
  if errstr then return nil, errstr, code end
  return locked(self, roundtrip, concat(parts))
end

--- r:pipeline({{command, ...}, ...}) -> results | nil, errstr, errno
-- Every command goes in one write; results[i] is the i-th reply ({err =
-- text} for an error reply).
function Client.pipeline(self, cmds)
  if type(cmds) ~= "table" then
    error("bad argument #1 to 'pipeline' (table expected, got " .. (cmds == nil and "no value" or type(cmds)) .. ")", 2)
  end
  local parts = {}
  for i = 1, #cmds do
    if type(cmds[i]) ~= "table" or #cmds[i] == 0 then
      error("bad argument #1 to 'pipeline' (command " .. i .. " is not a table of strings)", 2)
    end
    encode(parts, cmds[i], "pipeline", 1, 2)
  end
  local _, errstr, code = not_subscribed(self, "pipeline")
  if errstr then return nil, errstr, code end
  if #cmds == 0 then return {} end
  return locked(self, roundtrip, concat(parts), #cmds)
end

-- A subscribed connection has two tasks. reader owns the connection's
-- replies: confirmations of (un)subscribing go to the call that waits for
-- them (r.confirms, made for that call), messages to r.pending; past
-- r.queue pending it stops reading (Redis then holds them, as it does for
-- any slow subscriber), unless a call waits for a confirmation behind
-- them. pump hands r.pending to r.messages, the script's channel, in
-- order, waiting while the script does not receive. So neither a full
-- queue nor a slow script keeps a subscribe or unsubscribe from being
-- confirmed.
local NO_TIMEOUT = 1e9 -- seconds: a subscribed connection's next message may be long in coming

local function reader(self)
  if not self.closed then stream_set_timeout(self.stream, NO_TIMEOUT) end
  local q = self.pending
  while not self.closed do -- (r:close() between two reads: the handle is gone)
    local v = read_reply(self.stream, 0)
    if type(v) ~= "table" then break end
    local kind, msg = v[1], nil
    if kind == "message" then
      msg = {kind = kind, channel = v[2], message = v[3]}
    elseif kind == "pmessage" then
      msg = {kind = kind, pattern = v[2], channel = v[3], message = v[4]}
    else
      local names = (kind == "subscribe" or kind == "unsubscribe") and self.channels or self.patterns
      if kind == "subscribe" or kind == "psubscribe" then
        names[v[2]] = true
      elseif (kind == "unsubscribe" or kind == "punsubscribe") and v[2] then
        names[v[2]] = nil
      end
      -- an error reply ({err = ...}) too; a late one, of a call that gave
      -- up, finds no room and is dropped
      if self.confirms then self.confirms:send(v, 0) end
    end
    if msg then
      q.last = q.last + 1
      q[q.last] = msg
      self.more:send(true, 0)
      while q.last - q.first + 1 > self.queue and self.waiting == 0 and not self.closed do
        self.room:receive()
      end
    end
  end
  close_stream(self)
  self.ended = true
  self.more:send(true, 0)
  if self.confirms then self.confirms:close() end
end

local function pump(self)
  local q = self.pending
  while true do
    if q.first <= q.last then
      local msg = q[q.first]
      q[q.first] = nil
      q.first = q.first + 1
      self.room:send(true, 0)
      if not self.messages:send(msg) then break end -- closed by r:close()
    elseif self.ended or self.closed then
      break
    else
      self.more:receive()
    end
  end
  self.messages:close()
end

local function count(set)
  local n = 0
  for _ in pairs(set) do n = n + 1 end
  return n
end

-- subscription sends (p)(un)subscribe and waits for Redis to confirm each
-- name: as many as were named, or, for an unsubscribe from all, one per
-- subscribed name (one when there is none).
local function subscription(self, command, names)
  if self.closed then return nil, "the connection to Redis is closed", errno.EBADF end
  local parts = {}
  encode(parts, {command, unpack(names)}, command:lower(), 0, 3)
  local first = not self.messages
  if first then
    self.messages, self.more, self.room = channel.make(self.queue), channel.make(1), channel.make(1)
    self.pending, self.channels, self.patterns = {first = 1, last = 0}, {}, {}
  end
  local want = #names
  if want == 0 then
    want = math.max(1, count(command == "UNSUBSCRIBE" and self.channels or self.patterns))
  end
  self.confirms = channel.make(want) -- room for every confirmation this call waits for
  self.waiting = 1
  self.room:send(true, 0) -- a reader held back by a full queue reads on
  local ok, errstr, code = fwrite(self.stream, concat(parts))
  if not ok then
    self.waiting = 0
    return failed(self, errstr, code)
  end
  if first then
    spawn(reader, self)
    spawn(pump, self)
  end
  for _ = 1, want do
    local got, v, code2 = self.confirms:receive(self.timeout)
    if not got or v.err then
      self.waiting = 0
      if got then return nil, v.err, 0 end
      if v == nil then return nil, "Redis closed the connection", 0 end
      return nil, v, code2
    end
  end
  self.waiting = 0
  return self.messages
end

local function subscriber(command)
  local fname = command:lower()
  return function(self, ...)
    local names = {...}
    for i = 1, select("#", ...) do argument(names[i], i, fname, 2) end
    if #names == 0 and (command == "SUBSCRIBE" or command == "PSUBSCRIBE") then
      error("bad argument #1 to '" .. fname .. "' (string expected, got no value)", 2)
    end
    if not self.messages and (command == "UNSUBSCRIBE" or command == "PUNSUBSCRIBE") then
      return nil, "this connection has no subscription", errno.EINVAL
    end
    return locked(self, subscription, command, names)
  end
end

--- r:subscribe(name, ...) -> messages | nil, errstr, errno
-- messages is a channel of {kind = "message", channel =, message =}; it
-- closes when the connection ends.
Client.subscribe = subscriber("SUBSCRIBE")
Client.psubscribe = subscriber("PSUBSCRIBE")
Client.unsubscribe = subscriber("UNSUBSCRIBE")
Client.punsubscribe = subscriber("PUNSUBSCRIBE")

--- r:close() -> true
function Client.close(self)
  close_stream(self)
  if self.messages then -- the messages received stay; the tasks end
    self.messages:close()
    self.room:send(true, 0)
    self.more:send(true, 0)
  end
  return true
end

-- Any other method is the Redis command of its name: r:set("k", "v") is
-- r:call("SET", "k", "v").
-- A client's own fields, nil while unset: never commands.
local fields = {stream = true, address = true, timeout = true, queue = true, lock = true, closed = true,
  messages = true, confirms = true, channels = true, patterns = true, pending = true, more = true,
  room = true, waiting = true, ended = true}

mt.__index = function(self, key)
  local m = Client[key]
  if m ~= nil or type(key) ~= "string" or fields[key] then return m end
  local command = key:upper()
  return function(client, ...)
    if getmetatable(client) ~= mt then
      error("calling '" .. key .. "' on bad self (redis client expected, got " .. type(client) .. ")", 2)
    end
    local parts, cmd = {}, {command, ...}
    for i = 2, select("#", ...) + 1 do argument(cmd[i], i - 1, key, 2) end
    encode(parts, cmd, key, 0, 2)
    local _, errstr, code = not_subscribed(client, key)
    if errstr then return nil, errstr, code end
    return locked(client, roundtrip, concat(parts))
  end
end

mt.__tostring = function(self)
  return "redis client (" .. self.address .. (self.closed and ", closed)" or ")")
end

--- redis.connect(address [, options]) -> client | nil, errstr, errno
-- address: "host:port", "tcp://host:port", "tls://host:port" or
-- "unix:///path"; options: timeout (seconds, for the connection and each
-- reply), password (and username) for AUTH, db for SELECT, queue (pub/sub
-- messages held for the script), context (a stream_context_create one).
function redis.connect(address, options)
  if type(address) ~= "string" then
    error("bad argument #1 to 'connect' (string expected, got " .. (address == nil and "no value" or type(address)) .. ")", 2)
  end
  if options ~= nil and type(options) ~= "table" then
    error("bad argument #2 to 'connect' (table expected, got " .. type(options) .. ")", 2)
  end
  options = options or {}
  local timeout = options.timeout
  if timeout ~= nil and (type(timeout) ~= "number" or timeout < 0) then
    error("bad argument #2 to 'connect' (timeout must be a number of seconds, 0 or more)", 2)
  end
  local queue = options.queue or QUEUE
  if type(queue) ~= "number" or queue < 1 then
    error("bad argument #2 to 'connect' (queue must be a number, 1 or more)", 2)
  end
  local target = address
  if not target:find("://", 1, true) then target = "tcp://" .. target end
  local s, errstr, code
  if options.context ~= nil then
    s, errstr, code = stream_socket_client(target, timeout, 4, options.context) -- 4: STREAM_CLIENT_CONNECT
  else
    s, errstr, code = stream_socket_client(target, timeout)
  end
  if not s then return nil, errstr, code end
  if timeout then stream_set_timeout(s, timeout) end
  local self = setmetatable({stream = s, address = address, timeout = timeout, queue = queue,
    lock = channel.make(1), waiting = 0}, mt)
  if options.password ~= nil then
    local ok, errstr2, code2
    if options.username ~= nil then
      ok, errstr2, code2 = self:call("AUTH", options.username, options.password)
    else
      ok, errstr2, code2 = self:call("AUTH", options.password)
    end
    if not ok then self:close() return nil, errstr2, code2 end
  end
  if options.db ~= nil then
    local ok, errstr2, code2 = self:call("SELECT", options.db)
    if not ok then self:close() return nil, errstr2, code2 end
  end
  return self
end

return redis
