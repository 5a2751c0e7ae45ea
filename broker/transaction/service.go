// Package transaction keeps transactional messages moving: it writes the
// op records that mark half messages resolved and runs the check-back
// service that asks producers about half messages nobody resolved (Java
// TransactionalMessageServiceImpl, TransactionalMessageBridge,
// TransactionalMessageCheckService and DefaultTransactionalMessageCheckListener).
//
// Half messages themselves are parked by the send processor; the
// END_TRANSACTION processor commits or rolls them back and calls
// DeletePrepareMessage.
package transaction

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rocketgo/rocketgo/broker/client"
	"github.com/rocketgo/rocketgo/broker/offset"
	"github.com/rocketgo/rocketgo/broker/topicconfig"
	"github.com/rocketgo/rocketgo/store"
	"github.com/rocketgo/rocketgo/store/message"
	"github.com/sirupsen/logrus"
)

// Names the transaction machinery uses (TopicValidator, MixAll,
// TransactionalMessageUtil).
const (
	HalfTopic = topicconfig.TransHalfTopic
	OpTopic   = topicconfig.TransOpHalfTopic
	// Group is the internal consumer group whose offsets in
	// consumerOffset.json record how far the half and op queues are checked.
	Group = "CID_RMQ_SYS_TRANS"
	// RemoveTag is the TAGS of an op record: the half message is resolved.
	RemoveTag = "d"
)

// opProperties is the stored properties string of every op record: Java
// builds the op Message with WAIT=true and TAGS=d and serialises it before
// clearing WAIT, so both are stored, in HashMap order.
const opProperties = "WAIT\x01true\x02TAGS\x01d"

// Java's limits for one check round (TransactionalMessageServiceImpl).
const (
	maxProcessTime  = 60 * time.Second // MAX_PROCESS_TIME_LIMIT per queue
	opBatch         = 32               // op messages read per pull
	halfNullRetries = 1                // MAX_RETRY_COUNT_WHEN_HALF_NULL
	discardQueues   = 1                // TCMT_QUEUE_NUMS of TRANS_CHECK_MAX_TIME_TOPIC
)

// Config configures a Service. Store, Topics, Offsets and Producers are
// required.
type Config struct {
	Store     *store.Store
	Topics    *topicconfig.Manager
	Offsets   *offset.Manager
	Producers *client.ProducerManager
	// StoreHost is the broker's brokerIP1:listenPort, the born and store
	// host of op records (read when one is written: the port is known
	// only once the server listens).
	StoreHost func() message.Host

	// CheckInterval is transactionCheckInterval: the pause between check
	// rounds (Java default 60 s).
	CheckInterval time.Duration
	// Timeout is transactionTimeOut: a half message younger than this is
	// not checked yet (Java default 6 s).
	Timeout time.Duration
	// CheckMax is transactionCheckMax: after this many checks a half
	// message is discarded into TRANS_CHECK_MAX_TIME_TOPIC (Java 15).
	CheckMax int
	// FileReservedTime is fileReservedTime: a half message born longer ago
	// is discarded too, its commitlog is about to go.
	FileReservedTime time.Duration
	// MaxMessageSize bounds the bodies re-encoded (maxMessageSize).
	MaxMessageSize int

	Now    func() time.Time
	Logger logrus.FieldLogger
}

// Service writes op records and runs the periodic check of half messages.
// DeletePrepareMessage may be called from any goroutine; check rounds run
// one at a time on the goroutine Start launches (or in Check).
type Service struct {
	cfg    Config
	log    logrus.FieldLogger
	limits message.Limits
	opProp []byte

	bufs  sync.Pool     // *[]byte op record buffers
	rr    atomic.Uint32 // round-robin over a group's producer channels
	round sync.Mutex    // one check round at a time

	life    sync.Mutex
	cancel  context.CancelFunc
	done    chan struct{}
	stopped bool
}

// New validates cfg and returns a stopped service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Topics == nil || cfg.Offsets == nil || cfg.Producers == nil {
		return nil, errors.New("transaction: store, topics, offsets and producers are required")
	}
	if cfg.StoreHost == nil {
		cfg.StoreHost = func() message.Host { return message.Host{} }
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = logrus.StandardLogger()
	}
	if cfg.CheckInterval <= 0 {
		// Java would spin on a zero wait; fall back to its default.
		cfg.Logger.WithField("transactionCheckInterval", cfg.CheckInterval).Warn("non-positive check interval, using 60s")
		cfg.CheckInterval = 60 * time.Second
	}
	s := &Service{
		cfg:    cfg,
		log:    cfg.Logger,
		limits: message.Limits{MaxMessageBodySize: cfg.MaxMessageSize},
		opProp: []byte(opProperties),
	}
	s.bufs.New = func() any { b := make([]byte, 0, 256); return &b }
	return s, nil
}

// Start launches the check goroutine: a round every CheckInterval, the
// first one CheckInterval after the start (Java ServiceThread.waitForRunning
// then onWaitEnd). A master only: a slave's broker never calls Start.
func (s *Service) Start() {
	s.life.Lock()
	defer s.life.Unlock()
	if s.cancel != nil || s.stopped {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.done = cancel, make(chan struct{})
	go s.run(ctx, s.done)
	s.log.WithFields(logrus.Fields{"interval": s.cfg.CheckInterval, "timeout": s.cfg.Timeout, "checkMax": s.cfg.CheckMax}).
		Info("transaction check service started")
}

// Shutdown stops the check goroutine and waits for a running round to
// stop; safe when Start never ran, and more than once.
func (s *Service) Shutdown() {
	s.life.Lock()
	defer s.life.Unlock()
	s.stopped = true
	if s.cancel == nil {
		return
	}
	s.cancel()
	<-s.done
	s.cancel = nil
}

func (s *Service) run(ctx context.Context, done chan struct{}) {
	defer close(done)
	t := time.NewTimer(s.cfg.CheckInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.check(ctx)
		// The pause starts after the round, as Java's wait does.
		t.Reset(s.cfg.CheckInterval)
	}
}

// Check runs one check round now (tests, tools).
func (s *Service) Check() { s.check(context.Background()) }

// DeletePrepareMessage marks the half message at halfQueueOffset of half
// queue halfQueueID resolved by writing an op record to the op queue of
// the same id (TransactionalMessageBridge.addRemoveTagInTransactionOp): topic
// RMQ_SYS_TRANS_OP_HALF_TOPIC, TAGS d, body the half queue offset in
// decimal, born and store host the broker.
func (s *Service) DeletePrepareMessage(halfQueueID int32, halfQueueOffset int64) error {
	// The body is written first and the record behind it, in one
	// pooled buffer.
	bp := s.bufs.Get().(*[]byte)
	defer s.bufs.Put(bp)
	body := strconv.AppendInt((*bp)[:0], halfQueueOffset, 10)
	host := s.cfg.StoreHost()
	m := message.Message{
		QueueID:       halfQueueID,
		BornTimestamp: s.cfg.Now().UnixMilli(),
		BornHost:      host,
		StoreHost:     host,
		Body:          body,
		Topic:         OpTopic,
		Properties:    s.opProp,
	}
	buf, err := message.AppendRecord(body, &m)
	*bp = buf[:0]
	if err != nil {
		return fmt.Errorf("encode op record for half offset %d: %w", halfQueueOffset, err)
	}
	rec := buf[len(body):]
	// The op record keeps Java's WAIT=true, so it waits like a send; a
	// flush or slave timeout still stored it.
	if _, err := s.cfg.Store.Put(OpTopic, halfQueueID, rec); !store.Stored(err) {
		return fmt.Errorf("put op record for half offset %d: %w", halfQueueOffset, err)
	}
	return nil
}

// queueOffset is TransactionalMessageBridge.fetchConsumeOffset: the
// internal group's committed offset, else the queue's first offset.
func (s *Service) queueOffset(topic string, qid int32) int64 {
	if off := s.cfg.Offsets.Query(Group, topic, qid); off != -1 {
		return off
	}
	return s.cfg.Store.MinOffsetInQueue(topic, qid)
}

// commitOffset is TransactionalMessageBridge.updateConsumeOffset.
func (s *Service) commitOffset(topic string, qid int32, off int64) {
	s.cfg.Offsets.Commit(s.cfg.StoreHost().String(), Group, topic, qid, off)
}
