// Package namesrv is rocketgo's NameServer: the route table brokers
// register with and clients look topics up in, speaking Java RocketMQ
// 4.9.7's remoting protocol (DefaultRequestProcessor, RouteInfoManager,
// KVConfigManager).
package namesrv

import (
	"context"
	"errors"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/sirupsen/logrus"
)

// Server is one NameServer. Several run independently; brokers register
// with each.
type Server struct {
	log logrus.FieldLogger
	now func() time.Time

	cfgMu        sync.RWMutex
	cfg          Config
	orderEnabled atomic.Bool // cfg.OrderMessageEnable, read on the hot path

	routes *RouteInfo
	kv     *KVConfig

	remoting *remoting.Server
	handlers map[requestcode.RequestCode]handler

	stop     chan struct{}
	wg       sync.WaitGroup
	started  atomic.Bool
	shutOnce sync.Once
}

// handler answers one request code. It returns the response, or an error
// the remoting layer turns into SYSTEM_ERROR with the error text as remark.
type handler func(c Channel, req *codec.Command) (*codec.Command, error)

// New returns a NameServer that is not listening yet.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = logrus.StandardLogger()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.BrokerExpiry <= 0 {
		cfg.BrokerExpiry = 120 * time.Second
	}
	if cfg.ScanInterval <= 0 {
		cfg.ScanInterval = 10 * time.Second
	}
	if cfg.ServerWorkerThreads <= 0 {
		cfg.ServerWorkerThreads = 8
	}
	s := &Server{
		log:  cfg.Logger,
		now:  cfg.Now,
		cfg:  cfg,
		stop: make(chan struct{}),
	}
	s.orderEnabled.Store(cfg.OrderMessageEnable)
	s.routes = NewRouteInfo(cfg.Logger, cfg.Now, cfg.BrokerExpiry)
	s.kv = NewKVConfig(cfg.KvConfigPath, cfg.Logger)
	s.handlers = map[requestcode.RequestCode]handler{}
	s.registerBrokerHandlers()
	s.registerRouteHandlers()
	s.registerKVHandlers()
	s.registerConfigHandlers()
	return s
}

// Routes exposes the route table (for tools and tests).
func (s *Server) Routes() *RouteInfo { return s.routes }

// KV exposes the KV store.
func (s *Server) KV() *KVConfig { return s.kv }

// Config returns a copy of the current configuration.
func (s *Server) Config() Config {
	s.cfgMu.RLock()
	defer s.cfgMu.RUnlock()
	return s.cfg
}

// readOnly codes run on the event loop: they take only read locks held
// for microseconds. Everything else (registration bodies to decode, files
// to write) runs on the worker pool.
var readOnly = map[requestcode.RequestCode]bool{
	requestcode.GetRouteinfoByTopic:           true,
	requestcode.GetBrokerClusterInfo:          true,
	requestcode.GetAllTopicListFromNameserver: true,
	requestcode.GetTopicsByCluster:            true,
	requestcode.GetSystemTopicListFromNs:      true,
	requestcode.GetUnitTopicList:              true,
	requestcode.GetHasUnitSubTopicList:        true,
	requestcode.GetHasUnitSubUnunitTopicList:  true,
	requestcode.GetKvConfig:                   true,
	requestcode.GetKvlistByNamespace:          true,
	requestcode.GetNamesrvConfig:              true,
}

// Start loads kvConfig.json, listens, and starts the broker expiry scan.
func (s *Server) Start() error {
	if !s.started.CompareAndSwap(false, true) {
		return errors.New("namesrv: already started")
	}
	if err := s.kv.Load(); err != nil {
		return err
	}
	cfg := s.Config()
	addr := cfg.ListenAddr
	if addr == "" {
		addr = net.JoinHostPort("0.0.0.0", strconv.Itoa(cfg.ListenPort))
	}
	s.remoting = remoting.NewServer(remoting.ServerConfig{
		Addr:          addr,
		NumEventLoops: cfg.ServerSelectorThreads,
		IdleTimeout:   time.Duration(cfg.ServerChannelMaxIdleTimeSeconds) * time.Second,
		Logger:        s.log,
		// Java BrokerHousekeepingService: a closed broker connection
		// removes that broker at once.
		OnClose: func(c *remoting.Conn, _ error) { s.routes.OnChannelDestroy(c.RemoteAddr(), c) },
	})
	pool := s.remoting.NewPool("namesrv-default", cfg.ServerWorkerThreads, 10000)
	for code, h := range s.handlers {
		h := h
		p := remoting.ProcessorFunc(func(c *remoting.Conn, req *codec.Command) (*codec.Command, error) {
			var ch Channel
			if c != nil {
				ch = c
			}
			return h(ch, req)
		})
		if readOnly[code] {
			s.remoting.Register(code, p, nil)
		} else {
			s.remoting.Register(code, p, pool)
		}
	}
	// No default processor: unknown codes are answered
	// REQUEST_CODE_NOT_SUPPORTED by the remoting layer. Java 4.9.7's
	// NameServer sends no reply at all (its processor returns null), which
	// leaves the caller to time out; answering is deliberately better and
	// is what 5.x does.
	if err := s.remoting.Start(); err != nil {
		return err
	}
	s.wg.Add(1)
	go s.scanLoop(cfg.ScanInterval)
	s.log.WithField("addr", s.remoting.Addr()).Info("name server started")
	return nil
}

// Addr returns the listen address once started.
func (s *Server) Addr() string { return s.remoting.Addr() }

// scanLoop runs the broker expiry scan: first after half an interval (Java:
// 5 s), then every interval (10 s).
func (s *Server) scanLoop(interval time.Duration) {
	defer s.wg.Done()
	t := time.NewTimer(interval / 2)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			if n := s.routes.ScanNotActiveBroker(); n > 0 {
				s.log.WithField("removed", n).Info("expired brokers removed")
			}
			t.Reset(interval)
		}
	}
}

// Shutdown stops the scan and the remoting server (draining in-flight
// requests until ctx ends).
func (s *Server) Shutdown(ctx context.Context) error {
	var err error
	s.shutOnce.Do(func() {
		close(s.stop)
		s.wg.Wait()
		if s.remoting != nil {
			err = s.remoting.Shutdown(ctx)
		}
		s.log.Info("name server stopped")
	})
	return err
}

// Handle runs the handler of req.Code directly, without a connection, as
// the remoting layer would (an error becomes SYSTEM_ERROR). Unknown codes
// get REQUEST_CODE_NOT_SUPPORTED. Used by tests and embedding.
func (s *Server) Handle(ch Channel, req *codec.Command) *codec.Command {
	h, ok := s.handlers[requestcode.RequestCode(req.Code)]
	if !ok {
		return codec.NewResponse(req, int32(requestcode.RequestCodeNotSupported),
			" request type "+strconv.Itoa(int(req.Code))+" not supported")
	}
	resp, err := h(ch, req)
	if err != nil {
		return codec.NewResponse(req, int32(requestcode.SystemError), err.Error())
	}
	return resp
}
