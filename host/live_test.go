package host_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/luasock/luasock/host"
	"github.com/luasock/luasock/internal/liveview"
	"github.com/luasock/luasock/internal/testutil"
)

// liveRow is a row of the live view's tasks table, as /events gives it.
type liveRow struct {
	ID    uint64 `json:"id"`
	Main  bool   `json:"main"`
	State string `json:"state"`
	Wait  string `json:"wait"`
	Call  string `json:"call"`
	At    string `json:"at"`
	Func  string `json:"fn"`
	Err   string `json:"err"`
}

// liveTasks reads the tasks table of the view at url, as the page does.
func liveTasks(url string) (string, error) {
	base, token, _ := strings.Cut(url, "?token=")
	c := http.Client{Timeout: 10 * time.Second}
	r, err := c.Get(base + "events?since=0&token=" + token)
	if err != nil {
		return "", err
	}
	defer r.Body.Close()
	var b struct {
		Tasks []liveRow `json:"tasks"`
	}
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &b); err != nil {
		return "", err
	}
	rows := make([]string, len(b.Tasks)+1)
	for _, t := range b.Tasks {
		if t.ID < uint64(len(rows)) {
			rows[t.ID] = fmt.Sprintf("%d main=%v %s %s %s %s fn=%s %s", t.ID, t.Main, t.State, t.Wait, t.Call, t.At, t.Func, t.Err)
		}
	}
	return strings.Join(rows[1:], "\n"), nil
}

// TestLiveTasks: the live view hears each task's state, what it waits for
// (read, channel, sleep, accept), the call and the script's line; a task
// that raised is failed, with its error.
func TestLiveTasks(t *testing.T) {
	v := liveview.New(0)
	if err := v.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	src := `local server = assert(stream_socket_server("tcp://127.0.0.1:0"))
local client = assert(stream_socket_client("tcp://" .. server:name()))
local conn = assert(stream_socket_accept(server))
local ch, idle = channel.make(), channel.make()
spawn(function() ch:send(fgets(conn)) end)
spawn(function() idle:receive() end)
spawn(function() sleep(math.huge) end)
spawn(function() error("oops") end)
spawn(function() local c = stream_socket_accept(server) end)
sleep(0)
print(tasks(url))
fwrite(client, "hi\n")
print(ch:receive())
os.exit(0)`
	r := testutil.RunOptions(host.Options{Script: "live.lua", Source: []byte(src), Live: v,
		Globals: map[string]any{"tasks": liveTasks, "url": v.URL()}}).WantStatus(t, 0)
	want := `1 main=true running    fn=live.lua 
2 main=false waiting read fgets live.lua:5 fn=live.lua:5 
3 main=false waiting channel receive live.lua:6 fn=live.lua:6 
4 main=false waiting sleep sleep live.lua:7 fn=live.lua:7 
5 main=false failed    fn=live.lua:8 live.lua:8: oops
6 main=false waiting accept stream_socket_accept live.lua:9 fn=live.lua:9 
true	hi`
	if got := strings.TrimSpace(r.Stdout); got != want {
		t.Errorf("the tasks:\n%s\nwant:\n%s", got, want)
	}
}

// TestLiveTasksEndWithTheRun: a main chunk that raises is failed; a task
// that waits when the run stops is ended, not left waiting (a reload's
// old state ends its tasks the same way).
func TestLiveTasksEndWithTheRun(t *testing.T) {
	v := liveview.New(0)
	if err := v.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	src := `spawn(function() sleep(math.huge) end)
sleep(0)
error("main gives up")`
	testutil.RunOptions(host.Options{Script: "live.lua", Source: []byte(src), Live: v}).WantStatus(t, host.ExitError)
	got, err := liveTasks(v.URL())
	if err != nil {
		t.Fatal(err)
	}
	want := `1 main=true failed    fn=live.lua live.lua:3: main gives up
2 main=false ended    fn=live.lua:1 `
	if got != want {
		t.Errorf("the tasks:\n%s\nwant:\n%s", got, want)
	}
}
