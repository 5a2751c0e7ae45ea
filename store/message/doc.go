// Package message implements the commitlog record format of Apache RocketMQ
// 4.9.7 ("v1" records) byte for byte: decoding, encoding, in-place patching of
// the fields assigned under the put lock, the BLANK end-of-file record, the
// SEND_BATCH_MESSAGE request body, the properties string and the offset-based
// message id.
//
// The facts below were taken from the rocketmq-all-4.9.7 sources:
// store/CommitLog.java (MessageExtEncoder.encode for single messages and
// batches, calMsgLength, DefaultAppendMessageCallback.doAppend,
// checkMessageAndReturnSize), common/message/MessageDecoder.java,
// common/message/MessageExt.java (socketAddress2ByteBuffer),
// common/message/MessageConst.java, common/sysflag/MessageSysFlag.java,
// common/UtilAll.java (crc32, bytes2string) and
// store/MessageExtBrokerInner.java (tagsString2tagsCode).
//
// # Byte order
//
// Every integer is big-endian, signed two's complement (Java ByteBuffer).
//
// # Record layout
//
// Records are packed back to back from position 0 of each commitlog file,
// without alignment. "B" is the born host length (8 for IPv4, 20 for IPv6,
// selected by sysflag bit 0x10) and "S" the store host length (8 or 20,
// sysflag bit 0x20). n = body length, t = topic length, p = properties length.
//
//	offset            size  field
//	0                 4     TOTALSIZE   length of the whole record, this field included
//	4                 4     MAGICCODE   -626843481 (0xDAA320A7), MESSAGE_MAGIC_CODE
//	8                 4     BODYCRC     CRC-32/IEEE of the stored body & 0x7FFFFFFF
//	12                4     QUEUEID
//	16                4     FLAG        application flag, opaque
//	20                8     QUEUEOFFSET consume queue index (patched under the lock)
//	28                8     PHYSICALOFFSET absolute commitlog offset of byte 0 (patched)
//	36                4     SYSFLAG     bit set, see below
//	40                8     BORNTIMESTAMP  ms since epoch
//	48                B     BORNHOST    IPv4: 4-byte address + 4-byte int port
//	                                    IPv6: 16-byte address + 4-byte int port
//	48+B              8     STORETIMESTAMP ms, taken inside the put lock (patched)
//	56+B              S     STOREHOST   same encoding as BORNHOST
//	56+B+S            4     RECONSUMETIMES
//	60+B+S            8     PREPARED TRANSACTION OFFSET
//	68+B+S            4     BODY length n (>= 0)
//	72+B+S            n     BODY bytes
//	72+B+S+n          1     TOPIC length t (read as a signed byte: 0..127)
//	73+B+S+n          t     TOPIC bytes (UTF-8)
//	73+B+S+n+t        2     PROPERTIES length p (signed short: 0..32767)
//	75+B+S+n+t        p     PROPERTIES bytes (UTF-8)
//
// With both hosts IPv4 the fixed part is 91 bytes (TOTALSIZE = 91+n+t+p);
// each IPv6 host adds 12 (103 with one, 115 with both). Concretely, IPv4/IPv4:
// STORETIMESTAMP at 56, STOREHOST at 64, RECONSUMETIMES at 72, PREPARED
// TRANSACTION OFFSET at 76, BODY length at 84. IPv6 born + IPv4 store:
// STORETIMESTAMP at 68, STOREHOST at 76, BODY length at 96. IPv6/IPv6:
// STORETIMESTAMP at 68, STOREHOST at 76, RECONSUMETIMES at 96, BODY length at
// 108. This is CommitLog.calMsgLength; the recomputed length must equal
// TOTALSIZE or the record is corrupt.
//
// # Magic codes
//
//	MESSAGE_MAGIC_CODE    -626843481  0xDAA320A7  message (the only one 4.9.7 writes)
//	MESSAGE_MAGIC_CODE_V2 -626843477  0xDAA320AB  5.x, 2-byte topic length (rejected here)
//	BLANK_MAGIC_CODE      -875286124  0xCBD43194  end-of-file filler
//
// # SYSFLAG bits (MessageSysFlag)
//
//	0x001 COMPRESSED_FLAG           body compressed by the producer
//	0x002 MULTI_TAGS_FLAG
//	0x00C transaction type: 0x0 NOT, 0x4 PREPARED, 0x8 COMMIT, 0xC ROLLBACK
//	0x010 BORNHOST_V6_FLAG          born host is 20 bytes
//	0x020 STOREHOSTADDRESS_V6_FLAG  store host is 20 bytes
//	0x040 NEED_UNWRAP_FLAG          unused by the 4.9.7 store
//	0x080 INNER_BATCH_FLAG          unused by the 4.9.7 store
//	0x700 compression type: 0x100 LZ4, 0x200 ZSTD, 0x300 ZLIB (0 with bit 0 = ZLIB)
//
// # Properties string
//
// name 0x01 value 0x02 name 0x01 value ... with no trailing 0x02
// (MessageDecoder.messageProperties2String). The reader
// (string2messageProperties) splits on 0x02 and keeps a segment only if it is at
// least 3 characters long and its first 0x01 lies after the first and before
// the last character; later duplicates replace earlier values. The order of
// entries written by Java is the iteration order of a java.util.HashMap; see
// PropertyMap.
//
// # BLANK record
//
// When a record of length L does not fit with 8 spare bytes
// (L + END_FILE_MIN_BLANK_LENGTH > maxBlank, END_FILE_MIN_BLANK_LENGTH = 4+4,
// maxBlank = fileSize - writePosition), DefaultAppendMessageCallback.doAppend
// writes exactly 8 bytes: TOTALSIZE = maxBlank (the rest of the file) and
// MAGICCODE = BLANK_MAGIC_CODE. The remaining maxBlank-8 bytes are not written
// (zeros in a preallocated file). The record, or the whole batch, then goes to
// position 0 of the next file. Readers only look at those 8 bytes.
//
// # Batches
//
// The SEND_BATCH_MESSAGE body is a concatenation of items
// (MessageDecoder.encodeMessage): TOTALSIZE(4) MAGICCODE(4, 0) BODYCRC(4, 0)
// FLAG(4) BODY length(4)+bytes PROPERTIES length(2)+bytes. The broker
// (MessageExtEncoder.encode(MessageExtBatch)) walks the fields, ignoring the
// item TOTALSIZE/MAGICCODE/BODYCRC, and writes one ordinary record per item:
// CRC over the item body, queue id / sysflag / born / store / reconsume times
// of the batch, prepared offset 0, and properties = item properties, then one
// 0x02 (only when both parts are non-empty and the item's properties do not
// already end with 0x02), then the batch-level properties string. In 4.9.7 the
// batch-level map keeps the request's WAIT and gains CLUSTER, so batch records
// carry WAIT twice (once from the item, once from the batch).
//
// # Zero copy
//
// A decoded Record aliases the buffer it was decoded from: Body, Topic,
// Properties and Raw are sub-slices of it. They are valid only as long as the
// buffer is and must be copied before the buffer is reused or unmapped.
package message
