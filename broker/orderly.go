package broker

import (
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rocketgo/rocketgo/broker/processor"
	"github.com/rocketgo/rocketgo/broker/rebalancelock"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/sirupsen/logrus"
)

// This file wires orderly consumption's queue locks (Java RebalanceLockManager) and message queries into the broker.

// lockMaxLiveTimeEnv is the environment variable that stands in for Java's
// JVM system property rocketmq.broker.rebalance.lockMaxLiveTime (ms, 60000
// by default): the same name upper-cased with '.' as '_', as Java itself
// pairs rocketmq.serialize.type with ROCKETMQ_SERIALIZE_TYPE. It is not a
// broker.conf key in Java, so it is not one here.
const lockMaxLiveTimeEnv = "ROCKETMQ_BROKER_REBALANCE_LOCKMAXLIVETIME"

// orderlyFeature is the state of orderly consumption and queries: the
// in-memory lock table (Java keeps it in memory only too, so a restart
// frees every lock).
type orderlyFeature struct {
	locks *rebalancelock.Manager
}

// registerOrderly registers LOCK_BATCH_MQ and UNLOCK_BATCH_MQ on the admin
// pool (Java routes them to AdminBrokerProcessor, the default processor on
// the admin executor) and QUERY_MESSAGE and VIEW_MESSAGE_BY_ID on a query
// pool of queryMessageThreadPoolNums workers and
// queryThreadPoolQueueCapacity slots (Java's queryMessageExecutor).
func (b *Broker) registerOrderly(p pools) error {
	b.orderly = &orderlyFeature{locks: rebalancelock.New(rebalancelock.Config{
		MaxLiveTime: lockMaxLiveTime(b.log), Logger: b.log.WithField("component", "rebalanceLock"),
	})}
	locks := processor.NewRebalanceLock(b.env, b.orderly.locks)
	b.server.Register(requestcode.LockBatchMq, locks, p.admin)
	b.server.Register(requestcode.UnlockBatchMq, locks, p.admin)

	c := &b.cfg
	queryPool := b.server.NewPool("query", max(c.Broker.QueryMessageThreadPoolNums, 1), max(c.Broker.QueryThreadPoolQueueCapacity, 1))
	query := processor.NewQueryMessage(b.env, processor.QueryConfig{
		MaxMsgsNumBatch: c.Store.MaxMsgsNumBatch, DefaultQueryMaxNum: c.Store.DefaultQueryMaxNum,
	})
	b.server.Register(requestcode.QueryMessage, query, queryPool)
	b.server.Register(requestcode.ViewMessageById, query, queryPool)
	return nil
}

// lockMaxLiveTime reads lockMaxLiveTimeEnv; unset, empty or invalid
// (logged) gives Java's 60 s.
func lockMaxLiveTime(log logrus.FieldLogger) time.Duration {
	v := strings.TrimSpace(os.Getenv(lockMaxLiveTimeEnv))
	if v == "" {
		return rebalancelock.DefaultMaxLiveTime
	}
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil || ms <= 0 {
		log.WithFields(logrus.Fields{"env": lockMaxLiveTimeEnv, "value": v}).
			Warn("rebalance lock lifetime is not a positive number of milliseconds, using 60000")
		return rebalancelock.DefaultMaxLiveTime
	}
	return time.Duration(ms) * time.Millisecond
}

// startOrderly has nothing to start: the lock table needs no background
// work (expired locks are taken over on the next lock request, as in Java).
func (b *Broker) startOrderly() error { return nil }

// stopOrderly has nothing to stop.
func (b *Broker) stopOrderly() {}
