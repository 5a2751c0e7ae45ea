package broker

// This file wires transactional messages (Java EndTransactionProcessor, TransactionalMessageCheckService) into the broker.

import (
	"fmt"
	"time"

	"github.com/rocketgo/rocketgo/broker/config"
	"github.com/rocketgo/rocketgo/broker/processor"
	"github.com/rocketgo/rocketgo/broker/transaction"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/store/message"
)

// transactionFeature holds the transaction check service; the
// END_TRANSACTION processor shares it to write op records.
type transactionFeature struct {
	svc *transaction.Service
}

// registerTransaction registers END_TRANSACTION on its own pool, as Java's
// endTransactionExecutor, and builds the check service it writes op
// records through.
func (b *Broker) registerTransaction(p pools) error {
	c := &b.cfg
	svc, err := transaction.New(transaction.Config{
		Store:     b.store,
		Topics:    b.topics,
		Offsets:   b.offsets,
		Producers: b.producers,
		// The port is known once the server listens; the service reads
		// the host when it writes.
		StoreHost:        func() message.Host { return b.env.StoreHost },
		CheckInterval:    time.Duration(c.Broker.TransactionCheckInterval) * time.Millisecond,
		Timeout:          time.Duration(c.Broker.TransactionTimeOut) * time.Millisecond,
		CheckMax:         c.Broker.TransactionCheckMax,
		FileReservedTime: time.Duration(c.Store.FileReservedTime) * time.Hour,
		MaxMessageSize:   c.Store.MaxMessageSize,
		Logger:           b.log.WithField("component", "transaction"),
	})
	if err != nil {
		return fmt.Errorf("transaction service: %w", err)
	}
	b.transaction = &transactionFeature{svc: svc}
	pool := b.server.NewPool("endTransaction", max(c.Broker.EndTransactionThreadPoolNums, 1), max(c.Broker.EndTransactionPoolQueueCapacity, 1))
	b.server.Register(requestcode.EndTransaction, processor.NewEndTransaction(b.env, svc), pool)
	return nil
}

// startTransaction starts the check service on a master (Java starts it
// only when the role is not SLAVE).
func (b *Broker) startTransaction() error {
	if b.transaction == nil || b.cfg.Store.BrokerRole == config.Slave {
		return nil
	}
	b.transaction.svc.Start()
	return nil
}

// stopTransaction stops the check service before the store closes.
func (b *Broker) stopTransaction() {
	if b.transaction != nil {
		b.transaction.svc.Shutdown()
	}
}
