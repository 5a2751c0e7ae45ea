package remoting

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/panjf2000/gnet/v2"
	"github.com/rocketgo/rocketgo/remoting/codec"
)

// ErrConnClosed is returned for writes and calls on a closed connection.
var ErrConnClosed = errors.New("remoting: connection closed")

// Conn is one accepted connection. Its methods are safe for concurrent use;
// processors keep it to answer later (a held long-poll pull) or to call the
// client (CHECK_TRANSACTION_STATE, NOTIFY_CONSUMER_IDS_CHANGED, ...).
type Conn struct {
	id     uint64
	remote string
	gc     gnet.Conn
	srv    *Server

	lastActive atomic.Int64 // unix nanoseconds of the last read or write
	closed     atomic.Bool

	mu      sync.Mutex
	pending map[int32]chan *codec.Command // server-to-client calls by opaque
}

// ID is unique among the connections of one server's lifetime.
func (c *Conn) ID() uint64 { return c.id }

// RemoteAddr is the peer's "ip:port".
func (c *Conn) RemoteAddr() string { return c.remote }

// Closed reports whether the connection is closed.
func (c *Conn) Closed() bool { return c.closed.Load() }

func (c *Conn) String() string { return fmt.Sprintf("conn#%d(%s)", c.id, c.remote) }

// Close closes the connection; the server's close hook runs once it is.
func (c *Conn) Close() error {
	if c.closed.Load() {
		return nil
	}
	return c.gc.Close()
}

// Send writes cmd asynchronously. done, if not nil, runs once the frame has
// been handed to the socket or has failed; a caller that passed a body it
// must keep valid (a mapped file region) releases it there. The body is
// written without being copied into the frame buffer when it is large.
func (c *Conn) Send(cmd *codec.Command, done func(error)) error {
	if len(cmd.Body) >= zeroCopyBody {
		return c.SendParts(cmd, [][]byte{cmd.Body}, done)
	}
	if c.closed.Load() {
		if done != nil {
			done(ErrConnClosed)
		}
		return ErrConnClosed
	}
	buf := getBuf()
	var err error
	*buf, err = codec.AppendFrame((*buf)[:0], cmd)
	if err != nil {
		putBuf(buf)
		if done != nil {
			done(err)
		}
		return fmt.Errorf("send to %s: %w", c, err)
	}
	c.srv.inflight.Add(1)
	err = c.gc.AsyncWrite(*buf, c.written(buf, done))
	if err != nil {
		// The event loop is gone: the callback will not run.
		putBuf(buf)
		c.srv.inflight.Add(-1)
		if done != nil {
			done(err)
		}
		return fmt.Errorf("send to %s: %w", c, err)
	}
	return nil
}

// written is the completion of an asynchronous write: it recycles the
// frame buffer, applies the outbound high-water check and runs done.
func (c *Conn) written(buf *[]byte, done func(error)) gnet.AsyncCallback {
	return func(gc gnet.Conn, werr error) error {
		putBuf(buf)
		if werr == nil {
			c.touch()
			if c.srv.overHighWater(c, gc) {
				_ = gc.Close()
			}
		}
		if done != nil {
			done(werr)
		}
		c.srv.inflight.Add(-1)
		return nil
	}
}

// SendParts writes cmd with a body made of parts, which are handed to
// writev as they are (not copied): the pull path sends message records
// straight from the mapped commitlog. cmd.Body must be empty. done runs
// once the frame is written or has failed; the caller keeps the parts
// valid until then.
func (c *Conn) SendParts(cmd *codec.Command, parts [][]byte, done func(error)) error {
	if c.closed.Load() {
		if done != nil {
			done(ErrConnClosed)
		}
		return ErrConnClosed
	}
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	buf := getBuf()
	var err error
	*buf, err = codec.AppendFrameHeaderLen((*buf)[:0], cmd, n)
	if err != nil {
		putBuf(buf)
		if done != nil {
			done(err)
		}
		return fmt.Errorf("send to %s: %w", c, err)
	}
	vec := make([][]byte, 0, len(parts)+1)
	vec = append(vec, *buf)
	vec = append(vec, parts...)
	c.srv.inflight.Add(1)
	err = c.gc.AsyncWritev(vec, c.written(buf, done))
	if err != nil {
		putBuf(buf)
		c.srv.inflight.Add(-1)
		if done != nil {
			done(err)
		}
		return fmt.Errorf("send to %s: %w", c, err)
	}
	return nil
}

// zeroCopyBody is the body size from which Send hands the body to writev
// as its own buffer instead of copying it behind the header.
const zeroCopyBody = 4 << 10

// Invoke sends a request to the client on this connection and waits for the
// reply matched by opaque (Java NettyRemotingServer.invokeSync), until ctx
// is done.
func (c *Conn) Invoke(ctx context.Context, req *codec.Command) (*codec.Command, error) {
	req.Opaque = c.srv.nextOpaque()
	req.Flag &^= codec.FlagResponse | codec.FlagOneway
	ch := make(chan *codec.Command, 1)
	c.mu.Lock()
	if c.closed.Load() {
		c.mu.Unlock()
		return nil, ErrConnClosed
	}
	c.pending[req.Opaque] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.pending, req.Opaque)
		c.mu.Unlock()
	}()
	if err := c.Send(req, nil); err != nil {
		return nil, err
	}
	select {
	case resp, ok := <-ch:
		if !ok {
			return nil, fmt.Errorf("invoke %d on %s: %w", req.Code, c, ErrConnClosed)
		}
		return resp, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("invoke %d on %s: %w", req.Code, c, ctx.Err())
	}
}

// InvokeOneway sends a request with the oneway bit; no reply is expected.
func (c *Conn) InvokeOneway(req *codec.Command) error {
	req.Opaque = c.srv.nextOpaque()
	req.Flag = req.Flag&^codec.FlagResponse | codec.FlagOneway
	return c.Send(req, nil)
}

// complete hands a client's reply to the Invoke waiting for it.
func (c *Conn) complete(resp *codec.Command) bool {
	c.mu.Lock()
	ch, ok := c.pending[resp.Opaque]
	if ok {
		delete(c.pending, resp.Opaque)
	}
	c.mu.Unlock()
	if ok {
		ch <- resp
	}
	return ok
}

// failPending wakes every Invoke still waiting once the connection closed.
func (c *Conn) failPending() {
	c.mu.Lock()
	for op, ch := range c.pending {
		close(ch)
		delete(c.pending, op)
	}
	c.mu.Unlock()
}

func (c *Conn) touch() { c.lastActive.Store(time.Now().UnixNano()) }

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

func putBuf(b *[]byte) {
	if cap(*b) > 64<<10 {
		return // let a large one-off buffer go
	}
	*b = (*b)[:0]
	bufPool.Put(b)
}
