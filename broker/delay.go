package broker

// This file wires delay messages and consumer send-back (Java ScheduleMessageService, SendMessageProcessor.consumerSendMsgBack) into the broker.

import (
	"path/filepath"
	"time"

	"github.com/rocketgo/rocketgo/broker/config"
	"github.com/rocketgo/rocketgo/broker/processor"
	"github.com/rocketgo/rocketgo/broker/schedule"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
)

// delayFeature is the broker's delay-message state: the schedule service
// that moves due messages from SCHEDULE_TOPIC_XXXX to their real topic
// (nil on a slave, which Java never runs it on).
type delayFeature struct {
	sched *schedule.Service
}

// registerDelay registers the feature's request processors.
// CONSUMER_SEND_MSG_BACK runs on the send pool, as in Java.
func (b *Broker) registerDelay(p pools) error {
	b.server.Register(requestcode.ConsumerSendMsgBack, processor.NewSendBack(b.env), p.send)
	return nil
}

// startDelay starts the feature's services (after the store is open).
func (b *Broker) startDelay() error {
	b.delay = &delayFeature{}
	if b.cfg.Store.BrokerRole == config.Slave {
		return nil
	}
	svc, err := schedule.New(schedule.Config{
		Store:          b.store,
		Levels:         b.store.DelayLevels(),
		Path:           filepath.Join(b.cfg.Store.StorePathRootDir, "config", "delayOffset.json"),
		FlushInterval:  time.Duration(b.cfg.Store.FlushDelayOffsetInterval) * time.Millisecond,
		MaxMessageSize: b.cfg.Store.MaxMessageSize,
		Logger:         b.log,
	})
	if err != nil {
		return err
	}
	svc.Start()
	b.delay.sched = svc
	return nil
}

// stopDelay stops the feature's services (before the store closes).
func (b *Broker) stopDelay() {
	if b.delay == nil || b.delay.sched == nil {
		return
	}
	if err := b.delay.sched.Shutdown(); err != nil {
		b.log.WithError(err).Error("stop the schedule service")
	}
}
