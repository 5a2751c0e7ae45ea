// Package topicconfig keeps the broker's topic table (Java
// TopicConfigManager) and the topic-name rules (Java TopicValidator).
//
// The table starts with the system topics the Java constructor creates,
// takes config/topics.json over them, and is written back after every
// change in the byte layout and the ConcurrentHashMap order the Java broker
// uses, so a store moves between a Java and a Go broker unchanged and a
// Java slave sees the same DataVersion semantics. Topics are created on
// demand by sends (from TBW102 or another INHERIT topic), by the broker
// itself (%RETRY%, %DLQ%, transaction topics) and by the admin commands.
package topicconfig
