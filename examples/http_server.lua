#!/usr/bin/env luasock
-- A minimal HTTP/1.1 server: a task per connection, several requests per
-- connection (keep-alive), GET, HEAD and POST with a Content-Length body.
-- What a client can make it hold is bounded: lines of MAX_LINE bytes,
-- MAX_HEADERS headers, and a body of MAX_BODY bytes, read only when the
-- page asks for it (a larger one gets 413 before any of it is read).
--   luasock run examples/http_server.lua [address]   (default tcp://127.0.0.1:8080)
--   then: curl -v http://127.0.0.1:8080/ http://127.0.0.1:8080/time   (one connection)
--         curl -d 'hello' http://127.0.0.1:8080/echo

local IDLE = 15 -- seconds a kept-alive connection may wait for its next request
local MAX_LINE = 8192 -- bytes in the request line or in one header line, CRLF included
local MAX_HEADERS = 100
local MAX_BODY = 1024 * 1024 -- bytes of a request body

local server, errstr, errno = stream_socket_server(arg[1] or "tcp://127.0.0.1:8080")
if not server then
  print(errstr .. " (" .. errno .. ")")
  os.exit(1)
end
print("http on " .. stream_socket_get_name(server, false))

-- Each page answers a request with a status and a body; one that says
-- `body = true` gets the request's body read for it, the others never do.
local pages = {
  ["/"] = {answer = function() return "200 OK", "Hello from luasock\n" end},
  ["/time"] = {answer = function() return "200 OK", date("D, d M Y H:i:s O") .. "\n" end},
  ["/echo"] = {body = true, answer = function(request) return "200 OK", request.body end},
}

-- One line of at most MAX_LINE bytes; false when it is longer, nil when the
-- client has gone.
local function read_line(conn)
  local line = fgets(conn, MAX_LINE + 1)
  if line and #line == MAX_LINE and line:sub(-1) ~= "\n" then return false end
  return line
end

-- Reads the request line and the headers (names in lower case), not the
-- body. nil when the client has gone; nil, status, why for a bad request.
local function read_request(conn)
  local line = read_line(conn)
  if line == false then return nil, "414 URI Too Long", "request line over " .. MAX_LINE .. " bytes" end
  if not line then return nil end
  local method, target, version = line:match("^(%u+) (%S+) HTTP/(%d%.%d)\r?\n$")
  if not method then return nil, "400 Bad Request", "bad request line" end
  local headers, count = {}, 0
  while true do
    local h = read_line(conn)
    if h == false or count == MAX_HEADERS then
      return nil, "431 Request Header Fields Too Large", "headers over " .. MAX_LINE .. " bytes or " .. MAX_HEADERS .. " lines"
    end
    if not h then return nil end
    if h == "\r\n" or h == "\n" then break end
    local name, value = h:match("^([^:]+):%s*(.-)%s*\r?\n$")
    if not name then return nil, "400 Bad Request", "bad header" end
    headers[name:lower()] = value
    count = count + 1
  end
  if headers["transfer-encoding"] then return nil, "501 Not Implemented", "no Transfer-Encoding here" end
  local length = headers["content-length"] or "0"
  if not length:match("^%d+$") then return nil, "400 Bad Request", "bad Content-Length" end
  return {method = method, target = target, version = version, headers = headers, length = tonumber(length)}
end

-- Reads (or with `keep` false, reads past) a body of length bytes, 64 KiB
-- at a time. nil when the client has gone.
local function read_body(conn, length, keep)
  local body = {}
  while length > 0 do
    local chunk = fread(conn, math.min(length, 65536))
    if not chunk then return nil end
    if keep then body[#body + 1] = chunk end
    length = length - #chunk
  end
  return table.concat(body)
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
    local request, failure, why = read_request(conn)
    if not request then
      if failure then
        print(peer .. " " .. failure:match("%d+") .. " " .. why)
        respond(conn, failure, why .. "\n", false)
      end
      break
    end
    served = served + 1
    local connection = (request.headers["connection"] or ""):lower()
    local keep_alive = connection ~= "close" and (request.version == "1.1" or connection == "keep-alive")
    local page = pages[request.target:match("^[^?]*")]
    local status, body = "404 Not Found", "no page " .. request.target .. "\n"
    if request.method ~= "GET" and request.method ~= "HEAD" and request.method ~= "POST" then
      status, body, page = "405 Method Not Allowed", request.method .. " is not served here\n", nil
    elseif request.length > MAX_BODY then
      status, body, page = "413 Payload Too Large", "the body is over " .. MAX_BODY .. " bytes\n", nil
    end
    local expect = (request.headers["expect"] or ""):lower() == "100-continue"
    if page and page.body then -- the page wants the body
      if expect then fwrite(conn, "HTTP/1.1 100 Continue\r\n\r\n") end
      request.body = read_body(conn, request.length, true)
      if not request.body then break end
    elseif request.length > 0 and (expect or request.length > MAX_BODY) then
      keep_alive = false -- the body is not read: the next request cannot be found
    elseif request.length > 0 and not read_body(conn, request.length, false) then
      break
    end
    if page then status, body = page.answer(request) end
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
