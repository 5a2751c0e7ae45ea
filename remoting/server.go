package remoting

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/panjf2000/gnet/v2"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/sirupsen/logrus"
)

// Processor handles the requests of one or more codes (Java
// NettyRequestProcessor). It returns the response, or nil when there is
// nothing to send now: a oneway request, or one the processor answers later
// with Conn.Send (a held long-poll pull). An error becomes SYSTEM_ERROR with
// the error text as remark.
type Processor interface {
	ProcessRequest(c *Conn, req *codec.Command) (*codec.Command, error)
}

// ProcessorFunc adapts a function to Processor.
type ProcessorFunc func(c *Conn, req *codec.Command) (*codec.Command, error)

// ProcessRequest calls f.
func (f ProcessorFunc) ProcessRequest(c *Conn, req *codec.Command) (*codec.Command, error) {
	return f(c, req)
}

// ServerConfig configures a Server. Zero values take the defaults noted.
type ServerConfig struct {
	// Addr is the listen address, "host:port"; port 0 picks a free port
	// (see Server.Addr).
	Addr string
	// NumEventLoops is the number of gnet event loops (default: one per CPU).
	NumEventLoops int
	// MaxFrameLength is the largest accepted frame including its length
	// field (default codec.DefaultMaxFrameLength, Java's 16 MiB).
	MaxFrameLength int
	// IdleTimeout closes a connection with neither reads nor writes for this
	// long (default 120 s, Java serverChannelMaxIdleTimeSeconds).
	IdleTimeout time.Duration
	// OutboundHighWater closes a connection whose unsent replies exceed
	// this many bytes: a peer that does not read cannot grow our memory
	// without bound (default 64 MiB).
	OutboundHighWater int
	// SocketSendBuffer and SocketRecvBuffer set SO_SNDBUF / SO_RCVBUF on
	// accepted sockets when positive (Java serverSocketSndBufSize /
	// serverSocketRcvBufSize); zero leaves the kernel's autotuning.
	SocketSendBuffer int
	SocketRecvBuffer int
	// OnOpen and OnClose, if set, run when a connection opens and closes
	// (the NameServer and broker hang channel bookkeeping on them). They run
	// on an event loop and must not block.
	OnOpen  func(c *Conn)
	OnClose func(c *Conn, err error)
	// Logger receives the server's logs (default logrus.StandardLogger()).
	Logger logrus.FieldLogger
}

type registration struct {
	p    Processor
	pool *WorkerPool // nil: run on the event loop
}

// Server is a RocketMQ remoting server on gnet v2 (Java
// NettyRemotingServer). Register processors, Start, Shutdown.
type Server struct {
	cfg ServerConfig
	log logrus.FieldLogger

	table    map[int32]registration // written only before Start
	fallback *registration
	pools    []*WorkerPool

	engine   gnet.Engine
	addr     string
	started  chan error
	stopped  chan struct{}
	running  atomic.Bool
	closing  atomic.Bool
	inflight atomic.Int64 // pooled requests running and async writes pending

	opaque atomic.Int32
	connID atomic.Uint64

	mu    sync.Mutex
	conns map[uint64]*Conn
}

// NewServer returns a server that is not listening yet.
func NewServer(cfg ServerConfig) *Server {
	if cfg.MaxFrameLength <= 0 {
		cfg.MaxFrameLength = codec.DefaultMaxFrameLength
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 120 * time.Second
	}
	if cfg.OutboundHighWater <= 0 {
		cfg.OutboundHighWater = 64 << 20
	}
	if cfg.Logger == nil {
		cfg.Logger = logrus.StandardLogger()
	}
	return &Server{
		cfg:     cfg,
		log:     cfg.Logger,
		table:   make(map[int32]registration),
		conns:   make(map[uint64]*Conn),
		started: make(chan error, 1),
		stopped: make(chan struct{}),
	}
}

// NewPool creates a worker pool owned by the server: Shutdown drains and
// stops it.
func (s *Server) NewPool(name string, workers, queueSize int) *WorkerPool {
	p := NewWorkerPool(name, workers, queueSize)
	s.pools = append(s.pools, p)
	return p
}

// Register routes code to p. With a nil pool p runs on the event loop and
// must not block; otherwise it runs on the pool. Call before Start.
func (s *Server) Register(code requestcode.RequestCode, p Processor, pool *WorkerPool) {
	s.table[int32(code)] = registration{p, pool}
}

// RegisterDefault routes every code without its own registration to p
// (Java registerDefaultProcessor). Without one, unknown codes are answered
// REQUEST_CODE_NOT_SUPPORTED.
func (s *Server) RegisterDefault(p Processor, pool *WorkerPool) {
	s.fallback = &registration{p, pool}
}

// Start listens and serves in the background; it returns once the listener
// is bound, or with the bind error.
func (s *Server) Start() error {
	opts := []gnet.Option{
		gnet.WithReuseAddr(true),
		gnet.WithTicker(true),
		gnet.WithTCPNoDelay(gnet.TCPNoDelay),
		gnet.WithLogger(s.log),
	}
	if s.cfg.SocketSendBuffer > 0 {
		opts = append(opts, gnet.WithSocketSendBuffer(s.cfg.SocketSendBuffer))
	}
	if s.cfg.SocketRecvBuffer > 0 {
		opts = append(opts, gnet.WithSocketRecvBuffer(s.cfg.SocketRecvBuffer))
	}
	if s.cfg.NumEventLoops > 0 {
		opts = append(opts, gnet.WithNumEventLoop(s.cfg.NumEventLoops))
	} else {
		opts = append(opts, gnet.WithMulticore(true))
	}
	go func() {
		defer close(s.stopped)
		err := gnet.Run(&handler{s: s}, "tcp://"+s.cfg.Addr, opts...)
		select {
		case s.started <- err: // failed before OnBoot
		default:
		}
		if err != nil {
			s.log.WithError(err).WithField("addr", s.cfg.Addr).Error("remoting server stopped")
		}
	}()
	if err := <-s.started; err != nil {
		return fmt.Errorf("remoting server listen %s: %w", s.cfg.Addr, err)
	}
	s.running.Store(true)
	s.log.WithField("addr", s.addr).Info("remoting server listening")
	return nil
}

// Addr is the bound "host:port" (the real port when Addr asked for 0).
func (s *Server) Addr() string { return s.addr }

// Shutdown stops accepting connections, waits (until ctx is done) for
// in-flight pooled requests and their replies, then closes every connection
// (flushing what is buffered) and stops the pools.
func (s *Server) Shutdown(ctx context.Context) error {
	if !s.running.Load() {
		return nil
	}
	if s.closing.Swap(true) {
		<-s.stopped
		return nil
	}
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for s.inflight.Load() > 0 {
		select {
		case <-ctx.Done():
			s.log.WithField("inflight", s.inflight.Load()).Warn("remoting server shutdown: gave up waiting for in-flight requests")
			goto stop
		case <-tick.C:
		}
	}
stop:
	// gnet's Stop polls every 500 ms; end it as soon as Run has returned.
	stopCtx, cancel := context.WithCancel(ctx)
	go func() {
		<-s.stopped
		cancel()
	}()
	err := s.engine.Stop(stopCtx)
	cancel()
	<-s.stopped
	for _, p := range s.pools {
		p.Stop()
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("remoting server shutdown: %w", err)
	}
	return nil
}

// Conns returns the open connections.
func (s *Server) Conns() []*Conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Conn, 0, len(s.conns))
	for _, c := range s.conns {
		out = append(out, c)
	}
	return out
}

func (s *Server) nextOpaque() int32 { return s.opaque.Add(1) }

// overHighWater reports (and logs) a connection whose unsent replies
// exceed the high-water mark: its peer is not reading. Runs on the
// connection's event loop; the caller closes the connection.
func (s *Server) overHighWater(c *Conn, gc gnet.Conn) bool {
	n := gc.OutboundBuffered()
	if n <= s.cfg.OutboundHighWater {
		return false
	}
	s.log.WithFields(logrus.Fields{"remote": c.remote, "buffered": n, "limit": s.cfg.OutboundHighWater}).
		Warn("closing connection: peer is not reading its replies")
	return true
}

// handler is the gnet event handler; it is unexported so the Server's API
// stays the lifecycle above.
type handler struct {
	gnet.BuiltinEventEngine
	s *Server
}

func (h *handler) OnBoot(eng gnet.Engine) gnet.Action {
	s := h.s
	s.engine = eng
	s.addr = s.cfg.Addr
	if fd, err := eng.Dup(); err == nil {
		if sa, err := syscall.Getsockname(fd); err == nil {
			switch a := sa.(type) {
			case *syscall.SockaddrInet4:
				s.addr = net.JoinHostPort(net.IP(a.Addr[:]).String(), strconv.Itoa(a.Port))
			case *syscall.SockaddrInet6:
				s.addr = net.JoinHostPort(net.IP(a.Addr[:]).String(), strconv.Itoa(a.Port))
			}
		}
		_ = syscall.Close(fd)
	}
	s.started <- nil
	return gnet.None
}

func (h *handler) OnOpen(gc gnet.Conn) ([]byte, gnet.Action) {
	s := h.s
	if s.closing.Load() {
		return nil, gnet.Close
	}
	c := &Conn{
		id:      s.connID.Add(1),
		remote:  gc.RemoteAddr().String(),
		gc:      gc,
		srv:     s,
		pending: make(map[int32]chan *codec.Command),
	}
	c.touch()
	gc.SetContext(c)
	s.mu.Lock()
	s.conns[c.id] = c
	s.mu.Unlock()
	s.log.WithFields(logrus.Fields{"remote": c.remote, "conn": c.id}).Debug("connection opened")
	if s.cfg.OnOpen != nil {
		s.cfg.OnOpen(c)
	}
	return nil, gnet.None
}

func (h *handler) OnClose(gc gnet.Conn, err error) gnet.Action {
	s := h.s
	c, ok := gc.Context().(*Conn)
	if !ok {
		return gnet.None
	}
	c.closed.Store(true)
	s.mu.Lock()
	delete(s.conns, c.id)
	s.mu.Unlock()
	c.failPending()
	fields := logrus.Fields{"remote": c.remote, "conn": c.id}
	if err != nil {
		s.log.WithFields(fields).WithError(err).Info("connection closed")
	} else {
		s.log.WithFields(fields).Debug("connection closed")
	}
	if s.cfg.OnClose != nil {
		s.cfg.OnClose(c, err)
	}
	return gnet.None
}

// OnTick closes idle connections (Java IdleStateHandler(0, 0, 120 s)).
func (h *handler) OnTick() (time.Duration, gnet.Action) {
	s := h.s
	idle := s.cfg.IdleTimeout
	cutoff := time.Now().Add(-idle).UnixNano()
	for _, c := range s.Conns() {
		if c.lastActive.Load() < cutoff {
			s.log.WithFields(logrus.Fields{"remote": c.remote, "conn": c.id, "idle": idle}).Info("closing idle connection")
			_ = c.Close()
		}
	}
	next := idle / 4
	if next > 10*time.Second {
		next = 10 * time.Second
	}
	if next < 10*time.Millisecond {
		next = 10 * time.Millisecond
	}
	return next, gnet.None
}

// OnTraffic decodes every whole frame buffered on the connection and
// dispatches it. Replies of processors that run on the event loop are
// collected and written with one write at the end.
func (h *handler) OnTraffic(gc gnet.Conn) gnet.Action {
	s := h.s
	c, ok := gc.Context().(*Conn)
	if !ok {
		return gnet.Close
	}
	c.touch()
	out := getBuf()
	defer putBuf(out)
	action := gnet.None
	for {
		n := gc.InboundBuffered()
		if n < 4 {
			break
		}
		prefix, _ := gc.Peek(4)
		size, err := codec.FrameLength(prefix, s.cfg.MaxFrameLength)
		if err != nil {
			// Java's decoder closes the channel too; the rest is never read.
			s.log.WithFields(logrus.Fields{"remote": c.remote, "conn": c.id}).WithError(err).Warn("closing connection: bad frame")
			action = gnet.Close
			break
		}
		if n < size {
			break
		}
		frame, _ := gc.Peek(size)
		cmd, err := codec.Decode(frame)
		_, _ = gc.Discard(size)
		if err != nil {
			s.log.WithFields(logrus.Fields{"remote": c.remote, "conn": c.id}).WithError(err).Warn("closing connection: undecodable frame")
			action = gnet.Close
			break
		}
		*out = s.dispatch(c, cmd, *out)
		// Flush as replies accumulate: a burst of small requests must not
		// build an unbounded reply batch before the high-water check.
		if len(*out) >= flushThreshold {
			if !s.flush(c, gc, out) {
				return gnet.Close
			}
		}
	}
	if len(*out) > 0 && !s.flush(c, gc, out) {
		return gnet.Close
	}
	return action
}

// flushThreshold is the size of batched inline replies that is written out
// before more requests of the same read are processed.
const flushThreshold = 64 << 10

// flush writes the batched replies and reports whether the connection may
// go on (false: write failed, or the peer is over the high-water mark).
func (s *Server) flush(c *Conn, gc gnet.Conn, out *[]byte) bool {
	_, err := gc.Write(*out)
	*out = (*out)[:0]
	if err != nil {
		return false
	}
	return !s.overHighWater(c, gc)
}

// dispatch runs one decoded command. Replies produced on the event loop are
// appended to out.
func (s *Server) dispatch(c *Conn, cmd *codec.Command, out []byte) []byte {
	if cmd.IsResponse() {
		if !c.complete(cmd) {
			s.log.WithFields(logrus.Fields{"remote": c.remote, "opaque": cmd.Opaque, "code": cmd.Code}).
				Debug("dropping a response nobody waits for")
		}
		return out
	}
	reg, ok := s.table[cmd.Code]
	if !ok {
		if s.fallback == nil {
			s.log.WithFields(logrus.Fields{"remote": c.remote, "code": cmd.Code}).Warn("request code not supported")
			resp := codec.NewResponse(cmd, int32(requestcode.RequestCodeNotSupported),
				" request type "+strconv.Itoa(int(cmd.Code))+" not supported")
			return s.appendReply(c, out, cmd, resp)
		}
		reg = *s.fallback
	}
	if reg.pool == nil {
		return s.appendReply(c, out, cmd, s.run(c, reg.p, cmd))
	}
	if s.closing.Load() {
		return s.appendReply(c, out, cmd, codec.NewResponse(cmd, int32(requestcode.SystemBusy),
			"[SHUTDOWN]server is shutting down"))
	}
	s.inflight.Add(1)
	task := func() {
		defer s.inflight.Add(-1)
		resp := s.run(c, reg.p, cmd)
		if resp != nil && !cmd.IsOneway() {
			s.prepareReply(cmd, resp)
			if err := c.Send(resp, nil); err != nil && !errors.Is(err, ErrConnClosed) {
				s.log.WithFields(logrus.Fields{"remote": c.remote, "code": cmd.Code}).WithError(err).Warn("reply not sent")
			}
		}
	}
	if !reg.pool.trySubmit(task) {
		s.inflight.Add(-1)
		s.log.WithFields(logrus.Fields{"remote": c.remote, "code": cmd.Code, "pool": reg.pool.name}).Warn("worker pool full, answering SYSTEM_BUSY")
		// Java answers this even for oneway requests.
		resp := codec.NewResponse(cmd, int32(requestcode.SystemBusy),
			"[OVERLOAD]system busy, start flow control for a while")
		return s.appendEncoded(c, out, cmd, resp)
	}
	return out
}

// run calls the processor, turning an error or a panic into SYSTEM_ERROR.
func (s *Server) run(c *Conn, p Processor, cmd *codec.Command) (resp *codec.Command) {
	defer func() {
		if r := recover(); r != nil {
			s.log.WithFields(logrus.Fields{"remote": c.remote, "code": cmd.Code, "panic": r}).
				Errorf("processor panicked\n%s", debug.Stack())
			resp = codec.NewResponse(cmd, int32(requestcode.SystemError), fmt.Sprintf("processor panic: %v", r))
		}
	}()
	resp, err := p.ProcessRequest(c, cmd)
	if err != nil {
		s.log.WithFields(logrus.Fields{"remote": c.remote, "code": cmd.Code}).WithError(err).Warn("processor failed")
		return codec.NewResponse(cmd, int32(requestcode.SystemError), err.Error())
	}
	return resp
}

// prepareReply makes resp the reply of req: same opaque, response bit, and
// the request's serialization (the Java 4.9.7 rule for processor replies).
func (s *Server) prepareReply(req, resp *codec.Command) {
	resp.Opaque = req.Opaque
	resp.Flag |= codec.FlagResponse
	resp.Serialize = req.Serialize
}

func (s *Server) appendReply(c *Conn, out []byte, req, resp *codec.Command) []byte {
	if resp == nil || req.IsOneway() {
		return out
	}
	return s.appendEncoded(c, out, req, resp)
}

func (s *Server) appendEncoded(c *Conn, out []byte, req, resp *codec.Command) []byte {
	s.prepareReply(req, resp)
	enc, err := codec.AppendFrame(out, resp)
	if err == nil {
		return enc
	}
	s.log.WithFields(logrus.Fields{"remote": c.remote, "code": req.Code}).WithError(err).Error("cannot encode reply")
	fallback := codec.NewResponse(req, int32(requestcode.SystemError), "encode reply: "+err.Error())
	enc, _ = codec.AppendFrame(out, fallback)
	return enc
}
