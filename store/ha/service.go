// Package ha is master/slave replication of the commitlog (Java HAService
// with its AcceptSocketService, GroupTransferService and HAClient, and
// HAConnection with its read and write services), speaking Java 4.9.7's
// wire protocol so a Go slave can follow a Java master and the other way
// round.
//
// The protocol is a plain TCP stream without remoting frames. The slave
// reports its commitlog end as an 8-byte big-endian offset; the master
// answers with frames of an 8-byte offset, a 4-byte size and that many raw
// commitlog bytes, which the slave appends verbatim at the same offset, so
// both commitlogs are byte-identical. A SYNC_MASTER put waits in one shared
// waiter list until some slave reported an offset past the put.
//
// The package knows nothing of the store: it reads the commitlog through
// Log and writes replicated bytes through Config.Append, so package store
// can own it without an import cycle.
package ha

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rocketgo/rocketgo/store/commitlog"
	"github.com/sirupsen/logrus"
)

// Errors of WaitReplicated. The put they answer is stored on the master
// either way; only its copy on a slave is in doubt.
var (
	// ErrFlushSlaveTimeout: no slave acknowledged the put within the slave
	// timeout (Java PutMessageStatus.FLUSH_SLAVE_TIMEOUT).
	ErrFlushSlaveTimeout = errors.New("ha: slave did not acknowledge in time (FLUSH_SLAVE_TIMEOUT)")
	// ErrSlaveNotAvailable: no slave is connected, or the best one is at
	// least FallbehindMax bytes behind (Java SLAVE_NOT_AVAILABLE).
	ErrSlaveNotAvailable = errors.New("ha: no slave available (SLAVE_NOT_AVAILABLE)")
)

// Log is the commitlog as replication sees it; *commitlog.CommitLog
// implements it.
type Log interface {
	// MaxOffset is one past the last written byte (what a slave reports,
	// and the bound a master checks reports against).
	MaxOffset() int64
	// ReadFrom returns the written bytes from off to the end of the file
	// holding off (Java CommitLog.getData); a master streams them
	// straight from the mapping.
	ReadFrom(off int64) (commitlog.View, bool)
}

// Config configures a Service; zero durations and sizes take Java's
// defaults (MessageStoreConfig).
type Config struct {
	Log Log
	// FileSize is mappedFileSizeCommitLog: a slave that reports 0 is
	// served from the start of the master's last file.
	FileSize int
	// ListenAddr is where masters accept slaves (haListenPort); "" runs no
	// listener. Port 0 picks a free port; Addr tells which.
	ListenAddr string
	// Slave runs the client that follows MasterAddr (brokerRole SLAVE).
	Slave bool
	// MasterAddr is the master's HA address (haMasterAddress); a slave
	// without one waits for SetMasterAddr.
	MasterAddr string
	// Append takes replicated bytes at off on a slave; it fails when off
	// is not End (Java DefaultMessageStore.appendToCommitLog).
	Append func(off int64, b []byte) error
	// End is how far a slave has received: what it reports and where the
	// master's next frame must start (Java getMaxPhyOffset). Default
	// Log.MaxOffset; the store adds the part of a record it holds back
	// until the record is whole.
	End func() int64

	HeartbeatInterval    time.Duration // haSendHeartbeatInterval, 5 s
	HousekeepingInterval time.Duration // haHousekeepingInterval, 20 s
	TransferBatchSize    int           // haTransferBatchSize, 32 KiB
	FallbehindMax        int64         // haSlaveFallbehindMax, 256 MiB
	// ReconnectInterval (Go only; Java's fixed 5 s) is how long a slave
	// waits after a failed connect, or after a connection that lasted
	// less than this, before dialing again.
	ReconnectInterval time.Duration
	// DialTimeout (Go only; Java's fixed 5 s) bounds a slave's connect.
	DialTimeout time.Duration

	Logger logrus.FieldLogger
}

// Defaults of Config, as Java's MessageStoreConfig.
const (
	DefaultHeartbeatInterval    = 5 * time.Second
	DefaultHousekeepingInterval = 20 * time.Second
	DefaultTransferBatchSize    = 32 * 1024
	DefaultFallbehindMax        = 256 << 20
	defaultReconnectInterval    = 5 * time.Second
	defaultDialTimeout          = 5 * time.Second
)

func (c *Config) fill() {
	if c.HeartbeatInterval <= 0 {
		c.HeartbeatInterval = DefaultHeartbeatInterval
	}
	if c.HousekeepingInterval <= 0 {
		c.HousekeepingInterval = DefaultHousekeepingInterval
	}
	if c.TransferBatchSize <= 0 {
		c.TransferBatchSize = DefaultTransferBatchSize
	}
	if c.FallbehindMax <= 0 {
		c.FallbehindMax = DefaultFallbehindMax
	}
	if c.ReconnectInterval <= 0 {
		c.ReconnectInterval = defaultReconnectInterval
	}
	if c.DialTimeout <= 0 {
		c.DialTimeout = defaultDialTimeout
	}
	if c.Logger == nil {
		c.Logger = logrus.StandardLogger()
	}
}

// Service is one store's replication: the master side (listener,
// connections, SYNC_MASTER waiters) and, on a slave, the client. Close
// stops every goroutine it started.
type Service struct {
	cfg Config
	log logrus.FieldLogger

	ln net.Listener

	// ack is the highest offset any slave reported (Java
	// push2SlaveMaxOffset); it never goes down, even when slaves leave.
	ack     atomic.Int64
	waiters waitList
	// data wakes connection writers when the commitlog grew.
	data signal

	mu     sync.Mutex
	conns  map[*conn]struct{}
	nconn  atomic.Int32
	closed bool

	client *client

	ctx    context.Context // cancelled by Close: stops dials
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

// New binds the listener when cfg.ListenAddr is set; Start begins
// accepting slaves and, when cfg.Slave, following the master.
func New(cfg Config) (*Service, error) {
	cfg.fill()
	if cfg.Log == nil || cfg.FileSize <= 0 {
		return nil, errors.New("ha: config needs Log and FileSize")
	}
	if cfg.Slave && cfg.Append == nil {
		return nil, errors.New("ha: a slave needs Append")
	}
	if cfg.End == nil {
		cfg.End = cfg.Log.MaxOffset
	}
	s := &Service{cfg: cfg, log: cfg.Logger.WithField("service", "ha"), conns: map[*conn]struct{}{}}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if cfg.ListenAddr != "" {
		ln, err := net.Listen("tcp", cfg.ListenAddr)
		if err != nil {
			s.cancel()
			return nil, fmt.Errorf("ha listen on %s: %w", cfg.ListenAddr, err)
		}
		s.ln = ln
	}
	if cfg.Slave {
		s.client = newClient(s, cfg.MasterAddr)
	}
	return s, nil
}

// Start runs the accept loop and the slave client. Call it once.
func (s *Service) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	if s.ln != nil {
		s.log.WithField("addr", s.ln.Addr().String()).Info("ha: accepting slaves")
		s.wg.Add(1)
		go s.accept()
	}
	if s.client != nil {
		s.wg.Add(1)
		go s.client.run()
	}
}

// Addr is the address the listener is bound to ("" without a listener).
func (s *Service) Addr() string {
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// SetMasterAddr points a slave at a (new) master HA address (Java
// HAClient.updateMasterAddress). Unlike Java, a changed address also drops
// the connection to the old master at once. It does nothing on a master.
func (s *Service) SetMasterAddr(addr string) {
	if s.client != nil {
		s.client.setAddr(addr)
	}
}

// MasterAddr is the address a slave follows ("" on a master or before one
// is known).
func (s *Service) MasterAddr() string {
	if s.client == nil {
		return ""
	}
	return s.client.current()
}

// AckOffset is the highest commitlog offset any slave acknowledged (Java
// push2SlaveMaxOffset).
func (s *Service) AckOffset() int64 { return s.ack.Load() }

// Connections is the number of connected slaves.
func (s *Service) Connections() int { return int(s.nconn.Load()) }

// MasterConnected reports whether a slave's client is connected to its
// master.
func (s *Service) MasterConnected() bool {
	return s.client != nil && s.client.connected()
}

// Notify tells connection writers that the commitlog grew. It is cheap
// when no writer waits: the store calls it after every append.
func (s *Service) Notify() { s.data.broadcast() }

// SlaveOK is Java HAService.isSlaveOK: some slave is connected and the
// acknowledged offset is less than FallbehindMax behind end.
func (s *Service) SlaveOK(end int64) bool {
	return s.nconn.Load() > 0 && end-s.ack.Load() < s.cfg.FallbehindMax
}

// WaitReplicated is the SYNC_MASTER wait (Java submitReplicaRequest and
// GroupTransferService): ErrSlaveNotAvailable at once unless SlaveOK(end);
// otherwise nil as soon as a slave acknowledged end, or
// ErrFlushSlaveTimeout at deadline. Waiters share one list that slave
// acknowledgements walk; no goroutine is started per call.
func (s *Service) WaitReplicated(end int64, deadline time.Time) error {
	if !s.SlaveOK(end) {
		return ErrSlaveNotAvailable
	}
	if s.ack.Load() >= end {
		return nil
	}
	w, ok := s.waiters.add(end)
	if !ok {
		return ErrFlushSlaveTimeout // closing
	}
	// An acknowledgement between the check above and add may have walked
	// the list before w was in it.
	if s.ack.Load() >= end {
		s.waiters.release(s.ack.Load())
	}
	return s.waiters.wait(w, deadline)
}

// acked records a slave's report (Java notifyTransferSome).
func (s *Service) acked(off int64) {
	for {
		cur := s.ack.Load()
		if off <= cur {
			return
		}
		if s.ack.CompareAndSwap(cur, off) {
			break
		}
	}
	s.waiters.release(off)
}

// Close stops the listener, drops every connection, stops the client,
// answers every waiter with ErrFlushSlaveTimeout and waits for all
// goroutines.
func (s *Service) Close() error {
	s.once.Do(func() {
		s.cancel()
		s.mu.Lock()
		s.closed = true
		conns := make([]*conn, 0, len(s.conns))
		for c := range s.conns {
			conns = append(conns, c)
		}
		s.mu.Unlock()
		if s.ln != nil {
			_ = s.ln.Close()
		}
		for _, c := range conns {
			c.shutdown("ha service closing")
		}
		if s.client != nil {
			s.client.stop()
		}
		s.waiters.closeAll()
		s.wg.Wait()
	})
	return nil
}

func (s *Service) stopping() bool { return s.ctx.Err() != nil }
