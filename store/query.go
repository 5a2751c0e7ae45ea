package store

import (
	"encoding/binary"

	"github.com/rocketgo/rocketgo/store/commitlog"
	"github.com/rocketgo/rocketgo/store/message"
)

// Record field positions read without decoding (Java MessageDecoder).
const (
	sysFlagPos          = 4 + 4 + 4 + 4 + 4 + 8 + 8 // SYSFLAG_POSITION
	bornHostPos         = sysFlagPos + 4 + 8        // after SYSFLAG and BORNTIMESTAMP
	bornHostV6Flag      = 1 << 4                    // MessageSysFlag.BORNHOST_V6_FLAG
	bornHostLengthV4    = 8
	bornHostLengthV6    = 20
	storeTimestampBytes = 8
)

// MinPhyOffset is the commitlog's first kept byte (Java getMinPhyOffset).
func (s *Store) MinPhyOffset() int64 { return s.cl.MinOffset() }

// MaxPhyOffset is the commitlog's end (Java getMaxPhyOffset).
func (s *Store) MaxPhyOffset() int64 { return s.cl.MaxOffset() }

// storeTime is Java CommitLog.pickupStoreTimestamp: the STORETIMESTAMP of
// the record of size bytes at phys, or -1 when it is below the commitlog's
// minimum, not readable in one piece, or too short to hold the field.
func (s *Store) storeTime(phys int64, size int32) int64 {
	if phys < s.cl.MinOffset() {
		return -1
	}
	v, ok := s.cl.Read(phys, int(size))
	if !ok {
		return -1
	}
	defer v.Release()
	b := v.Bytes
	if len(b) < sysFlagPos+4 {
		return -1
	}
	hostLen := bornHostLengthV4
	if int32(binary.BigEndian.Uint32(b[sysFlagPos:]))&bornHostV6Flag != 0 {
		hostLen = bornHostLengthV6
	}
	pos := bornHostPos + hostLen
	if len(b) < pos+storeTimestampBytes {
		return -1
	}
	return int64(binary.BigEndian.Uint64(b[pos:]))
}

// OffsetByTime is the queue offset a consumer starting at timestamp ts
// (Unix ms) gets: Java getOffsetInQueueByTime, with its file choice by
// modification time and nearest-neighbour answers (see
// consumequeue.Queue.OffsetByTime); 0 for an unknown queue.
func (s *Store) OffsetByTime(topic string, queueID int32, ts int64) int64 {
	q := s.queue(topic, queueID, false)
	if q == nil {
		return 0
	}
	return q.OffsetByTime(ts, s.cl.MinOffset(), s.storeTime)
}

// EarliestMessageTime is the store time of the message at the queue's
// minimum offset, -1 when there is none or it cannot be read (Java
// getEarliestMessageTime(topic, queueId)).
func (s *Store) EarliestMessageTime(topic string, queueID int32) int64 {
	q := s.queue(topic, queueID, false)
	if q == nil {
		return -1
	}
	return s.MessageStoreTime(topic, queueID, q.MinOffset())
}

// MessageStoreTime is the store time of the message at queue offset
// offset, -1 when there is none or it cannot be read (Java
// getMessageStoreTimeStamp).
func (s *Store) MessageStoreTime(topic string, queueID int32, offset int64) int64 {
	e, ok := s.Entry(topic, queueID, offset)
	if !ok {
		return -1
	}
	return s.storeTime(e.Offset, e.Size)
}

// EarliestMessageTimeAll is the store time of the commitlog's first record
// (Java getEarliestMessageTime()). Java reads it as a window of
// 2 × maxMessageSize bytes, which must lie within the first file: with
// commitlog files smaller than that (or a first file not yet written that
// far) the answer is -1, here as there.
func (s *Store) EarliestMessageTimeAll() int64 {
	return s.storeTime(s.cl.MinOffset(), int32(min(2*int64(s.cfg.MaxMessageSize), 1<<31-1)))
}

// LookMessageByOffset returns the record at commitlog offset phys, its
// size taken from the record's TOTALSIZE (Java selectOneMessageByOffset /
// lookMessageByOffset, which the broker uses for message-id queries and
// the transaction check). False when phys is not a readable position or
// the size read does not fit the written data. Release the view.
func (s *Store) LookMessageByOffset(phys int64) (commitlog.View, bool) {
	if phys < 0 {
		return commitlog.View{}, false
	}
	head, ok := s.cl.Read(phys, 4)
	if !ok {
		return commitlog.View{}, false
	}
	size := int32(binary.BigEndian.Uint32(head.Bytes))
	head.Release()
	return s.SelectOneMessageByOffset(phys, int(size))
}

// SelectOneMessageByOffset returns size bytes at commitlog offset phys
// (Java selectOneMessageByOffset(offset, size)); false when they are not
// all written in one file or size is not positive. Release the view.
func (s *Store) SelectOneMessageByOffset(phys int64, size int) (commitlog.View, bool) {
	if phys < 0 || size <= 0 {
		return commitlog.View{}, false
	}
	return s.cl.Read(phys, size)
}

// LookMessage decodes the record at phys (Java lookMessageByOffset's
// MessageExt); the record's slices alias the view, which the caller must
// release once done with them.
func (s *Store) LookMessage(phys int64) (message.Record, commitlog.View, bool) {
	v, ok := s.LookMessageByOffset(phys)
	if !ok {
		return message.Record{}, v, false
	}
	rec, err := message.Decode(v.Bytes, false)
	if err != nil || rec.Kind != message.KindMessage {
		v.Release()
		return message.Record{}, commitlog.View{}, false
	}
	return rec, v, true
}
