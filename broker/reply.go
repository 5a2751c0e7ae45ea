package broker

// This file wires request/reply (Java ReplyMessageProcessor) into the broker.

import (
	"context"

	"github.com/rocketgo/rocketgo/broker/processor"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
)

// replyFeature is the request/reply state the broker owns: the context
// that bounds pushes of reply messages to requesting clients.
type replyFeature struct {
	cancel context.CancelFunc
}

// registerReply registers SEND_REPLY_MESSAGE and SEND_REPLY_MESSAGE_V2 on
// their own pool, as Java's BrokerController does with its
// replyMessageExecutor (processReplyMessageThreadPoolNums workers, a queue
// of replyThreadPoolQueueCapacity). A reply blocks its worker while the
// requester acknowledges the push (up to 10 s), so sharing the send pool
// would let slow requesters stall ordinary sends.
func (b *Broker) registerReply(p pools) error {
	c := &b.cfg.Broker
	ctx, cancel := context.WithCancel(context.Background())
	b.reply = &replyFeature{cancel: cancel}
	pool := b.server.NewPool("reply", max(c.ProcessReplyMessageThreadPoolNums, 1), max(c.ReplyThreadPoolQueueCapacity, 1))
	rp := processor.NewReply(b.env, processor.ReplyConfig{Context: ctx})
	b.server.Register(requestcode.SendReplyMessage, rp, pool)
	b.server.Register(requestcode.SendReplyMessageV2, rp, pool)
	return nil
}

// startReply has nothing to start: the reply topic is created with the
// other system topics when the topic table loads.
func (b *Broker) startReply() error { return nil }

// stopReply makes pushes still waiting for a requester give up, so the
// server's pools drain promptly. Safe when registerReply never ran.
func (b *Broker) stopReply() {
	if b.reply != nil {
		b.reply.cancel()
	}
}
