#!/usr/bin/env luasock
-- A deliberately naive line client, to be broken on purpose (docs/lab.md):
-- it sends one line to an echo server and takes ONE fread as the whole
-- answer. On loopback that usually works; TCP carries bytes, not messages,
-- so under `luasock run --slice 1` (every read returns at most 1 byte) it
-- fails. The fix is fgets(conn), which reads until the "\n".
--   luasock run examples/naive_client.lua [address] [line]

local conn, errstr, errno = stream_socket_client(arg[1] or "tcp://127.0.0.1:7000")
if not conn then
  print(errstr .. " (" .. errno .. ")")
  os.exit(1)
end
local line = (arg[2] or "hello") .. "\n"
fwrite(conn, line)
local answer = fread(conn, 1024) -- the bug: one read is not one message
fclose(conn)
if answer ~= line then
  local function show(s) return '"' .. tostring(s):gsub("\n", "\\n") .. '"' end
  print("expected " .. show(line) .. ", got " .. show(answer))
  os.exit(1)
end
io.write(answer)
