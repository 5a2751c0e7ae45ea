package codec

import (
	"encoding/binary"
	"fmt"
	"math"
	"unsafe"
)

// binaryFixed is the fixed part of a ROCKETMQ header: code, language,
// version, opaque, flag, remark length (Java RocketMQSerializable).
const binaryFixed = 2 + 1 + 2 + 4 + 4 + 4

// bstr returns a string that shares b's memory. Only used on the private
// header copy made by DecodePayload, which is never written again.
func bstr(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func decodeBinaryHeader(c *Command, h []byte) error {
	if len(h) < binaryFixed+4 {
		return fmt.Errorf("%w: ROCKETMQ header of %d bytes, need at least %d", ErrMalformed, len(h), binaryFixed+4)
	}
	c.Code = int32(int16(binary.BigEndian.Uint16(h[0:])))
	c.Language = LanguageCode(h[2])
	c.Version = int32(int16(binary.BigEndian.Uint16(h[3:])))
	c.Opaque = int32(binary.BigEndian.Uint32(h[5:]))
	c.Flag = int32(binary.BigEndian.Uint32(h[9:]))
	rlen := int64(int32(binary.BigEndian.Uint32(h[13:])))
	p := h[binaryFixed:]
	if rlen < 0 || rlen > int64(len(p)-4) {
		return fmt.Errorf("%w: ROCKETMQ remark length %d, %d bytes left", ErrMalformed, rlen, len(p)-4)
	}
	c.Remark = bstr(p[:rlen])
	p = p[rlen:]
	elen := int64(int32(binary.BigEndian.Uint32(p)))
	p = p[4:]
	if elen < 0 || elen != int64(len(p)) {
		return fmt.Errorf("%w: ROCKETMQ extFields length %d, %d bytes left", ErrMalformed, elen, len(p))
	}
	if elen == 0 {
		// Java writes 0 for both a null and an empty map.
		c.Ext = c.extInline[:0]
		return nil
	}
	c.Ext = c.extInline[:0]
	for len(p) > 0 {
		if len(p) < 2 {
			return fmt.Errorf("%w: ROCKETMQ extFields entry truncated", ErrMalformed)
		}
		klen := int(binary.BigEndian.Uint16(p))
		p = p[2:]
		if klen > len(p)-4 {
			return fmt.Errorf("%w: ROCKETMQ extFields key length %d, %d bytes left", ErrMalformed, klen, len(p))
		}
		key := p[:klen]
		p = p[klen:]
		vlen := int64(int32(binary.BigEndian.Uint32(p)))
		p = p[4:]
		if vlen < 0 || vlen > int64(len(p)) {
			return fmt.Errorf("%w: ROCKETMQ extFields value length %d, %d bytes left", ErrMalformed, vlen, len(p))
		}
		c.Ext = append(c.Ext, Field{bstr(key), bstr(p[:vlen])})
		p = p[vlen:]
	}
	return nil
}

func appendBinaryHeader(dst []byte, c *Command) ([]byte, error) {
	if c.Code < math.MinInt16 || c.Code > math.MaxInt16 {
		return dst, fmt.Errorf("encode: code %d does not fit the ROCKETMQ header's int16", c.Code)
	}
	if c.Version < math.MinInt16 || c.Version > math.MaxInt16 {
		return dst, fmt.Errorf("encode: version %d does not fit the ROCKETMQ header's int16", c.Version)
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(c.Code))
	dst = append(dst, byte(c.Language))
	dst = binary.BigEndian.AppendUint16(dst, uint16(c.Version))
	dst = binary.BigEndian.AppendUint32(dst, uint32(c.Opaque))
	dst = binary.BigEndian.AppendUint32(dst, uint32(c.Flag))
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(c.Remark)))
	dst = append(dst, c.Remark...)
	lenAt := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	for _, f := range c.Ext {
		if len(f.Key) > math.MaxUint16 {
			return dst, fmt.Errorf("encode: extFields key of %d bytes does not fit int16", len(f.Key))
		}
		dst = binary.BigEndian.AppendUint16(dst, uint16(len(f.Key)))
		dst = append(dst, f.Key...)
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(f.Value)))
		dst = append(dst, f.Value...)
	}
	binary.BigEndian.PutUint32(dst[lenAt:], uint32(len(dst)-lenAt-4))
	return dst, nil
}
