package channel_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/testutil"
)

// TestReceiveLetsOthersRun is the case gopher-lua's channel library hangs
// on: a receive that waits held the Lua lock, so the sender never ran.
func TestReceiveLetsOthersRun(t *testing.T) {
	testutil.Expect(t, `
local ch = channel.make()
spawn(function() sleep(0.05); ch:send(1) end)
print(ch:receive())
`, "true\t1\n", nil)
}

func TestSendReceiveClose(t *testing.T) {
	testutil.Expect(t, `
local b = channel.make(2)
print(b:send("a"), b:send(nil), b:send("c", 0))        -- full: times out at once
print(b:receive())
print(b:receive())
print(b:receive(0.01))                                  -- empty: times out
local t = {}
b:send(t)
local ok, got = b:receive()
print(ok, got == t)                                     -- the same table, not a copy
b:send("left")
print(b:close(), b:close())                             -- closing again does nothing
print(b:receive())                                      -- what was sent before close
print(b:receive())                                      -- then nil
print(b:send(1))
local f = function() return 42 end
local u = channel.make(1)
u:send(f); u:send(io.stdout, 0)
print(select(2, u:receive())())
`, "true\ttrue\tnil\tConnection timed out\t110\n"+
		"true\ta\n"+
		"true\tnil\n"+
		"nil\tConnection timed out\t110\n"+
		"true\ttrue\n"+
		"true\ttrue\n"+
		"true\tleft\n"+
		"nil\n"+
		"nil\tBroken pipe\t32\n"+
		"42\n", nil)
}

// TestUnbuffered: a send on an unbuffered channel waits for its receiver.
func TestUnbuffered(t *testing.T) {
	testutil.Expect(t, `
local ch = channel.make()
local sent = 0
for i = 1, 3 do
  spawn(function() ch:send(i); sent = sent + 1 end)
end
sleep(0.01)
print("sent before receiving: " .. sent)
local got = {}
for _ = 1, 3 do got[#got + 1] = select(2, ch:receive()) end
table.sort(got)
print(table.concat(got, " "))
local done = channel.make()
spawn(function() print("receiver got", select(2, ch:receive())); done:send(true) end)
print(ch:send("x"), done:receive())
print(ch:send("y", 0.01))
`, "sent before receiving: 0\n1 2 3\nreceiver got\tx\ntrue\ttrue\ttrue\nnil\tConnection timed out\t110\n", nil)
}

func TestCloseWakesWaiters(t *testing.T) {
	testutil.Expect(t, `
local ch, full = channel.make(), channel.make()
local lines, done = {}, channel.make(3)
local function note(...) lines[#lines + 1] = table.concat({...}, " "); done:send(true) end
spawn(function() note("receiver", tostring(ch:receive())) end)
spawn(function() note("receiver", tostring(ch:receive())) end)
spawn(function() note("sender", tostring(full:send(1)), select(2, full:send(1))) end)
sleep(0.01) -- (the outcome is the same if they did not wait yet)
ch:close()
full:close()
for _ = 1, 3 do done:receive() end
table.sort(lines)
print(table.concat(lines, "\n"))
`, "receiver nil\nreceiver nil\nsender nil Broken pipe 32\n", nil)
}

func TestSelect(t *testing.T) {
	testutil.Expect(t, `
local a, b = channel.make(1), channel.make(1)
print(channel.select({"|<-", a}, {"default", function() print("default ran") end}))
a:send("A")
print(channel.select({"|<-", b}, {"|<-", a, function(ok, v) print("case fn", ok, v) end}))
print(channel.select({"<-|", b, "B", function(v) print("sent", v) end}))
print(select(2, b:receive()))
-- a select waiting to receive meets a select waiting to send, unbuffered
local u = channel.make()
spawn(function() print("sender select", channel.select({"<-|", u, "hi"})) end)
print("receiver select", channel.select({"|<-", u}))
-- a closed channel's case is ready, with ok false
local c = channel.make()
c:close()
print(channel.select({"|<-", c}))
print(channel.select({"<-|", c, 1}))
-- every ready case gets its turn
local x, y = channel.make(100), channel.make(100)
for _ = 1, 100 do x:send(1); y:send(2) end
local seen = {}
for _ = 1, 100 do seen[channel.select({"|<-", x}, {"|<-", y})] = true end
print(seen[1], seen[2])
`, "default ran\n2\tnil\ttrue\n"+
		"case fn\ttrue\tA\n2\tA\ttrue\n"+
		"sent\tB\n1\tnil\ttrue\n"+
		"B\n"+
		"sender select\t1\tnil\ttrue\n"+
		"receiver select\t1\thi\ttrue\n"+
		"1\tnil\tfalse\n"+
		"1\tnil\tfalse\n"+
		"true\ttrue\n", nil)
}

// TestStreamSelect: stream_select waits on sockets and channels together.
func TestStreamSelect(t *testing.T) {
	testutil.Expect(t, `
local srv = assert(stream_socket_server("tcp://127.0.0.1:0"))
local ch = channel.make()
spawn(function() sleep(0.02); ch:send("hello") end)
local r = {srv = srv, ch = ch}
print(stream_select(r, nil, nil, 5), r.srv, r.ch == ch)
print(ch:receive())

local addr = stream_socket_get_name(srv, false)
spawn(function() local c = stream_socket_client("tcp://" .. addr); sleep(1); fclose(c) end)
r = {srv = srv, ch = ch}
print(stream_select(r, nil, nil, 5), r.srv == srv, r.ch)

r = {ch}
print(stream_select(r, nil, nil, 0, 20000), #r)          -- times out

-- a value taken back before the select runs again does not end its wait
local other = channel.make(1)
spawn(function()
  other:send(1)
  print("taken back", other:receive())
  sleep(0.02)
  other:send(2)
end)
r = {other}
print(stream_select(r, nil, nil, 5), r[1] == other)

local b = channel.make(1)
local w = {b}
print(stream_select(nil, w, nil, 0), w[1] == b)          -- room
b:send(1)
w = {b}
print(stream_select(nil, w, nil, 0), w[1])               -- full
`, "1\tnil\ttrue\ntrue\thello\n1\ttrue\tnil\n0\t0\ntaken back\ttrue\t1\n1\ttrue\n1\ttrue\n0\tnil\n", nil)
}

func TestBadArguments(t *testing.T) {
	for _, c := range []struct{ code, want string }{
		{`channel.make(-1)`, `bad argument #1 to 'make' (must be greater than or equal to 0)`},
		{`channel.make("x")`, `bad argument #1 to 'make' (number expected, got string)`},
		{`local ch = channel.make(); ch.send(1, 2)`, `bad argument #1 to 'send' (channel expected, got number)`},
		{`local ch = channel.make(); ch:send()`, `bad argument #2 to 'send' (value expected)`},
		{`local ch = channel.make(); ch:receive(-1)`, `bad argument #2 to 'receive' (must be greater than or equal to 0)`},
		{`local ch = channel.make(); ch:receive("soon")`, `bad argument #2 to 'receive' (number expected, got string)`},
		{`local ch = channel.make(); ch.close({})`, `bad argument #1 to 'close' (channel expected, got table)`},
		{`channel.select(1)`, `bad argument #1 to 'select' (table expected, got number)`},
		{`channel.select({"?"})`, `bad argument #1 to 'select' (a case starts with "|<-", "<-|" or "default")`},
		{`channel.select({"|<-", 1})`, `bad argument #1 to 'select' (a channel expected as the case's second element)`},
		{`channel.select({"default", 3})`, `bad argument #1 to 'select' (the case's last element must be a function)`},
	} {
		r := testutil.Run(t, c.code, nil)
		if r.Code != host.ExitError || !strings.Contains(r.Stderr, c.want) {
			r.Fatalf(t, "%s: want an error holding %q", c.code, c.want)
		}
	}
}

// TestStopWakesWaiters: a run that stops ends tasks waiting on channels.
func TestStopWakesWaiters(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	waiting := make(chan struct{})
	done := make(chan testutil.Result, 1)
	go func() {
		done <- testutil.RunOptionsContext(ctx, host.Options{Script: "stop.lua", Source: []byte(`
local ch = channel.make()
spawn(function() ch:receive() end)
spawn(function() channel.select({"|<-", ch}) end)
spawn(function() stream_select({ch}, nil, nil) end)
spawn(function() ch:send(1) end)
sleep(0)
waiting()
ch:receive(1e9)
`), Globals: map[string]any{"waiting": func() { close(waiting) }}})
	}()
	select {
	case <-waiting:
	case r := <-done:
		r.Fatalf(t, "ended early")
	}
	cancel()
	select {
	case r := <-done:
		r.WantStatus(t, host.ExitInterrupted)
	case <-time.After(10 * time.Second):
		t.Fatal("the run did not stop")
	}
}
