package luabind

// constants are PHP's stream constants, same names and values.
var constants = map[string]int{
	"STREAM_SERVER_BIND":          streamServerBind,
	"STREAM_SERVER_LISTEN":        streamServerListen,
	"STREAM_CLIENT_PERSISTENT":    1,
	"STREAM_CLIENT_ASYNC_CONNECT": 2,
	"STREAM_CLIENT_CONNECT":       4,
	"STREAM_OOB":                  streamOOB,
	"STREAM_PEEK":                 streamPeek,
	"STREAM_SHUT_RD":              0,
	"STREAM_SHUT_WR":              1,
	"STREAM_SHUT_RDWR":            2,
	"STREAM_PF_UNIX":              1,
	"STREAM_PF_INET":              2,
	"STREAM_PF_INET6":             10,
	"STREAM_SOCK_STREAM":          1,
	"STREAM_SOCK_DGRAM":           2,
	"STREAM_SOCK_RAW":             3,
	"STREAM_SOCK_RDM":             4,
	"STREAM_SOCK_SEQPACKET":       5,
	"STREAM_IPPROTO_IP":           0,
	"STREAM_IPPROTO_ICMP":         1,
	"STREAM_IPPROTO_TCP":          6,
	"STREAM_IPPROTO_UDP":          17,
	"STREAM_IPPROTO_RAW":          255,
}
