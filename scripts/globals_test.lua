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

T.test("date", function()
  T.eq(date("U", 1234567890), "1234567890")
  T.match(date("n/j/Y g:i a"), "^%d%d?/%d%d?/%d%d%d%d %d%d?:%d%d [ap]m$")
  T.match(date("D M j H:i:s Y\r\n"), "^%a%a%a %a%a%a %d%d? %d%d:%d%d:%d%d %d%d%d%d\r\n$")
  T.eq(date("\\Y\\m\\d"), "Ymd")
  T.eq(date("Y", 0 - tonumber(date("Z", 0))), "1970")
end)

T.test("transports", function()
  T.eq(table.concat(stream_get_transports(), " "), "tcp udp unix udg")
end)

T.test("require", function()
  local luasock = require("luasock")
  T.eq(luasock.fwrite, fwrite)
  T.eq(luasock.errno.ETIMEDOUT, 110)
  T.eq(luasock.STREAM_SERVER_BIND, 4)
end)

T.done()
