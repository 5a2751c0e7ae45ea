// Package consumequeue is the per-(topic, queue) index of the commitlog,
// byte-identical to Java 4.9.7's ConsumeQueue.
//
// # Layout
//
// A queue lives in consumequeue/{topic}/{queueId}/ as mapped files of
// mappedFileSizeConsumeQueue bytes (default 300000 × 20 = 6000000; Java's
// getter rounds the setting up to a multiple of 20), named by the byte
// offset of their first entry (see package mappedfile). Entry i sits at
// byte i×20 of the concatenated files:
//
//	offset  size  field (big-endian)
//	0       8     commitlog physical offset of the record
//	8       4     record size (the record's TOTALSIZE)
//	12      8     tags code: Java String.hashCode of TAGS, sign-extended;
//	              for SCHEDULE_TOPIC_XXXX the delivery timestamp
//
// Unwritten space is zeros. An entry with offset < 0 or size <= 0 ends the
// valid data (recovery stops there); (0, size > 0) is valid, the first
// record of a store. When a queue's first file is created for an entry
// i ≠ 0, the slots before it are filled with (0, 0x7FFFFFFF, 0) and the
// queue's minimum is i (Java fillPreBlank).
package consumequeue
