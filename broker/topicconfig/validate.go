package topicconfig

import (
	"errors"
	"strconv"
	"strings"
	"unicode"

	"github.com/rocketgo/rocketgo/protocol/body"
)

// Names of the topics the broker itself uses (Java TopicValidator).
const (
	AutoCreateTopicKeyTopic = "TBW102"
	ScheduleTopic           = "SCHEDULE_TOPIC_XXXX"
	BenchmarkTopic          = "BenchmarkTest"
	TransHalfTopic          = "RMQ_SYS_TRANS_HALF_TOPIC"
	TraceTopic              = "RMQ_SYS_TRACE_TOPIC"
	TransOpHalfTopic        = "RMQ_SYS_TRANS_OP_HALF_TOPIC"
	TransCheckMaxTimeTopic  = "TRANS_CHECK_MAX_TIME_TOPIC"
	SelfTestTopic           = "SELF_TEST_TOPIC"
	OffsetMovedEventTopic   = "OFFSET_MOVED_EVENT"

	// SystemTopicPrefix marks every topic name reserved for the broker.
	SystemTopicPrefix = "rmq_sys_"
	// ReplyTopicPostfix makes "{cluster}_REPLY_TOPIC" (MixAll).
	ReplyTopicPostfix = "REPLY_TOPIC"

	// MaxTopicLength is TopicValidator.TOPIC_MAX_LENGTH.
	MaxTopicLength = 127
)

// Topic system flags (Java TopicSysFlag), as a send or heartbeat in unit
// mode sets them.
const (
	SysFlagUnit    = body.FlagUnit
	SysFlagUnitSub = body.FlagUnitSub
)

// ScheduleTopicQueueNums is the number of SCHEDULE_TOPIC_XXXX queues, one
// per delay level (TopicConfigManager.SCHEDULE_TOPIC_QUEUE_NUM).
const ScheduleTopicQueueNums = 18

// Validate checks a topic name as TopicValidator.validateTopic does; the
// error text is Java's response remark.
func Validate(topic string) error {
	if isBlank(topic) {
		return errors.New("The specified topic is blank.")
	}
	if IllegalName(topic) {
		return errors.New("The specified topic contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$")
	}
	// Java counts UTF-16 units; the name is ASCII once it passed the
	// character check.
	if len(topic) > MaxTopicLength {
		return errors.New("The specified topic is longer than topic max length.")
	}
	return nil
}

// IllegalName reports whether a topic or group name has a character outside
// ^[%|a-zA-Z0-9_-]+$ (TopicValidator.isTopicOrGroupIllegal; "" is not
// illegal there, Validate rejects it as blank).
func IllegalName(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '%', c == '|', c == '_', c == '-':
		default:
			return true
		}
	}
	return false
}

// isBlank is UtilAll.isBlank: empty or only whitespace.
func isBlank(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return !javaWhitespace(r) }) < 0
}

// javaWhitespace is Character.isWhitespace: Unicode space separators other
// than the no-break ones, and the ASCII controls \t \n \v \f \r and
// U+001C..U+001F.
func javaWhitespace(r rune) bool {
	switch {
	case r == '\t', r == '\n', r == '\v', r == '\f', r == '\r', r >= 0x1C && r <= 0x1F:
		return true
	case r == 0xA0, r == 0x2007, r == 0x202F:
		return false
	}
	return unicode.In(r, unicode.Zs, unicode.Zl, unicode.Zp)
}

// IsSystemTopic reports whether topic is one of TopicValidator's fixed
// system topics or starts with "rmq_sys_". The names a broker adds at start
// (its cluster, its broker name, the reply and trace topics) are checked by
// Manager.IsSystemTopic.
func IsSystemTopic(topic string) bool {
	switch topic {
	case AutoCreateTopicKeyTopic, ScheduleTopic, BenchmarkTopic, TransHalfTopic, TraceTopic,
		TransOpHalfTopic, TransCheckMaxTimeTopic, SelfTestTopic, OffsetMovedEventTopic:
		return true
	}
	return strings.HasPrefix(topic, SystemTopicPrefix)
}

// SystemTopicRemark is Java's remark when a client names a system topic.
func SystemTopicRemark(topic string) string {
	return "The topic[" + topic + "] is conflict with system topic."
}

// NotAllowedSend reports whether clients may not send to topic
// (TopicValidator.isNotAllowedSendTopic).
func NotAllowedSend(topic string) bool {
	switch topic {
	case ScheduleTopic, TransHalfTopic, TransOpHalfTopic, TransCheckMaxTimeTopic, SelfTestTopic, OffsetMovedEventTopic:
		return true
	}
	return false
}

// NotAllowedSendRemark is Java's remark for a send to such a topic.
func NotAllowedSendRemark(topic string) string {
	return "Sending message to topic[" + topic + "] is forbidden."
}

// PermString is PermName.perm2String (see body.PermString).
func PermString(perm int32) string { return body.PermString(perm) }

// String renders a topic config as Java's TopicConfig.toString, which
// appears in response remarks.
func String(tc *body.TopicConfig) string {
	return "TopicConfig [topicName=" + tc.TopicName +
		", readQueueNums=" + strconv.Itoa(int(tc.ReadQueueNums)) +
		", writeQueueNums=" + strconv.Itoa(int(tc.WriteQueueNums)) +
		", perm=" + PermString(tc.Perm) +
		", topicFilterType=" + tc.TopicFilterType +
		", topicSysFlag=" + strconv.Itoa(int(tc.TopicSysFlag)) +
		", order=" + strconv.FormatBool(tc.Order) + "]"
}
