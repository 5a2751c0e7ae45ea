package index

import (
	"math"

	"github.com/rocketgo/rocketgo/store/message"
)

// KeyHash is the index hash of key: Java's key.hashCode() made
// non-negative like IndexFile.indexKeyHashMethod (Math.abs, and
// Integer.MIN_VALUE, whose abs is still negative, becomes 0).
func KeyHash(key string) int32 {
	return positive(message.JavaHashContinue(0, key))
}

// TopicKeyHash is KeyHash(topic + "#" + key) without building the string.
func TopicKeyHash(topic, key string) int32 {
	h := message.JavaHashContinue(0, topic)
	h = 31*h + '#'
	return positive(message.JavaHashContinue(h, key))
}

func positive(h int32) int32 {
	if h == math.MinInt32 {
		return 0
	}
	if h < 0 {
		return -h
	}
	return h
}
