package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rocketgo/rocketgo/store/consumequeue"
)

// DeleteTopic drops every consume queue of topic and removes its
// directory (Java cleanUnusedTopic for one deleted topic). Messages stay in
// the commitlog until retention removes them; a later send to the same
// topic starts new queues where the old ones ended.
func (s *Store) DeleteTopic(topic string) error {
	if topic == "" || topic == "." || topic == ".." || filepath.Base(topic) != topic {
		return fmt.Errorf("delete topic %q: not a topic name", topic)
	}
	s.qmu.Lock()
	var dropped []*consumequeue.Queue
	for k, q := range s.queues {
		if k.topic == topic {
			delete(s.queues, k)
			dropped = append(dropped, q)
		}
	}
	s.qmu.Unlock()
	// The dispatcher drops its cached queue before the queues close.
	s.queueGen.Add(1)
	var errs []error
	for _, q := range dropped {
		errs = append(errs, q.Close())
	}
	if err := os.RemoveAll(filepath.Join(s.cfg.StorePathRootDir, "consumequeue", topic)); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("delete topic %s: %w", topic, err)
	}
	s.log.WithField("topic", topic).Info("deleted the topic's consume queues")
	return nil
}

// DispatchBehindBytes is how far the dispatcher trails the commitlog end.
func (s *Store) DispatchBehindBytes() int64 { return s.cl.MaxOffset() - s.reput.offset() }

// DiskUsage is the used fraction of the commitlog's partition.
func (s *Store) DiskUsage() (float64, error) { return s.cfg.DiskUsage(s.cfg.StorePathCommitLog) }
