package luabind

import lua "github.com/yuin/gopher-lua"

// IsConnection tells whether v is an open stream that is not a server: a
// connection, accepted or made, or a client's datagram socket. A task that
// fails closes such streams found in the tables it was given (the host's
// ownership rule); a server serves other tasks too, and stays open.
func (b *Binding) IsConnection(v lua.LValue) bool {
	s, ok := openStream(v)
	if !ok {
		return false
	}
	_, server := s.tracked.(serverHandle)
	return !server
}

// openStream is v's stream when v is one and is still open.
func openStream(v lua.LValue) (*stream, bool) {
	ud, ok := v.(*lua.LUserData)
	if !ok {
		return nil, false
	}
	s, ok := ud.Value.(*stream)
	return s, ok && !s.closed
}
