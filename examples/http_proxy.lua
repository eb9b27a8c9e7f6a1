#!/usr/bin/env luasock
-- An HTTP forward proxy, as `curl -x` uses one (RFC 9110, RFC 9112). It
-- takes two kinds of request:
--   GET http://host:port/path HTTP/1.1   a plain request in absolute form: the
--     proxy connects to host:port and passes it on as "GET /path HTTP/1.1";
--   CONNECT host:port HTTP/1.1           a tunnel (https:// through the proxy):
--     the proxy connects, answers 200, then copies bytes it cannot read.
-- Either way, once connected, two tasks copy the bytes, one each way.
--   luasock run examples/http_proxy.lua [address]   (default tcp://127.0.0.1:3128)
--   then: curl -x http://127.0.0.1:3128 http://example.com/
--         curl -x http://127.0.0.1:3128 https://example.com/   (a CONNECT tunnel)
-- Whoever reaches it can reach anything through it: keep it on loopback.

local MAX_LINE = 8192   -- bytes in the request line or a header line, CRLF included
local MAX_HEADERS = 100
local CHUNK = 65536     -- bytes copied at a time: the most one direction holds
local CONNECT_TIMEOUT = 10

local server, errstr, errno = stream_socket_server(arg[1] or "tcp://127.0.0.1:3128")
if not server then
  print(errstr .. " (" .. errno .. ")")
  os.exit(1)
end
print("http proxy on " .. stream_socket_get_name(server, false))

-- Headers that concern one connection only (RFC 9110 7.6.1) are not passed
-- on, nor those that the Connection header names, nor the client's
-- credentials for the proxy. Transfer-Encoding is one too, but the body goes
-- on as it came, chunked or not, so the header that says so goes with it.
local HOP_BY_HOP = {["connection"] = true, ["proxy-connection"] = true, ["keep-alive"] = true,
  ["te"] = true, ["upgrade"] = true, ["proxy-authorization"] = true}

-- The request line and the headers (in order, as sent); nil when the
-- client has gone; nil, status, why for a request we refuse.
local function read_head(conn)
  local head = {headers = {}}
  local line = fgets(conn, MAX_LINE + 1)
  if not line then return nil end
  head.method, head.target, head.version = line:match("^(%u+) (%S+) HTTP/(1%.[01])\r?\n$")
  if not head.method then return nil, "400 Bad Request", "bad request line" end
  while true do
    line = fgets(conn, MAX_LINE + 1)
    if not line then return nil end
    if line == "\r\n" or line == "\n" then return head end
    local name, value = line:match("^([^:%s]+):%s*(.-)%s*\r?\n$")
    if not name or #head.headers == MAX_HEADERS then
      return nil, "400 Bad Request", "bad header, or too many"
    end
    head.headers[#head.headers + 1] = {name = name, value = value}
  end
end

local function refuse(conn, status, why)
  fwrite(conn, "HTTP/1.1 " .. status .. "\r\nContent-Type: text/plain\r\nContent-Length: " .. #why + 1 ..
    "\r\nConnection: close\r\n\r\n" .. why .. "\n")
end

-- The request as the origin server wants it: "GET /path HTTP/1.1", without
-- the hop-by-hop headers, and with "Connection: close", so that the server
-- closes once it has answered. The end of the answer is then the end of the
-- connection, and the proxy never has to find where a message ends.
local function origin_request(head, authority, path)
  local named = {} -- the headers that Connection names
  for _, h in ipairs(head.headers) do
    if h.name:lower() == "connection" then
      for token in h.value:gmatch("[^,%s]+") do named[token:lower()] = true end
    end
  end
  local lines, has_host = {head.method .. " " .. path .. " HTTP/" .. head.version}, false
  for _, h in ipairs(head.headers) do
    local name = h.name:lower()
    if not HOP_BY_HOP[name] and not named[name] then lines[#lines + 1] = h.name .. ": " .. h.value end
    has_host = has_host or name == "host"
  end
  if not has_host then lines[#lines + 1] = "Host: " .. authority end -- HTTP/1.0 clients may omit it
  lines[#lines + 1] = "Via: " .. head.version .. " luasock" -- RFC 9110 7.6.3: say a proxy was on the way
  lines[#lines + 1] = "Connection: close"
  return table.concat(lines, "\r\n") .. "\r\n\r\n"
end

-- Copies from one stream to the other until the first one ends; returns the
-- bytes copied. Backpressure comes free with blocking calls: fwrite returns
-- only once `to` has taken all of data, and until then this task reads
-- nothing more from `from`. What `from`'s peer sends meanwhile waits in the
-- kernel's buffers; when they are full, TCP's flow control makes that peer
-- wait. So a fast sender goes at the pace of a slow receiver, and the proxy
-- holds at most one CHUNK per direction, whatever the sizes and speeds.
local function copy(from, to)
  local copied = 0
  while true do
    local data = fread(from, CHUNK) -- at the end of the stream (or on an error): nil
    if not data or not fwrite(to, data) then break end
    copied = copied + #data
  end
  -- Pass the end on, and only the end: shutdown(WR) sends a FIN, so `to`'s
  -- peer reads the end of the stream while it can still send the other way
  -- (a client may end its request this way and then read the answer).
  stream_socket_shutdown(to, STREAM_SHUT_WR)
  return copied
end

-- Joins client and upstream: this task copies client -> upstream, a second
-- one upstream -> client (one task alone would sit in fread on one side
-- while the other side has something to say). Each direction ends on its
-- own; this task waits for the other before closing.
local function splice(client, upstream)
  local finished = channel.make()
  local down = 0
  spawn(function()
    pcall(function() down = copy(upstream, client) end) -- an error too ends the wait below
    finished:close()
  end)
  local up = copy(client, upstream)
  finished:receive() -- wait for the other direction (nil once it closed the channel)
  fclose(upstream)
  return up, down
end

local function serve(conn, peer)
  local head, status, why = read_head(conn)
  if not head then
    if status then refuse(conn, status, why) end
    return
  end
  local authority, path
  if head.method == "CONNECT" then
    authority = head.target:match("^[^/]+:%d+$") -- host:port
  else
    authority, path = head.target:match("^[Hh][Tt][Tt][Pp]://([^/?#]+)(.*)$")
  end
  if not authority then
    return refuse(conn, "400 Bad Request", "a proxy takes http://host/path or CONNECT host:port")
  end
  local address = authority:match(":%d+$") and authority or authority .. ":80"
  local upstream, errstr, errno = stream_socket_client("tcp://" .. address, CONNECT_TIMEOUT)
  if not upstream then
    print(peer .. " " .. head.method .. " " .. head.target .. ": " .. errstr)
    return refuse(conn, "502 Bad Gateway", "cannot connect to " .. address .. ": " .. errstr .. " (" .. errno .. ")")
  end
  if head.method == "CONNECT" then
    -- From here on the bytes are the client's and the server's (TLS, mostly).
    -- Any the client sent after its request are in conn's buffer: copy
    -- reads them first.
    fwrite(conn, "HTTP/1.1 200 Connection established\r\n\r\n")
  else
    if path:sub(1, 1) ~= "/" then path = "/" .. path end -- "http://h" and "http://h?q"
    fwrite(upstream, origin_request(head, authority, path))
  end
  local up, down = splice(conn, upstream)
  print(peer .. " " .. head.method .. " " .. head.target .. ": " .. up .. " bytes up, " .. down .. " down")
end

while true do
  local conn, peer = stream_socket_accept(server)
  if conn then spawn(serve, conn, peer) end -- conn is closed when serve ends, even by an error
end
