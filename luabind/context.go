package luabind

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/luasock/luasock/internal/lang/luaarg"
	lua "github.com/yuin/gopher-lua"
)

const contextTypeName = "luasock.context"

// socketOptions are a context's `socket` options. Pointers tell "not set"
// from "set to false".
type socketOptions struct {
	BindTo      string
	Backlog     *int
	IPv6V6Only  *bool
	SoReusePort *bool
	SoReuseAddr *bool
	SoBroadcast *bool
	TCPNoDelay  *bool

	// A unix server's socket file (unixperm.go): its permissions, and its
	// owner and group as given (a name or an id). owner is what those
	// resolve to, set by stream_socket_server.
	// ProxyProtocol: a server's connections start with a PROXY header.
	// ProxyTrusted, when set, are the only sources whose header is read
	// (the balancers); ProxyUntrusted says what becomes of the others:
	// "refuse" (or "", not given) or "direct" (served as direct connections).
	ProxyProtocol  bool
	ProxyTrusted   []netip.Prefix
	ProxyUntrusted string

	Mode         *uint32
	Owner, Group string
	owner        *fileOwner
}

// streamContext is what stream_context_create returns. Wrappers other than
// `socket` are kept as given for the transports that read them (ssl).
type streamContext struct {
	Socket  socketOptions
	SSL     sslOptions
	Options map[string]*lua.LTable
}

var boolSocketOptions = map[string]func(*socketOptions) **bool{
	"ipv6_v6only":  func(o *socketOptions) **bool { return &o.IPv6V6Only },
	"so_reuseport": func(o *socketOptions) **bool { return &o.SoReusePort },
	"so_reuseaddr": func(o *socketOptions) **bool { return &o.SoReuseAddr },
	"so_broadcast": func(o *socketOptions) **bool { return &o.SoBroadcast },
	"tcp_nodelay":  func(o *socketOptions) **bool { return &o.TCPNoDelay },
}

// contextCreate is `stream_context_create([options])` → context.
// options is `{socket = {backlog = 128, ...}, ssl = {...}}`; a table of the
// wrong shape, an unknown socket option or a value of the wrong type raises.
func contextCreate(L *lua.LState, fname string) int {
	ctx := &streamContext{Options: map[string]*lua.LTable{}}
	if L.Get(1) != lua.LNil {
		tbl, ok := L.Get(1).(*lua.LTable)
		if !ok {
			luaarg.TypeError(L, 1, fname, "table")
		}
		parseContext(L, 1, fname, tbl, ctx)
	}
	ud := L.NewUserData()
	ud.Value = ctx
	L.SetMetatable(ud, L.GetTypeMetatable(contextTypeName))
	L.Push(ud)
	return 1
}

func parseContext(L *lua.LState, n int, fname string, tbl *lua.LTable, ctx *streamContext) {
	bad := func(format string, args ...any) { luaarg.Error(L, n, fname, fmt.Sprintf(format, args...)) }
	tbl.ForEach(func(k, v lua.LValue) {
		wrapper, ok := k.(lua.LString)
		opts, isTable := v.(*lua.LTable)
		if !ok || !isTable {
			bad("options must have the form {wrapper = {option = value}}")
		}
		ctx.Options[string(wrapper)] = opts
		if wrapper == "ssl" {
			parseSSLOptions(opts, &ctx.SSL, bad)
			return
		}
		if wrapper != "socket" {
			return
		}
		opts.ForEach(func(k, v lua.LValue) {
			name, _ := k.(lua.LString)
			switch {
			case name == "bindto":
				s, ok := v.(lua.LString)
				if !ok {
					bad("socket option 'bindto' must be a string, got %s", v.Type())
				}
				ctx.Socket.BindTo = string(s)
			case name == "backlog":
				f, ok := v.(lua.LNumber)
				if !ok {
					bad("socket option 'backlog' must be a number, got %s", v.Type())
				}
				b := int(f)
				ctx.Socket.Backlog = &b
			case name == "mode":
				m := parseMode(v, bad)
				ctx.Socket.Mode = &m
			case name == "owner":
				ctx.Socket.Owner = parseID("owner", v, bad)
			case name == "group":
				ctx.Socket.Group = parseID("group", v, bad)
			case name == "proxy_protocol":
				switch x := v.(type) {
				case lua.LBool:
					ctx.Socket.ProxyProtocol = bool(x)
				case lua.LNumber:
					ctx.Socket.ProxyProtocol = x != 0
				default:
					bad("socket option 'proxy_protocol' must be a boolean, got %s", v.Type())
				}
			case name == "proxy_trusted":
				ctx.Socket.ProxyTrusted = parseTrusted(v, bad)
			case name == "proxy_untrusted":
				switch v {
				case lua.LString("refuse"), lua.LString("direct"):
					ctx.Socket.ProxyUntrusted = string(v.(lua.LString))
				default:
					got := v.Type().String()
					if text, ok := v.(lua.LString); ok {
						got = strconv.Quote(string(text))
					}
					bad("socket option 'proxy_untrusted' must be \"refuse\" or \"direct\", got %s", got)
				}
			case boolSocketOptions[string(name)] != nil:
				var b bool
				switch x := v.(type) {
				case lua.LBool:
					b = bool(x)
				case lua.LNumber: // PHP scripts write 1 and 0
					b = x != 0
				default:
					bad("socket option '%s' must be a boolean, got %s", name, v.Type())
				}
				*boolSocketOptions[string(name)](&ctx.Socket) = &b
			default:
				bad("unknown socket option '%s' (known: %s)", lua.LVAsString(k), knownSocketOptions())
			}
		})
	})
}

// parseSSLOptions reads a context's ssl options; a wrong type or an unknown
// name raises (through bad), so a typo does not silently weaken a check.
func parseSSLOptions(opts *lua.LTable, o *sslOptions, bad func(string, ...any)) {
	opts.ForEach(func(k, v lua.LValue) {
		name := lua.LVAsString(k)
		switch {
		case stringSSLOptions[name] != nil:
			s, ok := v.(lua.LString)
			if !ok {
				bad("ssl option '%s' must be a string, got %s", name, v.Type())
			}
			*stringSSLOptions[name](o) = string(s)
		case boolSSLOptions[name] != nil:
			var b bool
			switch x := v.(type) {
			case lua.LBool:
				b = bool(x)
			case lua.LNumber:
				b = x != 0
			default:
				bad("ssl option '%s' must be a boolean, got %s", name, v.Type())
			}
			*boolSSLOptions[name](o) = &b
		case name == "crypto_method":
			f, ok := v.(lua.LNumber)
			if !ok {
				bad("ssl option 'crypto_method' must be a number, got %s", v.Type())
			}
			m := int(f)
			o.CryptoMethod = &m
		default:
			names := []string{"crypto_method"}
			for n := range stringSSLOptions {
				names = append(names, n)
			}
			for n := range boolSSLOptions {
				names = append(names, n)
			}
			sort.Strings(names)
			bad("unknown ssl option '%s' (known: %s)", name, strings.Join(names, ", "))
		}
	})
}

// parseTrusted reads proxy_trusted: an address or network ("127.0.0.1",
// "10.0.0.0/8", "::1"), or a table of them.
func parseTrusted(v lua.LValue, bad func(string, ...any)) []netip.Prefix {
	var entries []lua.LValue
	switch x := v.(type) {
	case lua.LString:
		entries = []lua.LValue{x}
	case *lua.LTable:
		for i := 1; i <= x.Len(); i++ {
			entries = append(entries, x.RawGetInt(i))
		}
	default:
		bad("socket option 'proxy_trusted' must be an address, a network or a table of them, got %s", v.Type())
	}
	var nets []netip.Prefix
	for _, e := range entries {
		text, ok := e.(lua.LString)
		if !ok {
			bad("socket option 'proxy_trusted' must hold strings, got %s", e.Type())
		}
		p, err := netip.ParsePrefix(string(text))
		if err != nil {
			a, aerr := netip.ParseAddr(string(text))
			if aerr != nil || a.Zone() != "" {
				bad("socket option 'proxy_trusted': %q is not an IP address or network (\"127.0.0.1\", \"10.0.0.0/8\", \"::1\")", string(text))
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 { // as an IPv4 client's address is compared
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		nets = append(nets, p.Masked())
	}
	if len(nets) == 0 {
		bad("socket option 'proxy_trusted' is empty: it would trust no one")
	}
	return nets
}

func knownSocketOptions() string {
	names := []string{"bindto", "backlog", "mode", "owner", "group", "proxy_protocol", "proxy_trusted", "proxy_untrusted"}
	for name := range boolSocketOptions {
		names = append(names, name)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// optContext reads an optional context argument: a context handle, or a plain
// options table as a shortcut for stream_context_create(table).
func optContext(L *lua.LState, n int, fname string) *streamContext {
	switch v := L.Get(n).(type) {
	case *lua.LNilType:
		return &streamContext{}
	case *lua.LTable:
		ctx := &streamContext{Options: map[string]*lua.LTable{}}
		parseContext(L, n, fname, v, ctx)
		return ctx
	case *lua.LUserData:
		if ctx, ok := v.Value.(*streamContext); ok {
			return ctx
		}
	}
	luaarg.TypeError(L, n, fname, "context")
	return nil
}

func contextToString(L *lua.LState) int {
	L.Push(lua.LString("stream context"))
	return 1
}
