package requestcode

// RequestCode is the code field of a remoting request: the operation the
// receiver is asked to perform.
type RequestCode int32

// Request codes defined by RocketMQ 4.9.7, in numeric order.
const (
	// SendMessage: producer → broker. Store one message; the request header
	// uses the long field names. Java producers use it only when
	// sendSmartMsg is off; rocketmq-client-go uses it for every single send.
	// With property TRAN_MSG=true the message is a transaction half message.
	SendMessage RequestCode = 10
	// PullMessage: consumer → broker. Fetch messages from one queue, held
	// by the broker (long polling) while there is nothing new.
	PullMessage RequestCode = 11
	// QueryMessage: API → broker. Look up messages by key or unique key in
	// the broker's index.
	QueryMessage RequestCode = 12
	// QueryBrokerOffset: defined but handled by no 4.9.7 server.
	QueryBrokerOffset RequestCode = 13
	// QueryConsumerOffset: consumer → broker. Read the committed offset of a
	// (group, topic, queue); answered with QueryNotFound when there is none.
	QueryConsumerOffset RequestCode = 14
	// UpdateConsumerOffset: consumer → broker. Commit a consume offset
	// (Java consumers send it oneway every 5 s).
	UpdateConsumerOffset RequestCode = 15
	// UpdateAndCreateTopic: admin or the createTopic API → broker. Create or
	// replace a topic's configuration on that broker.
	UpdateAndCreateTopic RequestCode = 17
	// GetAllTopicConfig: admin, or a slave broker syncing metadata → broker.
	// Every topic configuration of the broker.
	GetAllTopicConfig RequestCode = 21
	// GetTopicConfigList: defined but handled by no 4.9.7 server.
	GetTopicConfigList RequestCode = 22
	// GetTopicNameList: defined but handled by no 4.9.7 server.
	GetTopicNameList RequestCode = 23
	// UpdateBrokerConfig: admin → broker. Change broker settings; the body
	// is Java properties text.
	UpdateBrokerConfig RequestCode = 25
	// GetBrokerConfig: admin → broker. The broker settings as properties
	// text, with the configuration's data version in the response header.
	GetBrokerConfig RequestCode = 26
	// TriggerDeleteFiles: defined but handled by no 4.9.7 server.
	TriggerDeleteFiles RequestCode = 27
	// GetBrokerRuntimeInfo: admin → broker. Runtime statistics as a
	// key/value table.
	GetBrokerRuntimeInfo RequestCode = 28
	// SearchOffsetByTimestamp: consumer (start from a timestamp) or API →
	// broker. The queue offset matching a point in time.
	SearchOffsetByTimestamp RequestCode = 29
	// GetMaxOffset: consumer (start from the last offset) or API → broker.
	// The max, i.e. next to be written, offset of a queue.
	GetMaxOffset RequestCode = 30
	// GetMinOffset: API → broker. The smallest offset still held in a queue.
	GetMinOffset RequestCode = 31
	// GetEarliestMsgStoretime: API → broker. When the oldest message still
	// held in a queue was stored.
	GetEarliestMsgStoretime RequestCode = 32
	// ViewMessageById: API → broker. One message addressed by its commit
	// log offset (the server-generated offset message id).
	ViewMessageById RequestCode = 33
	// HeartBeat: producer or consumer → broker, every 30 s. Registers the
	// client with its producer and consumer groups and subscriptions. 5.x
	// clients keep the code and add fields.
	HeartBeat RequestCode = 34
	// UnregisterClient: producer or consumer → broker, at shutdown. The
	// client leaves its group.
	UnregisterClient RequestCode = 35
	// ConsumerSendMsgBack: consumer → broker. Hand back a message whose
	// consumption failed so it is redelivered through the retry topic or,
	// after too many attempts, parked in the dead-letter queue.
	ConsumerSendMsgBack RequestCode = 36
	// EndTransaction: producer → broker. Commit, roll back or leave
	// undecided a transaction half message (Java sends it oneway).
	EndTransaction RequestCode = 37
	// GetConsumerListByGroup: consumer → broker. Client ids of a consumer
	// group, used for rebalancing.
	GetConsumerListByGroup RequestCode = 38
	// CheckTransactionState: broker → producer, oneway. Asks for the outcome
	// of a half message; the producer answers later with EndTransaction.
	CheckTransactionState RequestCode = 39
	// NotifyConsumerIdsChanged: broker → consumers, oneway. Group membership
	// or subscriptions changed; the consumer rebalances at once.
	NotifyConsumerIdsChanged RequestCode = 40
	// LockBatchMq: consumer → broker. Lock queues for orderly consumption.
	LockBatchMq RequestCode = 41
	// UnlockBatchMq: consumer → broker. Release queues locked with
	// LockBatchMq.
	UnlockBatchMq RequestCode = 42
	// GetAllConsumerOffset: slave broker → master. Every committed consumer
	// offset, for metadata sync.
	GetAllConsumerOffset RequestCode = 43
	// GetAllDelayOffset: slave broker → master. Progress of the delayed
	// message schedule, for metadata sync.
	GetAllDelayOffset RequestCode = 45
	// CheckClientConfig: consumer → broker, at start. Validate a subscription
	// that is not a tag expression (SQL92 filter).
	CheckClientConfig RequestCode = 46
	// UpdateAndCreateAclConfig: admin → broker. Create or change an ACL
	// account.
	UpdateAndCreateAclConfig RequestCode = 50
	// DeleteAclConfig: admin → broker. Remove an ACL account.
	DeleteAclConfig RequestCode = 51
	// GetBrokerClusterAclInfo: admin → broker. Version information of the
	// ACL files.
	GetBrokerClusterAclInfo RequestCode = 52
	// UpdateGlobalWhiteAddrsConfig: admin → broker. Replace the ACL global
	// address white list.
	UpdateGlobalWhiteAddrsConfig RequestCode = 53
	// GetBrokerClusterAclConfig: admin → broker. The complete ACL
	// configuration.
	GetBrokerClusterAclConfig RequestCode = 54
	// PutKvConfig: admin → NameServer. Store a (namespace, key, value)
	// entry.
	PutKvConfig RequestCode = 100
	// GetKvConfig: admin → NameServer. Read one value; QueryNotFound when
	// the key is absent.
	GetKvConfig RequestCode = 101
	// DeleteKvConfig: admin → NameServer. Remove one key.
	DeleteKvConfig RequestCode = 102
	// RegisterBroker: broker → NameServer, at start and every 30 s.
	// Registration and keep-alive, carrying all of the broker's topic
	// configurations.
	RegisterBroker RequestCode = 103
	// UnregisterBroker: broker → NameServer, at shutdown. The broker leaves.
	UnregisterBroker RequestCode = 104
	// GetRouteinfoByTopic: producer, consumer or admin → NameServer. The
	// route of one topic: its queues and the addresses of its brokers.
	GetRouteinfoByTopic RequestCode = 105
	// GetBrokerClusterInfo: admin → NameServer. Every broker and cluster
	// known to the NameServer.
	GetBrokerClusterInfo RequestCode = 106
	// UpdateAndCreateSubscriptiongroup: admin → broker. Create or replace a
	// subscription group configuration.
	UpdateAndCreateSubscriptiongroup RequestCode = 200
	// GetAllSubscriptiongroupConfig: admin, or a slave broker syncing
	// metadata → broker. Every subscription group configuration.
	GetAllSubscriptiongroupConfig RequestCode = 201
	// GetTopicStatsInfo: admin → broker. Min and max offset of each queue of
	// a topic.
	GetTopicStatsInfo RequestCode = 202
	// GetConsumerConnectionList: admin → broker. Connections of a consumer
	// group.
	GetConsumerConnectionList RequestCode = 203
	// GetProducerConnectionList: admin → broker. Connections of a producer
	// group.
	GetProducerConnectionList RequestCode = 204
	// WipeWritePermOfBroker: admin → NameServer. Remove write permission
	// from every queue of a broker name; the answer says how many queues
	// changed.
	WipeWritePermOfBroker RequestCode = 205
	// GetAllTopicListFromNameserver: admin → NameServer. Names of all
	// topics.
	GetAllTopicListFromNameserver RequestCode = 206
	// DeleteSubscriptiongroup: admin → broker. Remove a subscription group,
	// optionally with its offsets.
	DeleteSubscriptiongroup RequestCode = 207
	// GetConsumeStats: admin → broker. Broker and consumer offset of each
	// queue consumed by a group.
	GetConsumeStats RequestCode = 208
	// SuspendConsumer: defined but handled by no 4.9.7 server.
	SuspendConsumer RequestCode = 209
	// ResumeConsumer: defined but handled by no 4.9.7 server.
	ResumeConsumer RequestCode = 210
	// ResetConsumerOffsetInConsumer: defined but handled by no 4.9.7 server.
	ResetConsumerOffsetInConsumer RequestCode = 211
	// ResetConsumerOffsetInBroker: defined but handled by no 4.9.7 server.
	ResetConsumerOffsetInBroker RequestCode = 212
	// AdjustConsumerThreadPool: defined but handled by no 4.9.7 server.
	AdjustConsumerThreadPool RequestCode = 213
	// WhoConsumeTheMessage: defined but handled by no 4.9.7 server.
	WhoConsumeTheMessage RequestCode = 214
	// DeleteTopicInBroker: admin → broker. Remove a topic's configuration
	// and data from that broker.
	DeleteTopicInBroker RequestCode = 215
	// DeleteTopicInNamesrv: admin → NameServer. Drop a topic's route, on all
	// brokers or only on the brokers of one cluster.
	DeleteTopicInNamesrv RequestCode = 216
	// GetKvlistByNamespace: admin → NameServer. Every entry of a namespace;
	// QueryNotFound when it has none.
	GetKvlistByNamespace RequestCode = 219
	// ResetConsumerClientOffset: broker → consumers, oneway. Move the
	// group's offsets to the values carried in the request.
	ResetConsumerClientOffset RequestCode = 220
	// GetConsumerStatusFromClient: broker → consumer. Report the offsets the
	// client currently holds.
	GetConsumerStatusFromClient RequestCode = 221
	// InvokeBrokerToResetOffset: admin → broker. The broker computes offsets
	// for a timestamp and pushes ResetConsumerClientOffset to the group.
	InvokeBrokerToResetOffset RequestCode = 222
	// InvokeBrokerToGetConsumerStatus: admin → broker. The broker asks every
	// client of the group with GetConsumerStatusFromClient and merges the
	// answers.
	InvokeBrokerToGetConsumerStatus RequestCode = 223
	// GetTopicsByCluster: admin → NameServer. Topics with queues on the
	// brokers of one cluster.
	GetTopicsByCluster RequestCode = 224
	// QueryTopicConsumeByWho: admin → broker. Groups that consume a topic.
	QueryTopicConsumeByWho RequestCode = 300
	// RegisterFilterServer: defined but handled by no 4.9.7 server (belongs
	// to the removed filter-server feature).
	RegisterFilterServer RequestCode = 301
	// RegisterMessageFilterClass: Java consumers send it to filter servers
	// only in the deprecated class-filter mode; no 4.9.7 server handles it.
	RegisterMessageFilterClass RequestCode = 302
	// QueryConsumeTimeSpan: admin or API → broker. Time span covered by each
	// queue a group consumes.
	QueryConsumeTimeSpan RequestCode = 303
	// GetSystemTopicListFromNs: admin → NameServer. Cluster and broker names
	// as a topic list, plus one broker address.
	GetSystemTopicListFromNs RequestCode = 304
	// GetSystemTopicListFromBroker: admin → broker. The broker's system
	// topics.
	GetSystemTopicListFromBroker RequestCode = 305
	// CleanExpiredConsumequeue: admin → broker. Maintenance: drop consume
	// queue data that is no longer needed.
	CleanExpiredConsumequeue RequestCode = 306
	// GetConsumerRunningInfo: admin → broker, which relays it to one client.
	// The consumer's runtime state.
	GetConsumerRunningInfo RequestCode = 307
	// QueryCorrectionOffset: admin → broker. Offset correction across
	// groups.
	QueryCorrectionOffset RequestCode = 308
	// ConsumeMessageDirectly: admin → broker, which relays it to one client
	// together with the stored message. The client consumes that message at
	// once and reports the result.
	ConsumeMessageDirectly RequestCode = 309
	// SendMessageV2: producer → broker. Same as SendMessage with the header
	// fields renamed to the short keys a … n; the Java producer default.
	SendMessageV2 RequestCode = 310
	// GetUnitTopicList: admin → NameServer. Topics whose queues carry the
	// unit flag.
	GetUnitTopicList RequestCode = 311
	// GetHasUnitSubTopicList: admin → NameServer. Topics carrying the
	// unit-subscription flag.
	GetHasUnitSubTopicList RequestCode = 312
	// GetHasUnitSubUnunitTopicList: admin → NameServer. Topics carrying the
	// unit-subscription flag but not the unit flag.
	GetHasUnitSubUnunitTopicList RequestCode = 313
	// CloneGroupOffset: admin → broker. Copy the offsets of one group to
	// another.
	CloneGroupOffset RequestCode = 314
	// ViewBrokerStatsData: admin → broker. One statistics item.
	ViewBrokerStatsData RequestCode = 315
	// CleanUnusedTopic: admin → broker. Maintenance: remove topics that are
	// no longer configured.
	CleanUnusedTopic RequestCode = 316
	// GetBrokerConsumeStats: admin → broker. Consume statistics of every
	// group.
	GetBrokerConsumeStats RequestCode = 317
	// UpdateNamesrvConfig: admin → NameServer. Change NameServer settings;
	// the body is Java properties text.
	UpdateNamesrvConfig RequestCode = 318
	// GetNamesrvConfig: admin → NameServer. The NameServer settings as
	// properties text.
	GetNamesrvConfig RequestCode = 319
	// SendBatchMessage: producer → broker. Store several messages of one
	// topic in one request (short-key header as SendMessageV2).
	SendBatchMessage RequestCode = 320
	// QueryConsumeQueue: admin → broker. Raw consume queue entries.
	QueryConsumeQueue RequestCode = 321
	// QueryDataVersion: broker → NameServer. Asks whether the NameServer's
	// copy of the broker's topic configuration is out of date; also counts
	// as a keep-alive.
	QueryDataVersion RequestCode = 322
	// ResumeCheckHalfMessage: admin → broker. Check a transaction half
	// message again, by message id.
	ResumeCheckHalfMessage RequestCode = 323
	// SendReplyMessage: producer → broker. Store a reply of the
	// request/reply pattern; long-key header.
	SendReplyMessage RequestCode = 324
	// SendReplyMessageV2: producer → broker. Same as SendReplyMessage with
	// the short-key header; the Java default for replies.
	SendReplyMessageV2 RequestCode = 325
	// PushReplyMessageToClient: broker → the requesting client. Delivers a
	// reply message.
	PushReplyMessageToClient RequestCode = 326
	// AddWritePermOfBroker: admin → NameServer. Give every queue of a broker
	// name read and write permission again; the answer says how many queues
	// changed.
	AddWritePermOfBroker RequestCode = 327
	// GetAllProducerInfo: admin → broker. Every producer group with its
	// connections.
	GetAllProducerInfo RequestCode = 328
	// DeleteExpiredCommitlog: admin → broker. Maintenance: delete expired
	// commit log files now.
	DeleteExpiredCommitlog RequestCode = 329
)

// Request codes added in RocketMQ 5.x that 5.x clients, tools or brokers may
// send to a server speaking the 4.x protocol. A 4.9.7 server does not know
// them. Pop codes exceed the 16-bit code of the ROCKETMQ binary header, so
// they only arrive in JSON headers.
const (
	// RegisterTopicInNamesrv (5.x): broker → NameServer. Register one
	// topic's route without a full broker registration.
	RegisterTopicInNamesrv RequestCode = 217
	// GetTopicConfig (5.x): admin or proxy → broker. One topic's
	// configuration.
	GetTopicConfig RequestCode = 351
	// GetSubscriptiongroupConfig (5.x): admin or proxy → broker. One
	// subscription group's configuration.
	GetSubscriptiongroupConfig RequestCode = 352
	// LitePullMessage (5.x): lite pull consumer → broker. Same as
	// PullMessage, which 4.9.7 clients use for lite pull.
	LitePullMessage RequestCode = 361
	// QueryAssignment (5.x): push consumer with client-side rebalancing off
	// → broker. Ask which queues the broker assigns to this client.
	QueryAssignment RequestCode = 400
	// SetMessageRequestMode (5.x): admin → broker. Choose pull or pop
	// delivery for a (topic, group), which QueryAssignment then honours.
	SetMessageRequestMode RequestCode = 401
	// PopMessage (5.x): consumer → broker. Pop consumption: receive messages
	// that stay invisible to other consumers until acknowledged.
	PopMessage RequestCode = 200050
	// AckMessage (5.x): consumer → broker. Acknowledge one popped message.
	AckMessage RequestCode = 200051
	// PeekMessage (5.x): consumer → broker. Look at messages without popping
	// them.
	PeekMessage RequestCode = 200052
	// ChangeMessageInvisibletime (5.x): consumer → broker. Extend or shorten
	// how long a popped message stays invisible.
	ChangeMessageInvisibletime RequestCode = 200053
	// Notification (5.x): consumer → broker. Long-poll until pop messages
	// are available.
	Notification RequestCode = 200054
	// PollingInfo (5.x): consumer → broker. How many pop requests are
	// waiting on a queue.
	PollingInfo RequestCode = 200055
	// BatchAckMessage (5.x): consumer → broker. Acknowledge several popped
	// messages at once.
	BatchAckMessage RequestCode = 200151
)
