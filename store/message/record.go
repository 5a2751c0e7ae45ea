package message

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"net/netip"
	"strconv"
)

// Magic codes (CommitLog.MESSAGE_MAGIC_CODE, BLANK_MAGIC_CODE; 5.x
// MessageVersion for V2).
const (
	MessageMagicCode   int32 = -626843481 // 0xDAA320A7
	MessageMagicCodeV2 int32 = -626843477 // 0xDAA320AB, 5.x only
	BlankMagicCode     int32 = -875286124 // 0xCBD43194

	magicMessageU32 uint32 = 0xDAA320A7
	magicBlankU32   uint32 = 0xCBD43194
)

// MessageSysFlag bits.
const (
	CompressedFlag            int32 = 0x1
	MultiTagsFlag             int32 = 0x1 << 1
	TransactionNotType        int32 = 0
	TransactionPreparedType   int32 = 0x1 << 2
	TransactionCommitType     int32 = 0x2 << 2
	TransactionRollbackType   int32 = 0x3 << 2
	BornHostV6Flag            int32 = 0x1 << 4
	StoreHostAddressV6Flag    int32 = 0x1 << 5
	NeedUnwrapFlag            int32 = 0x1 << 6
	InnerBatchFlag            int32 = 0x1 << 7
	CompressionLZ4Type        int32 = 0x1 << 8
	CompressionZSTDType       int32 = 0x2 << 8
	CompressionZLIBType       int32 = 0x3 << 8
	CompressionTypeMask       int32 = 0x7 << 8
	transactionTypeMask       int32 = 0x3 << 2
	EndFileMinBlankLength           = 4 + 4 // DefaultAppendMessageCallback.END_FILE_MIN_BLANK_LENGTH
	QueueOffsetPosition             = 20    // MessageDecoder.QUEUE_OFFSET_POSITION
	PhysicalOffsetPosition          = 28    // MessageDecoder.PHY_POS_POSITION
	SysFlagPosition                 = 36    // MessageDecoder.SYSFLAG_POSITION
	bornHostPosition                = 48
	MaxTopicLength                  = 127   // Byte.MAX_VALUE
	MaxPropertiesLength             = 32767 // Short.MAX_VALUE
	DefaultMaxMessageBodySize       = 4 * 1024 * 1024
)

// TransactionType returns sysFlag & 0xC (MessageSysFlag.getTransactionValue).
func TransactionType(sysFlag int32) int32 { return sysFlag & transactionTypeMask }

// HostLength is 8 for an IPv4 host and 20 for an IPv6 host.
func HostLength(v6 bool) int {
	if v6 {
		return 20
	}
	return 8
}

// CalMsgLength is CommitLog.calMsgLength: the TOTALSIZE of a v1 record.
// Negative body or properties lengths count as 0, as in Java.
func CalMsgLength(sysFlag int32, bodyLength, topicLength, propertiesLength int) int {
	if bodyLength < 0 {
		bodyLength = 0
	}
	if propertiesLength < 0 {
		propertiesLength = 0
	}
	return 4 + 4 + 4 + 4 + 4 + 8 + 8 + 4 + 8 +
		HostLength(sysFlag&BornHostV6Flag != 0) + 8 +
		HostLength(sysFlag&StoreHostAddressV6Flag != 0) + 4 + 8 +
		4 + bodyLength + 1 + topicLength + 2 + propertiesLength
}

// Host is a born or store host as stored: an address and a 4-byte port. The
// port is kept as Java's int so that any stored value round-trips.
type Host struct {
	Addr netip.Addr
	Port int32
}

// HostFrom converts a netip.AddrPort.
func HostFrom(ap netip.AddrPort) Host { return Host{Addr: ap.Addr(), Port: int32(ap.Port())} }

// AddrPort returns the host as a netip.AddrPort; ok is false if the port is
// outside 0..65535 (Java's InetSocketAddress would reject it).
func (h Host) AddrPort() (ap netip.AddrPort, ok bool) {
	if h.Port < 0 || h.Port > 65535 {
		return netip.AddrPortFrom(h.Addr, 0), false
	}
	return netip.AddrPortFrom(h.Addr, uint16(h.Port)), true
}

// String renders "ip:port" ("[ip]:port" for IPv6).
func (h Host) String() string {
	a := h.Addr
	if !a.IsValid() {
		a = netip.IPv4Unspecified()
	}
	if a.Is6() {
		return "[" + a.String() + "]:" + strconv.Itoa(int(h.Port))
	}
	return a.String() + ":" + strconv.Itoa(int(h.Port))
}

// needsV6 reports whether the host cannot be written in the 8-byte form.
func (h Host) needsV6() bool { return h.Addr.Is6() && !h.Addr.Is4In6() }

// put writes the host in 8 or 20 bytes (len(b) decides). An IPv4 address
// written in the 20-byte form becomes ::ffff:a.b.c.d; the zero Addr is
// written as zeros.
func (h Host) put(b []byte) {
	if len(b) == 20 {
		if h.Addr.IsValid() {
			a := h.Addr.As16()
			copy(b, a[:])
		} else {
			clear(b[:16])
		}
		binary.BigEndian.PutUint32(b[16:], uint32(h.Port))
		return
	}
	if h.Addr.IsValid() {
		a := h.Addr.Unmap().As4()
		copy(b, a[:])
	} else {
		clear(b[:4])
	}
	binary.BigEndian.PutUint32(b[4:], uint32(h.Port))
}

func getHost(b []byte) Host {
	if len(b) == 20 {
		return Host{Addr: netip.AddrFrom16([16]byte(b[:16])), Port: int32(binary.BigEndian.Uint32(b[16:]))}
	}
	return Host{Addr: netip.AddrFrom4([4]byte(b[:4])), Port: int32(binary.BigEndian.Uint32(b[4:]))}
}

// Kind tells what Decode found.
type Kind uint8

const (
	KindMessage Kind = iota + 1 // a v1 message record
	KindBlank                   // the BLANK end-of-file record; only TotalSize and MagicCode are set
)

func (k Kind) String() string {
	switch k {
	case KindMessage:
		return "MESSAGE"
	case KindBlank:
		return "BLANK"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Errors returned by Decode. A *FormatError wraps ErrCorrupt or ErrTruncated.
var (
	// ErrEndOfData: TOTALSIZE and MAGICCODE are both zero (a zeroed,
	// never-written area), or fewer than 8 bytes are left and all are zero.
	ErrEndOfData = errors.New("message: end of data")
	// ErrCorrupt: the bytes are not a valid record (Java's recovery stops here).
	ErrCorrupt = errors.New("message: corrupt record")
	// ErrTruncated: the record's TOTALSIZE (or a length field) reaches past
	// the end of the buffer. In a commitlog file this is corruption too.
	ErrTruncated = errors.New("message: truncated record")
	// ErrCRC: the body CRC does not match (only with checkCRC). Wraps ErrCorrupt.
	ErrCRC = &FormatError{Field: "BODYCRC", Reason: "body CRC mismatch", kind: ErrCorrupt}
)

// FormatError describes why bytes are not a valid record.
type FormatError struct {
	Field  string // the field at fault, e.g. "TOTALSIZE"
	Reason string
	kind   error
}

func (e *FormatError) Error() string {
	return "message: " + e.Field + ": " + e.Reason
}

// Unwrap returns ErrCorrupt or ErrTruncated.
func (e *FormatError) Unwrap() error { return e.kind }

func corrupt(field, format string, args ...any) error {
	return &FormatError{Field: field, Reason: fmt.Sprintf(format, args...), kind: ErrCorrupt}
}

func truncated(field string, need, have int) error {
	return &FormatError{Field: field, Reason: fmt.Sprintf("needs %d bytes, %d available", need, have), kind: ErrTruncated}
}

// Record is a decoded commitlog record. Slices alias the decoded buffer.
type Record struct {
	Kind                      Kind
	Raw                       []byte // the whole record (BLANK: its 8 header bytes)
	TotalSize                 int32
	MagicCode                 int32
	BodyCRC                   int32
	QueueID                   int32
	Flag                      int32
	QueueOffset               int64
	PhysicalOffset            int64
	SysFlag                   int32
	BornTimestamp             int64
	BornHost                  Host
	StoreTimestamp            int64
	StoreHost                 Host
	ReconsumeTimes            int32
	PreparedTransactionOffset int64
	Body                      []byte
	Topic                     []byte
	Properties                Properties
}

// PeekHeader reads TOTALSIZE and MAGICCODE without validating anything.
func PeekHeader(buf []byte) (totalSize, magic int32, ok bool) {
	if len(buf) < 8 {
		return 0, 0, false
	}
	return int32(binary.BigEndian.Uint32(buf)), int32(binary.BigEndian.Uint32(buf[4:])), true
}

// Decode decodes the record at the start of buf into r, the way
// CommitLog.checkMessageAndReturnSize validates it, plus the stricter checks
// listed below. With checkCRC (Java's checkCRCOnRecover) a non-empty body
// must match BODYCRC.
//
// Results: nil with r.Kind == KindMessage or KindBlank; ErrEndOfData; or an
// error wrapping ErrCorrupt / ErrTruncated. It never panics. Beyond Java's
// checks it rejects negative body/properties lengths (which Java would count
// as 0, but no Java writer produces) and requires len(buf) >= TOTALSIZE.
// A BLANK record's TOTALSIZE must be at least 8 but is not checked against
// len(buf): it is the distance to the end of the file, which the caller knows.
func (r *Record) Decode(buf []byte, checkCRC bool) error {
	*r = Record{}
	if len(buf) < 8 {
		for _, b := range buf {
			if b != 0 {
				return truncated("TOTALSIZE", 8, len(buf))
			}
		}
		return ErrEndOfData
	}
	total := int32(binary.BigEndian.Uint32(buf))
	magic := int32(binary.BigEndian.Uint32(buf[4:]))
	switch magic {
	case MessageMagicCode:
	case BlankMagicCode:
		if total < EndFileMinBlankLength {
			return corrupt("TOTALSIZE", "BLANK record size %d < %d", total, EndFileMinBlankLength)
		}
		r.Kind, r.TotalSize, r.MagicCode, r.Raw = KindBlank, total, magic, buf[:8:8]
		return nil
	case 0:
		if total == 0 {
			return ErrEndOfData
		}
		return corrupt("MAGICCODE", "illegal magic code 0x%08X", uint32(magic))
	default:
		if magic == MessageMagicCodeV2 {
			return corrupt("MAGICCODE", "v2 record (0x%08X, RocketMQ 5.x) not supported", uint32(magic))
		}
		return corrupt("MAGICCODE", "illegal magic code 0x%08X", uint32(magic))
	}
	minLen := int32(CalMsgLength(0, 0, 0, 0))
	if total < minLen {
		return corrupt("TOTALSIZE", "%d smaller than the minimum record size %d", total, minLen)
	}
	if int(total) > len(buf) {
		return truncated("TOTALSIZE", int(total), len(buf))
	}
	b := buf[:total:total]
	sysFlag := int32(binary.BigEndian.Uint32(b[36:]))
	bornLen := HostLength(sysFlag&BornHostV6Flag != 0)
	storeLen := HostLength(sysFlag&StoreHostAddressV6Flag != 0)
	fixed := CalMsgLength(sysFlag, 0, 0, 0)
	if int(total) < fixed {
		return corrupt("TOTALSIZE", "%d smaller than the fixed part %d for sysflag 0x%X", total, fixed, sysFlag)
	}
	p := bornHostPosition
	r.BornHost = getHost(b[p : p+bornLen])
	p += bornLen
	r.StoreTimestamp = int64(binary.BigEndian.Uint64(b[p:]))
	p += 8
	r.StoreHost = getHost(b[p : p+storeLen])
	p += storeLen
	r.ReconsumeTimes = int32(binary.BigEndian.Uint32(b[p:]))
	r.PreparedTransactionOffset = int64(binary.BigEndian.Uint64(b[p+4:]))
	bodyLen := int32(binary.BigEndian.Uint32(b[p+12:]))
	p += 16
	// Remaining after the body: topic length byte and properties length short.
	if bodyLen < 0 {
		return corrupt("BODY", "negative body length %d", bodyLen)
	}
	if int64(bodyLen) > int64(len(b)-p-3) {
		return corrupt("BODY", "body length %d exceeds the record (TOTALSIZE %d)", bodyLen, total)
	}
	body := b[p : p+int(bodyLen) : p+int(bodyLen)]
	p += int(bodyLen)
	topicLen := int(int8(b[p]))
	p++
	if topicLen < 0 {
		return corrupt("TOPIC", "negative topic length %d", topicLen)
	}
	if topicLen > len(b)-p-2 {
		return corrupt("TOPIC", "topic length %d exceeds the record (TOTALSIZE %d)", topicLen, total)
	}
	topic := b[p : p+topicLen : p+topicLen]
	p += topicLen
	propLen := int(int16(binary.BigEndian.Uint16(b[p:])))
	p += 2
	if propLen < 0 {
		return corrupt("PROPERTIES", "negative properties length %d", propLen)
	}
	if propLen != len(b)-p {
		return corrupt("TOTALSIZE", "%d does not match the field lengths (body %d, topic %d, properties %d => %d)",
			total, bodyLen, topicLen, propLen, CalMsgLength(sysFlag, int(bodyLen), topicLen, propLen))
	}
	bodyCRC := int32(binary.BigEndian.Uint32(b[8:]))
	if checkCRC && bodyLen > 0 && int32(crc32.ChecksumIEEE(body)&0x7FFFFFFF) != bodyCRC {
		return ErrCRC
	}
	r.Kind = KindMessage
	r.Raw = b
	r.TotalSize = total
	r.MagicCode = magic
	r.BodyCRC = bodyCRC
	r.QueueID = int32(binary.BigEndian.Uint32(b[12:]))
	r.Flag = int32(binary.BigEndian.Uint32(b[16:]))
	r.QueueOffset = int64(binary.BigEndian.Uint64(b[20:]))
	r.PhysicalOffset = int64(binary.BigEndian.Uint64(b[28:]))
	r.SysFlag = sysFlag
	r.BornTimestamp = int64(binary.BigEndian.Uint64(b[40:]))
	r.Body = body
	r.Topic = topic
	r.Properties = Properties(b[p:len(b):len(b)])
	return nil
}

// Decode is a convenience wrapper for Record.Decode.
func Decode(buf []byte, checkCRC bool) (Record, error) {
	var r Record
	err := r.Decode(buf, checkCRC)
	return r, err
}

// TopicString returns the topic as a string (allocates).
func (r *Record) TopicString() string { return string(r.Topic) }

// TransactionType returns SysFlag & 0xC.
func (r *Record) TransactionType() int32 { return TransactionType(r.SysFlag) }

// BodyCRCValid reports whether BodyCRC matches the body.
func (r *Record) BodyCRCValid() bool { return BodyCRC(r.Body) == r.BodyCRC }

// Tags returns the TAGS property (last occurrence wins, as in Java).
func (r *Record) Tags() ([]byte, bool) { return r.Properties.Get(PropertyTags) }

// TagsCode is the consume-queue tags code of a normal record:
// String.hashCode of TAGS, 0 if absent or empty.
func (r *Record) TagsCode() int64 {
	v, _ := r.Properties.Get(PropertyTags)
	return TagsCode(v)
}

// UniqKey returns the UNIQ_KEY property.
func (r *Record) UniqKey() ([]byte, bool) { return r.Properties.Get(PropertyUniqClientMessageIDKeyIdx) }

// Keys returns the raw KEYS property (space separated; see SplitKeys).
func (r *Record) Keys() ([]byte, bool) { return r.Properties.Get(PropertyKeys) }

// OffsetMsgID renders the offset-based message id of this record.
func (r *Record) OffsetMsgID() string {
	var b [56]byte
	return string(AppendOffsetMsgID(b[:0], r.StoreHost, r.SysFlag&StoreHostAddressV6Flag != 0, r.PhysicalOffset))
}

// Message returns the fields of a message record as a Message that
// AppendRecord encodes back to exactly r.Raw (the stored BODYCRC is kept).
// The slices still alias the decoded buffer; Topic is copied into a string.
func (r *Record) Message() Message {
	return Message{
		QueueID:                   r.QueueID,
		Flag:                      r.Flag,
		QueueOffset:               r.QueueOffset,
		PhysicalOffset:            r.PhysicalOffset,
		SysFlag:                   r.SysFlag,
		BornTimestamp:             r.BornTimestamp,
		BornHost:                  r.BornHost,
		StoreTimestamp:            r.StoreTimestamp,
		StoreHost:                 r.StoreHost,
		ReconsumeTimes:            r.ReconsumeTimes,
		PreparedTransactionOffset: r.PreparedTransactionOffset,
		Body:                      r.Body,
		Topic:                     string(r.Topic),
		Properties:                r.Properties,
		BodyCRC:                   r.BodyCRC,
		KeepBodyCRC:               true,
	}
}

// BodyCRC is UtilAll.crc32: CRC-32/IEEE masked with 0x7FFFFFFF (0 for an
// empty body).
func BodyCRC(body []byte) int32 { return int32(crc32.ChecksumIEEE(body) & 0x7FFFFFFF) }

// Scanner walks the records of one commitlog file (or any run of records).
type Scanner struct {
	buf      []byte
	base     int64
	pos      int
	checkCRC bool
	rec      Record
	err      error
	done     bool
	blank    bool
}

// NewScanner returns a scanner over buf whose byte 0 is at physical offset
// fileFromOffset.
func NewScanner(buf []byte, fileFromOffset int64, checkCRC bool) *Scanner {
	return &Scanner{buf: buf, base: fileFromOffset, checkCRC: checkCRC}
}

// Next advances to the next record, message or BLANK. It returns false at a
// BLANK's end, at the end of data, at the end of buf, or on error (see Err).
func (s *Scanner) Next() bool {
	if s.done {
		return false
	}
	if s.rec.Kind != 0 {
		if s.rec.Kind == KindBlank {
			s.done = true
			return false
		}
		s.pos += int(s.rec.TotalSize)
	}
	if s.pos >= len(s.buf) {
		s.done = true
		return false
	}
	if err := s.rec.Decode(s.buf[s.pos:], s.checkCRC); err != nil {
		s.done = true
		if err != ErrEndOfData {
			s.err = err
		}
		return false
	}
	if s.rec.Kind == KindBlank {
		s.blank = true
	}
	return true
}

// Record returns the current record (valid until the next call to Next).
func (s *Scanner) Record() *Record { return &s.rec }

// Offset returns the physical offset of the current record, or after the
// walk ended, where valid data ends (a BLANK's offset counts as the end of
// the valid messages; use SawBlank to know the file is complete).
func (s *Scanner) Offset() int64 { return s.base + int64(s.pos) }

// SawBlank reports whether the walk reached a BLANK record.
func (s *Scanner) SawBlank() bool { return s.blank }

// Err returns the error that stopped the walk, nil for a clean end.
func (s *Scanner) Err() error { return s.err }
