#!/usr/bin/env luasock
-- A WebSocket echo server (RFC 6455): every text or binary message a client
-- sends comes back to it. A task per connection.
--   luasock run examples/websocket_echo.lua [address]   (default tcp://127.0.0.1:8765)
--   then, from Python: import websockets.sync.client as c; ws = c.connect("ws://127.0.0.1:8765")
--
-- A WebSocket starts as an HTTP request that asks to "upgrade" the connection;
-- after the server's 101 answer, both sides exchange frames: a 2-byte header
-- (FIN bit, opcode; MASK bit, length), a longer length when needed, the
-- client's 4-byte mask, and the payload. Messages may come in fragments;
-- ping, pong and close are control frames that may come between them.

local MAX_MESSAGE = 16 * 1024 * 1024 -- bytes in one message; a larger one closes with 1009
local GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11" -- RFC 6455's fixed string

local server, errstr, errno = stream_socket_server(arg[1] or "tcp://127.0.0.1:8765")
if not server then
  print(errstr .. " (" .. errno .. ")")
  os.exit(1)
end
print("websocket echo on " .. stream_socket_get_name(server, false))

-- fread returns what has arrived (up to n bytes): a frame needs exactly n.
local function read_exact(conn, n)
  local parts, got = {}, 0
  while got < n do
    local chunk = fread(conn, n - got)
    if not chunk then return nil end
    parts[#parts + 1] = chunk
    got = got + #chunk
  end
  return table.concat(parts)
end

-- The handshake: the answer proves the server read the client's key.
local function handshake(conn)
  local request = fgets(conn, 8192)
  if not request or not request:match("^GET ") then return false end
  local headers = {}
  for _ = 1, 100 do
    local line = fgets(conn, 8192)
    if not line or line == "\r\n" then break end
    local name, value = line:match("^([^:]+):%s*(.-)%s*\r\n$")
    if name then headers[name:lower()] = value end
  end
  local key = headers["sec-websocket-key"]
  if not key or not (headers["upgrade"] or ""):lower():find("websocket", 1, true) then
    fwrite(conn, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    return false
  end
  fwrite(conn, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" ..
    "Sec-WebSocket-Accept: " .. base64_encode(sha1(key .. GUID, true)) .. "\r\n\r\n")
  return true
end

-- The server's frames are never masked; the length takes 1, 3 or 9 bytes.
local function send_frame(conn, opcode, payload)
  local n = #payload
  local header
  if n < 126 then header = string.pack(">BB", 0x80 + opcode, n)
  elseif n < 65536 then header = string.pack(">BBI2", 0x80 + opcode, 126, n)
  else header = string.pack(">BBI8", 0x80 + opcode, 127, n) end
  return fwrite(conn, header .. payload)
end

local function close_with(conn, code, reason)
  send_frame(conn, 0x8, string.pack(">I2", code) .. (reason or ""))
end

-- Client payloads are XORed with the mask, 4 bytes at a time.
local function unmask(data, mask)
  local m = string.unpack("<I4", mask)
  local out, whole = {}, #data - #data % 4
  for i = 1, whole, 4 do
    out[#out + 1] = string.pack("<I4", bit32.bxor(string.unpack("<I4", data, i), m))
  end
  for i = whole + 1, #data do
    out[#out + 1] = string.char(bit32.bxor(data:byte(i), mask:byte((i - 1) % 4 + 1)))
  end
  return table.concat(out)
end

-- One frame: fin (a boolean), opcode, payload; nil when the client has
-- gone; nil, code, reason when the frame breaks the protocol.
local function read_frame(conn)
  local head = read_exact(conn, 2)
  if not head then return nil end
  local b1, b2 = head:byte(1, 2)
  local fin, opcode = b1 >= 0x80, b1 % 16
  local masked, n = b2 >= 0x80, b2 % 128
  if b1 % 128 >= 16 then return nil, 1002, "reserved bits set" end
  if not masked then return nil, 1002, "client frames must be masked" end
  if n == 126 then n = string.unpack(">I2", read_exact(conn, 2) or "\0\0")
  elseif n == 127 then n = string.unpack(">I8", read_exact(conn, 8) or ("\0"):rep(8)) end
  if opcode >= 8 and (n > 125 or not fin) then return nil, 1002, "bad control frame" end
  if n > MAX_MESSAGE then return nil, 1009, "message too big" end
  local mask = read_exact(conn, 4)
  local payload = mask and read_exact(conn, n)
  if not payload then return nil end
  return fin, opcode, unmask(payload, mask)
end

local function serve(conn, peer)
  if not handshake(conn) then fclose(conn) return end
  print(peer .. " connected")
  local message, kind = {}, nil -- the fragments of the message being received
  local size = 0
  while true do
    local fin, opcode, payload = read_frame(conn)
    if fin == nil then
      if opcode then close_with(conn, opcode, payload) end -- a broken rule, or the client has gone
      break
    end
    if opcode == 0x9 then -- ping: answer with a pong carrying the same bytes
      send_frame(conn, 0xA, payload)
    elseif opcode == 0x8 then -- close: answer with the same status, then hang up
      close_with(conn, #payload >= 2 and string.unpack(">I2", payload) or 1000)
      print(peer .. " closed")
      break
    elseif opcode == 0x1 or opcode == 0x2 or opcode == 0x0 then
      if (opcode == 0) == (kind == nil) then close_with(conn, 1002, "bad continuation") break end
      kind = kind or opcode
      message[#message + 1] = payload
      size = size + #payload
      if size > MAX_MESSAGE then close_with(conn, 1009, "message too big") break end
      if fin then -- the last fragment: echo the whole message
        send_frame(conn, kind, table.concat(message))
        message, kind, size = {}, nil, 0
      end
    elseif opcode ~= 0xA then -- (an unsolicited pong is allowed and ignored)
      close_with(conn, 1002, "unknown opcode")
      break
    end
  end
  fclose(conn)
end

while true do
  local conn, peer = stream_socket_accept(server)
  if conn then spawn(serve, conn, peer) end
end
