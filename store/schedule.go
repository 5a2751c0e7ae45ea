package store

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/rocketgo/rocketgo/store/message"
)

// ScheduleTopic holds delayed messages until their delivery time (Java
// TopicValidator.RMQ_SYS_SCHEDULE_TOPIC); queue id = delay level - 1.
const ScheduleTopic = "SCHEDULE_TOPIC_XXXX"

// DefaultMessageDelayLevel is Java's default messageDelayLevel.
const DefaultMessageDelayLevel = "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h"

// DelayLevels is the delay in milliseconds of each level, level 1 first
// (Java ScheduleMessageService.delayLevelTable).
type DelayLevels []int64

// ParseDelayLevels parses a messageDelayLevel value the way Java's
// ScheduleMessageService.parseDelayLevel does: items split on single
// spaces (trailing empty items dropped, as String.split does), each a
// signed decimal count followed by one unit letter s, m, h or d. Anything
// else is an error; Java then fails to load the store, so Open fails too.
func ParseDelayLevels(s string) (DelayLevels, error) {
	items := strings.Split(s, " ")
	if s != "" { // "".split(" ") is [""] in Java: an error below
		for len(items) > 0 && items[len(items)-1] == "" {
			items = items[:len(items)-1]
		}
	}
	levels := make(DelayLevels, 0, len(items))
	for i, item := range items {
		if item == "" {
			return nil, fmt.Errorf("messageDelayLevel %q: level %d is empty", s, i+1)
		}
		var unit int64
		switch item[len(item)-1] {
		case 's':
			unit = 1000
		case 'm':
			unit = 60 * 1000
		case 'h':
			unit = 60 * 60 * 1000
		case 'd':
			unit = 24 * 60 * 60 * 1000
		default:
			return nil, fmt.Errorf("messageDelayLevel %q: level %d (%q) has no unit s/m/h/d", s, i+1, item)
		}
		n, err := strconv.ParseInt(item[:len(item)-1], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("messageDelayLevel %q: level %d (%q): %w", s, i+1, item, err)
		}
		levels = append(levels, n*unit) // wraps on overflow like Java's long
	}
	return levels, nil
}

// Max is the highest level (Java maxDelayLevel).
func (d DelayLevels) Max() int { return len(d) }

// DeliverTimestamp is Java computeDeliverTimestamp: the store time plus the
// level's delay, or plus one second for a level without an entry.
func (d DelayLevels) DeliverTimestamp(level int, storeTimestamp int64) int64 {
	if level >= 1 && level <= len(d) {
		return storeTimestamp + d[level-1]
	}
	return storeTimestamp + 1000
}

// DelayLevels returns the store's parsed messageDelayLevel.
func (s *Store) DelayLevels() DelayLevels { return s.delay }

// scheduleTagsCode is the consume queue tags code of a SCHEDULE_TOPIC_XXXX
// record, as CommitLog.checkMessageAndReturnSize computes it: with a DELAY
// property, the delivery time for the level (clamped to the max level),
// which the schedule service polls by; without one (or a level <= 0), the
// ordinary tags hash code.
//
// Java's Integer.parseInt failure there makes the whole record
// undispatchable, and a master then skips everything readable after it;
// no Java or Go broker writes such a record (clients cannot send to the
// schedule topic), so here the record keeps its tags hash code and the
// store logs it instead of losing its neighbours.
func (s *Store) scheduleTagsCode(rec *message.Record, tagsCode int64) int64 {
	v, ok := rec.Properties.Get(message.PropertyDelayTimeLevel)
	if !ok {
		return tagsCode
	}
	level, err := strconv.ParseInt(string(v), 10, 32)
	if err != nil {
		s.log.WithField("offset", rec.PhysicalOffset).WithError(err).Warn("schedule record with an unreadable DELAY level")
		return tagsCode
	}
	if level > int64(s.delay.Max()) {
		level = int64(s.delay.Max())
	}
	if level <= 0 {
		return tagsCode
	}
	return s.delay.DeliverTimestamp(int(level), rec.StoreTimestamp)
}
