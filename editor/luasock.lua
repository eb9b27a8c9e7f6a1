---@meta luasock
-- lua-language-server annotations for luasock's API: every global function,
-- handle method, constant and the errno table, with types and failure shapes.
-- Point the editor at this folder (see README.md, "Editor support"); a Go test
-- checks that this file and the runtime list the same names.

---A socket handle: a server, a connected stream, or a datagram socket.
---`tostring(s)` shows its kind and addresses.
---@class luasock.stream
local stream = {}

---What stream_context_create returns.
---@class luasock.context

---Options for stream_context_create.
---@class luasock.context_options
---@field socket? {backlog?: integer, so_reuseaddr?: boolean, so_reuseport?: boolean, ipv6_v6only?: boolean, so_broadcast?: boolean, tcp_nodelay?: boolean, bindto?: string, mode?: integer|string, owner?: string|integer, group?: string|integer, proxy_protocol?: boolean, proxy_trusted?: string|string[], proxy_untrusted?: "refuse"|"direct"}
---@field ssl? {local_cert?: string, local_pk?: string, passphrase?: string, verify_peer?: boolean, verify_peer_name?: boolean, peer_name?: string, cafile?: string, allow_self_signed?: boolean, SNI_enabled?: boolean, crypto_method?: integer}

---What stream_get_meta_data returns.
---@class luasock.meta
---@field timed_out boolean
---@field blocked boolean
---@field eof boolean
---@field stream_type string "tcp_socket", "udp_socket", "unix_socket", "udg_socket", "tcp_socket/ssl"
---@field mode string
---@field unread_bytes integer
---@field seekable boolean
---@field crypto? {protocol: string, cipher_name: string, cipher_bits: integer, cipher_version: string}

-- Servers and clients

---Creates a server: `tcp://127.0.0.1:8000`, `udp://[::1]:1113`, `unix://path`,
---`udg://path`, `tls://host:port` (with ssl.local_cert). udp/udg need
---`STREAM_SERVER_BIND` alone.
---@param address string
---@param flags? integer STREAM_SERVER_BIND + STREAM_SERVER_LISTEN by default
---@param context? luasock.context|luasock.context_options
---@return luasock.stream|nil server
---@return string? errstr
---@return integer? errno 0 when nothing reached the kernel
function stream_socket_server(address, flags, context) end

---Waits for a connection (no timeout or a negative one: forever; 0 polls once).
---@param server luasock.stream
---@param timeout? number seconds
---@return luasock.stream|nil conn
---@return string peername_or_errstr
---@return integer? errno
function stream_socket_accept(server, timeout) end

---Connects to `address` (default timeout 60 s).
---@param address string
---@param timeout? number seconds; negative waits as long as the system does
---@param flags? integer STREAM_CLIENT_CONNECT, STREAM_CLIENT_ASYNC_CONNECT
---@param context? luasock.context|luasock.context_options
---@return luasock.stream|nil stream
---@return string? errstr
---@return integer? errno
function stream_socket_client(address, timeout, flags, context) end

---Two connected unix sockets.
---@param domain integer STREAM_PF_UNIX
---@param type integer STREAM_SOCK_STREAM or STREAM_SOCK_DGRAM
---@param protocol integer 0
---@return luasock.stream|nil a
---@return luasock.stream|string b_or_errstr
---@return integer? errno
function stream_socket_pair(domain, type, protocol) end

---Waits until streams are readable or writable; rewrites the tables in place
---(keys kept). `nil` seconds waits forever.
---@param read? table<any, luasock.stream>
---@param write? table<any, luasock.stream>
---@param except? table<any, luasock.stream>
---@param seconds? number
---@param microseconds? integer
---@return integer|nil count
---@return string? errstr
---@return integer? errno
function stream_select(read, write, except, seconds, microseconds) end

---Makes a context: `{socket = {...}, ssl = {...}}`. Unknown options raise.
---@param options? luasock.context_options
---@return luasock.context
function stream_context_create(options) end

---Turns a connected stream to TLS (STARTTLS) or back.
---@param s luasock.stream
---@param enable boolean
---@param crypto_method? integer STREAM_CRYPTO_METHOD_TLS_CLIENT or _TLS_SERVER
---@param session_stream? luasock.stream
---@return true|nil ok
---@return string? errstr
---@return integer? errno
function stream_socket_enable_crypto(s, enable, crypto_method, session_stream) end

-- Reading and writing

---One receive: on datagram sockets one datagram, cut to length. `nil` alone at
---the end of a stream.
---@param s luasock.stream
---@param length integer
---@param flags? integer STREAM_PEEK, STREAM_OOB
---@return string|nil data
---@return string? address_or_errstr
---@return integer? errno
function stream_socket_recvfrom(s, length, flags) end

---Sends data; `address` (ip:port, or a path on udg) for unconnected datagram sockets.
---@param s luasock.stream
---@param data string
---@param flags? integer STREAM_OOB
---@param address? string
---@return integer|nil bytes
---@return string? errstr
---@return integer? errno
function stream_socket_sendto(s, data, flags, address) end

---Reads as soon as some data is there, at most length bytes; `nil` at the end.
---@param s luasock.stream
---@param length integer
---@return string|nil data
---@return string? errstr
---@return integer? errno
function fread(s, length) end

---One line with its "\n" (at most length - 1 bytes); `nil` at the end.
---@param s luasock.stream
---@param length? integer
---@return string|nil line
---@return string? errstr
---@return integer? errno
function fgets(s, length) end

---The bytes before `ending` (consumed, not returned), at most length.
---@param s luasock.stream
---@param length integer 0: 8192
---@param ending? string
---@return string|nil data
---@return string? errstr
---@return integer? errno
function stream_get_line(s, length, ending) end

---Everything up to the end of the stream, or maxlength bytes.
---@param s luasock.stream
---@param maxlength? integer
---@return string|nil data
---@return string? errstr
---@return integer? errno
function stream_get_contents(s, maxlength) end

---Writes data (cut to length); a blocking stream writes everything.
---@param s luasock.stream
---@param data string
---@param length? integer
---@return integer|nil bytes
---@return string? errstr
---@return integer? errno
function fwrite(s, data, length) end

---The same as fwrite.
---@param s luasock.stream
---@param data string
---@param length? integer
---@return integer|nil bytes
---@return string? errstr
---@return integer? errno
function fputs(s, data, length) end

---Closes the handle (and removes the socket file its server created).
---@param s luasock.stream
---@return true
function fclose(s) end

---Whether the stream has ended; never blocks.
---@param s luasock.stream
---@return boolean
function feof(s) end

-- The lab (--trace, --pcap, --record): names for what the script does

---Names s's next message (send, receive or dropped datagram) in the trace, the
---diagram's arrow and the capture's packet comments. Does nothing unobserved.
---@param s luasock.stream
---@param text string
---@return true
function trace_note(s, text) end

---Names s's peer in the trace and diagram instead of "client N"; a socket without
---a peer (a UDP server) names the peer at address, as stream_socket_recvfrom gave it.
---@param s luasock.stream
---@param name string
---@param address? string
---@return true
function trace_name(s, name, address) end

-- Control

---The local name, or the peer's with want_peer: "ip:port", "[v6]:port", a path.
---@param s luasock.stream
---@param want_peer boolean
---@return string|nil name
function stream_socket_get_name(s, want_peer) end

---Shuts down reading, writing or both.
---@param s luasock.stream
---@param how integer STREAM_SHUT_RD, STREAM_SHUT_WR, STREAM_SHUT_RDWR
---@return true|nil ok
---@return string? errstr
---@return integer? errno
function stream_socket_shutdown(s, how) end

---Timeout of reads and writes; they then give `nil, "Connection timed out", 110`.
---@param s luasock.stream
---@param seconds number
---@param microseconds? integer
---@return true
function stream_set_timeout(s, seconds, microseconds) end

---Blocking (true) or non-blocking (false) mode.
---@param s luasock.stream
---@param enable boolean
---@return true
function stream_set_blocking(s, enable) end

---@param s luasock.stream
---@return luasock.meta
function stream_get_meta_data(s) end

---@return string[] transports {"tcp", "udp", "unix", "udg", "ssl", "tls"}
function stream_get_transports() end

-- Beyond sockets

---Runs fn(...) as a concurrent task; returns at once.
---@param fn function
---@param ... any
function spawn(fn, ...) end

---Blocks the calling task only.
---@param seconds number
function sleep(seconds) end

---A channel between tasks (channel.make).
---@class luasock.channel
local Channel = {}

---Sends value; waits while the channel is full (only this task).
---@param value any
---@param timeout? number seconds; 0 does not wait
---@return true|nil ok
---@return string? errstr "Broken pipe" (closed) or "Connection timed out"
---@return integer? errno
function Channel:send(value, timeout) end

---Receives a value; nil once the channel is closed and drained.
---@param timeout? number seconds; 0 does not wait
---@return true|nil ok
---@return any value_or_errstr
---@return integer? errno
function Channel:receive(timeout) end

---Closes the channel: waiting receivers get nil, waiting senders fail.
---@return true
function Channel:close() end

---Task-aware channels (gopher-lua's API).
channel = {}

---@param capacity? integer values it holds before a send waits (default 0)
---@return luasock.channel
function channel.make(capacity) end

---Waits until one case can proceed: {"|<-", ch [, fn]}, {"<-|", ch, value [, fn]}, {"default" [, fn]}.
---@param ... table
---@return integer index
---@return any value
---@return boolean ok
function channel.select(...) end

---PHP's date(): the host's local time, or timestamp (Unix seconds).
---@param format string
---@param timestamp? number
---@return string
function date(format, timestamp) end

---PHP's microtime(): "msec sec", or seconds with a fraction.
---@param as_float? boolean
---@return string|number
function microtime(as_float) end

---PHP's hrtime(): a monotonic clock (never steps) for deadlines and tickers: {seconds,
---nanoseconds}, or with as_number true the nanoseconds as a number (exact to 2^53 ns: 104
---days of a run). The origin is arbitrary: only differences mean something.
---@param as_number? boolean
---@return integer[]|integer
---@overload fun(): integer[]
---@overload fun(as_number: true): integer
function hrtime(as_number) end

---glibc's text for an errno.
---@param n integer
---@return string
function strerror(n) end

---Lua 5.4's string.pack.
---@param fmt string
---@param ... any
---@return string
function string.pack(fmt, ...) end

---Lua 5.4's string.unpack: the values, then the position after them.
---@param fmt string
---@param s string
---@param pos? integer
---@return any ...
function string.unpack(fmt, s, pos) end

---Lua 5.4's string.packsize.
---@param fmt string
---@return integer
function string.packsize(fmt) end

-- Codecs and digests: PHP's functions, also fields of require("codec").
-- A value failure is nil, errstr, 0; a wrong argument raises.

---PHP's base64_encode: the standard alphabet, "=" padded.
---@param s string
---@return string
function base64_encode(s) end

---PHP's base64_decode: characters outside the alphabet are skipped; strict
---fails on them (whitespace excepted), on data after "=" and on bad padding.
---@param s string
---@param strict? boolean
---@return string|nil data
---@return string? errstr "Invalid base64 data"
---@return integer? errno 0
function base64_decode(s, strict) end

---PHP's bin2hex: lower-case hex digits.
---@param s string
---@return string
function bin2hex(s) end

---PHP's hex2bin: fails on an odd length or a non-hex digit.
---@param s string
---@return string|nil data
---@return string? errstr
---@return integer? errno 0
function hex2bin(s) end

---PHP's md5: 32 hex digits, or the 16 raw bytes when binary.
---@param s string
---@param binary? boolean
---@return string
function md5(s, binary) end

---PHP's sha1: 40 hex digits, or the 20 raw bytes when binary.
---@param s string
---@param binary? boolean
---@return string
function sha1(s, binary) end

---PHP's crc32 (64-bit): the CRC-32 of s, 0 .. 2^32-1, as hash("crc32b", s).
---@param s string
---@return integer
function crc32(s) end

---PHP's hash: hex digest, or raw bytes when binary. algo is one of
---hash_algos() (any case); another raises.
---@param algo string "md5", "sha1", "sha256", "sha512", "sha3-256", "crc32b", ...
---@param data string
---@param binary? boolean
---@return string
function hash(algo, data, binary) end

---PHP's hash_algos: the names hash() takes, in PHP's order.
---@return string[]
function hash_algos() end

---PHP's hash_hmac: algo is one of hash_hmac_algos(); another raises.
---@param algo string
---@param data string
---@param key string
---@param binary? boolean
---@return string
function hash_hmac(algo, data, key, binary) end

---PHP's hash_hmac_algos: the cryptographic names of hash_algos().
---@return string[]
function hash_hmac_algos() end

---PHP's hash_equals: string equality in a time that does not depend on
---where the strings differ (for comparing MACs).
---@param known string
---@param user string
---@return boolean
function hash_equals(known, user) end

---PHP's random_bytes: n bytes from the kernel's cryptographic generator.
---n < 1 raises.
---@param n integer
---@return string
function random_bytes(n) end

---PHP's random_int: uniform in min .. max inclusive, cryptographic. Both
---within ±2^53; min > max raises.
---@param min integer
---@param max integer
---@return integer
function random_int(min, max) end

---PHP's json_encode. A table whose keys are exactly 1..n (or an empty one)
---is an array, any other an object (number keys first, ascending, then
---strings in byte order); json_null is null. Numbers print as PHP's floats
---(1, 0.1, 1.0e+25). errstr is PHP's json_last_error_msg().
---@param value any
---@param flags? integer JSON_PRETTY_PRINT, JSON_UNESCAPED_SLASHES, JSON_UNESCAPED_UNICODE, ...
---@param depth? integer 512 by default
---@return string|nil json
---@return string? errstr
---@return integer? errno 0
function json_encode(value, flags, depth) end

---PHP's json_decode with assoc = true: objects and arrays become tables,
---null inside them json_null, a top-level null nil alone. errstr is PHP's
---json_last_error_msg() ("Syntax error", ...).
---@param s string
---@param assoc? boolean accepted, changes nothing
---@param depth? integer 512 by default; arrays must nest less deep
---@param flags? integer JSON_BIGINT_AS_STRING, JSON_INVALID_UTF8_IGNORE, JSON_INVALID_UTF8_SUBSTITUTE
---@return any value
---@return string? errstr
---@return integer? errno 0
function json_decode(s, assoc, depth, flags) end

---JSON's null inside tables: json_encode writes it as null, json_decode
---puts it where an array or object holds null. tostring gives "json_null".
---@type userdata
json_null = nil

-- Handle methods

---@param timeout? number
---@return luasock.stream|nil conn
---@return string peername_or_errstr
---@return integer? errno
function stream:accept(timeout) end

---@param length integer
---@param flags? integer
---@return string|nil data
---@return string? address_or_errstr
---@return integer? errno
function stream:recvfrom(length, flags) end

---Note the order: address before flags.
---@param data string
---@param address? string
---@param flags? integer
---@return integer|nil bytes
---@return string? errstr
---@return integer? errno
function stream:sendto(data, address, flags) end

---@param length integer
---@return string|nil data
---@return string? errstr
---@return integer? errno
function stream:read(length) end

---@param length? integer
---@return string|nil line
---@return string? errstr
---@return integer? errno
function stream:gets(length) end

---@param data string
---@param length? integer
---@return integer|nil bytes
---@return string? errstr
---@return integer? errno
function stream:write(data, length) end

---@return true
function stream:close() end

---@return boolean
function stream:eof() end

---@return string|nil
function stream:name() end

---@return string|nil
function stream:peer() end

---@param seconds number
---@param microseconds? integer
---@return true
function stream:settimeout(seconds, microseconds) end

---@param enable boolean
---@return true
function stream:setblocking(enable) end

---@param how integer
---@return true|nil ok
---@return string? errstr
---@return integer? errno
function stream:shutdown(how) end

---@return luasock.meta
function stream:meta() end

---@param maxlength? integer
---@return string|nil data
---@return string? errstr
---@return integer? errno
function stream:contents(maxlength) end

---@param length integer
---@param ending? string
---@return string|nil data
---@return string? errstr
---@return integer? errno
function stream:getline(length, ending) end

---@param enable boolean
---@param crypto_method? integer
---@return true|nil ok
---@return string? errstr
---@return integer? errno
function stream:enablecrypto(enable, crypto_method) end

-- Workers (luasock run --workers N): which one this is, and how many; nil otherwise.

---@type integer?
WORKER = nil

---@type integer?
WORKERS = nil

-- Constants

STREAM_CLIENT_ASYNC_CONNECT = 2
STREAM_CLIENT_CONNECT = 4
STREAM_CLIENT_PERSISTENT = 1
STREAM_CRYPTO_METHOD_ANY_CLIENT = 127
STREAM_CRYPTO_METHOD_ANY_SERVER = 126
STREAM_CRYPTO_METHOD_SSLv23_CLIENT = 57
STREAM_CRYPTO_METHOD_SSLv23_SERVER = 120
STREAM_CRYPTO_METHOD_TLS_CLIENT = 121
STREAM_CRYPTO_METHOD_TLS_SERVER = 120
STREAM_CRYPTO_METHOD_TLSv1_0_CLIENT = 9
STREAM_CRYPTO_METHOD_TLSv1_0_SERVER = 8
STREAM_CRYPTO_METHOD_TLSv1_1_CLIENT = 17
STREAM_CRYPTO_METHOD_TLSv1_1_SERVER = 16
STREAM_CRYPTO_METHOD_TLSv1_2_CLIENT = 33
STREAM_CRYPTO_METHOD_TLSv1_2_SERVER = 32
STREAM_CRYPTO_METHOD_TLSv1_3_CLIENT = 65
STREAM_CRYPTO_METHOD_TLSv1_3_SERVER = 64
STREAM_CRYPTO_PROTO_TLSv1_0 = 8
STREAM_CRYPTO_PROTO_TLSv1_1 = 16
STREAM_CRYPTO_PROTO_TLSv1_2 = 32
STREAM_CRYPTO_PROTO_TLSv1_3 = 64
STREAM_IPPROTO_ICMP = 1
STREAM_IPPROTO_IP = 0
STREAM_IPPROTO_RAW = 255
STREAM_IPPROTO_TCP = 6
STREAM_IPPROTO_UDP = 17
STREAM_OOB = 1
STREAM_PEEK = 2
STREAM_PF_INET = 2
STREAM_PF_INET6 = 10
STREAM_PF_UNIX = 1
STREAM_SERVER_BIND = 4
STREAM_SERVER_LISTEN = 8
STREAM_SHUT_RD = 0
STREAM_SHUT_RDWR = 2
STREAM_SHUT_WR = 1
STREAM_SOCK_DGRAM = 2
STREAM_SOCK_RAW = 3
STREAM_SOCK_RDM = 4
STREAM_SOCK_SEQPACKET = 5
STREAM_SOCK_STREAM = 1

-- PHP's JSON_* flags, with PHP's values.

JSON_HEX_TAG = 1
JSON_HEX_AMP = 2
JSON_HEX_APOS = 4
JSON_HEX_QUOT = 8
JSON_FORCE_OBJECT = 16
JSON_UNESCAPED_SLASHES = 64
JSON_PRETTY_PRINT = 128
JSON_UNESCAPED_UNICODE = 256
JSON_UNESCAPED_LINE_TERMINATORS = 2048
JSON_INVALID_UTF8_IGNORE = 1048576
JSON_INVALID_UTF8_SUBSTITUTE = 2097152
---json_decode: objects are tables either way.
JSON_OBJECT_AS_ARRAY = 1
---json_decode: an integer a Lua number cannot hold exactly (beyond ±2^53) stays a string.
JSON_BIGINT_AS_STRING = 2

-- Linux errno names and numbers, with glibc's texts.
errno = {
  ---Operation not permitted
  EPERM = 1,
  ---No such file or directory
  ENOENT = 2,
  ---No such process
  ESRCH = 3,
  ---Interrupted system call
  EINTR = 4,
  ---Input/output error
  EIO = 5,
  ---No such device or address
  ENXIO = 6,
  ---Argument list too long
  E2BIG = 7,
  ---Exec format error
  ENOEXEC = 8,
  ---Bad file descriptor
  EBADF = 9,
  ---No child processes
  ECHILD = 10,
  ---Resource temporarily unavailable
  EAGAIN = 11,
  ---Resource temporarily unavailable
  EWOULDBLOCK = 11,
  ---Cannot allocate memory
  ENOMEM = 12,
  ---Permission denied
  EACCES = 13,
  ---Bad address
  EFAULT = 14,
  ---Block device required
  ENOTBLK = 15,
  ---Device or resource busy
  EBUSY = 16,
  ---File exists
  EEXIST = 17,
  ---Invalid cross-device link
  EXDEV = 18,
  ---No such device
  ENODEV = 19,
  ---Not a directory
  ENOTDIR = 20,
  ---Is a directory
  EISDIR = 21,
  ---Invalid argument
  EINVAL = 22,
  ---Too many open files in system
  ENFILE = 23,
  ---Too many open files
  EMFILE = 24,
  ---Inappropriate ioctl for device
  ENOTTY = 25,
  ---Text file busy
  ETXTBSY = 26,
  ---File too large
  EFBIG = 27,
  ---No space left on device
  ENOSPC = 28,
  ---Illegal seek
  ESPIPE = 29,
  ---Read-only file system
  EROFS = 30,
  ---Too many links
  EMLINK = 31,
  ---Broken pipe
  EPIPE = 32,
  ---Numerical argument out of domain
  EDOM = 33,
  ---Numerical result out of range
  ERANGE = 34,
  ---Resource deadlock avoided
  EDEADLK = 35,
  ---Resource deadlock avoided
  EDEADLOCK = 35,
  ---File name too long
  ENAMETOOLONG = 36,
  ---No locks available
  ENOLCK = 37,
  ---Function not implemented
  ENOSYS = 38,
  ---Directory not empty
  ENOTEMPTY = 39,
  ---Too many levels of symbolic links
  ELOOP = 40,
  ---No message of desired type
  ENOMSG = 42,
  ---Identifier removed
  EIDRM = 43,
  ---Channel number out of range
  ECHRNG = 44,
  ---Level 2 not synchronized
  EL2NSYNC = 45,
  ---Level 3 halted
  EL3HLT = 46,
  ---Level 3 reset
  EL3RST = 47,
  ---Link number out of range
  ELNRNG = 48,
  ---Protocol driver not attached
  EUNATCH = 49,
  ---No CSI structure available
  ENOCSI = 50,
  ---Level 2 halted
  EL2HLT = 51,
  ---Invalid exchange
  EBADE = 52,
  ---Invalid request descriptor
  EBADR = 53,
  ---Exchange full
  EXFULL = 54,
  ---No anode
  ENOANO = 55,
  ---Invalid request code
  EBADRQC = 56,
  ---Invalid slot
  EBADSLT = 57,
  ---Bad font file format
  EBFONT = 59,
  ---Device not a stream
  ENOSTR = 60,
  ---No data available
  ENODATA = 61,
  ---Timer expired
  ETIME = 62,
  ---Out of streams resources
  ENOSR = 63,
  ---Machine is not on the network
  ENONET = 64,
  ---Package not installed
  ENOPKG = 65,
  ---Object is remote
  EREMOTE = 66,
  ---Link has been severed
  ENOLINK = 67,
  ---Advertise error
  EADV = 68,
  ---Srmount error
  ESRMNT = 69,
  ---Communication error on send
  ECOMM = 70,
  ---Protocol error
  EPROTO = 71,
  ---Multihop attempted
  EMULTIHOP = 72,
  ---RFS specific error
  EDOTDOT = 73,
  ---Bad message
  EBADMSG = 74,
  ---Value too large for defined data type
  EOVERFLOW = 75,
  ---Name not unique on network
  ENOTUNIQ = 76,
  ---File descriptor in bad state
  EBADFD = 77,
  ---Remote address changed
  EREMCHG = 78,
  ---Can not access a needed shared library
  ELIBACC = 79,
  ---Accessing a corrupted shared library
  ELIBBAD = 80,
  ---.lib section in a.out corrupted
  ELIBSCN = 81,
  ---Attempting to link in too many shared libraries
  ELIBMAX = 82,
  ---Cannot exec a shared library directly
  ELIBEXEC = 83,
  ---Invalid or incomplete multibyte or wide character
  EILSEQ = 84,
  ---Interrupted system call should be restarted
  ERESTART = 85,
  ---Streams pipe error
  ESTRPIPE = 86,
  ---Too many users
  EUSERS = 87,
  ---Socket operation on non-socket
  ENOTSOCK = 88,
  ---Destination address required
  EDESTADDRREQ = 89,
  ---Message too long
  EMSGSIZE = 90,
  ---Protocol wrong type for socket
  EPROTOTYPE = 91,
  ---Protocol not available
  ENOPROTOOPT = 92,
  ---Protocol not supported
  EPROTONOSUPPORT = 93,
  ---Socket type not supported
  ESOCKTNOSUPPORT = 94,
  ---Operation not supported
  ENOTSUP = 95,
  EOPNOTSUPP = 95,
  ---Protocol family not supported
  EPFNOSUPPORT = 96,
  ---Address family not supported by protocol
  EAFNOSUPPORT = 97,
  ---Address already in use
  EADDRINUSE = 98,
  ---Cannot assign requested address
  EADDRNOTAVAIL = 99,
  ---Network is down
  ENETDOWN = 100,
  ---Network is unreachable
  ENETUNREACH = 101,
  ---Network dropped connection on reset
  ENETRESET = 102,
  ---Software caused connection abort
  ECONNABORTED = 103,
  ---Connection reset by peer
  ECONNRESET = 104,
  ---No buffer space available
  ENOBUFS = 105,
  ---Transport endpoint is already connected
  EISCONN = 106,
  ---Transport endpoint is not connected
  ENOTCONN = 107,
  ---Cannot send after transport endpoint shutdown
  ESHUTDOWN = 108,
  ---Too many references: cannot splice
  ETOOMANYREFS = 109,
  ---Connection timed out
  ETIMEDOUT = 110,
  ---Connection refused
  ECONNREFUSED = 111,
  ---Host is down
  EHOSTDOWN = 112,
  ---No route to host
  EHOSTUNREACH = 113,
  ---Operation already in progress
  EALREADY = 114,
  ---Operation now in progress
  EINPROGRESS = 115,
  ---Stale file handle
  ESTALE = 116,
  ---Structure needs cleaning
  EUCLEAN = 117,
  ---Not a XENIX named type file
  ENOTNAM = 118,
  ---No XENIX semaphores available
  ENAVAIL = 119,
  ---Is a named type file
  EISNAM = 120,
  ---Remote I/O error
  EREMOTEIO = 121,
  ---Disk quota exceeded
  EDQUOT = 122,
  ---No medium found
  ENOMEDIUM = 123,
  ---Wrong medium type
  EMEDIUMTYPE = 124,
  ---Operation canceled
  ECANCELED = 125,
  ---Required key not available
  ENOKEY = 126,
  ---Key has expired
  EKEYEXPIRED = 127,
  ---Key has been revoked
  EKEYREVOKED = 128,
  ---Key was rejected by service
  EKEYREJECTED = 129,
  ---Owner died
  EOWNERDEAD = 130,
  ---State not recoverable
  ENOTRECOVERABLE = 131,
  ---Operation not possible due to RF-kill
  ERFKILL = 132,
  ---Memory page has hardware error
  EHWPOISON = 133,
}

---Lua 5.2's bit32: unsigned 32-bit results (0 .. 2^32-1). Arguments are
---converted as lua5.2 converts them (rounded half to even, low 32 bits).
bit32 = {}
---@param ... number
---@return integer
function bit32.band(...) end
---@param ... number
---@return integer
function bit32.bor(...) end
---@param ... number
---@return integer
function bit32.bxor(...) end
---@param x number
---@return integer
function bit32.bnot(x) end
---@param ... number
---@return boolean
function bit32.btest(...) end
---@param x number
---@param disp number
---@return integer
function bit32.lshift(x, disp) end
---@param x number
---@param disp number
---@return integer
function bit32.rshift(x, disp) end
---@param x number
---@param disp number
---@return integer
function bit32.arshift(x, disp) end
---@param x number
---@param disp number
---@return integer
function bit32.lrotate(x, disp) end
---@param x number
---@param disp number
---@return integer
function bit32.rrotate(x, disp) end
---Bits field .. field+width-1 of n (width 1 by default).
---@param n number
---@param field integer
---@param width? integer
---@return integer
function bit32.extract(n, field, width) end
---n with bits field .. field+width-1 replaced by v.
---@param n number
---@param v number
---@param field integer
---@param width? integer
---@return integer
function bit32.replace(n, v, field, width) end

---LuaJIT's bit: signed 32-bit results (-2^31 .. 2^31-1).
bit = {}
---@param x number
---@return integer
function bit.tobit(x) end
---x as n hex digits (8 by default; negative n: upper case).
---@param x number
---@param n? integer
---@return string
function bit.tohex(x, n) end
---@param x number
---@return integer
function bit.bnot(x) end
---@param ... number
---@return integer
function bit.band(...) end
---@param ... number
---@return integer
function bit.bor(...) end
---@param ... number
---@return integer
function bit.bxor(...) end
---@param x number
---@param n number
---@return integer
function bit.lshift(x, n) end
---@param x number
---@param n number
---@return integer
function bit.rshift(x, n) end
---@param x number
---@param n number
---@return integer
function bit.arshift(x, n) end
---@param x number
---@param n number
---@return integer
function bit.rol(x, n) end
---@param x number
---@param n number
---@return integer
function bit.ror(x, n) end
---@param x number
---@return integer
function bit.bswap(x) end
