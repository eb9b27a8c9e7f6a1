-- Constants, errno, strerror, date and require, through Lua.
local T = require("testing")

T.test("PHP's constants", function()
  T.eq(STREAM_SERVER_BIND, 4) T.eq(STREAM_SERVER_LISTEN, 8)
  T.eq(STREAM_OOB, 1) T.eq(STREAM_PEEK, 2)
  T.eq(STREAM_SHUT_RD, 0) T.eq(STREAM_SHUT_WR, 1) T.eq(STREAM_SHUT_RDWR, 2)
  T.eq(STREAM_PF_INET6, 10) T.eq(STREAM_SOCK_DGRAM, 2) T.eq(STREAM_IPPROTO_UDP, 17)
end)

T.test("errno and strerror", function()
  T.eq(errno.EADDRINUSE, 98) T.eq(errno.ECONNREFUSED, 111) T.eq(errno.EAGAIN, errno.EWOULDBLOCK)
  T.eq(strerror(errno.EPIPE), "Broken pipe")
  T.eq(strerror(104), "Connection reset by peer")
  T.eq(strerror(12345), "Unknown error 12345")
end)

-- what f() returned was f's value at one of the seconds from..to (the
-- clock read by date, os.time and microtime moves on between calls)
local function during(from, to, got, f)
  for sec = from, to do
    if got == f(sec) then return true end
  end
  return false
end

T.test("date", function()
  T.eq(date("U", 1234567890), "1234567890")
  local before = os.time()
  local now, udp = date("n/j/Y g:i a"), date("D M j H:i:s Y\r\n")
  local after = os.time()
  T.eq(during(before, after, now, function(s) return date("n/j/Y g:i a", s) end), true, now)
  T.eq(during(before, after, udp, function(s) return date("D M j H:i:s Y\r\n", s) end), true, udp)
  -- one digit or two where PHP's j, n and g have them, in any zone
  local function at(y, m, d, h, min) return os.time({year = y, month = m, day = d, hour = h, min = min}) end
  T.eq(date("n/j/Y g:i a", at(2026, 12, 1, 0, 0)), "12/1/2026 12:00 am")
  T.eq(date("n/j/Y g:i a", at(2026, 7, 9, 12, 5)), "7/9/2026 12:05 pm")
  T.eq(date("D M j H:i:s Y", at(2024, 2, 29, 23, 59)), "Thu Feb 29 23:59:00 2024")
  T.eq(date("D M j H:i:s Y", at(2026, 12, 31, 9, 0)), "Thu Dec 31 09:00:00 2026")
  T.eq(date("\\Y\\m\\d"), "Ymd")
  T.eq(date("Y", 0 - tonumber(date("Z", 0))), "1970")
end)

T.test("microtime", function()
  local before = os.time()
  local t, text = microtime(true), microtime()
  local after = os.time()
  T.eq(type(t), "number")
  T.eq(before <= t and t < after + 1, true, "microtime(true) " .. t .. " within os.time() " .. before .. ".." .. after)
  local usec, sec = text:match("^(0%.%d%d%d%d%d%d)00 (%d+)$")
  T.eq(before <= tonumber(sec) and tonumber(sec) <= after, true, "microtime() seconds " .. tostring(sec))
  T.eq(tonumber(usec) < 1, true)
  T.eq(type(microtime(false)), "string")
end)

T.test("transports", function()
  T.eq(table.concat(stream_get_transports(), " "), "tcp udp unix udg ssl tls tlsv1.0 tlsv1.1 tlsv1.2 tlsv1.3")
end)

T.test("require", function()
  local luasock = require("luasock")
  T.eq(luasock.fwrite, fwrite)
  T.eq(luasock.errno.ETIMEDOUT, 110)
  T.eq(luasock.STREAM_SERVER_BIND, 4)
end)

T.done()
