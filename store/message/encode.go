package message

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// Message holds what the broker puts into one record
// (MessageExtBrokerInner as seen by MessageExtEncoder.encode).
type Message struct {
	QueueID                   int32
	Flag                      int32
	QueueOffset               int64 // usually patched later, see Patch
	PhysicalOffset            int64 // usually patched later, see Patch
	SysFlag                   int32 // the host V6 bits are added as needed
	BornTimestamp             int64
	BornHost                  Host
	StoreTimestamp            int64 // Java sets it inside the put lock, see Patch
	StoreHost                 Host
	ReconsumeTimes            int32
	PreparedTransactionOffset int64
	Body                      []byte
	Topic                     string
	Properties                []byte // the serialized properties string

	// BodyCRC is written as is when KeepBodyCRC is set (re-writing an
	// existing record); otherwise the CRC is computed from Body, as the
	// CommitLog does before encoding.
	BodyCRC     int32
	KeepBodyCRC bool
}

// Encoding errors (Java: MESSAGE_ILLEGAL / PROPERTIES_SIZE_EXCEEDED).
var (
	ErrTopicTooLong      = errors.New("message: topic longer than 127 bytes")
	ErrPropertiesTooLong = errors.New("message: properties longer than 32767 bytes")
	ErrBodyTooLarge      = errors.New("message: body exceeds maxMessageBodySize")
	ErrMessageTooLarge   = errors.New("message: record exceeds maxMessageSize")
)

// Limits are the encoder's size checks (MessageExtEncoder): body at most
// MaxMessageBodySize (maxMessageSize config, default 4 MiB), whole record at
// most MaxMessageBodySize + 64 KiB. Zero values mean the defaults.
type Limits struct {
	MaxMessageBodySize int
}

func (l Limits) body() int {
	if l.MaxMessageBodySize <= 0 {
		return DefaultMaxMessageBodySize
	}
	return l.MaxMessageBodySize
}

func (l Limits) record() int {
	b := l.body()
	if b > (1<<31-1)-64*1024 {
		return 1<<31 - 1
	}
	return b + 64*1024
}

// EffectiveSysFlag returns sysFlag with the host V6 bits set for hosts that
// need the 20-byte form, as CommitLog.asyncPutMessage(s) does before
// encoding. Bits already set are kept (an IPv4 address is then written as
// ::ffff:a.b.c.d).
func EffectiveSysFlag(sysFlag int32, born, store Host) int32 {
	if born.needsV6() {
		sysFlag |= BornHostV6Flag
	}
	if store.needsV6() {
		sysFlag |= StoreHostAddressV6Flag
	}
	return sysFlag
}

// RecordSize returns the TOTALSIZE AppendRecord will write for m.
func (m *Message) RecordSize() int {
	return CalMsgLength(EffectiveSysFlag(m.SysFlag, m.BornHost, m.StoreHost), len(m.Body), len(m.Topic), len(m.Properties))
}

// AppendRecord appends the record for m to dst exactly as
// MessageExtEncoder.encode followed by DefaultAppendMessageCallback.doAppend
// writes it, with m's QueueOffset, PhysicalOffset and StoreTimestamp, using
// the default Limits. It allocates only if dst lacks capacity.
func AppendRecord(dst []byte, m *Message) ([]byte, error) {
	return Limits{}.AppendRecord(dst, m)
}

// AppendRecord is AppendRecord with these limits.
func (l Limits) AppendRecord(dst []byte, m *Message) ([]byte, error) {
	if len(m.Topic) > MaxTopicLength {
		return dst, ErrTopicTooLong
	}
	if len(m.Properties) > MaxPropertiesLength {
		return dst, ErrPropertiesTooLong
	}
	if len(m.Body) > l.body() {
		return dst, ErrBodyTooLarge
	}
	sysFlag := EffectiveSysFlag(m.SysFlag, m.BornHost, m.StoreHost)
	size := CalMsgLength(sysFlag, len(m.Body), len(m.Topic), len(m.Properties))
	if size > l.record() {
		return dst, ErrMessageTooLarge
	}
	crc := m.BodyCRC
	if !m.KeepBodyCRC {
		crc = int32(crc32.ChecksumIEEE(m.Body) & 0x7FFFFFFF)
	}
	n := len(dst)
	dst = grow(dst, size)
	b := dst[n : n+size]
	be := binary.BigEndian
	be.PutUint32(b[0:], uint32(size))
	be.PutUint32(b[4:], magicMessageU32)
	be.PutUint32(b[8:], uint32(crc))
	be.PutUint32(b[12:], uint32(m.QueueID))
	be.PutUint32(b[16:], uint32(m.Flag))
	be.PutUint64(b[20:], uint64(m.QueueOffset))
	be.PutUint64(b[28:], uint64(m.PhysicalOffset))
	be.PutUint32(b[36:], uint32(sysFlag))
	be.PutUint64(b[40:], uint64(m.BornTimestamp))
	p := putTail(b, bornHostPosition, sysFlag, m.BornHost, m.StoreTimestamp, m.StoreHost, m.ReconsumeTimes, m.PreparedTransactionOffset)
	be.PutUint32(b[p:], uint32(len(m.Body)))
	p += 4
	p += copy(b[p:], m.Body)
	b[p] = byte(len(m.Topic))
	p++
	p += copy(b[p:], m.Topic)
	be.PutUint16(b[p:], uint16(len(m.Properties)))
	p += 2
	copy(b[p:], m.Properties)
	return dst, nil
}

// putTail writes BORNHOST .. PREPARED TRANSACTION OFFSET starting at p and
// returns the position of the BODY length field.
func putTail(b []byte, p int, sysFlag int32, born Host, storeTS int64, store Host, reconsume int32, prepared int64) int {
	bl := HostLength(sysFlag&BornHostV6Flag != 0)
	born.put(b[p : p+bl])
	p += bl
	binary.BigEndian.PutUint64(b[p:], uint64(storeTS))
	p += 8
	sl := HostLength(sysFlag&StoreHostAddressV6Flag != 0)
	store.put(b[p : p+sl])
	p += sl
	binary.BigEndian.PutUint32(b[p:], uint32(reconsume))
	binary.BigEndian.PutUint64(b[p+4:], uint64(prepared))
	return p + 12
}

func grow(b []byte, n int) []byte {
	if cap(b)-len(b) < n {
		nb := make([]byte, len(b), 2*cap(b)+n)
		copy(nb, b)
		b = nb
	}
	return b[:len(b)+n]
}

// Patch writes the three fields DefaultAppendMessageCallback.doAppend sets
// once the record's position is known, inside the put lock: QUEUEOFFSET (at
// 20), PHYSICALOFFSET (at 28) and STORETIMESTAMP (at 48 + born host length;
// Java overwrites it with the time taken after acquiring the lock). rec must
// start with a record produced by AppendRecord; only its header is read.
func Patch(rec []byte, queueOffset, physicalOffset, storeTimestamp int64) error {
	if len(rec) < 8 {
		return truncated("TOTALSIZE", 8, len(rec))
	}
	if m := int32(binary.BigEndian.Uint32(rec[4:])); m != MessageMagicCode {
		return corrupt("MAGICCODE", "cannot patch a record with magic 0x%08X", uint32(m))
	}
	if len(rec) < SysFlagPosition+4 {
		return truncated("SYSFLAG", SysFlagPosition+4, len(rec))
	}
	sysFlag := int32(binary.BigEndian.Uint32(rec[SysFlagPosition:]))
	st := bornHostPosition + HostLength(sysFlag&BornHostV6Flag != 0)
	if len(rec) < st+8 {
		return truncated("STORETIMESTAMP", st+8, len(rec))
	}
	binary.BigEndian.PutUint64(rec[QueueOffsetPosition:], uint64(queueOffset))
	binary.BigEndian.PutUint64(rec[PhysicalOffsetPosition:], uint64(physicalOffset))
	binary.BigEndian.PutUint64(rec[st:], uint64(storeTimestamp))
	return nil
}

// PatchRun patches every record of buf (the records of one batch, back to
// back, as AppendBatch produced them) as doAppend for MessageExtBatch does:
// queue offsets firstQueueOffset, +1, ...; physical offset = physicalOffset
// + the record's position in buf; the same storeTimestamp for all. It returns
// the number of records.
func PatchRun(buf []byte, firstQueueOffset, physicalOffset, storeTimestamp int64) (int, error) {
	n := 0
	for pos := 0; pos < len(buf); n++ {
		if len(buf)-pos < 8 {
			return n, truncated("TOTALSIZE", 8, len(buf)-pos)
		}
		size := int(int32(binary.BigEndian.Uint32(buf[pos:])))
		if size < CalMsgLength(0, 0, 0, 0) || size > len(buf)-pos {
			return n, corrupt("TOTALSIZE", "record size %d at %d does not fit the run of %d bytes", size, pos, len(buf))
		}
		if err := Patch(buf[pos:pos+size], firstQueueOffset+int64(n), physicalOffset+int64(pos), storeTimestamp); err != nil {
			return n, err
		}
		pos += size
	}
	return n, nil
}

// Fits reports whether a record (or batch) of recordSize bytes may be
// written with maxBlank = fileSize - writePosition bytes left; if not, the
// writer must put a BLANK record of maxBlank bytes there and move to the next
// file.
func Fits(recordSize, maxBlank int) bool {
	return recordSize+EndFileMinBlankLength <= maxBlank
}

// AppendBlank appends the 8-byte BLANK header: TOTALSIZE = maxBlank,
// MAGICCODE = BLANK_MAGIC_CODE. Java writes nothing else; the rest of the
// file (maxBlank - 8 bytes) stays as it was (zeros in a new file).
func AppendBlank(dst []byte, maxBlank int32) ([]byte, error) {
	if maxBlank < EndFileMinBlankLength {
		return dst, fmt.Errorf("message: BLANK record of %d bytes, need at least %d", maxBlank, EndFileMinBlankLength)
	}
	dst = binary.BigEndian.AppendUint32(dst, uint32(maxBlank))
	return binary.BigEndian.AppendUint32(dst, magicBlankU32), nil
}
