package message

import (
	"encoding/binary"
	"hash/crc32"
)

// BatchItem is one message of a SEND_BATCH_MESSAGE body
// (MessageDecoder.encodeMessage). Slices alias the request body.
type BatchItem struct {
	TotalSize  int32 // as sent; the broker ignores it
	MagicCode  int32 // as sent (0); ignored
	BodyCRC    int32 // as sent (0); ignored, the broker recomputes it
	Flag       int32
	Body       []byte
	Properties Properties
}

// batchItemFixed is TOTALSIZE + MAGICCODE + BODYCRC + FLAG + body length +
// properties length.
const batchItemFixed = 4 + 4 + 4 + 4 + 4 + 2

// NextBatchItem decodes the item at the start of body and returns the bytes
// after it. Like the broker (MessageExtEncoder.encode(MessageExtBatch)) it
// walks the field lengths and does not rely on the item's TOTALSIZE; negative
// or overlong lengths are errors wrapping ErrCorrupt / ErrTruncated.
func NextBatchItem(body []byte) (BatchItem, []byte, error) {
	var it BatchItem
	if len(body) < batchItemFixed {
		return it, body, truncated("batch item", batchItemFixed, len(body))
	}
	be := binary.BigEndian
	it.TotalSize = int32(be.Uint32(body))
	it.MagicCode = int32(be.Uint32(body[4:]))
	it.BodyCRC = int32(be.Uint32(body[8:]))
	it.Flag = int32(be.Uint32(body[12:]))
	bodyLen := int32(be.Uint32(body[16:]))
	if bodyLen < 0 {
		return it, body, corrupt("batch item BODY", "negative body length %d", bodyLen)
	}
	p := 20
	if int64(bodyLen) > int64(len(body)-p-2) {
		return it, body, truncated("batch item BODY", p+int(bodyLen)+2, len(body))
	}
	it.Body = body[p : p+int(bodyLen) : p+int(bodyLen)]
	p += int(bodyLen)
	propLen := int(int16(be.Uint16(body[p:])))
	p += 2
	if propLen < 0 {
		return it, body, corrupt("batch item PROPERTIES", "negative properties length %d", propLen)
	}
	if propLen > len(body)-p {
		return it, body, truncated("batch item PROPERTIES", p+propLen, len(body))
	}
	it.Properties = Properties(body[p : p+propLen : p+propLen])
	return it, body[p+propLen:], nil
}

// AppendBatchItem appends one item in the client's encoding
// (MessageDecoder.encodeMessage: MAGICCODE and BODYCRC 0).
func AppendBatchItem(dst []byte, flag int32, body, properties []byte) ([]byte, error) {
	if len(properties) > MaxPropertiesLength {
		return dst, ErrPropertiesTooLong
	}
	size := batchItemFixed + len(body) + len(properties)
	be := binary.BigEndian
	dst = be.AppendUint32(dst, uint32(size))
	dst = be.AppendUint32(dst, 0)
	dst = be.AppendUint32(dst, 0)
	dst = be.AppendUint32(dst, uint32(flag))
	dst = be.AppendUint32(dst, uint32(len(body)))
	dst = append(dst, body...)
	dst = be.AppendUint16(dst, uint16(len(properties)))
	return append(dst, properties...), nil
}

// Batch holds the batch-level fields of a MessageExtBatch.
type Batch struct {
	Topic          string
	QueueID        int32
	SysFlag        int32 // host V6 bits added as needed
	BornTimestamp  int64
	BornHost       Host
	StoreTimestamp int64
	StoreHost      Host
	ReconsumeTimes int32
	// Properties is the batch-level properties string appended to every
	// record: in 4.9.7 the request header's properties plus CLUSTER,
	// serialized in HashMap order (WAIT is kept).
	Properties []byte
	// QueueOffset of the first record (the rest follow consecutively) and
	// PhysicalOffset of the first record. Usually patched with PatchRun.
	QueueOffset    int64
	PhysicalOffset int64
}

// AppendBatch appends one record per item of the SEND_BATCH_MESSAGE body,
// as MessageExtEncoder.encode(MessageExtBatch) and doAppend write them, with
// the default Limits. It returns the number of records. On error dst is
// returned unchanged in length.
func AppendBatch(dst []byte, b *Batch, body []byte) ([]byte, int, error) {
	return Limits{}.AppendBatch(dst, b, body)
}

// AppendBatch is AppendBatch with these limits: the whole request body must
// not exceed MaxMessageBodySize.
func (l Limits) AppendBatch(dst []byte, b *Batch, body []byte) ([]byte, int, error) {
	if len(body) > l.body() {
		return dst, 0, ErrBodyTooLarge
	}
	if len(b.Properties) > MaxPropertiesLength {
		return dst, 0, ErrPropertiesTooLong
	}
	if len(b.Topic) > MaxTopicLength {
		return dst, 0, ErrTopicTooLong
	}
	start := len(dst)
	sysFlag := EffectiveSysFlag(b.SysFlag, b.BornHost, b.StoreHost)
	batchProps := b.Properties
	n := 0
	be := binary.BigEndian
	for rest := body; len(rest) > 0; n++ {
		it, next, err := NextBatchItem(rest)
		if err != nil {
			return dst[:start], 0, err
		}
		rest = next
		props := it.Properties
		sep := len(props) > 0 && len(batchProps) > 0 && props[len(props)-1] != PropertySeparator
		propLen := len(props) + len(batchProps)
		if sep {
			propLen++
		}
		if propLen > MaxPropertiesLength {
			return dst[:start], 0, ErrPropertiesTooLong
		}
		size := CalMsgLength(sysFlag, len(it.Body), len(b.Topic), propLen)
		pos := len(dst)
		dst = grow(dst, size)
		r := dst[pos : pos+size]
		be.PutUint32(r[0:], uint32(size))
		be.PutUint32(r[4:], magicMessageU32)
		be.PutUint32(r[8:], crc32.ChecksumIEEE(it.Body)&0x7FFFFFFF)
		be.PutUint32(r[12:], uint32(b.QueueID))
		be.PutUint32(r[16:], uint32(it.Flag))
		be.PutUint64(r[20:], uint64(b.QueueOffset+int64(n)))
		be.PutUint64(r[28:], uint64(b.PhysicalOffset+int64(pos-start)))
		be.PutUint32(r[36:], uint32(sysFlag))
		be.PutUint64(r[40:], uint64(b.BornTimestamp))
		// Batches carry no prepared transaction offset.
		p := putTail(r, bornHostPosition, sysFlag, b.BornHost, b.StoreTimestamp, b.StoreHost, b.ReconsumeTimes, 0)
		be.PutUint32(r[p:], uint32(len(it.Body)))
		p += 4
		p += copy(r[p:], it.Body)
		r[p] = byte(len(b.Topic))
		p++
		p += copy(r[p:], b.Topic)
		be.PutUint16(r[p:], uint16(propLen))
		p += 2
		p += copy(r[p:], props)
		if sep {
			r[p] = PropertySeparator
			p++
		}
		copy(r[p:], batchProps)
	}
	return dst, n, nil
}
