package replay

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"sync/atomic"
	"time"
)

// datagramEnd is a UDP connection's live end: a socket of its own (the
// client side), or one sender's datagrams to the server's socket.
type datagramEnd struct {
	client string
	send   func([]byte) error
	inbox  chan []byte   // the server side's datagrams from this client
	queued *atomic.Int64 // the server side's bytes in every inbox (udpServer's)
	conn   net.Conn      // the client side's socket
}

func newDatagramClient(conn net.Conn) *datagramEnd {
	return &datagramEnd{client: conn.LocalAddr().String(), conn: conn,
		send: func(b []byte) error { _, err := conn.Write(b); return err }}
}

func (e *datagramEnd) clientAddr() string { return e.client }

func (e *datagramEnd) close() {
	if e.conn != nil {
		e.conn.Close()
	}
}

// receive waits for the next datagram, up to timeout.
func (e *datagramEnd) receive(r *run, timeout time.Duration) ([]byte, error) {
	if e.conn != nil {
		_ = e.conn.SetReadDeadline(time.Now().Add(timeout))
		buf := make([]byte, 64<<10)
		n, err := e.conn.Read(buf)
		return buf[:n], err
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case b := <-e.inbox:
		e.queued.Add(-int64(len(b)))
		return b, nil
	case <-timer.C:
		return nil, os.ErrDeadlineExceeded
	case <-r.ctx.Done():
		return nil, errStopped
	}
}

// datagramStep plays one step of a UDP connection: a datagram sent, or
// one received and compared whole.
func (r *run) datagramStep(e *datagramEnd, c *Conn, st *Step) error {
	if st.Dir == r.mine {
		data, err := r.sendable(c, st)
		if err != nil {
			return err
		}
		if err := e.send([]byte(data)); err != nil {
			return &Difference{Conn: c.ID, Line: st.Line, Peer: r.peer, Reason: fmt.Sprintf("sending the datagram failed: %v", err)}
		}
		return nil
	}
	m := r.matcher()
	got, err := e.receive(r, r.p.timeout())
	if err != nil {
		d := &Difference{Conn: c.ID, Line: st.Line, Peer: r.peer, Want: m.rest(st.pieces(), 0, 0)}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			d.Reason = fmt.Sprintf("no datagram from the %s for %v", r.peer, r.p.timeout())
		} else {
			d.Reason = fmt.Sprintf("receiving from the %s failed: %v", r.peer, err)
		}
		return d
	}
	src := bytes.NewReader(got)
	mm := m.match(src, st.pieces())
	switch {
	case mm == nil && src.Len() == 0:
		return nil
	case mm == nil:
		n := len(got) - src.Len()
		return &Difference{Conn: c.ID, Line: st.Line, Peer: r.peer, Want: string(got[:n]), Got: string(got), Offset: n,
			Reason: fmt.Sprintf("the %s's datagram has %d bytes, %d more than recorded", r.peer, len(got), src.Len())}
	}
	d := &Difference{Conn: c.ID, Line: st.Line, Peer: r.peer, Want: mm.want, Got: string(got), Offset: mm.off}
	switch {
	case mm.err != nil:
		d.Reason = fmt.Sprintf("the %s's datagram has %d bytes, the recording's %d", r.peer, len(got), len(mm.want))
	default:
		d.Reason = fmt.Sprintf("the %s's datagram differs at byte %d", r.peer, mm.off)
	}
	return d
}
