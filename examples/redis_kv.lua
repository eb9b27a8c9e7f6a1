#!/usr/bin/env luasock
-- A key-value server that speaks Redis's protocol (RESP), so redis-cli and
-- redis-benchmark talk to it: PING, ECHO, SET (with EX/PX), GET, DEL,
-- EXISTS, INCR and KEYS, with Redis's error texts. A task per client.
--   luasock run examples/redis_kv.lua [address]   (default tcp://127.0.0.1:6380; Redis's own is 6379)
--   then: redis-cli -p 6380 SET greeting hello   and   redis-cli -p 6380 GET greeting
--
-- RESP in brief. A command is an array of bulk strings:
--   *2\r\n $3\r\nGET\r\n $5\r\nmykey\r\n      ("*" count, then "$" length and bytes)
-- or an "inline" line of words, as typed into telnet: GET mykey\r\n
-- A reply is one of: +OK\r\n (simple string), -ERR why\r\n (error),
-- :42\r\n (integer), $5\r\nhello\r\n (bulk string; $-1\r\n is nil), and
-- *n\r\n followed by n replies (array).

local MAX_REQUEST = 1024 * 1024 -- bytes in one command (Redis: 1 GiB); a client past it is cut off
local MAX_INT = 2 ^ 53 -- Lua 5.1 numbers are doubles: integers are exact up to 2^53 (Redis: 2^63)

-- TCP_NODELAY on the accepted connections turns off Nagle's algorithm, which
-- holds back a small write while an earlier one is unacknowledged. The client
-- delays its ACK (up to 40 ms) hoping to send it with data, but a pipelining
-- client (redis-benchmark -P 16) sends nothing until it has all its replies.
-- One write per batch of replies mostly avoids the wait; with a write per
-- reply and no TCP_NODELAY, -P 16 from one client fell from 22,000 to 366
-- requests/s (docs/benchmarks.md). Redis sets it too.
local context = stream_context_create({socket = {tcp_nodelay = true}})
local server, errstr, errno = stream_socket_server(arg[1] or "tcp://127.0.0.1:6380", STREAM_SERVER_BIND + STREAM_SERVER_LISTEN, context)
if not server then
  print(errstr .. " (" .. errno .. ")")
  os.exit(1)
end
print("redis on " .. stream_socket_get_name(server, false))

-- The replies, encoded.
local function simple(s) return "+" .. s .. "\r\n" end
local function err(s) return "-" .. s:gsub("[\r\n]", " ") .. "\r\n" end -- one line, always
local function int(n) return string.format(":%d\r\n", n) end
local function bulk(s) return s and "$" .. #s .. "\r\n" .. s .. "\r\n" or "$-1\r\n" end
local function array(list) -- of strings
  for i, s in ipairs(list) do list[i] = bulk(s) end
  return "*" .. #list .. "\r\n" .. table.concat(list)
end
local NOT_INTEGER = err("ERR value is not an integer or out of range")

-- The data: every task shares these tables (tasks switch only where a call
-- waits, so a command runs whole, as Redis runs one at a time).
local values, expires = {}, {} -- key -> string; key -> when it expires (microtime)

-- Is key there? Like Redis, a key whose time has passed is dropped when seen.
local function alive(key)
  if expires[key] and microtime(true) >= expires[key] then values[key], expires[key] = nil, nil end
  return values[key] ~= nil
end

-- Redis's integers: decimal, no "+", no leading zero; nil for anything else.
local function integer(s)
  local n = (s == "0" or s:match("^%-?[1-9]%d*$")) and tonumber(s)
  if n and math.abs(n) <= MAX_INT then return n end
end

-- KEYS takes a glob: * any run, ? any byte, [abc] [^a] [a-z] a set, \x the
-- character x. It becomes a Lua pattern, where those are .* . [...] and %x.
local function glob_to_pattern(glob)
  local out, in_set = {"^"}, false
  for escape, c in glob:gmatch("(\\?)(.)") do -- a character, and the \ before it if any
    if not in_set and escape == "" and (c == "*" or c == "?" or c == "[") then
      out[#out + 1], in_set = ({["*"] = ".*", ["?"] = ".", ["["] = "["})[c], c == "["
    elseif in_set and escape == "" and c ~= "%" then -- a set reads the same in both
      out[#out + 1], in_set = c, c ~= "]"
    else -- c itself, which a pattern writes %c (letters and digits as they are)
      out[#out + 1] = c:match("%w") and c or "%" .. c
    end
  end
  return table.concat(out) .. (in_set and "]$" or "$") -- Redis closes an open set at the end
end

-- Each command: the fewest and most strings it takes (its name included),
-- and what it does with them. It returns the encoded reply.
local commands = {
  ping = {1, 2, function(a) return a[2] and bulk(a[2]) or simple("PONG") end},
  echo = {2, 2, function(a) return bulk(a[2]) end},
  get = {2, 2, function(a) return bulk(alive(a[2]) and values[a[2]] or nil) end},
  set = {3, math.huge, function(a)
    local ttl -- SET key value [EX seconds | PX milliseconds]; NX, XX... are not here
    if #a > 3 then
      local unit = ({ex = 1, px = 0.001})[a[4]:lower()]
      if not unit or #a ~= 5 then return err("ERR syntax error") end
      local n = integer(a[5])
      if not n then return NOT_INTEGER end
      if n <= 0 then return err("ERR invalid expire time in 'set' command") end
      ttl = n * unit
    end
    values[a[2]], expires[a[2]] = a[3], ttl and microtime(true) + ttl
    return simple("OK")
  end},
  del = {2, math.huge, function(a)
    local n = 0
    for i = 2, #a do if alive(a[i]) then values[a[i]], expires[a[i]], n = nil, nil, n + 1 end end
    return int(n)
  end},
  exists = {2, math.huge, function(a)
    local n = 0
    for i = 2, #a do if alive(a[i]) then n = n + 1 end end
    return int(n)
  end},
  incr = {2, 2, function(a)
    local n = 0 -- a missing key counts as 0
    if alive(a[2]) then n = integer(values[a[2]]) end
    if not n then return NOT_INTEGER end
    if n >= MAX_INT then return err("ERR increment or decrement would overflow") end
    values[a[2]] = string.format("%d", n + 1) -- a string, as Redis stores it; the TTL stays
    return int(n + 1)
  end},
  keys = {2, 2, function(a)
    local found, pattern = {}, glob_to_pattern(a[2])
    for key in pairs(values) do
      local ok, match = pcall(string.match, key, pattern) -- a set Lua finds malformed ("[]") matches nothing
      if ok and match and alive(key) then found[#found + 1] = key end
    end
    table.sort(found) -- Redis gives its hash table's order; sorted reads better
    return array(found)
  end},
}

local function execute(args)
  local name = args[1]:lower()
  local command = commands[name]
  if not command then -- Redis quotes the first arguments, up to 128 bytes of them
    local shown = ""
    for i = 2, #args do if #shown < 128 then shown = shown .. "'" .. args[i]:sub(1, 128 - #shown) .. "' " end end
    return err("ERR unknown command '" .. args[1]:sub(1, 128) .. "', with args beginning with: " .. shown)
  end
  if #args < command[1] or #args > command[2] then
    return err("ERR wrong number of arguments for '" .. name .. "' command")
  end
  return command[3](args)
end

-- Parses the command that starts at buf[pos]: returns its strings (name
-- first; {} for an empty line) and where the next command starts; nil when
-- buf does not hold all of it yet; false, why when it breaks the protocol.
local function parse(buf, pos)
  local eol = buf:find("\n", pos, true)
  if not eol then return nil end
  local line = buf:sub(pos, eol - 1):gsub("\r$", "")
  if line:sub(1, 1) ~= "*" then -- inline: words separated by spaces
    local args = {}
    for word in line:gmatch("%S+") do args[#args + 1] = word end
    return args, eol + 1
  end
  local count = tonumber(line:match("^%*(%-?%d+)$"))
  if not count or count > 1024 * 1024 then return false, "invalid multibulk length" end
  local args = {}
  for i = 1, count do -- each string: $length\r\n, then length bytes and \r\n
    pos = eol + 1
    eol = buf:find("\n", pos, true)
    if not eol then return nil end
    if buf:sub(pos, pos) ~= "$" then return false, "expected '$', got '" .. buf:sub(pos, pos) .. "'" end
    local length = tonumber(buf:sub(pos, eol - 1):match("^%$(%d+)\r$"))
    if not length or length > MAX_REQUEST then return false, "invalid bulk length" end
    if #buf < eol + length + 2 then return nil end
    args[i] = buf:sub(eol + 1, eol + length)
    eol = eol + length + 2 -- past the string's \r\n
  end
  return args, eol + 1
end

-- Pipelining: a client may send many commands before it reads a reply. Each
-- read takes whatever has arrived, every whole command in it is answered,
-- in order, with one write, and an unfinished one waits for the next read.
local function serve(conn)
  local buf = ""
  while #buf <= MAX_REQUEST do -- past it, an unfinished command too big to hold
    local data = fread(conn, 65536)
    if not data then break end -- the client has gone
    buf = buf .. data
    local replies, pos = {}, 1
    local args, next = parse(buf, pos)
    while args do
      if #args > 0 then replies[#replies + 1] = execute(args) end
      pos = next
      args, next = parse(buf, pos)
    end
    if args == false then replies[#replies + 1] = err("ERR Protocol error: " .. next) end
    fwrite(conn, table.concat(replies))
    if args == false then break end -- Redis says why, then hangs up
    buf = buf:sub(pos)
  end
  fclose(conn)
end

while true do
  local conn = stream_socket_accept(server)
  if conn then spawn(serve, conn) end
end
