package requestcode

// ResponseCode is the code field of a remoting response: the outcome of the
// request it answers.
type ResponseCode int32

// Generic response codes of the remoting layer (Java RemotingSysResponseCode).
const (
	// Success: the request was carried out.
	Success ResponseCode = 0
	// SystemError: generic failure, with the reason in the remark; used for
	// processor exceptions, invalid topic names, store errors and more.
	SystemError ResponseCode = 1
	// SystemBusy: the server refused the request because it is overloaded
	// or its queue of pending requests was cleaned.
	SystemBusy ResponseCode = 2
	// RequestCodeNotSupported: the receiver has no handler for the request
	// code.
	RequestCodeNotSupported ResponseCode = 3
	// TransactionFailed: defined but never sent by 4.9.7.
	TransactionFailed ResponseCode = 4
)

// Response codes of the messaging layer defined by RocketMQ 4.9.7 (Java
// ResponseCode), in numeric order.
const (
	// FlushDiskTimeout: the message was stored but a synchronous disk flush
	// timed out.
	FlushDiskTimeout ResponseCode = 10
	// SlaveNotAvailable: the message was stored but a synchronous master has
	// no slave in sync; also returned when a slave receives EndTransaction.
	SlaveNotAvailable ResponseCode = 11
	// FlushSlaveTimeout: the message was stored but replication to the slave
	// timed out.
	FlushSlaveTimeout ResponseCode = 12
	// MessageIllegal: the message breaks a limit (size, topic length,
	// properties length, batch format).
	MessageIllegal ResponseCode = 13
	// ServiceNotAvailable: the broker cannot store now (it is a slave, is
	// shutting down, or is not writeable, e.g. disk full).
	ServiceNotAvailable ResponseCode = 14
	// VersionNotSupported: defined but never sent by 4.9.7.
	VersionNotSupported ResponseCode = 15
	// NoPermission: the broker, topic or group does not allow the operation
	// (write, read, consume, broadcast), or a protected setting was touched.
	NoPermission ResponseCode = 16
	// TopicNotExist: no route for the topic (NameServer), or the topic is
	// unknown to the broker and cannot be auto-created.
	TopicNotExist ResponseCode = 17
	// TopicExistAlready: defined but never sent by 4.9.7.
	TopicExistAlready ResponseCode = 18
	// PullNotFound: pull found no new message.
	PullNotFound ResponseCode = 19
	// PullRetryImmediately: pull found messages but none passed the filter,
	// or the data is being removed; the consumer pulls again at once.
	PullRetryImmediately ResponseCode = 20
	// PullOffsetMoved: the pull offset is out of the queue's range; the
	// consumer jumps to the next begin offset given in the response header.
	PullOffsetMoved ResponseCode = 21
	// QueryNotFound: nothing matched a lookup (no committed consumer offset,
	// KV entry absent, no message for a query).
	QueryNotFound ResponseCode = 22
	// SubscriptionParseFailed: the subscription expression in a pull could
	// not be parsed.
	SubscriptionParseFailed ResponseCode = 23
	// SubscriptionNotExist: the broker has no subscription of the group for
	// the topic.
	SubscriptionNotExist ResponseCode = 24
	// SubscriptionNotLatest: the broker's copy of the subscription is older
	// than the one in the request.
	SubscriptionNotLatest ResponseCode = 25
	// SubscriptionGroupNotExist: the consumer group is unknown and
	// auto-creation is off.
	SubscriptionGroupNotExist ResponseCode = 26
	// FilterDataNotExist: the broker has no SQL92 filter data for the
	// subscription.
	FilterDataNotExist ResponseCode = 27
	// FilterDataNotLatest: the broker's SQL92 filter data is older than the
	// request.
	FilterDataNotLatest ResponseCode = 28
	// TransactionShouldCommit: defined but never sent by 4.9.7.
	TransactionShouldCommit ResponseCode = 200
	// TransactionShouldRollback: defined but never sent by 4.9.7.
	TransactionShouldRollback ResponseCode = 201
	// TransactionStateUnknow: defined but never sent by 4.9.7 (the Java name
	// is spelled this way).
	TransactionStateUnknow ResponseCode = 202
	// TransactionStateGroupWrong: defined but never sent by 4.9.7.
	TransactionStateGroupWrong ResponseCode = 203
	// NoBuyerId: never sent by a 4.9.7 server; Java producers still retry
	// on it.
	NoBuyerId ResponseCode = 204
	// NotInCurrentUnit: never sent by a 4.9.7 server; Java producers still
	// retry on it.
	NotInCurrentUnit ResponseCode = 205
	// ConsumerNotOnline: the consumer group has no live connection (offset
	// reset, consumer status, relayed admin requests).
	ConsumerNotOnline ResponseCode = 206
	// ConsumeMsgTimeout: a request the broker relayed to a client timed out.
	ConsumeMsgTimeout ResponseCode = 207
	// NoMessage: only used inside the Java client; never on the wire from a
	// 4.9.7 server.
	NoMessage ResponseCode = 208
	// UpdateAndCreateAclConfigFailed: creating or changing an ACL account
	// failed. 5.x reuses 209 for POLLING_FULL.
	UpdateAndCreateAclConfigFailed ResponseCode = 209
	// DeleteAclConfigFailed: removing an ACL account failed. 5.x reuses 210
	// for POLLING_TIMEOUT.
	DeleteAclConfigFailed ResponseCode = 210
	// UpdateGlobalWhiteAddrsConfigFailed: replacing the ACL global white
	// list failed. 5.x reuses 211 for BROKER_NOT_EXIST.
	UpdateGlobalWhiteAddrsConfigFailed ResponseCode = 211
	// FlowControl: not sent by 4.9.7 servers; a Java push consumer that gets
	// it on a pull waits only briefly before pulling again.
	FlowControl ResponseCode = 215
)
