package processor

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/rocketgo/rocketgo/store"
	"github.com/rocketgo/rocketgo/store/message"
	"github.com/sirupsen/logrus"
)

// removedWait is the WAIT property the send path took out of a message's
// properties before serializing them. Java removes WAIT only for that one
// serialization and puts it back into the map right after, so any later
// re-serialization (the delay redirect, the half-message rewrite) carries
// it again, at the end of its HashMap bucket.
type removedWait struct {
	value string
	ok    bool
}

// restore puts WAIT back into props as Java's send path does.
func (w removedWait) restore(props *message.PropertyMap) {
	if w.ok {
		props.Put(message.PropertyWaitStoreMsgOK, w.value)
	}
}

// asked is Message.isWaitStoreMsgOK: true when WAIT is absent, else
// Boolean.parseBoolean of its value.
func (w removedWait) asked() bool { return !w.ok || strings.EqualFold(w.value, "true") }

// delayLevel is Message.getDelayTimeLevel: the DELAY property read as a
// Java int, 0 when absent. A value Integer.parseInt rejects is an error;
// Java's store throws there and the request fails with SYSTEM_ERROR.
func delayLevel(props *message.PropertyMap) (int, error) {
	v, ok := props.Get(message.PropertyDelayTimeLevel)
	if !ok {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("message property DELAY %q is not a delay level (java.lang.NumberFormatException: For input string: %q)", v, v)
	}
	return int(n), nil
}

// delayRedirect is the delay part of Java's CommitLog.asyncPutMessage: a
// message of transaction type NOT or COMMIT whose DELAY level is above 0
// is parked in SCHEDULE_TOPIC_XXXX, queue level-1, with its destination
// kept in the REAL_TOPIC and REAL_QID properties; the schedule service
// moves it back when the level's delay has passed. A level above the
// table is clamped to the last level, as Java does (the DELAY property is
// rewritten too). Levels <= 0 leave the message where it is.
//
// props must already hold everything the message carries; wait is the
// WAIT entry the send path removed (zero value for other callers). The
// caller serializes props afterwards (Java re-serializes the properties
// string after adding REAL_TOPIC/REAL_QID). It returns the topic and queue
// to store into and whether the message was redirected.
func delayRedirect(props *message.PropertyMap, levels store.DelayLevels, sysFlag int32, topic string, queueID int32,
	wait removedWait, log logrus.FieldLogger) (string, int32, bool, error) {
	switch message.TransactionType(sysFlag) {
	case message.TransactionNotType, message.TransactionCommitType:
	default:
		return topic, queueID, false, nil
	}
	level, err := delayLevel(props)
	if err != nil || level <= 0 {
		return topic, queueID, false, err
	}
	if maxLevel := levels.Max(); level > maxLevel {
		if log != nil {
			log.WithFields(logrus.Fields{"topic": topic, "level": level, "maxLevel": maxLevel}).
				Warn("delay level beyond the messageDelayLevel table, using the last level")
		}
		level = maxLevel
		props.Put(message.PropertyDelayTimeLevel, strconv.Itoa(level))
	}
	wait.restore(props)
	props.Put(message.PropertyRealTopic, topic)
	props.Put(message.PropertyRealQueueID, strconv.Itoa(int(queueID)))
	return store.ScheduleTopic, int32(level - 1), true, nil
}
