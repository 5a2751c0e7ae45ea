package index

import (
	"math"
	"unicode/utf8"
)

// KeyHash is the index hash of key: Java's key.hashCode() made
// non-negative like IndexFile.indexKeyHashMethod (Math.abs, and
// Integer.MIN_VALUE, whose abs is still negative, becomes 0).
func KeyHash(key string) int32 {
	return positive(hashString(0, key))
}

// TopicKeyHash is KeyHash(topic + "#" + key) without building the string.
func TopicKeyHash(topic, key string) int32 {
	h := hashString(0, topic)
	h = 31*h + '#'
	return positive(hashString(h, key))
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

// hashString continues Java's String.hashCode (h = 31*h + c over UTF-16
// code units) from h. Invalid UTF-8 counts as U+FFFD per byte, as Go
// decodes it.
func hashString(h int32, s string) int32 {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			h = 31*h + int32(c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if r > 0xFFFF {
			r -= 0x10000
			h = 31*h + int32(0xD800+(r>>10))
			h = 31*h + int32(0xDC00+(r&0x3FF))
		} else {
			h = 31*h + int32(r)
		}
	}
	return h
}
