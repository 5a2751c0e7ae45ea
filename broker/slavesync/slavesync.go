// Package slavesync copies a master broker's metadata to its slave (Java
// broker/slave/SlaveSynchronize with the getAll* calls of BrokerOuterAPI).
//
// The HA stream carries only commitlog bytes; topics.json,
// consumerOffset.json, delayOffset.json and subscriptionGroup.json stay
// behind on the master. A slave therefore asks its master for all four
// every ten seconds over the ordinary remoting port and installs what it
// gets: topic and subscription-group tables are replaced when their data
// version differs, consumer offsets are merged key by key, and the delay
// offsets are written to the slave's delayOffset.json as they came.
package slavesync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/rocketgo/rocketgo/store/configfile"
	"github.com/sirupsen/logrus"
)

// Invoker is the remoting call the syncer needs; *remoting.Client has it.
type Invoker interface {
	Invoke(ctx context.Context, addr string, req *codec.Command) (*codec.Command, error)
}

// TopicSink takes a master's topic table (*topicconfig.Manager).
type TopicSink interface {
	SyncFrom(w *body.TopicConfigSerializeWrapper) (bool, error)
}

// OffsetSink takes a master's consumer offsets (*offset.Manager).
type OffsetSink interface {
	SyncFrom(w *body.ConsumerOffsetSerializeWrapper) error
}

// GroupSink takes a master's subscription groups (*subscription.Manager).
type GroupSink interface {
	SyncFrom(w *body.SubscriptionGroupWrapper) (bool, error)
}

// Config configures a Syncer.
type Config struct {
	Client  Invoker
	Topics  TopicSink
	Offsets OffsetSink
	Groups  GroupSink
	// DelayOffsetPath is the slave's delayOffset.json.
	DelayOffsetPath string
	// SelfAddr is the slave's own broker address: Java never syncs from
	// itself (a master address equal to it is ignored).
	SelfAddr string
	// Timeout bounds each call (Java BrokerOuterAPI: 3 s).
	Timeout time.Duration
	Logger  logrus.FieldLogger
}

// DefaultTimeout is BrokerOuterAPI's timeout for the getAll* calls.
const DefaultTimeout = 3 * time.Second

// Syncer is one slave's SlaveSynchronize. Its master address comes from
// the NameServer's registration reply; with none, SyncAll does nothing.
type Syncer struct {
	cfg Config
	log logrus.FieldLogger

	mu     sync.Mutex
	master string
}

// New returns a syncer with no master address yet.
func New(cfg Config) *Syncer {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = logrus.StandardLogger()
	}
	return &Syncer{cfg: cfg, log: cfg.Logger.WithField("service", "slaveSync")}
}

// SetMasterAddr sets the master's broker address ("" stops syncing), as
// the broker does after every registration (Java setMasterAddr).
func (s *Syncer) SetMasterAddr(addr string) {
	s.mu.Lock()
	old := s.master
	s.master = addr
	s.mu.Unlock()
	if old != addr {
		s.log.WithFields(logrus.Fields{"old": old, "new": addr}).Info("slave sync: master address changed")
	}
}

// MasterAddr is the address SyncAll reads from.
func (s *Syncer) MasterAddr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.master
}

// SyncAll fetches and installs topics, consumer offsets, delay offsets and
// subscription groups, in Java's order. One failing part does not stop the
// others; the error joins every failure.
func (s *Syncer) SyncAll(ctx context.Context) error {
	master := s.MasterAddr()
	if master == "" || master == s.cfg.SelfAddr {
		return nil
	}
	var errs []error
	for _, part := range []struct {
		name string
		run  func(context.Context, string) error
	}{
		{"topic config", s.syncTopics},
		{"consumer offset", s.syncOffsets},
		{"delay offset", s.syncDelayOffsets},
		{"subscription group", s.syncGroups},
	} {
		if err := part.run(ctx, master); err != nil {
			s.log.WithFields(logrus.Fields{"master": master, "part": part.name}).WithError(err).Warn("slave sync failed")
			errs = append(errs, fmt.Errorf("sync %s from %s: %w", part.name, master, err))
		}
	}
	return errors.Join(errs...)
}

// fetch runs one getAll* call and returns the body of a SUCCESS reply.
func (s *Syncer) fetch(ctx context.Context, master string, code requestcode.RequestCode) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	resp, err := s.cfg.Client.Invoke(ctx, master, codec.NewRequest(int32(code), 0))
	if err != nil {
		return nil, err
	}
	if resp.Code != int32(requestcode.Success) {
		return nil, fmt.Errorf("CODE: %d DESC: %s", resp.Code, resp.Remark)
	}
	return resp.Body, nil
}

func (s *Syncer) syncTopics(ctx context.Context, master string) error {
	data, err := s.fetch(ctx, master, requestcode.GetAllTopicConfig)
	if err != nil {
		return err
	}
	w, err := body.DecodeTopicConfigSerializeWrapper(data)
	if err != nil {
		return err
	}
	changed, err := s.cfg.Topics.SyncFrom(w)
	if changed && err == nil {
		s.log.WithField("master", master).Info("slave topic config updated from the master")
	}
	return err
}

func (s *Syncer) syncOffsets(ctx context.Context, master string) error {
	data, err := s.fetch(ctx, master, requestcode.GetAllConsumerOffset)
	if err != nil {
		return err
	}
	w, err := body.DecodeConsumerOffsetSerializeWrapper(data)
	if err != nil {
		return err
	}
	return s.cfg.Offsets.SyncFrom(w)
}

// syncDelayOffsets stores the master's delay offsets as they came (Java
// writes the string unchanged), once they parse: a slave promoted later
// loads that file, and garbage there would stop its schedule service.
func (s *Syncer) syncDelayOffsets(ctx context.Context, master string) error {
	data, err := s.fetch(ctx, master, requestcode.GetAllDelayOffset)
	if err != nil {
		return err
	}
	if len(data) == 0 {
		return nil // Java writes nothing for a null body
	}
	if _, err := body.DecodeDelayOffsetSerializeWrapper(data); err != nil {
		return err
	}
	if cur, err := os.ReadFile(s.cfg.DelayOffsetPath); err == nil && bytes.Equal(cur, data) {
		return nil // unchanged: spare the fsyncs every ten seconds
	}
	if err := configfile.Write(s.cfg.DelayOffsetPath, data); err != nil {
		return fmt.Errorf("write %s: %w", s.cfg.DelayOffsetPath, err)
	}
	return nil
}

func (s *Syncer) syncGroups(ctx context.Context, master string) error {
	data, err := s.fetch(ctx, master, requestcode.GetAllSubscriptiongroupConfig)
	if err != nil {
		return err
	}
	w, err := body.DecodeSubscriptionGroupWrapper(data)
	if err != nil {
		return err
	}
	changed, err := s.cfg.Groups.SyncFrom(w)
	if changed && err == nil {
		s.log.WithField("master", master).Info("slave subscription groups updated from the master")
	}
	return err
}
