package message

import (
	"bytes"
	"compress/zlib"
	"errors"
	"io"
)

// ErrUnsupportedCompression is returned by Uncompress for LZ4 and ZSTD
// bodies (no decoder in the standard library).
var ErrUnsupportedCompression = errors.New("message: unsupported compression type")

// CompressionType returns sysFlag & 0x700, treating 0 as ZLIB
// (MessageSysFlag.getCompressionType), or 0 if the body is not compressed.
func CompressionType(sysFlag int32) int32 {
	if sysFlag&CompressedFlag == 0 {
		return 0
	}
	if t := sysFlag & CompressionTypeMask; t != 0 {
		return t
	}
	return CompressionZLIBType
}

// Uncompress returns the producer's original body: body itself if the
// COMPRESSED_FLAG is clear, the inflated bytes for ZLIB (the 4.9.7 default),
// ErrUnsupportedCompression otherwise. The broker never needs this; it stores
// and serves the compressed bytes.
func Uncompress(sysFlag int32, body []byte) ([]byte, error) {
	switch CompressionType(sysFlag) {
	case 0:
		return body, nil
	case CompressionZLIBType:
		zr, err := zlib.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		return io.ReadAll(zr)
	}
	return nil, ErrUnsupportedCompression
}
