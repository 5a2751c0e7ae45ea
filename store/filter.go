package store

import (
	"encoding/binary"

	"github.com/rocketgo/rocketgo/store/commitlog"
	"github.com/rocketgo/rocketgo/store/message"
)

// RecordFilter says whether a record read from the commitlog is wanted
// (Java MessageFilter.isMatchedByCommitLog, which SQL92 subscriptions use
// because their condition is on properties the consume queue does not
// hold). rec is the whole stored record and is valid only during the
// call.
type RecordFilter func(rec []byte) bool

// GetMessageFiltered is GetMessage with a second filter applied to each
// record whose consume-queue entry passed tags: a record it refuses is
// skipped like a tag mismatch (NO_MATCHED_MESSAGE when nothing was taken
// yet), as DefaultMessageStore.getMessage does with isMatchedByCommitLog.
// A nil recs is GetMessage.
func (s *Store) GetMessageFiltered(topic string, queueID int32, offset int64, maxNums int, tags TagFilter, recs RecordFilter, dst []commitlog.View) GetResult {
	return s.getMessage(topic, queueID, offset, maxNums, tags, recs, dst)
}

// RecordProperties returns the serialized properties of a stored message
// record (the bytes MessageDecoder.decodeProperties reads), aliasing rec.
// It never panics: a record too short for the lengths it claims has no
// properties (nil).
func RecordProperties(rec []byte) []byte {
	const sysFlagAt = message.SysFlagPosition
	if len(rec) < sysFlagAt+4 {
		return nil
	}
	sysFlag := int32(binary.BigEndian.Uint32(rec[sysFlagAt:]))
	// BORNTIMESTAMP, BORNHOST, STORETIMESTAMP, STOREHOST, RECONSUMETIMES,
	// PREPARED TRANSACTION OFFSET, then BODYLENGTH.
	p := sysFlagAt + 4 + 8 + message.HostLength(sysFlag&message.BornHostV6Flag != 0) + 8 +
		message.HostLength(sysFlag&message.StoreHostAddressV6Flag != 0) + 4 + 8
	if len(rec) < p+4 {
		return nil
	}
	bodyLen := int64(int32(binary.BigEndian.Uint32(rec[p:])))
	q := int64(p) + 4 + bodyLen
	if bodyLen < 0 || q+1 > int64(len(rec)) {
		return nil
	}
	topicLen := int64(int8(rec[q]))
	q += 1 + topicLen
	if topicLen < 0 || q+2 > int64(len(rec)) {
		return nil
	}
	propLen := int64(int16(binary.BigEndian.Uint16(rec[q:])))
	q += 2
	if propLen <= 0 || q+propLen > int64(len(rec)) {
		return nil
	}
	return rec[q : q+propLen : q+propLen]
}
