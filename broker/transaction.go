package broker

// This file wires transactional messages (Java EndTransactionProcessor, TransactionalMessageCheckService) into the broker.

// registerTransaction registers the feature's request processors.
func (b *Broker) registerTransaction(p pools) error { return nil }

// startTransaction starts the feature's services (after the store is open).
func (b *Broker) startTransaction() error { return nil }

// stopTransaction stops the feature's services (before the store closes).
func (b *Broker) stopTransaction() {}
