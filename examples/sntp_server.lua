#!/usr/bin/env luasock
-- An SNTP server (RFC 4330) answering with this host's clock. A request is a
-- 48-byte NTP message; the answer copies its version and its transmit time
-- (the client checks that it gets it back as "originate"), and adds when the
-- request came and when the answer left. NTP times are 64 bits: seconds since
-- 1900 and a 32-bit binary fraction.
--   luasock run examples/sntp_server.lua [address]   (default udp://127.0.0.1:1123; port 123 needs root)
--   then: rdate -p -n -o 1123 127.0.0.1

local SINCE_1900 = 2208988800 -- seconds from 1900-01-01 to 1970-01-01
local HEADER = ">BBbbI4I4c4" -- flags, stratum, poll, precision, root delay/dispersion, reference id

local function ntptime(t) -- Unix seconds (a float) as NTP's seconds and fraction
  local secs = math.floor(t)
  return (secs + SINCE_1900) % 2 ^ 32, math.floor((t - secs) * 2 ^ 32)
end

local server, errstr, errno = stream_socket_server(arg[1] or "udp://127.0.0.1:1123", STREAM_SERVER_BIND)
if not server then
  print(errstr .. " (" .. errno .. ")")
  os.exit(1)
end
print("sntp on " .. stream_socket_get_name(server, false))

while true do
  local request, peer = stream_socket_recvfrom(server, 512)
  local received = microtime(true)
  if request and #request >= 48 then
    local flags, _, poll = string.unpack(">BBb", request)
    local version, mode = math.floor(flags / 8) % 8, flags % 8
    if mode == 3 then -- a client's request; 4 is a server's answer
      local client_sent = request:sub(41, 48) -- its transmit time, as it sent it
      local answer = string.pack(HEADER, version * 8 + 4, 1, poll, -20, 0, 0, "LOCL")
        .. string.pack(">I4I4", ntptime(received)) -- reference: our clock, set now
        .. client_sent                             -- originate
        .. string.pack(">I4I4", ntptime(received)) -- receive
        .. string.pack(">I4I4", ntptime(microtime(true))) -- transmit
      stream_socket_sendto(server, answer, 0, peer)
      print(peer .. " asked (NTP version " .. version .. ")")
    end
  end
end
