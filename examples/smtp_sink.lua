#!/usr/bin/env luasock
-- An SMTP receiver (RFC 5321) with STARTTLS (RFC 3207) that delivers nothing:
-- it prints each message it is given, envelope and data, and forgets it.
-- A task per client (spawn), so each session is plain blocking code.
--   luasock run examples/smtp_sink.lua [address [cert.pem [key.pem]]]
--   (default tcp://127.0.0.1:2525, cert.pem and key.pem in the working folder,
--   made as tls_echo.lua shows; "none" for cert.pem: no STARTTLS)
--   then: swaks --server 127.0.0.1:2525 --to b@example.com --tls
--     or: curl smtp://127.0.0.1:2525 --ssl-reqd -k --crlf --mail-from a@x --mail-rcpt b@y -T msg.txt

local HOST = "localhost"          -- the name the server gives itself
local MAX_COMMAND = 512           -- bytes in a command line, CRLF included (RFC 5321 4.5.3.1.4)
local MAX_TEXT = 1000             -- bytes in a line of the message (RFC 5321 4.5.3.1.6)
local MAX_SIZE = 10 * 1024 * 1024 -- bytes in a message, advertised as SIZE (RFC 1870)
local MAX_RCPT = 100              -- recipients in one transaction (RFC 5321 4.5.3.1.8)
local TIMEOUT = 300               -- seconds to wait for a client (RFC 5321 4.5.3.2.7)

-- A tcp:// server with a certificate in its context: connections start in
-- plain text and turn to TLS when the client asks (STARTTLS).
local OFFER_TLS = arg[2] ~= "none"
local context = stream_context_create({ssl = OFFER_TLS
  and {local_cert = arg[2] or "cert.pem", local_pk = arg[3] or "key.pem"} or {}})
local server, errstr, errno = stream_socket_server(arg[1] or "tcp://127.0.0.1:2525",
  STREAM_SERVER_BIND + STREAM_SERVER_LISTEN, context)
if not server then
  print(errstr .. " (" .. errno .. ")")
  os.exit(1)
end
print("smtp sink on " .. stream_socket_get_name(server, false))

local received = 0 -- messages so far (tasks share it: their Lua code never runs at once)

-- One line without its CRLF; false when it is over limit bytes (the rest
-- is skipped); nil and a parting reply when the session must end: the client
-- left, was too slow, or sent a bare LF. Only CRLF ends a line: a server that
-- took "\n" too would end a message at "\n.\n" where the next server goes
-- on, and a sender could smuggle a second message past it (SMTP smuggling).
local function read_line(conn, limit)
  local line, errstr = fgets(conn, limit + 1) -- at most limit bytes
  if not line then return nil, errstr and "421 " .. HOST .. " " .. errstr end
  if line:sub(-2) == "\r\n" then return line:sub(1, -3) end
  if line:sub(-1) == "\n" then return nil, "500 a line ended with a bare LF, not CRLF" end
  if #line < limit then return nil end -- the client left in the middle of a line
  repeat line = fgets(conn, limit + 1) until not line or line:sub(-1) == "\n"
  return false
end

-- The commands. Each gets the session and what follows the verb and returns
-- its reply (nil: none). The session says where the dialogue stands:
-- greeted (after HELO/EHLO), from (after MAIL), rcpts (after RCPT).
local commands = {}
local NO_ARGUMENT = {DATA = true, RSET = true, QUIT = true, STARTTLS = true}

-- Ends the mail transaction, if one is open: MAIL, RCPT and DATA start over.
local function reset(s) s.from, s.rcpts = nil, {} end

function commands.EHLO(s, args, verb) -- and HELO, the old greeting: no extensions
  if args == "" then return "501 syntax: " .. verb .. " domain" end
  s.greeted = true
  reset(s) -- a new greeting ends the transaction
  if verb == "HELO" then return "250 " .. HOST end
  -- The extensions, one per line: every line but the last is "250-".
  local lines = {HOST .. " greets " .. args, "SIZE " .. MAX_SIZE, "8BITMIME", "PIPELINING"}
  if OFFER_TLS and not s.tls then lines[#lines + 1] = "STARTTLS" end
  return "250-" .. table.concat(lines, "\r\n250-", 1, #lines - 1) .. "\r\n250 " .. lines[#lines]
end
commands.HELO = commands.EHLO

function commands.MAIL(s, args)
  if not s.greeted then return "503 send HELO or EHLO first" end
  if s.from then return "503 a transaction is already open (RSET ends it)" end
  -- The parameters, if any, follow a space (the one added makes it there)
  local path, params = (args .. " "):match("^[Ff][Rr][Oo][Mm]:%s*<([^<>]*)>(%s.*)$")
  if not path then return "501 syntax: MAIL FROM:<address>" end
  for key, value in params:gmatch("([^=%s]+)=?(%S*)") do -- SIZE=n BODY=8BITMIME
    key = key:upper()
    if key == "SIZE" and (tonumber(value) or 0) > MAX_SIZE then
      return "552 message exceeds the SIZE limit"
    elseif key ~= "SIZE" and key ~= "BODY" then
      return "555 parameter " .. key .. " not recognized"
    end
  end
  s.from = path -- "" is the null sender of bounces: allowed
  return "250 OK"
end

function commands.RCPT(s, args)
  if not s.from then return "503 send MAIL first" end
  local path = args:match("^[Tt][Oo]:%s*<([^<>]+)>$")
  if not path then return "501 syntax: RCPT TO:<address>" end
  if #s.rcpts == MAX_RCPT then return "452 too many recipients" end
  s.rcpts[#s.rcpts + 1] = path
  return "250 OK"
end

-- The message follows "354": lines up to a lone ".". The client doubled
-- each dot that starts a line (dot-stuffing) so that no line of the text
-- reads as the end; we remove it again. A message refused (too big, a line
-- too long) is still read to its end, so the session can go on.
function commands.DATA(s)
  if #s.rcpts == 0 then return "503 send RCPT first" end
  fwrite(s.conn, "354 end the message with a line holding only \".\"\r\n")
  local lines, size, refusal = {}, 0, nil
  while true do
    local line, parting = read_line(s.conn, MAX_TEXT)
    if line == nil then s.quit = true return parting end
    if line == "." then break end
    if line == false then
      refusal = "500 line too long (over " .. MAX_TEXT .. " bytes)"
    else
      if line:sub(1, 1) == "." then line = line:sub(2) end
      size = size + #line + 2
      if size > MAX_SIZE then refusal = "552 message exceeds the SIZE limit" end
      if not refusal then lines[#lines + 1] = line end
    end
  end
  local from, rcpts = s.from, s.rcpts
  reset(s) -- the transaction is over, accepted or not
  if refusal then return refusal end
  received = received + 1
  -- One print for the whole message: no other task's output comes between.
  print("== message " .. received .. " from " .. s.peer .. (s.tls and " over " .. s.tls or "") .. "\n" ..
    "MAIL FROM:<" .. from .. ">\nRCPT TO:<" .. table.concat(rcpts, ">\nRCPT TO:<") .. ">\n" ..
    table.concat(lines, "\n") .. (#lines > 0 and "\n" or "") ..
    "== end of message " .. received .. " (" .. #lines .. " lines, " .. size .. " bytes)")
  return "250 OK: message " .. received .. " received"
end

function commands.RSET(s) reset(s) return "250 OK" end
function commands.NOOP() return "250 OK" end

function commands.VRFY(s, args) -- 252: we will not tell whether a mailbox exists
  return args == "" and "501 syntax: VRFY user" or "252 cannot VRFY, but will take the message"
end

function commands.QUIT(s) s.quit = true return "221 " .. HOST .. " closing the connection" end

function commands.STARTTLS(s)
  if not OFFER_TLS then return "502 STARTTLS is not offered" end
  if s.tls then return "503 TLS is already on" end
  -- The client must wait for our 220 before it starts TLS. Bytes read past
  -- the command came in plain text, yet would be read as if they came over
  -- TLS: anyone on the path could inject commands (CVE-2011-0411). Refuse.
  if stream_get_meta_data(s.conn).unread_bytes > 0 then
    s.quit = true
    return "554 commands after STARTTLS before TLS: closing the connection"
  end
  fwrite(s.conn, "220 ready to start TLS\r\n")
  local ok, errstr = stream_socket_enable_crypto(s.conn, true) -- the handshake, as the server
  if not ok then -- the stream is unusable: no reply can reach the client
    print(s.peer .. " " .. errstr)
    s.quit = true
    return nil
  end
  -- RFC 3207 4.2: the server forgets all it learnt before TLS (it may have
  -- been forged); the client speaks first, and starts again with EHLO.
  s.tls = stream_get_meta_data(s.conn).crypto.protocol
  s.greeted = false
  reset(s)
end

-- Known commands we do not offer: 502, not the 500 of unknown ones.
for _, verb in ipairs({"EXPN", "HELP", "TURN", "ETRN", "AUTH", "BDAT"}) do
  commands[verb] = function() return "502 " .. verb .. " is not implemented" end
end

local function session(conn, peer)
  stream_set_timeout(conn, TIMEOUT)
  local s = {conn = conn, peer = peer, rcpts = {}}
  fwrite(conn, "220 " .. HOST .. " ESMTP luasock smtp_sink\r\n")
  -- PIPELINING asks nothing more of us: the client may send many commands
  -- at once; we read them one line at a time and answer each in order.
  while not s.quit do
    local line, reply = read_line(conn, MAX_COMMAND)
    if line == nil then
      s.quit = true -- reply: the parting one, if any
    elseif line == false then
      reply = "500 line too long (over " .. MAX_COMMAND .. " bytes)"
    else
      local verb, args = line:match("^(%a+)%s*(.-)%s*$")
      verb = verb and verb:upper() -- verbs are case-insensitive
      if not commands[verb] then
        reply = "500 unknown command"
      elseif NO_ARGUMENT[verb] and args ~= "" then
        reply = "501 " .. verb .. " takes no argument"
      else
        reply = commands[verb](s, args, verb)
      end
    end
    if reply then fwrite(conn, reply .. "\r\n") end
  end
  fclose(conn)
  print(peer .. " left")
end

while true do
  local conn, peer = stream_socket_accept(server)
  if conn then spawn(session, conn, peer) end -- conn is closed when session ends, even by an error
end
