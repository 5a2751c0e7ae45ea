// Package config reads a RocketMQ 4.9.7 broker.conf into the same settings
// the Java broker would use, so that an operator can point rocketgo at an
// existing Java broker's configuration file and get the same broker: same
// names, ports, store paths, roles and defaults.
//
// Java spreads the settings over four classes (BrokerConfig,
// NettyServerConfig, NettyClientConfig, MessageStoreConfig) and fills each
// with MixAll.properties2Object, which calls the setter named after every
// key. Config keeps that split, one Go struct per Java class and one field
// per Java field, in Java's declaration order, which is also the order of
// Java's `mqbroker -p` output (see Print).
//
// The `java` struct tag holds the Java field name (what -p prints) followed
// by options: "important" for fields carrying Java's @ImportantField (what
// -m prints) and "key=NAME" when the setter's property key differs from the
// field name. Go int fields hold Java ints (32-bit range enforced on
// parsing), int64 fields Java longs.
package config

// BrokerRole is MessageStoreConfig.brokerRole (Java enum BrokerRole).
type BrokerRole string

// The roles a broker can have.
const (
	AsyncMaster BrokerRole = "ASYNC_MASTER"
	SyncMaster  BrokerRole = "SYNC_MASTER"
	Slave       BrokerRole = "SLAVE"
)

// IsMaster reports whether the role is one of the master roles.
func (r BrokerRole) IsMaster() bool { return r == AsyncMaster || r == SyncMaster }

func (r BrokerRole) valid() bool { return r.IsMaster() || r == Slave }

// FlushDiskType is MessageStoreConfig.flushDiskType (Java enum
// FlushDiskType).
type FlushDiskType string

// The flush policies of the commitlog.
const (
	AsyncFlush FlushDiskType = "ASYNC_FLUSH"
	SyncFlush  FlushDiskType = "SYNC_FLUSH"
)

func (t FlushDiskType) valid() bool { return t == AsyncFlush || t == SyncFlush }

// Config is everything broker.conf can set, grouped as Java groups it.
type Config struct {
	Broker      BrokerConfig
	NettyServer NettyServerConfig
	NettyClient NettyClientConfig
	Store       MessageStoreConfig
}

// BrokerConfig mirrors org.apache.rocketmq.common.BrokerConfig.
type BrokerConfig struct {
	// RocketmqHome is ROCKETMQ_HOME. Java needs it to find its logback
	// configuration; rocketgo only reports it.
	RocketmqHome string `java:"rocketmqHome"`
	// NamesrvAddr is the ';'-separated NameServer list ("host:port;...").
	// Defaults to the NAMESRV_ADDR environment variable; empty means unset.
	NamesrvAddr string `java:"namesrvAddr,important"`
	// BrokerIP1 is the address registered with the NameServer and handed to
	// clients (BrokerAddr). Default: LocalAddress().
	BrokerIP1 string `java:"brokerIP1,important"`
	// BrokerIP2 is the address slaves use to reach this master's HA port.
	BrokerIP2         string `java:"brokerIP2"`
	BrokerName        string `java:"brokerName,important"` // default: the host name
	BrokerClusterName string `java:"brokerClusterName,important"`
	// BrokerID is 0 for a master (forced by Validate) and > 0 for a slave.
	BrokerID int64 `java:"brokerId,important"`
	// BrokerPermission is PermName bits: 4 read, 2 write (default 6).
	BrokerPermission      int  `java:"brokerPermission"`
	DefaultTopicQueueNums int  `java:"defaultTopicQueueNums"`
	AutoCreateTopicEnable bool `java:"autoCreateTopicEnable,important"`
	// ClusterTopicEnable and BrokerTopicEnable create the topics named after
	// the cluster and the broker, which clients use for routing checks.
	ClusterTopicEnable          bool `java:"clusterTopicEnable"`
	BrokerTopicEnable           bool `java:"brokerTopicEnable"`
	AutoCreateSubscriptionGroup bool `java:"autoCreateSubscriptionGroup,important"`
	// MessageStorePlugIn names Java classes wrapping the store; rocketgo
	// cannot load them and warns when it is set.
	MessageStorePlugIn string `java:"messageStorePlugIn"`
	MsgTraceTopicName  string `java:"msgTraceTopicName,important"`
	TraceTopicEnable   bool   `java:"traceTopicEnable,important"`

	// Worker pool sizes, per request kind. The defaults depend on the CPU
	// count as in Java (see DefaultFor).
	SendMessageThreadPoolNums         int `java:"sendMessageThreadPoolNums"`
	PutMessageFutureThreadPoolNums    int `java:"putMessageFutureThreadPoolNums"`
	PullMessageThreadPoolNums         int `java:"pullMessageThreadPoolNums"`
	ProcessReplyMessageThreadPoolNums int `java:"processReplyMessageThreadPoolNums"`
	QueryMessageThreadPoolNums        int `java:"queryMessageThreadPoolNums"`
	AdminBrokerThreadPoolNums         int `java:"adminBrokerThreadPoolNums"`
	ClientManageThreadPoolNums        int `java:"clientManageThreadPoolNums"`
	ConsumerManageThreadPoolNums      int `java:"consumerManageThreadPoolNums"`
	HeartbeatThreadPoolNums           int `java:"heartbeatThreadPoolNums"`
	EndTransactionThreadPoolNums      int `java:"endTransactionThreadPoolNums"`

	// FlushConsumerOffsetInterval is how often consumerOffset.json is
	// written, in milliseconds.
	FlushConsumerOffsetInterval        int  `java:"flushConsumerOffsetInterval"`
	FlushConsumerOffsetHistoryInterval int  `java:"flushConsumerOffsetHistoryInterval"`
	RejectTransactionMessage           bool `java:"rejectTransactionMessage,important"`
	FetchNamesrvAddrByAddressServer    bool `java:"fetchNamesrvAddrByAddressServer,important"`

	// Queue capacities of the worker pools above.
	SendThreadPoolQueueCapacity            int `java:"sendThreadPoolQueueCapacity"`
	PutThreadPoolQueueCapacity             int `java:"putThreadPoolQueueCapacity"`
	PullThreadPoolQueueCapacity            int `java:"pullThreadPoolQueueCapacity"`
	ReplyThreadPoolQueueCapacity           int `java:"replyThreadPoolQueueCapacity"`
	QueryThreadPoolQueueCapacity           int `java:"queryThreadPoolQueueCapacity"`
	ClientManagerThreadPoolQueueCapacity   int `java:"clientManagerThreadPoolQueueCapacity"`
	ConsumerManagerThreadPoolQueueCapacity int `java:"consumerManagerThreadPoolQueueCapacity"`
	HeartbeatThreadPoolQueueCapacity       int `java:"heartbeatThreadPoolQueueCapacity"`
	EndTransactionPoolQueueCapacity        int `java:"endTransactionPoolQueueCapacity"`

	FilterServerNums int `java:"filterServerNums"`
	// LongPollingEnable holds pulls that find nothing until a message
	// arrives; otherwise they are held ShortPollingTimeMills.
	LongPollingEnable              bool   `java:"longPollingEnable"`
	ShortPollingTimeMills          int64  `java:"shortPollingTimeMills"`
	NotifyConsumerIdsChangedEnable bool   `java:"notifyConsumerIdsChangedEnable"`
	HighSpeedMode                  bool   `java:"highSpeedMode"`
	CommercialEnable               bool   `java:"commercialEnable"`
	CommercialTimerCount           int    `java:"commercialTimerCount"`
	CommercialTransCount           int    `java:"commercialTransCount"`
	CommercialBigCount             int    `java:"commercialBigCount"`
	CommercialBaseCount            int    `java:"commercialBaseCount"`
	TransferMsgByHeap              bool   `java:"transferMsgByHeap"`
	MaxDelayTime                   int    `java:"maxDelayTime"`
	RegionID                       string `java:"regionId"`
	RegisterBrokerTimeoutMills     int    `java:"registerBrokerTimeoutMills"`
	// SlaveReadEnable lets consumers be redirected to a slave when they
	// fall far behind (it lives in BrokerConfig, not MessageStoreConfig).
	SlaveReadEnable                    bool  `java:"slaveReadEnable"`
	DisableConsumeIfConsumerReadSlowly bool  `java:"disableConsumeIfConsumerReadSlowly"`
	ConsumerFallbehindThreshold        int64 `java:"consumerFallbehindThreshold"`
	BrokerFastFailureEnable            bool  `java:"brokerFastFailureEnable"`
	// WaitTimeMillsIn*Queue: a request that waited longer than this in its
	// pool's queue is answered SYSTEM_BUSY (brokerFastFailureEnable).
	WaitTimeMillsInSendQueue        int64 `java:"waitTimeMillsInSendQueue"`
	WaitTimeMillsInPullQueue        int64 `java:"waitTimeMillsInPullQueue"`
	WaitTimeMillsInHeartbeatQueue   int64 `java:"waitTimeMillsInHeartbeatQueue"`
	WaitTimeMillsInTransactionQueue int64 `java:"waitTimeMillsInTransactionQueue"`
	// StartAcceptSendRequestTimeStamp: sends before this Unix time in
	// milliseconds are refused.
	StartAcceptSendRequestTimeStamp int64 `java:"startAcceptSendRequestTimeStamp"`
	TraceOn                         bool  `java:"traceOn"`
	EnableCalcFilterBitMap          bool  `java:"enableCalcFilterBitMap"`
	ExpectConsumerNumUseFilter      int   `java:"expectConsumerNumUseFilter"`
	MaxErrorRateOfBloomFilter       int   `java:"maxErrorRateOfBloomFilter"`
	FilterDataCleanTimeSpan         int64 `java:"filterDataCleanTimeSpan"`
	FilterSupportRetry              bool  `java:"filterSupportRetry"`
	EnablePropertyFilter            bool  `java:"enablePropertyFilter"`
	CompressedRegister              bool  `java:"compressedRegister"`
	ForceRegister                   bool  `java:"forceRegister"`
	// RegisterNameServerPeriod is the heartbeat period to the NameServers in
	// milliseconds; Java clamps it to [10 s, 60 s] when it schedules the
	// task (see Config.RegisterPeriod).
	RegisterNameServerPeriod int `java:"registerNameServerPeriod"`
	// Transaction check settings: a half message older than
	// TransactionTimeOut ms is checked every TransactionCheckInterval ms,
	// at most TransactionCheckMax times.
	TransactionTimeOut       int64 `java:"transactionTimeOut,important"`
	TransactionCheckMax      int   `java:"transactionCheckMax,important"`
	TransactionCheckInterval int64 `java:"transactionCheckInterval,important"`
	AclEnable                bool  `java:"aclEnable,important"`
	StoreReplyMessageEnable  bool  `java:"storeReplyMessageEnable"`
	EnableDetailStat         bool  `java:"enableDetailStat"`
	AutoDeleteUnusedStats    bool  `java:"autoDeleteUnusedStats"`
	IsolateLogEnable         bool  `java:"isolateLogEnable"`
}

// NettyServerConfig mirrors org.apache.rocketmq.remoting.netty.NettyServerConfig
// with BrokerStartup's listenPort of 10911.
type NettyServerConfig struct {
	// ListenPort is the client-facing port. Java also opens ListenPort-2
	// (the "VIP channel") and the HA port ListenPort+1.
	ListenPort                         int  `java:"listenPort"`
	ServerWorkerThreads                int  `java:"serverWorkerThreads"`
	ServerCallbackExecutorThreads      int  `java:"serverCallbackExecutorThreads"`
	ServerSelectorThreads              int  `java:"serverSelectorThreads"`
	ServerOnewaySemaphoreValue         int  `java:"serverOnewaySemaphoreValue"`
	ServerAsyncSemaphoreValue          int  `java:"serverAsyncSemaphoreValue"`
	ServerChannelMaxIdleTimeSeconds    int  `java:"serverChannelMaxIdleTimeSeconds"`
	ServerSocketSndBufSize             int  `java:"serverSocketSndBufSize"` // 0: OS default
	ServerSocketRcvBufSize             int  `java:"serverSocketRcvBufSize"` // 0: OS default
	WriteBufferHighWaterMark           int  `java:"writeBufferHighWaterMark"`
	WriteBufferLowWaterMark            int  `java:"writeBufferLowWaterMark"`
	ServerSocketBacklog                int  `java:"serverSocketBacklog"`
	ServerPooledByteBufAllocatorEnable bool `java:"serverPooledByteBufAllocatorEnable"`
	UseEpollNativeSelector             bool `java:"useEpollNativeSelector"`
}

// NettyClientConfig mirrors org.apache.rocketmq.remoting.netty.NettyClientConfig:
// the broker's outgoing connections (NameServer registration, slave to
// master). A key present in both Netty classes (writeBuffer*WaterMark)
// sets both, as in Java.
type NettyClientConfig struct {
	ClientWorkerThreads                int   `java:"clientWorkerThreads"`
	ClientCallbackExecutorThreads      int   `java:"clientCallbackExecutorThreads"`
	ClientOnewaySemaphoreValue         int   `java:"clientOnewaySemaphoreValue"`
	ClientAsyncSemaphoreValue          int   `java:"clientAsyncSemaphoreValue"`
	ConnectTimeoutMillis               int   `java:"connectTimeoutMillis"`
	ChannelNotActiveInterval           int64 `java:"channelNotActiveInterval"`
	ClientChannelMaxIdleTimeSeconds    int   `java:"clientChannelMaxIdleTimeSeconds"`
	ClientSocketSndBufSize             int   `java:"clientSocketSndBufSize"`
	ClientSocketRcvBufSize             int   `java:"clientSocketRcvBufSize"`
	ClientPooledByteBufAllocatorEnable bool  `java:"clientPooledByteBufAllocatorEnable"`
	ClientCloseSocketIfTimeout         bool  `java:"clientCloseSocketIfTimeout"`
	UseTLS                             bool  `java:"useTLS"`
	WriteBufferHighWaterMark           int   `java:"writeBufferHighWaterMark"`
	WriteBufferLowWaterMark            int   `java:"writeBufferLowWaterMark"`
}

// MessageStoreConfig mirrors org.apache.rocketmq.store.config.MessageStoreConfig.
// Intervals are milliseconds unless the name says otherwise.
type MessageStoreConfig struct {
	// StorePathRootDir holds commitlog/, consumequeue/, index/, config/,
	// checkpoint and abort. Default: <home>/store. Like Java, a leading "~"
	// in a configured value is not expanded.
	StorePathRootDir string `java:"storePathRootDir,important"`
	// StorePathCommitLog, when empty, is <StorePathRootDir>/commitlog (see
	// Config.StorePathCommitLog). Java also accepts several paths joined by
	// ',' here; rocketgo uses it as one directory.
	StorePathCommitLog          string `java:"storePathCommitLog,important"`
	StorePathDLedgerCommitLog   string `java:"storePathDLedgerCommitLog,important"`
	ReadOnlyCommitLogStorePaths string `java:"readOnlyCommitLogStorePaths"`
	// MappedFileSizeCommitLog is the size of each commitlog file (1 GiB).
	MappedFileSizeCommitLog int `java:"mappedFileSizeCommitLog"`
	// MappedFileSizeConsumeQueue is as configured; the size actually used is
	// rounded up to whole 20-byte units (Config.MappedFileSizeConsumeQueue).
	MappedFileSizeConsumeQueue    int  `java:"mappedFileSizeConsumeQueue"`
	EnableConsumeQueueExt         bool `java:"enableConsumeQueueExt"`
	MappedFileSizeConsumeQueueExt int  `java:"mappedFileSizeConsumeQueueExt"`
	BitMapLengthConsumeQueueExt   int  `java:"bitMapLengthConsumeQueueExt"`
	// FlushIntervalCommitLog is the async flush period.
	FlushIntervalCommitLog           int  `java:"flushIntervalCommitLog,important"`
	CommitIntervalCommitLog          int  `java:"commitIntervalCommitLog,important"`
	UseReentrantLockWhenPutMessage   bool `java:"useReentrantLockWhenPutMessage"`
	FlushCommitLogTimed              bool `java:"flushCommitLogTimed,important"`
	FlushIntervalConsumeQueue        int  `java:"flushIntervalConsumeQueue"`
	CleanResourceInterval            int  `java:"cleanResourceInterval"`
	DeleteCommitLogFilesInterval     int  `java:"deleteCommitLogFilesInterval"`
	DeleteConsumeQueueFilesInterval  int  `java:"deleteConsumeQueueFilesInterval"`
	DestroyMapedFileIntervalForcibly int  `java:"destroyMapedFileIntervalForcibly"`
	RedeleteHangedFileInterval       int  `java:"redeleteHangedFileInterval"`
	// DeleteWhen lists the hours ("04", or "03;04") at which expired files
	// are removed.
	DeleteWhen string `java:"deleteWhen,important"`
	// DiskMaxUsedSpaceRatio is as configured; the value used is clamped to
	// [10, 95] (Config.DiskMaxUsedSpaceRatio).
	DiskMaxUsedSpaceRatio int `java:"diskMaxUsedSpaceRatio"`
	// FileReservedTime is how long commitlog files are kept, in hours.
	FileReservedTime      int `java:"fileReservedTime,important"`
	PutMsgIndexHightWater int `java:"putMsgIndexHightWater"`
	// MaxMessageSize bounds a message body (4 MiB).
	MaxMessageSize                    int  `java:"maxMessageSize"`
	CheckCRCOnRecover                 bool `java:"checkCRCOnRecover"`
	FlushCommitLogLeastPages          int  `java:"flushCommitLogLeastPages"`
	CommitCommitLogLeastPages         int  `java:"commitCommitLogLeastPages"`
	FlushLeastPagesWhenWarmMapedFile  int  `java:"flushLeastPagesWhenWarmMapedFile"`
	FlushConsumeQueueLeastPages       int  `java:"flushConsumeQueueLeastPages"`
	FlushCommitLogThoroughInterval    int  `java:"flushCommitLogThoroughInterval"`
	CommitCommitLogThoroughInterval   int  `java:"commitCommitLogThoroughInterval"`
	FlushConsumeQueueThoroughInterval int  `java:"flushConsumeQueueThoroughInterval"`
	// Pull batch limits for messages still in page cache / on disk.
	MaxTransferBytesOnMessageInMemory int `java:"maxTransferBytesOnMessageInMemory,important"`
	MaxTransferCountOnMessageInMemory int `java:"maxTransferCountOnMessageInMemory,important"`
	MaxTransferBytesOnMessageInDisk   int `java:"maxTransferBytesOnMessageInDisk,important"`
	MaxTransferCountOnMessageInDisk   int `java:"maxTransferCountOnMessageInDisk,important"`
	// AccessMessageInMemoryMaxRatio is the share of RAM (percent) below
	// which a message counts as "in memory".
	AccessMessageInMemoryMaxRatio int  `java:"accessMessageInMemoryMaxRatio,important"`
	MessageIndexEnable            bool `java:"messageIndexEnable,important"`
	MaxHashSlotNum                int  `java:"maxHashSlotNum"`
	MaxIndexNum                   int  `java:"maxIndexNum"`
	MaxMsgsNumBatch               int  `java:"maxMsgsNumBatch"`
	MessageIndexSafe              bool `java:"messageIndexSafe,important"`
	// HaListenPort is always ListenPort+1 after Validate, as BrokerStartup
	// overwrites whatever broker.conf says.
	HaListenPort            int `java:"haListenPort"`
	HaSendHeartbeatInterval int `java:"haSendHeartbeatInterval"`
	HaHousekeepingInterval  int `java:"haHousekeepingInterval"`
	HaTransferBatchSize     int `java:"haTransferBatchSize"`
	// HaMasterAddress is the master's HA address for a slave; empty means
	// it is learned from the NameServer registration result.
	HaMasterAddress      string        `java:"haMasterAddress,important"`
	HaSlaveFallbehindMax int           `java:"haSlaveFallbehindMax"`
	BrokerRole           BrokerRole    `java:"brokerRole,important"`
	FlushDiskType        FlushDiskType `java:"flushDiskType,important"`
	// SyncFlushTimeout bounds how long a SYNC_FLUSH send waits for the
	// disk; SlaveTimeout how long a SYNC_MASTER send waits for a slave.
	SyncFlushTimeout int `java:"syncFlushTimeout"`
	SlaveTimeout     int `java:"slaveTimeout"`
	// MessageDelayLevel defines delay levels 1..n ("1s 5s ... 2h"; units
	// s, m, h, d). See Config.DelayLevels.
	MessageDelayLevel           string `java:"messageDelayLevel"`
	FlushDelayOffsetInterval    int64  `java:"flushDelayOffsetInterval"`
	CleanFileForciblyEnable     bool   `java:"cleanFileForciblyEnable,important"`
	WarmMapedFileEnable         bool   `java:"warmMapedFileEnable"`
	OffsetCheckInSlave          bool   `java:"offsetCheckInSlave"`
	DebugLockEnable             bool   `java:"debugLockEnable"`
	DuplicationEnable           bool   `java:"duplicationEnable"`
	DiskFallRecorded            bool   `java:"diskFallRecorded"`
	OsPageCacheBusyTimeOutMills int64  `java:"osPageCacheBusyTimeOutMills"`
	DefaultQueryMaxNum          int    `java:"defaultQueryMaxNum"`
	// TransientStorePoolEnable is accepted and reported but rocketgo always
	// writes through the mapped file; Apply warns when it is turned on.
	TransientStorePoolEnable      bool `java:"transientStorePoolEnable,important"`
	TransientStorePoolSize        int  `java:"transientStorePoolSize"`
	FastFailIfNoBufferInStorePool bool `java:"fastFailIfNoBufferInStorePool"`
	// EnableDLegerCommitLog selects the Raft commitlog, which rocketgo does
	// not implement: Validate refuses it.
	EnableDLegerCommitLog bool   `java:"enableDLegerCommitLog"`
	DLegerGroup           string `java:"dLegerGroup"`
	DLegerPeers           string `java:"dLegerPeers"`
	DLegerSelfID          string `java:"dLegerSelfId"`
	PreferredLeaderID     string `java:"preferredLeaderId"`
	// EnableBatchPush: Java's field is isEnableBatchPush (so -p prints that
	// name) while its setter takes the key enableBatchPush.
	EnableBatchPush                          bool `java:"isEnableBatchPush,key=enableBatchPush"`
	EnableScheduleMessageStats               bool `java:"enableScheduleMessageStats"`
	EnableLmq                                bool `java:"enableLmq"`
	EnableMultiDispatch                      bool `java:"enableMultiDispatch"`
	MaxLmqConsumeQueueNum                    int  `java:"maxLmqConsumeQueueNum"`
	EnableScheduleAsyncDeliver               bool `java:"enableScheduleAsyncDeliver"`
	ScheduleAsyncDeliverMaxPendingLimit      int  `java:"scheduleAsyncDeliverMaxPendingLimit"`
	ScheduleAsyncDeliverMaxResendNum2Blocked int  `java:"scheduleAsyncDeliverMaxResendNum2Blocked"`
}
