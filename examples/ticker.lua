#!/usr/bin/env luasock
-- A game server's clock: 20 ticks a second that do not drift. A datagram
-- subscribes its sender, "bye" unsubscribes it (answered "bye"). Each tick
-- sends every subscriber "tick N T": its number and when it was due, in ms
-- since tick 0 (N * 50). Every 20th tick prints how late it is.
--   luasock run examples/ticker.lua [address [sleep]]   (default udp://127.0.0.1:8020)
--   then: socat - UDP:127.0.0.1:8020   and press Enter
-- With "sleep" it ticks the naive way, sleep(1 / RATE), and falls further
-- behind every second (5 ms a second on an idle machine: 19.9 ticks a second).

local RATE = 20                       -- ticks a second
local PERIOD = math.floor(1e9 / RATE) -- nanoseconds from one tick to the next

local server, errstr, errno = stream_socket_server(arg[1] or "udp://127.0.0.1:8020", STREAM_SERVER_BIND)
if not server then
  print(errstr .. " (" .. errno .. ")")
  os.exit(1)
end
print("ticking " .. RATE .. " times a second on " .. stream_socket_get_name(server, false))

local subscribers = {} -- "ip:port" -> true
spawn(function()
  while true do
    local msg, peer = stream_socket_recvfrom(server, 512)
    if msg and msg:match("^bye") then
      subscribers[peer] = nil
      print(peer .. " left")
      stream_socket_sendto(server, "bye\n", 0, peer)
    elseif msg and not subscribers[peer] then
      subscribers[peer] = true
      print(peer .. " subscribed")
    end
  end
end)

-- The deadline ticker: tick n is due at start + n * PERIOD on the monotonic
-- clock (hrtime, which never steps), counted in whole nanoseconds so that
-- no rounding adds up. A tick that is late does not move the next one.
local start = hrtime(true)
local due = start
local n = 0
while true do
  local tick = string.format("tick %d %d\n", n, (due - start) / 1e6)
  local peers = {} -- listed first: a send lets the other task run, which may (un)subscribe
  for peer in pairs(subscribers) do peers[#peers + 1] = peer end
  for _, peer in ipairs(peers) do stream_socket_sendto(server, tick, 0, peer) end
  if n > 0 and n % RATE == 0 then
    print(string.format("tick %d: %.1f ms late", n, (hrtime(true) - due) / 1e6))
  end
  n, due = n + 1, due + PERIOD
  if arg[2] == "sleep" then
    sleep(1 / RATE) -- drifts: this tick's work and the sleep's own lateness delay every later tick
  else
    local wait = due - hrtime(true)
    if wait > 0 then sleep(wait / 1e9) end -- late already: tick at once, and catch up
  end
end
