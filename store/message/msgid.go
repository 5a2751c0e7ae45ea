package message

import (
	"encoding/binary"
	"errors"
	"net/netip"
)

const hexDigits = "0123456789ABCDEF"

// ErrBadMsgID is returned by DecodeOffsetMsgID.
var ErrBadMsgID = errors.New("message: malformed offset message id")

// AppendOffsetMsgID appends the offset-based message id
// (MessageDecoder.createMessageId, the msgIdSupplier of doAppend): store
// address (4 bytes, or 16 if v6), store port (int), physical offset (long),
// as uppercase hex: 32 characters for IPv4, 56 for IPv6. Pass
// v6 = sysFlag&StoreHostAddressV6Flag != 0; a true IPv6 address forces it.
func AppendOffsetMsgID(dst []byte, storeHost Host, v6 bool, offset int64) []byte {
	var raw [28]byte
	n := HostLength(v6 || storeHost.needsV6())
	storeHost.put(raw[:n])
	binary.BigEndian.PutUint64(raw[n:], uint64(offset))
	for _, c := range raw[:n+8] {
		dst = append(dst, hexDigits[c>>4], hexDigits[c&0xF])
	}
	return dst
}

// OffsetMsgID is AppendOffsetMsgID returning a string.
func OffsetMsgID(storeHost Host, v6 bool, offset int64) string {
	var b [56]byte
	return string(AppendOffsetMsgID(b[:0], storeHost, v6, offset))
}

// DecodeOffsetMsgID parses an offset message id (MessageDecoder.decodeMessageId):
// 32 hex characters for an IPv4 host, 56 for IPv6, either case.
func DecodeOffsetMsgID(id string) (Host, int64, error) {
	var raw [28]byte
	if len(id) != 32 && len(id) != 56 {
		return Host{}, 0, ErrBadMsgID
	}
	for i := 0; i < len(id)/2; i++ {
		hi, ok1 := unhex(id[2*i])
		lo, ok2 := unhex(id[2*i+1])
		if !ok1 || !ok2 {
			return Host{}, 0, ErrBadMsgID
		}
		raw[i] = hi<<4 | lo
	}
	ipLen := 4
	if len(id) == 56 {
		ipLen = 16
	}
	var h Host
	if ipLen == 4 {
		h.Addr = netip.AddrFrom4([4]byte(raw[:4]))
	} else {
		h.Addr = netip.AddrFrom16([16]byte(raw[:16]))
	}
	h.Port = int32(binary.BigEndian.Uint32(raw[ipLen:]))
	return h, int64(binary.BigEndian.Uint64(raw[ipLen+4:])), nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}
