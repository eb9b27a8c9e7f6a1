#!/usr/bin/env luasock
-- An authoritative DNS server (RFC 1035) for a zone kept in a table: A, AAAA
-- and TXT records, NXDOMAIN for the names it does not have, over UDP and TCP.
-- It checks every length before it reads, so a malformed packet gets FORMERR
-- (or nothing, when it is too short to answer) and the server goes on.
--   luasock run examples/dns_server.lua [udp-address [tcp-address]]
--   (default udp://127.0.0.1:5300, and TCP on the same address; DNS's own port 53 needs root)
--   then: dig @127.0.0.1 -p 5300 www.example.test A +norecurse   (and +tcp for TCP)
--
-- A message is a 12-byte header (an ID, the flags, then how many questions,
-- answers, authority and additional records follow), the question (a name,
-- a type, a class), then the answers (name, type, class, TTL, data length,
-- data). A name is a list of labels, each a length byte and that many bytes,
-- and a zero byte: www.example.test is \3www\7example\4test\0.

local TTL = 300 -- seconds a resolver may keep our answers
local ZONE = {  -- name -> type -> its records
  ["example.test"] = {A = {"192.0.2.1"}, AAAA = {"2001:db8::1"}, TXT = {"hello from luasock"}},
  ["www.example.test"] = {A = {"192.0.2.10", "192.0.2.11"}, AAAA = {"2001:db8::10"}},
  ["big.example.test"] = {TXT = {string.rep("a", 200), string.rep("b", 200), string.rep("c", 200)}},
}
local TYPES = {[1] = "A", [28] = "AAAA", [16] = "TXT"} -- their numbers on the wire
local NOERROR, FORMERR, NXDOMAIN, NOTIMP = 0, 1, 3, 4 -- response codes
local RCODES = {[NOERROR] = "NOERROR", [FORMERR] = "FORMERR", [NXDOMAIN] = "NXDOMAIN", [NOTIMP] = "NOTIMP"}
local UDP_MAX = 512 -- bytes in a UDP answer (RFC 1035; EDNS, which allows more, is not here)

-- Each type's data, as it goes on the wire.
local ENCODE = {
  A = function(ip) -- "192.0.2.1": four bytes
    local a, b, c, d = ip:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
    return string.pack("BBBB", tonumber(a), tonumber(b), tonumber(c), tonumber(d))
  end,
  AAAA = function(ip) -- "2001:db8::1": eight 16-bit groups; "::" stands for the zero groups left out
    local groups = select(2, ip:gsub("[^:]+", ""))
    ip = ip:gsub("::", ":" .. string.rep("0:", 8 - groups))
    local out = {}
    for group in ip:gmatch("[^:]+") do out[#out + 1] = string.pack(">I2", tonumber(group, 16)) end
    return table.concat(out)
  end,
  TXT = function(text) -- strings of at most 255 bytes, each after its length byte
    local out = {}
    for i = 1, math.max(#text, 1), 255 do out[#out + 1] = string.pack("s1", text:sub(i, i + 254)) end
    return table.concat(out)
  end,
}

-- Reads the name at msg[pos]: its labels and the position after it, or nil
-- when it is malformed. A label length's top two bits 11 make it a pointer:
-- the name goes on at the 14-bit offset that follows (compression).
local function read_name(msg, pos)
  local labels, size, after, start = {}, 1, nil, pos
  while true do
    local length = msg:byte(pos)
    if not length then return nil end -- past the end of the message
    if length == 0 then return labels, after or pos + 1 end
    if length >= 0xC0 then -- a pointer
      if pos + 1 > #msg then return nil end
      local target = bit32.band((string.unpack(">I2", msg, pos)), 0x3FFF) + 1
      if target >= start then return nil end -- each jump lands earlier than the last: no loop
      after, pos, start = after or pos + 2, target, target
    elseif length >= 0x40 then
      return nil -- label types 01 and 10: unused
    else
      if pos + length > #msg then return nil end -- a label past the end
      size = size + length + 1
      if size > 255 then return nil end -- a name is at most 255 bytes (so 127 labels)
      labels[#labels + 1] = msg:sub(pos + 1, pos + length)
      pos = pos + length + 1
    end
  end
end

-- Writes a name, its longest suffix already in the message replaced by a
-- pointer to it. names maps each suffix written to its offset; at is the
-- offset where this name goes.
local function write_name(labels, names, at)
  local out = {}
  for i = 1, #labels do
    local suffix = table.concat(labels, ".", i):lower()
    if names[suffix] then return table.concat(out) .. string.pack(">I2", 0xC000 + names[suffix]) end
    if at < 0x4000 then names[suffix] = at end -- an offset has 14 bits
    out[#out + 1] = string.pack("s1", labels[i])
    at = at + #out[#out]
  end
  return table.concat(out) .. "\0"
end

-- A name as dig shows it: lower case, bytes other than letters, digits, "-"
-- and "_" as \DDD, so that a label holding a "." stays one label.
local function text(labels)
  local out = {}
  for i, label in ipairs(labels) do
    out[i] = label:lower():gsub("[^%w%-_]", function(c) return string.format("\\%03d", c:byte()) end)
  end
  return table.concat(out, ".")
end

-- The answer to a query (nil when it gets none) and a line for the log.
local function answer(query, limit)
  if #query < 12 then return nil, "too short" end -- not even a header to answer with
  local id, flags, qdcount = string.unpack(">I2I2I2", query)
  if bit32.extract(flags, 15) == 1 then return nil, "not a query" end -- QR: an answer; answering it could loop
  local opcode, rd = bit32.extract(flags, 11, 4), bit32.extract(flags, 8)
  local summary = ""
  local function reply(rcode, question, records, truncated)
    -- QR (an answer), the query's opcode, AA (authoritative), TC, RD copied,
    -- RA 0 (we do not recurse), the response code.
    records = records or {}
    local bits = bit32.bor(0x8000, bit32.lshift(opcode, 11), 0x0400, truncated and 0x0200 or 0, bit32.lshift(rd, 8), rcode)
    return string.pack(">I2I2I2I2I2I2", id, bits, question and 1 or 0, #records, 0, 0) .. (question or "")
      .. table.concat(records), summary .. RCODES[rcode] .. (truncated and " truncated" or "")
  end
  if opcode ~= 0 then return reply(NOTIMP) end -- only standard queries (opcode 0), not NOTIFY, UPDATE...
  local labels, pos = read_name(query, 13)
  if qdcount ~= 1 or not labels or pos + 3 > #query then return reply(FORMERR) end
  local qtype, qclass = string.unpack(">I2I2", query, pos)
  local names = {}
  local question = write_name(labels, names, 12) .. string.pack(">I2I2", qtype, qclass)
  local name = text(labels)
  summary = name .. " " .. (TYPES[qtype] or qtype) .. " "
  if qclass ~= 1 then return reply(NOTIMP, question) end -- only class IN (Internet)
  if not ZONE[name] then return reply(NXDOMAIN, question) end
  local records, size = {}, 12 + #question
  for _, value in ipairs(ZONE[name][TYPES[qtype]] or {}) do -- none: NOERROR without answers
    local record = write_name(labels, names, size) -- a pointer to the question's name
      .. string.pack(">I2I2I4s2", qtype, 1, TTL, ENCODE[TYPES[qtype]](value)) -- s2: length, data
    records[#records + 1], size = record, size + #record
  end
  if size > limit then return reply(NOERROR, question, {}, true) end -- TC: ask again over TCP
  return reply(NOERROR, question, records)
end

local udp, errstr, errno = stream_socket_server(arg[1] or "udp://127.0.0.1:5300", STREAM_SERVER_BIND)
if not udp then
  print(errstr .. " (" .. errno .. ")")
  os.exit(1)
end
local tcp
tcp, errstr, errno = stream_socket_server(arg[2] or "tcp://" .. stream_socket_get_name(udp, false))
if not tcp then
  print(errstr .. " (" .. errno .. ")")
  os.exit(1)
end
print("dns on udp " .. stream_socket_get_name(udp, false) .. " and tcp " .. stream_socket_get_name(tcp, false))

-- Over TCP each message comes after its length in 2 bytes, and a client may
-- send several on one connection.
local function serve_tcp(conn, peer)
  stream_set_timeout(conn, 10) -- an idle client is let go
  while true do
    local prefix = stream_get_contents(conn, 2)
    if not prefix or #prefix < 2 then break end
    local length = string.unpack(">I2", prefix)
    local query = length > 0 and stream_get_contents(conn, length)
    if not query or #query < length then break end -- cut short: the client has gone
    local reply, summary = answer(query, 65535)
    print(peer .. " tcp " .. summary)
    if not reply then break end
    fwrite(conn, string.pack(">s2", reply))
  end
  fclose(conn)
end

spawn(function()
  while true do
    local conn, peer = stream_socket_accept(tcp)
    if conn then spawn(serve_tcp, conn, peer) end
  end
end)

while true do -- UDP: one datagram is one query
  local query, peer = stream_socket_recvfrom(udp, 65535)
  if query then
    local reply, summary = answer(query, UDP_MAX)
    print(peer .. " udp " .. summary)
    if reply then stream_socket_sendto(udp, reply, 0, peer) end
  end
end
