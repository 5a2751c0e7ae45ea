package store

import (
	"slices"

	"github.com/rocketgo/rocketgo/store/commitlog"
)

// QueryMessageResult is what QueryMessage found (Java QueryMessageResult):
// the records, each a view of the mapped commitlog to be written out as
// is, and the newest index file's end time and end offset, which clients
// show as how fresh the index is. Call Release once the records are sent.
type QueryMessageResult struct {
	Messages []commitlog.View
	Bytes    int
	// IndexLastUpdateTimestamp / IndexLastUpdatePhyOffset stay 0 when the
	// index had no offset for the key, as in Java.
	IndexLastUpdateTimestamp int64
	IndexLastUpdatePhyOffset int64
}

// Release releases every record view.
func (r *QueryMessageResult) Release() {
	for _, v := range r.Messages {
		v.Release()
	}
	clear(r.Messages)
	r.Messages = r.Messages[:0]
	r.Bytes = 0
}

// queryAttempts is how often Java's queryMessage asks the index again when
// it found offsets but could read none of their records.
const queryAttempts = 3

// QueryMessage returns the records the index holds for topic#key stored
// within [begin, end] (Unix ms), at most maxNum, oldest first, as Java's
// DefaultMessageStore.queryMessage does. The key is either one of a
// message's KEYS or its UNIQ_KEY: the index has an entry for each. The
// index is a hash table, so a record of another key with the same hash can
// be among the results; Java leaves it to the client to drop those, and so
// does this. The caller caps maxNum (Java's maxMsgsNumBatch, applied inside
// IndexService.queryOffset). dst is reused for the result's Messages.
//
// When the index found offsets but none of their records could be read
// (files deleted, say), Java asks again with the end of the range moved
// to the store time of the oldest offset's record, up to three times in
// all; so does this.
func (s *Store) QueryMessage(topic, key string, maxNum int, begin, end int64, dst []commitlog.View) QueryMessageResult {
	res := QueryMessageResult{Messages: dst[:0]}
	if s.idx == nil || maxNum <= 0 {
		return res
	}
	last := end
	for range queryAttempts {
		q := s.idx.QueryOffset(topic, key, maxNum, begin, last)
		if len(q.PhyOffsets) == 0 {
			break
		}
		slices.Sort(q.PhyOffsets)
		res.IndexLastUpdateTimestamp = q.IndexLastUpdateTimestamp
		res.IndexLastUpdatePhyOffset = q.IndexLastUpdatePhyOffset
		for m, off := range q.PhyOffsets {
			var v commitlog.View
			var ok bool
			if m == 0 {
				// Java decodes the first record for its store time; one it
				// cannot decode is skipped altogether.
				rec, rv, decoded := s.LookMessage(off)
				if !decoded {
					continue
				}
				last = rec.StoreTimestamp
				v, ok = rv, true
			} else {
				v, ok = s.LookMessageByOffset(off)
			}
			if ok {
				res.Messages = append(res.Messages, v)
				res.Bytes += len(v.Bytes)
			}
		}
		if res.Bytes > 0 || last < begin {
			break
		}
	}
	return res
}
