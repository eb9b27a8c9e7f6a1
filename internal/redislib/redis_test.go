package redislib_test

import (
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/testprog"
	"github.com/luasock/luasock/internal/testutil"
)

// dump prints a reply as a Lua literal, so that each case's output is
// one line: strings quoted, tables in order.
const dump = `
local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) ~= "table" then return tostring(v) end
  local parts = {}
  if v.err then return "{err=" .. show(v.err) .. "}" end
  for i = 1, #v do parts[i] = show(v[i]) end
  return "{" .. table.concat(parts, ",") .. "}"
end
local function out(...)
  local parts = {}
  for i = 1, select("#", ...) do parts[i] = show((select(i, ...))) end
  print(table.concat(parts, " "))
end
local redis = require("redis")
`

// TestRepliesAsLuaValues runs commands against a real redis-server: each
// kind of reply becomes the Lua value Redis's own scripting gives it.
func TestRepliesAsLuaValues(t *testing.T) {
	addr := testprog.Redis(t)
	testutil.Expect(t, dump+`
local r = assert(redis.connect(arg[1]))
out(r:set("greeting", "hello"))          -- status
out(r:get("greeting"))                   -- bulk
out(r:get("missing"))                    -- nil bulk: false
out(r:incrby("n", 41), r:incr("n"))      -- integers
out(r:call("SET", "big", 2^53), r:get("big"), r:set("half", 0.5), r:get("half"))
out(r:set("bytes", "a\0b\r\nc"), r:get("bytes"))
out(r:rpush("list", "x", "y", 3))
out(r:lrange("list", 0, -1))             -- array
out(r:lrange("none", 0, -1))             -- empty array
out(r:eval("return {1, 'two', {3, {4}}, false, 5}", 0)) -- nested; Lua false is a nil bulk
local v, errstr, code = r:call("NOSUCH", "x") -- an error reply (its words vary by version)
out(v, errstr:match("^ERR unknown command 'NOSUCH'"), code)
out(r:incr("greeting"))
out(r:pipeline({{"SET", "p", "1"}, {"INCR", "p"}, {"GET", "p"}, {"LPOP", "greeting"}, {"GET", "missing"}}))
out(r:pipeline({}))
out(r:del("greeting", "n", "big", "half", "bytes", "list", "p"))
out(r:close(), tostring(r):match("closed"), r:get("x"))
`, `"OK"
"hello"
false
41 42
"OK" "9007199254740992" "OK" "0.5"
"OK" "a\000b\r\
c"
3
{"x","y","3"}
{}
{1,"two",{3,{4}},false,5}
nil "ERR unknown command 'NOSUCH'" 0
nil "ERR value is not an integer or out of range" 0
{"OK",2,"2",{err="WRONGTYPE Operation against a key holding the wrong kind of value"},false}
{}
7
true "closed" nil "the connection to Redis is closed" 9
`, nil, addr)
}

// TestPubSub: messages published by Debian's redis-cli and by another
// luasock connection arrive on the subscription's channel, which a task
// waits on with stream_select beside a socket; a subscribed connection
// refuses other commands; closing it closes the channel.
func TestPubSub(t *testing.T) {
	addr := testprog.Redis(t)
	cli := testprog.Need(t, "redis-cli", "redis-tools")
	host, port, _ := net.SplitHostPort(addr)
	publish := func(t testing.TB, lines <-chan string) {
		for line := testutil.NextLine(t, lines); line != "subscribed"; line = testutil.NextLine(t, lines) {
		}
		out, err := exec.Command(cli, "-h", host, "-p", port, "PUBLISH", "news", "from redis-cli").CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "1" {
			t.Errorf("redis-cli PUBLISH: %q, %v", out, err)
		}
	}
	testutil.Expect(t, dump+`
local pub = assert(redis.connect(arg[1]))
local sub = assert(redis.connect(arg[1], {timeout = 10}))
local messages = assert(sub:subscribe("news", "sport"))
out(sub:get("x"))
print("subscribed")
local ok, m = messages:receive(10)
out(ok, m.kind, m.channel, m.message, m.pattern)
out(sub:psubscribe("n*") == messages)
out(pub:publish("news", "two"))
for _ = 1, 2 do
  local ok, m = messages:receive(10)
  out(m.kind, m.pattern or "-", m.channel, m.message)
end
-- stream_select waits on the subscription and a socket at once.
local a, b = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, 0)
out(pub:publish("sport", "goal"))
local read = {a, messages}
out(stream_select(read, nil, nil, 10), read[1], read[2] == messages) -- keys kept, as in PHP
out(select(2, messages:receive()).message)
out(sub:unsubscribe("news", "sport") == messages, sub:punsubscribe() == messages)
out(pub:publish("news", "nobody hears"))
out(sub:unsubscribe("news") == messages)
sub:close()
out(messages:receive(10))
out(sub:subscribe("again"))
out(redis.connect(arg[1]):unsubscribe())
`, `nil "this connection is subscribed (pub/sub): get needs another connection" 22
subscribed
true "message" "news" "from redis-cli" nil
true
2
"message" "-" "news" "two"
"pmessage" "n*" "news" "two"
1
1 nil true
"goal"
true true
0
true
nil
nil "the connection to Redis is closed" 9
nil "this connection has no subscription" 22
`, publish, addr)
}

// TestBadArguments: wrong types raise in Lua 5.1's words, naming the
// argument as the script counts it (a method's self is not counted).
func TestBadArguments(t *testing.T) {
	addr := testprog.Redis(t)
	testutil.Expect(t, `
local redis = require("redis")
local r = assert(redis.connect(arg[1]))
for _, f in ipairs({
  function() redis.connect() end,
  function() redis.connect(arg[1], 5) end,
  function() redis.connect(arg[1], {timeout = -1}) end,
  function() redis.connect(arg[1], {queue = 0}) end,
  function() r:set("k", {}) end,
  function() r:call() end,
  function() r:call("SET", "k", true) end,
  function() r.get("k") end,
  function() r:pipeline() end,
  function() r:pipeline({{"GET", "k"}, "GET"}) end,
  function() r:pipeline({{"GET", {}}}) end,
  function() r:subscribe() end,
  function() r:subscribe("a", false) end,
}) do
  print(select(2, pcall(f)))
end
print(r:set("k"))
`, `test.lua:5: bad argument #1 to 'connect' (string expected, got no value)
test.lua:6: bad argument #2 to 'connect' (table expected, got number)
test.lua:7: bad argument #2 to 'connect' (timeout must be a number of seconds, 0 or more)
test.lua:8: bad argument #2 to 'connect' (queue must be a number, 1 or more)
test.lua:9: bad argument #2 to 'set' (string or number expected, got table)
test.lua:10: bad argument #1 to 'call' (string expected, got no value)
test.lua:11: bad argument #3 to 'call' (string or number expected, got boolean)
test.lua:12: calling 'get' on bad self (redis client expected, got string)
test.lua:13: bad argument #1 to 'pipeline' (table expected, got no value)
test.lua:14: bad argument #1 to 'pipeline' (command 2 is not a table of strings)
test.lua:15: bad argument #2 to 'pipeline' (string or number expected, got table)
test.lua:16: bad argument #1 to 'subscribe' (string expected, got no value)
test.lua:17: bad argument #2 to 'subscribe' (string or number expected, got boolean)
nil	ERR wrong number of arguments for 'set' command	0
`, nil, addr)
}

// TestMalformedReplies: a peer that breaks RESP gets the call nil,
// "Protocol error: ...", EPROTO (or the end of the connection, 0), and
// the connection closed, however large a length it announces.
func TestMalformedReplies(t *testing.T) {
	cases := []struct{ reply, want string }{
		{"?x\r\n", `nil "Protocol error: \"?\" where a reply starts" true`},
		{":12ab\r\n", `nil "Protocol error: an integer reply \"12ab\"" true`},
		{"$-5\r\n", `nil "Protocol error: a length -5" true`},
		{"*x\r\n", `nil "Protocol error: a length \"x\"" true`},
		{"$600000000\r\n", `nil "Protocol error: a bulk string of 600000000 bytes (at most 536870912)" true`},
		{strings.Repeat("*1\r\n", 40) + ":1\r\n", `nil "Protocol error: arrays nested deeper than 32" true`},
		{"+" + strings.Repeat("x", 70000) + "\r\n", `nil "Protocol error: a line from Redis is longer than 65536 bytes" true`},
		{"$3\r\nabcXY", `nil "Protocol error: a bulk string not ended by CRLF" true`},
		{"$100000000\r\nabc", `nil "Redis closed the connection in the middle of a reply" 0`},
		{"+OK", `nil "Redis closed the connection in the middle of a reply" 0`},
		{"", `nil "Redis closed the connection" 0`},
	}
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for _, c := range cases {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 512)
			conn.Read(buf) // the command
			conn.Write([]byte(c.reply))
			conn.Close()
		}
	}()
	var want strings.Builder
	for _, c := range cases {
		want.WriteString(c.want + "\n" + `"closed"` + "\n")
	}
	testutil.Expect(t, dump+`
for i = 1, `+strconv.Itoa(len(cases))+` do
  local r = assert(redis.connect(arg[1]))
  local v, errstr, code = r:get("k")
  out(v, errstr, code == errno.EPROTO or code)
  out(tostring(r):match("closed"))
end
`, want.String(), nil, l.Addr().String())
}

// TestTraced: the client's commands and replies are the script's own
// socket traffic, so --trace shows them.
func TestTraced(t *testing.T) {
	addr := testprog.Redis(t)
	var trace, stdout, stderr strings.Builder
	code := host.Run(host.Options{Script: "test.lua", Source: []byte(`
local r = assert(require("redis").connect(arg[1]))
print(r:ping())
`), Args: []string{addr}, Stdout: &stdout, Stderr: &stderr, Trace: &trace, TraceFormat: "json", TraceBytes: 64})
	if code != 0 || stdout.String() != "PONG\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
	for _, want := range []string{`"op":"connect"`, `"op":"send","transport":"tcp","kind":"stream","local":"127.0.0.1:`, `"data":"*1\r\n$4\r\nPING\r\n"`, `"data":"+PONG\r\n"`} {
		if !strings.Contains(trace.String(), want) {
			t.Errorf("the trace has no %s:\n%s", want, trace.String())
		}
	}
}

// TestSubscribedConnectionWaits: a subscribed connection's reply timeout
// does not end it while no message comes; a hundred names are confirmed
// at once; a full queue of messages the script has not received does not
// keep an unsubscribe from being confirmed, and the messages stay, in order.
func TestSubscribedConnectionWaits(t *testing.T) {
	addr := testprog.Redis(t)
	testutil.Expect(t, dump+`
local pub = assert(redis.connect(arg[1]))
local sub = assert(redis.connect(arg[1], {timeout = 0.2, queue = 2}))
local messages = assert(sub:subscribe("news"))
sleep(0.5) -- longer than the timeout, with nothing said
out(pub:publish("news", "late"), select(2, messages:receive(5)).message)
local names = {}
for i = 1, 100 do names[i] = "room" .. i end
out(sub:subscribe(unpack(names)) == messages)
for i = 1, 5 do pub:publish("news", "m" .. i) end
out(pub:publish("room100", "m6"))
out(sub:unsubscribe("news") == messages)
for i = 1, 6 do out(select(2, messages:receive(5)).message) end
sub:close()
out(messages:receive(5))
`, `1 "late"
true
1
true
"m1"
"m2"
"m3"
"m4"
"m5"
"m6"
nil
`, nil, addr)
}

// TestCloseSubscribed: closing a subscribed client at any point ends its
// tasks, so the run ends: at once after subscribing, after a message,
// and while a message waits in the queue.
func TestCloseSubscribed(t *testing.T) {
	addr := testprog.Redis(t)
	testutil.Expect(t, `
local redis = require("redis")
local pub = assert(redis.connect(arg[1]))
for round = 1, 3 do
  local sub = assert(redis.connect(arg[1]))
  local messages = assert(sub:subscribe("news"))
  if round >= 2 then pub:publish("news", "one") end
  if round == 2 then messages:receive(5) end
  if round == 3 then pub:publish("news", "two") sleep(0) end
  sub:close()
end
pub:close()
print("ended")
`, "ended\n", nil, addr)
}
