package luabind

import "golang.org/x/sys/unix"

// constants are PHP's stream constants, same names and values. The
// domains and socket types are the system's, as PHP defines them
// (STREAM_PF_INET6 is 10 on Linux, 30 on macOS, 28 on FreeBSD).
var constants = map[string]int{
	"STREAM_SERVER_BIND":          streamServerBind,
	"STREAM_SERVER_LISTEN":        streamServerListen,
	"STREAM_CLIENT_PERSISTENT":    1,
	"STREAM_CLIENT_ASYNC_CONNECT": 2,
	"STREAM_CLIENT_CONNECT":       4,
	"STREAM_OOB":                  streamOOB,
	"STREAM_PEEK":                 streamPeek,
	"STREAM_SHUT_RD":              unix.SHUT_RD,
	"STREAM_SHUT_WR":              unix.SHUT_WR,
	"STREAM_SHUT_RDWR":            unix.SHUT_RDWR,
	"STREAM_PF_UNIX":              unix.AF_UNIX,
	"STREAM_PF_INET":              unix.AF_INET,
	"STREAM_PF_INET6":             unix.AF_INET6,
	"STREAM_SOCK_STREAM":          unix.SOCK_STREAM,
	"STREAM_SOCK_DGRAM":           unix.SOCK_DGRAM,
	"STREAM_SOCK_RAW":             unix.SOCK_RAW,
	"STREAM_SOCK_RDM":             unix.SOCK_RDM,
	"STREAM_SOCK_SEQPACKET":       unix.SOCK_SEQPACKET,
	"STREAM_IPPROTO_IP":           unix.IPPROTO_IP,
	"STREAM_IPPROTO_ICMP":         unix.IPPROTO_ICMP,
	"STREAM_IPPROTO_TCP":          unix.IPPROTO_TCP,
	"STREAM_IPPROTO_UDP":          unix.IPPROTO_UDP,
	"STREAM_IPPROTO_RAW":          unix.IPPROTO_RAW,

	"STREAM_CRYPTO_METHOD_ANY_CLIENT":     127,
	"STREAM_CRYPTO_METHOD_TLS_CLIENT":     121,
	"STREAM_CRYPTO_METHOD_SSLv23_CLIENT":  57,
	"STREAM_CRYPTO_METHOD_TLSv1_0_CLIENT": cryptoTLSv10 | cryptoClientBit,
	"STREAM_CRYPTO_METHOD_TLSv1_1_CLIENT": cryptoTLSv11 | cryptoClientBit,
	"STREAM_CRYPTO_METHOD_TLSv1_2_CLIENT": cryptoTLSv12 | cryptoClientBit,
	"STREAM_CRYPTO_METHOD_TLSv1_3_CLIENT": cryptoTLSv13 | cryptoClientBit,
	"STREAM_CRYPTO_METHOD_ANY_SERVER":     126,
	"STREAM_CRYPTO_METHOD_TLS_SERVER":     120,
	"STREAM_CRYPTO_METHOD_SSLv23_SERVER":  120,
	"STREAM_CRYPTO_METHOD_TLSv1_0_SERVER": cryptoTLSv10,
	"STREAM_CRYPTO_METHOD_TLSv1_1_SERVER": cryptoTLSv11,
	"STREAM_CRYPTO_METHOD_TLSv1_2_SERVER": cryptoTLSv12,
	"STREAM_CRYPTO_METHOD_TLSv1_3_SERVER": cryptoTLSv13,
	"STREAM_CRYPTO_PROTO_TLSv1_0":         cryptoTLSv10,
	"STREAM_CRYPTO_PROTO_TLSv1_1":         cryptoTLSv11,
	"STREAM_CRYPTO_PROTO_TLSv1_2":         cryptoTLSv12,
	"STREAM_CRYPTO_PROTO_TLSv1_3":         cryptoTLSv13,
}
