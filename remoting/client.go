package remoting

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/sirupsen/logrus"
)

// ErrClientClosed is returned by calls on a closed Client.
var ErrClientClosed = errors.New("remoting: client closed")

// ClientConfig configures a Client. Zero values take the defaults noted.
type ClientConfig struct {
	// DialTimeout bounds a connect (default 3 s, Java connectTimeoutMillis).
	DialTimeout time.Duration
	// RequestTimeout applies to Invoke when ctx has no deadline (default 3 s).
	RequestTimeout time.Duration
	// MaxFrameLength bounds frames read (default codec.DefaultMaxFrameLength).
	MaxFrameLength int
	// Processors answer requests the server sends on our connections
	// (Java ClientRemotingProcessor), by code. A request with no processor
	// is answered REQUEST_CODE_NOT_SUPPORTED, as the Java client does.
	Processors map[requestcode.RequestCode]RequestHandler
	// Serialize is the header serialization of requests (default JSON).
	Serialize codec.SerializeType
	// Logger receives the client's logs (default logrus.StandardLogger()).
	Logger logrus.FieldLogger
}

// RequestHandler answers a request a server sent to a Client; it returns
// nil for no reply. It runs on the connection's reader goroutine and must
// not block.
type RequestHandler func(req *codec.Command) (*codec.Command, error)

// Client makes remoting calls to any number of addresses over one
// connection per address (Java NettyRemotingClient). Connections are dialled
// on first use and again after they fail.
type Client struct {
	cfg    ClientConfig
	log    logrus.FieldLogger
	opaque atomic.Int32

	mu     sync.Mutex
	conns  map[string]*clientConn
	closed bool
	wg     sync.WaitGroup // reader goroutines
}

// NewClient returns a client; it dials nothing until the first call.
func NewClient(cfg ClientConfig) *Client {
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = 3 * time.Second
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 3 * time.Second
	}
	if cfg.MaxFrameLength <= 0 {
		cfg.MaxFrameLength = codec.DefaultMaxFrameLength
	}
	if cfg.Logger == nil {
		cfg.Logger = logrus.StandardLogger()
	}
	return &Client{cfg: cfg, log: cfg.Logger, conns: make(map[string]*clientConn)}
}

// result is the outcome of one call.
type result struct {
	resp *codec.Command
	err  error
}

// clientConn is one connection: writes are serialised by wmu, one reader
// goroutine dispatches what arrives.
type clientConn struct {
	addr string
	nc   net.Conn
	c    *Client

	wmu sync.Mutex

	mu      sync.Mutex
	pending map[int32]func(result)
	dead    error
}

// Invoke sends req to addr and waits for the reply matched by opaque, until
// ctx is done (or RequestTimeout when ctx has no deadline).
func (c *Client) Invoke(ctx context.Context, addr string, req *codec.Command) (*codec.Command, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.RequestTimeout)
		defer cancel()
	}
	ch := make(chan result, 1)
	cc, err := c.send(ctx, addr, req, func(r result) { ch <- r })
	if err != nil {
		return nil, err
	}
	select {
	case r := <-ch:
		return r.resp, r.err
	case <-ctx.Done():
		cc.forget(req.Opaque)
		return nil, fmt.Errorf("invoke %s on %s: %w", requestcode.RequestCode(req.Code), addr, ctx.Err())
	}
}

// InvokeAsync sends req and calls cb with the reply or the failure from the
// connection's reader goroutine (cb must not block). cb runs at most once;
// after timeout it receives context.DeadlineExceeded.
func (c *Client) InvokeAsync(addr string, req *codec.Command, timeout time.Duration, cb func(*codec.Command, error)) error {
	if timeout <= 0 {
		timeout = c.cfg.RequestTimeout
	}
	var once sync.Once
	var timer atomic.Pointer[time.Timer]
	done := func(r result) {
		once.Do(func() {
			if t := timer.Load(); t != nil {
				t.Stop()
			}
			cb(r.resp, r.err)
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.DialTimeout)
	defer cancel()
	cc, err := c.send(ctx, addr, req, done)
	if err != nil {
		return err
	}
	opaque := req.Opaque
	timer.Store(time.AfterFunc(timeout, func() {
		cc.forget(opaque)
		done(result{err: fmt.Errorf("invoke %s on %s: %w", requestcode.RequestCode(req.Code), addr, context.DeadlineExceeded)})
	}))
	return nil
}

// InvokeOneway sends req with the oneway bit; no reply is expected.
func (c *Client) InvokeOneway(ctx context.Context, addr string, req *codec.Command) error {
	req.Flag |= codec.FlagOneway
	_, err := c.send(ctx, addr, req, nil)
	return err
}

// send assigns an opaque, registers onReply (nil for oneway) and writes.
func (c *Client) send(ctx context.Context, addr string, req *codec.Command, onReply func(result)) (*clientConn, error) {
	cc, err := c.conn(ctx, addr)
	if err != nil {
		return nil, err
	}
	req.Opaque = c.opaque.Add(1)
	req.Flag &^= codec.FlagResponse
	if onReply != nil {
		if err := cc.expect(req.Opaque, onReply); err != nil {
			return nil, err
		}
	}
	if err := cc.write(req); err != nil {
		cc.forget(req.Opaque)
		return nil, err
	}
	return cc, nil
}

// conn returns the live connection to addr, dialling when there is none.
func (c *Client) conn(ctx context.Context, addr string) (*clientConn, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, ErrClientClosed
	}
	if cc, ok := c.conns[addr]; ok {
		c.mu.Unlock()
		return cc, nil
	}
	c.mu.Unlock()

	d := net.Dialer{Timeout: c.cfg.DialTimeout}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", addr, err)
	}
	cc := &clientConn{addr: addr, nc: nc, c: c, pending: make(map[int32]func(result))}

	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		_ = nc.Close()
		return nil, ErrClientClosed
	}
	if other, ok := c.conns[addr]; ok {
		// Another caller connected first; use theirs.
		c.mu.Unlock()
		_ = nc.Close()
		return other, nil
	}
	c.conns[addr] = cc
	c.wg.Add(1)
	c.mu.Unlock()
	go cc.readLoop()
	return cc, nil
}

// Close closes every connection and fails every call in flight.
func (c *Client) Close() {
	c.mu.Lock()
	c.closed = true
	conns := make([]*clientConn, 0, len(c.conns))
	for _, cc := range c.conns {
		conns = append(conns, cc)
	}
	c.mu.Unlock()
	for _, cc := range conns {
		cc.fail(ErrClientClosed)
	}
	c.wg.Wait()
}

// CloseConn drops the connection to addr, if any (the next call redials).
func (c *Client) CloseConn(addr string) {
	c.mu.Lock()
	cc := c.conns[addr]
	c.mu.Unlock()
	if cc != nil {
		cc.fail(ErrConnClosed)
	}
}

func (cc *clientConn) expect(opaque int32, f func(result)) error {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.dead != nil {
		return fmt.Errorf("connection to %s: %w", cc.addr, cc.dead)
	}
	cc.pending[opaque] = f
	return nil
}

func (cc *clientConn) forget(opaque int32) {
	cc.mu.Lock()
	delete(cc.pending, opaque)
	cc.mu.Unlock()
}

func (cc *clientConn) write(cmd *codec.Command) error {
	if cmd.Serialize == codec.JSON && cc.c.cfg.Serialize != codec.JSON && !cmd.IsResponse() {
		cmd.Serialize = cc.c.cfg.Serialize
	}
	buf := getBuf()
	defer putBuf(buf)
	var err error
	*buf, err = codec.AppendFrame((*buf)[:0], cmd)
	if err != nil {
		return fmt.Errorf("encode %s for %s: %w", requestcode.RequestCode(cmd.Code), cc.addr, err)
	}
	cc.wmu.Lock()
	_, err = cc.nc.Write(*buf)
	cc.wmu.Unlock()
	if err != nil {
		cc.fail(err)
		return fmt.Errorf("write to %s: %w", cc.addr, err)
	}
	return nil
}

// fail closes the connection once, removes it from the client and fails
// every call waiting on it.
func (cc *clientConn) fail(err error) {
	cc.mu.Lock()
	if cc.dead != nil {
		cc.mu.Unlock()
		return
	}
	cc.dead = err
	pending := cc.pending
	cc.pending = nil
	cc.mu.Unlock()

	_ = cc.nc.Close()
	cc.c.mu.Lock()
	if cc.c.conns[cc.addr] == cc {
		delete(cc.c.conns, cc.addr)
	}
	cc.c.mu.Unlock()
	for _, f := range pending {
		f(result{err: fmt.Errorf("connection to %s: %w", cc.addr, err)})
	}
}

func (cc *clientConn) readLoop() {
	defer cc.c.wg.Done()
	r := codec.NewReader(cc.nc, cc.c.cfg.MaxFrameLength)
	for {
		cmd, err := r.Next()
		if err != nil {
			cc.mu.Lock()
			expected := cc.dead != nil
			cc.mu.Unlock()
			if !expected {
				cc.c.log.WithField("remote", cc.addr).WithError(err).Info("connection lost")
			}
			cc.fail(err)
			return
		}
		if cmd.IsResponse() {
			cc.mu.Lock()
			f := cc.pending[cmd.Opaque]
			delete(cc.pending, cmd.Opaque)
			cc.mu.Unlock()
			if f != nil {
				f(result{resp: cmd})
			}
			continue
		}
		cc.serve(cmd)
	}
}

func (cc *clientConn) handle(req *codec.Command) (resp *codec.Command) {
	h, ok := cc.c.cfg.Processors[requestcode.RequestCode(req.Code)]
	if !ok {
		return codec.NewResponse(req, int32(requestcode.RequestCodeNotSupported),
			fmt.Sprintf(" request type %d not supported", req.Code))
	}
	defer func() {
		if r := recover(); r != nil {
			cc.c.log.WithFields(logrus.Fields{"remote": cc.addr, "code": req.Code, "panic": r}).Error("request handler panicked")
			resp = codec.NewResponse(req, int32(requestcode.SystemError), fmt.Sprintf("handler panic: %v", r))
		}
	}()
	resp, err := h(req)
	if err != nil {
		return codec.NewResponse(req, int32(requestcode.SystemError), err.Error())
	}
	return resp
}

// serve answers a request the server sent us. Client-side processors are
// few and quick (they answer the broker's questions), so they run on the
// reader goroutine.
func (cc *clientConn) serve(req *codec.Command) {
	resp := cc.handle(req)
	if resp == nil || req.IsOneway() {
		return
	}
	resp.Opaque = req.Opaque
	resp.Flag |= codec.FlagResponse
	resp.Serialize = req.Serialize
	if err := cc.write(resp); err != nil {
		cc.c.log.WithField("remote", cc.addr).WithError(err).Warn("reply to server request not sent")
	}
}
