#!/usr/bin/env luasock
-- A minimal HTTP/1.1 server: a task per connection, several requests per
-- connection (keep-alive), GET, HEAD and POST with a Content-Length body.
--   luasock run examples/http_server.lua [address]   (default tcp://127.0.0.1:8080)
--   then: curl -v http://127.0.0.1:8080/ http://127.0.0.1:8080/time   (one connection)
--         curl -d 'hello' http://127.0.0.1:8080/echo

local IDLE = 15 -- seconds a kept-alive connection may wait for its next request

local server, errstr, errno = stream_socket_server(arg[1] or "tcp://127.0.0.1:8080")
if not server then
  print(errstr .. " (" .. errno .. ")")
  os.exit(1)
end
print("http on " .. stream_socket_get_name(server, false))

local pages = {
  ["/"] = function() return "200 OK", "Hello from luasock\n" end,
  ["/time"] = function() return "200 OK", date("D, d M Y H:i:s O") .. "\n" end,
  ["/echo"] = function(request) return "200 OK", request.body end,
}

-- Reads one request: the request line, the headers (names in lower case) and
-- a Content-Length body. nil when the client has gone or sent garbage.
local function read_request(conn)
  local line = fgets(conn, 8192)
  if not line then return nil end
  local method, target, version = line:match("^(%u+) (%S+) HTTP/(%d%.%d)\r?\n$")
  if not method then return nil, "bad request line" end
  local headers = {}
  while true do
    local h = fgets(conn, 8192)
    if not h then return nil end
    if h == "\r\n" or h == "\n" then break end
    local name, value = h:match("^([^:]+):%s*(.-)%s*\r?\n$")
    if not name then return nil, "bad header" end
    headers[name:lower()] = value
  end
  local length = tonumber(headers["content-length"] or "0")
  if not length or length < 0 then return nil, "bad Content-Length" end
  local body = {}
  while length > 0 do
    local chunk = fread(conn, math.min(length, 65536))
    if not chunk then return nil end
    body[#body + 1] = chunk
    length = length - #chunk
  end
  return {method = method, target = target, version = version, headers = headers, body = table.concat(body)}
end

local function respond(conn, status, body, keep_alive, head_only)
  fwrite(conn, "HTTP/1.1 " .. status .. "\r\n" ..
    "Content-Type: text/plain\r\n" ..
    "Content-Length: " .. #body .. "\r\n" ..
    "Connection: " .. (keep_alive and "keep-alive" or "close") .. "\r\n\r\n" ..
    (head_only and "" or body))
end

local function serve(conn, peer)
  stream_set_timeout(conn, IDLE)
  local served = 0
  while true do
    local request, problem = read_request(conn)
    if not request then
      if problem then respond(conn, "400 Bad Request", problem .. "\n", false) end
      break
    end
    served = served + 1
    local connection = (request.headers["connection"] or ""):lower()
    local keep_alive = connection ~= "close" and (request.version == "1.1" or connection == "keep-alive")
    local page = pages[request.target:match("^[^?]*")]
    local status, body = "404 Not Found", "no page " .. request.target .. "\n"
    if request.method ~= "GET" and request.method ~= "HEAD" and request.method ~= "POST" then
      status, body = "405 Method Not Allowed", request.method .. " is not served here\n"
    elseif page then
      status, body = page(request)
    end
    print(peer .. " " .. request.method .. " " .. request.target .. " " .. status:match("%d+"))
    respond(conn, status, body, keep_alive, request.method == "HEAD")
    if not keep_alive then break end
  end
  fclose(conn)
  print(peer .. " closed after " .. served .. " requests")
end

while true do
  local conn, peer = stream_socket_accept(server)
  if conn then spawn(serve, conn, peer) end
end
