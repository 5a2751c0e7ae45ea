package codec

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxFrameLength is Java's com.rocketmq.remoting.frameMaxLength: the
// largest frame in bytes, counting the 4-byte length field itself.
const DefaultMaxFrameLength = 16 << 20

// maxHeaderLength is the largest header the 24-bit length field can describe.
const maxHeaderLength = 1<<24 - 1

// Errors a caller can tell apart. Every decode error wraps ErrMalformed, so a
// server can treat the whole family as "close this connection".
var (
	ErrMalformed      = errors.New("malformed remoting frame")
	ErrFrameTooLarge  = fmt.Errorf("%w: frame too large", ErrMalformed)
	ErrFrameTooShort  = fmt.Errorf("%w: frame length below 4", ErrMalformed)
	ErrHeaderTooLarge = fmt.Errorf("%w: header length exceeds frame", ErrMalformed)
	ErrSerializeType  = fmt.Errorf("%w: unknown serialize type", ErrMalformed)
)

// FrameLength reads the 4-byte length prefix and returns the size of the
// whole frame including the prefix. It rejects a declared length below 4 and
// a frame above maxFrame (Java's LengthFieldBasedFrameDecoder limit) before
// any of the frame is read, so a peer cannot make us buffer a huge frame.
func FrameLength(prefix []byte, maxFrame int) (int, error) {
	n := int64(int32(binary.BigEndian.Uint32(prefix)))
	if n < 4 {
		return 0, fmt.Errorf("%w (%d)", ErrFrameTooShort, n)
	}
	if n+4 > int64(maxFrame) {
		return 0, fmt.Errorf("%w: %d bytes, limit %d", ErrFrameTooLarge, n+4, maxFrame)
	}
	return int(n) + 4, nil
}

// Decode decodes one whole frame, length prefix included. The returned
// Command does not alias frame.
func Decode(frame []byte) (*Command, error) {
	if len(frame) < 8 {
		return nil, fmt.Errorf("%w: %d bytes", ErrFrameTooShort, len(frame))
	}
	n := int32(binary.BigEndian.Uint32(frame))
	if n < 4 || int64(n) != int64(len(frame)-4) {
		return nil, fmt.Errorf("%w: length field %d, frame has %d bytes", ErrMalformed, n, len(frame)-4)
	}
	return DecodePayload(frame[4:])
}

// DecodePayload decodes the bytes that follow the length prefix. The
// returned Command does not alias p.
func DecodePayload(p []byte) (*Command, error) {
	if len(p) < 4 {
		return nil, fmt.Errorf("%w: payload of %d bytes", ErrFrameTooShort, len(p))
	}
	word := binary.BigEndian.Uint32(p)
	st := SerializeType(word >> 24)
	hlen := int(word & maxHeaderLength)
	if hlen > len(p)-4 {
		return nil, fmt.Errorf("%w: header %d bytes, frame %d", ErrHeaderTooLarge, hlen, len(p)-4)
	}
	cmd := &Command{Serialize: st}
	// One private copy of the header: decoded strings point into it.
	hdr := make([]byte, hlen)
	copy(hdr, p[4:4+hlen])
	var err error
	switch st {
	case JSON:
		err = decodeJSONHeader(cmd, hdr)
	case RocketMQ:
		err = decodeBinaryHeader(cmd, hdr)
	default:
		return nil, fmt.Errorf("%w %d", ErrSerializeType, st)
	}
	if err != nil {
		return nil, err
	}
	if body := p[4+hlen:]; len(body) > 0 {
		cmd.Body = make([]byte, len(body))
		copy(cmd.Body, body)
	}
	return cmd, nil
}

// AppendFrame appends the encoded frame of c (prefix, header in
// c.Serialize, body) to dst.
func AppendFrame(dst []byte, c *Command) ([]byte, error) {
	dst, err := AppendFrameHeader(dst, c)
	if err != nil {
		return dst, err
	}
	return append(dst, c.Body...), nil
}

// AppendFrameHeader appends everything of c's frame but the body: the
// length prefix (which counts len(c.Body)), the header word and the header.
// A writer can then send the body from where it lies (a mapped file) without
// copying it into the frame.
func AppendFrameHeader(dst []byte, c *Command) ([]byte, error) {
	return AppendFrameHeaderLen(dst, c, len(c.Body))
}

// AppendFrameHeaderLen is AppendFrameHeader for a body of bodyLen bytes
// that is not in c.Body: a writer sending the body as several pieces
// (pulled messages lying in a mapped file) counts them here.
func AppendFrameHeaderLen(dst []byte, c *Command, bodyLen int) ([]byte, error) {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0, 0, 0, 0, 0)
	var err error
	switch c.Serialize {
	case JSON:
		dst = appendJSONHeader(dst, c)
	case RocketMQ:
		dst, err = appendBinaryHeader(dst, c)
	default:
		err = fmt.Errorf("encode: %w %d", ErrSerializeType, c.Serialize)
	}
	if err != nil {
		return dst[:start], err
	}
	hlen := len(dst) - start - 8
	if hlen > maxHeaderLength {
		return dst[:start], fmt.Errorf("encode: header of %d bytes exceeds the 24-bit length field", hlen)
	}
	total := 4 + hlen + bodyLen
	if total > DefaultMaxFrameLength-4 {
		return dst[:start], fmt.Errorf("encode: frame of %d bytes exceeds %d", total+4, DefaultMaxFrameLength)
	}
	binary.BigEndian.PutUint32(dst[start:], uint32(total))
	binary.BigEndian.PutUint32(dst[start+4:], uint32(c.Serialize)<<24|uint32(hlen))
	return dst, nil
}

// Reader reads frames from a byte stream (the plain-net client side).
type Reader struct {
	r        *bufio.Reader
	maxFrame int
	buf      []byte
}

// NewReader returns a Reader that refuses frames above maxFrame bytes
// (DefaultMaxFrameLength when maxFrame <= 0).
func NewReader(r io.Reader, maxFrame int) *Reader {
	if maxFrame <= 0 {
		maxFrame = DefaultMaxFrameLength
	}
	return &Reader{r: bufio.NewReaderSize(r, 64<<10), maxFrame: maxFrame}
}

// readChunk bounds how much the Reader allocates ahead of data actually
// received, so a forged length cannot make it allocate 16 MiB up front.
const readChunk = 256 << 10

// Next reads and decodes the next frame. A malformed frame leaves the stream
// unusable: the caller closes the connection.
func (fr *Reader) Next() (*Command, error) {
	var prefix [4]byte
	if _, err := io.ReadFull(fr.r, prefix[:]); err != nil {
		return nil, err
	}
	total, err := FrameLength(prefix[:], fr.maxFrame)
	if err != nil {
		return nil, err
	}
	n := total - 4
	fr.buf = fr.buf[:0]
	for len(fr.buf) < n {
		want := n - len(fr.buf)
		if want > readChunk {
			want = readChunk
		}
		if cap(fr.buf)-len(fr.buf) < want {
			// Grow by doubling, never past the frame: allocation stays
			// within twice what has actually arrived.
			c := 2 * cap(fr.buf)
			if c < len(fr.buf)+want {
				c = len(fr.buf) + want
			}
			if c > n {
				c = n
			}
			grown := make([]byte, len(fr.buf), c)
			copy(grown, fr.buf)
			fr.buf = grown
		}
		got, err := io.ReadFull(fr.r, fr.buf[len(fr.buf):len(fr.buf)+want])
		fr.buf = fr.buf[:len(fr.buf)+got]
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
	cmd, err := DecodePayload(fr.buf)
	if cap(fr.buf) > 1<<20 {
		fr.buf = nil // do not pin a large buffer after one large frame
	}
	return cmd, err
}
