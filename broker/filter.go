package broker

// This file wires SQL92 property filters (Java ConsumerFilterManager, ExpressionMessageFilter) into the broker.

import (
	"time"

	"github.com/rocketgo/rocketgo/broker/consumerfilter"
	"github.com/rocketgo/rocketgo/broker/processor"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
)

// filterSweepEvery is how often filter data of groups that stopped
// subscribing is marked dead and, after filterDataCleanTimeSpan, dropped
// (Java cleans when it persists consumerFilter.json, every 10 s).
const filterSweepEvery = 10 * time.Second

// filterFeature is the SQL92 filter state the broker owns: the compiled
// subscriptions and the goroutine that ages them out.
type filterFeature struct {
	filters *consumerfilter.Manager
	stop    chan struct{}
	done    chan struct{}
}

// registerFilter creates the filter table, hands it to the pull processor
// and registers CHECK_CLIENT_CONFIG on the client-management pool, where
// Java's ClientManageProcessor runs it.
func (b *Broker) registerFilter(p pools) error {
	f := &filterFeature{filters: consumerfilter.New(consumerfilter.Config{
		CleanAfter: time.Duration(b.cfg.Broker.FilterDataCleanTimeSpan) * time.Millisecond,
		Logger:     b.log,
	})}
	b.filter = f
	b.pull.UseFilters(f.filters)
	b.server.Register(requestcode.CheckClientConfig, processor.NewCheckClientConfig(b.env, f.filters), p.client)
	return nil
}

// startFilter starts the sweep of filter data whose group no longer
// subscribes to the topic.
func (b *Broker) startFilter() error {
	f := b.filter
	if f == nil {
		return nil
	}
	f.stop, f.done = make(chan struct{}), make(chan struct{})
	subscribed := func(group, topic string) bool {
		_, ok := b.consumers.Subscription(group, topic)
		return ok
	}
	go func() {
		defer close(f.done)
		t := time.NewTicker(filterSweepEvery)
		defer t.Stop()
		for {
			select {
			case <-f.stop:
				return
			case <-t.C:
				f.filters.Sweep(subscribed)
			}
		}
	}()
	return nil
}

// stopFilter stops the sweep; safe when startFilter never ran.
func (b *Broker) stopFilter() {
	if f := b.filter; f != nil && f.stop != nil {
		close(f.stop)
		<-f.done
		f.stop = nil
	}
}
