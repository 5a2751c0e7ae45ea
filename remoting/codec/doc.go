// Package codec encodes and decodes RocketMQ remoting frames, byte for byte as
// the Java 4.9.7 NettyEncoder/NettyDecoder and RemotingCommand do.
//
// # Frame
//
//	offset  size  field
//	0       4     length, int32 BE = 4 + headerLength + bodyLength (excludes itself)
//	4       1     serialize type: 0 JSON, 1 ROCKETMQ
//	5       3     headerLength, uint24 BE
//	8       H     header (JSON text or ROCKETMQ binary)
//	8+H     B     body, opaque bytes, may be empty
//
// Java reads the second word as one int32: type<<24 | headerLength.
//
// # JSON header (type 0)
//
// A JSON object with keys code, language, version, opaque, flag, remark,
// extFields (a flat string map) and serializeTypeCurrentRPC (written by Java,
// ignored on decode). The encoder writes what fastjson writes: keys in
// alphabetical order, no whitespace, null fields omitted, control characters
// escaped. The decoder accepts any valid JSON object: any key order, unknown
// keys, whitespace, numbers as numbers or as numeric strings, extFields
// absent or null, non-string extFields values (kept as their JSON text).
//
// # ROCKETMQ header (type 1), from Java RocketMQSerializable
//
//	offset  size  field
//	0       2     code, int16 BE
//	2       1     language (LanguageCode byte)
//	3       2     version, int16 BE
//	5       4     opaque, int32 BE
//	9       4     flag, int32 BE
//	13      4     remark length R (0 = no remark)
//	17      R     remark, UTF-8
//	17+R    4     extFields length E (0 = no map)
//	21+R    E     repeated: key length int16 BE, key, value length int32 BE, value
//
// # Ownership
//
// A decoded Command never aliases the input buffer: header strings point into
// one private copy of the header bytes, and the body is copied into its own
// slice. Keeping any string of a Command alive keeps that header copy (a few
// hundred bytes) alive, never the body.
package codec
