// Package index is the store's message-key index, byte-identical to Java
// 4.9.7's IndexFile, IndexHeader and the building/querying half of
// IndexService.
//
// # Layout
//
// One index file is a single mapped file of exactly
// 40 + slots*4 + maxIndex*20 bytes (broker defaults 5,000,000 slots and
// 20,000,000 entries: 420,000,040 bytes), big-endian:
//
//	[ header 40 B ][ slot table: slots × 4 B ][ entries: maxIndex × 20 B ]
//
// Header:
//
//	offset  size  field
//	0       8     beginTimestamp: store time (ms) of the first key put, or the
//	              previous file's endTimestamp when created after a full file
//	8       8     endTimestamp: store time (ms) of the last key put
//	16      8     beginPhyOffset: commitlog offset of the first key's record
//	              (or the previous file's endPhyOffset)
//	24      8     endPhyOffset: commitlog offset of the last key's record
//	32      4     hashSlotCount: slots that went from empty to used
//	36      4     indexCount: next entry number; 1 in memory for a fresh
//	              file (entry 0 is never used), 0 on disk until the first
//	              put or Flush writes it
//
// Slot s (keyHash % slots) is an int32 at 40 + s*4: the number of the
// newest entry in that bucket, 0 = empty.
//
// Entry n is at 40 + slots*4 + n*20:
//
//	offset  size  field
//	0       4     keyHash
//	4       8     phyOffset: commitlog offset of the record
//	12      4     timeDiff: (storeTimestamp - beginTimestamp) / 1000, in
//	              seconds, clamped to [0, MaxInt32]; 0 while beginTimestamp <= 0
//	16      4     prevIndex: previous entry in the same slot, 0 = end of chain
//
// keyHash is Java's String.hashCode (over UTF-16 code units) of the key
// made non-negative as Math.abs does, with Integer.MIN_VALUE mapped to 0.
// The key is topic + "#" + k for the record's UNIQ_KEY and for every
// non-empty piece of its KEYS property split on single spaces, in that
// order (duplicates included).
//
// A file is full when indexCount >= maxIndex, so it holds maxIndex-1 keys.
// The header is written into the mapping on every change, exactly as Java
// does; Flush also rewrites all six fields and msyncs.
//
// # Files
//
// The files live in one directory (store root "index/"), named by their
// creation time in local time, yyyyMMddHHmmssSSS, and are loaded in name
// order. A new file is created when the newest is full, seeded with its
// end offset/timestamp; the full one is then flushed in the background and
// its endTimestamp becomes checkpoint indexMsgTimestamp. After an abnormal
// exit, files whose endTimestamp is above that checkpoint value are
// deleted at load (their records are re-dispatched by recovery).
//
// # Query
//
// Files are visited newest first; a file is searched when its
// [begin,end] time range overlaps the query's. In a file the chain from
// the key's slot is walked: stop at a negative timeDiff; collect the
// phyOffset when the hash equals and begin+timeDiff*1000 is within the
// query range; follow prevIndex, stopping when it is <= 0, > indexCount,
// equal to the current entry, or the entry's time is below the query
// begin. Only hashes are compared: callers must check the records' keys.
package index
