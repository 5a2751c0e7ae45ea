package config

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Env holds the facts about the host that Java's field initialisers read,
// so that tests (and -p golden output) can pin them.
type Env struct {
	// Hostname is BrokerConfig.localHostName(): the host name, or
	// "DEFAULT_BROKER" when it does not resolve.
	Hostname string
	// LocalAddress is RemotingUtil.getLocalAddress(), the default of
	// brokerIP1 and brokerIP2.
	LocalAddress string
	// HomeDir is Java's user.home; storePathRootDir defaults to
	// HomeDir/store.
	HomeDir string
	// NumCPU is Runtime.availableProcessors(); several pool sizes derive
	// from it.
	NumCPU int
	// RocketmqHome and NamesrvAddr are the ROCKETMQ_HOME and NAMESRV_ADDR
	// environment variables.
	RocketmqHome string
	NamesrvAddr  string
}

// SystemEnv reads Env from this process and host.
func SystemEnv() Env {
	home, _ := os.UserHomeDir()
	return Env{
		Hostname:     LocalHostName(),
		LocalAddress: LocalAddress(),
		HomeDir:      home,
		NumCPU:       runtime.NumCPU(),
		RocketmqHome: os.Getenv("ROCKETMQ_HOME"),
		NamesrvAddr:  os.Getenv("NAMESRV_ADDR"),
	}
}

// Default returns the configuration a Java 4.9.7 broker started without
// -c would use on this host.
func Default() Config { return DefaultFor(SystemEnv()) }

// DefaultFor returns Java 4.9.7's defaults for the given host facts: the
// field initialisers of the four config classes plus BrokerStartup's
// listenPort of 10911 (NettyServerConfig's own default is 8888). Netty
// system properties (com.rocketmq.remoting.*) are taken at their defaults.
func DefaultFor(env Env) Config {
	n := env.NumCPU
	if n < 1 {
		n = 1
	}
	send := min(n, 4)
	return Config{
		Broker: BrokerConfig{
			RocketmqHome:                           env.RocketmqHome,
			NamesrvAddr:                            env.NamesrvAddr,
			BrokerIP1:                              env.LocalAddress,
			BrokerIP2:                              env.LocalAddress,
			BrokerName:                             env.Hostname,
			BrokerClusterName:                      "DefaultCluster",
			BrokerID:                               MasterID,
			BrokerPermission:                       PermRead | PermWrite,
			DefaultTopicQueueNums:                  8,
			AutoCreateTopicEnable:                  true,
			ClusterTopicEnable:                     true,
			BrokerTopicEnable:                      true,
			AutoCreateSubscriptionGroup:            true,
			MessageStorePlugIn:                     "",
			MsgTraceTopicName:                      "RMQ_SYS_TRACE_TOPIC",
			TraceTopicEnable:                       false,
			SendMessageThreadPoolNums:              send,
			PutMessageFutureThreadPoolNums:         min(n, 4),
			PullMessageThreadPoolNums:              16 + 2*n,
			ProcessReplyMessageThreadPoolNums:      16 + 2*n,
			QueryMessageThreadPoolNums:             8 + n,
			AdminBrokerThreadPoolNums:              16,
			ClientManageThreadPoolNums:             32,
			ConsumerManageThreadPoolNums:           32,
			HeartbeatThreadPoolNums:                min(32, n),
			EndTransactionThreadPoolNums:           max(8+2*n, 4*send),
			FlushConsumerOffsetInterval:            5000,
			FlushConsumerOffsetHistoryInterval:     60000,
			SendThreadPoolQueueCapacity:            10000,
			PutThreadPoolQueueCapacity:             10000,
			PullThreadPoolQueueCapacity:            100000,
			ReplyThreadPoolQueueCapacity:           10000,
			QueryThreadPoolQueueCapacity:           20000,
			ClientManagerThreadPoolQueueCapacity:   1000000,
			ConsumerManagerThreadPoolQueueCapacity: 1000000,
			HeartbeatThreadPoolQueueCapacity:       50000,
			EndTransactionPoolQueueCapacity:        100000,
			LongPollingEnable:                      true,
			ShortPollingTimeMills:                  1000,
			NotifyConsumerIdsChangedEnable:         true,
			CommercialEnable:                       true,
			CommercialTimerCount:                   1,
			CommercialTransCount:                   1,
			CommercialBigCount:                     1,
			CommercialBaseCount:                    1,
			TransferMsgByHeap:                      true,
			MaxDelayTime:                           40,
			RegionID:                               "DefaultRegion",
			RegisterBrokerTimeoutMills:             6000,
			ConsumerFallbehindThreshold:            16 << 30,
			BrokerFastFailureEnable:                true,
			WaitTimeMillsInSendQueue:               200,
			WaitTimeMillsInPullQueue:               5000,
			WaitTimeMillsInHeartbeatQueue:          31000,
			WaitTimeMillsInTransactionQueue:        3000,
			TraceOn:                                true,
			ExpectConsumerNumUseFilter:             32,
			MaxErrorRateOfBloomFilter:              20,
			FilterDataCleanTimeSpan:                24 * 3600 * 1000,
			ForceRegister:                          true,
			RegisterNameServerPeriod:               30000,
			TransactionTimeOut:                     6000,
			TransactionCheckMax:                    15,
			TransactionCheckInterval:               60000,
			StoreReplyMessageEnable:                true,
			EnableDetailStat:                       true,
		},
		NettyServer: NettyServerConfig{
			ListenPort:                         DefaultListenPort,
			ServerWorkerThreads:                8,
			ServerSelectorThreads:              3,
			ServerOnewaySemaphoreValue:         256,
			ServerAsyncSemaphoreValue:          64,
			ServerChannelMaxIdleTimeSeconds:    120,
			ServerSocketBacklog:                1024,
			ServerPooledByteBufAllocatorEnable: true,
		},
		NettyClient: NettyClientConfig{
			ClientWorkerThreads:             4,
			ClientCallbackExecutorThreads:   n,
			ClientOnewaySemaphoreValue:      65535,
			ClientAsyncSemaphoreValue:       65535,
			ConnectTimeoutMillis:            3000,
			ChannelNotActiveInterval:        60000,
			ClientChannelMaxIdleTimeSeconds: 120,
			ClientCloseSocketIfTimeout:      true,
		},
		Store: MessageStoreConfig{
			StorePathRootDir:                         filepath.Join(env.HomeDir, "store"),
			MappedFileSizeCommitLog:                  1 << 30,
			MappedFileSizeConsumeQueue:               300000 * ConsumeQueueUnitSize,
			MappedFileSizeConsumeQueueExt:            48 << 20,
			BitMapLengthConsumeQueueExt:              64,
			FlushIntervalCommitLog:                   500,
			CommitIntervalCommitLog:                  200,
			UseReentrantLockWhenPutMessage:           true,
			FlushCommitLogTimed:                      true,
			FlushIntervalConsumeQueue:                1000,
			CleanResourceInterval:                    10000,
			DeleteCommitLogFilesInterval:             100,
			DeleteConsumeQueueFilesInterval:          100,
			DestroyMapedFileIntervalForcibly:         120000,
			RedeleteHangedFileInterval:               120000,
			DeleteWhen:                               "04",
			DiskMaxUsedSpaceRatio:                    75,
			FileReservedTime:                         72,
			PutMsgIndexHightWater:                    600000,
			MaxMessageSize:                           4 << 20,
			CheckCRCOnRecover:                        true,
			FlushCommitLogLeastPages:                 4,
			CommitCommitLogLeastPages:                4,
			FlushLeastPagesWhenWarmMapedFile:         4096,
			FlushConsumeQueueLeastPages:              2,
			FlushCommitLogThoroughInterval:           10000,
			CommitCommitLogThoroughInterval:          200,
			FlushConsumeQueueThoroughInterval:        60000,
			MaxTransferBytesOnMessageInMemory:        256 << 10,
			MaxTransferCountOnMessageInMemory:        32,
			MaxTransferBytesOnMessageInDisk:          64 << 10,
			MaxTransferCountOnMessageInDisk:          8,
			AccessMessageInMemoryMaxRatio:            40,
			MessageIndexEnable:                       true,
			MaxHashSlotNum:                           5000000,
			MaxIndexNum:                              5000000 * 4,
			MaxMsgsNumBatch:                          64,
			HaListenPort:                             DefaultListenPort + 1,
			HaSendHeartbeatInterval:                  5000,
			HaHousekeepingInterval:                   20000,
			HaTransferBatchSize:                      32 << 10,
			HaSlaveFallbehindMax:                     256 << 20,
			BrokerRole:                               AsyncMaster,
			FlushDiskType:                            AsyncFlush,
			SyncFlushTimeout:                         5000,
			SlaveTimeout:                             3000,
			MessageDelayLevel:                        DefaultMessageDelayLevel,
			FlushDelayOffsetInterval:                 10000,
			CleanFileForciblyEnable:                  true,
			DiskFallRecorded:                         true,
			OsPageCacheBusyTimeOutMills:              1000,
			DefaultQueryMaxNum:                       32,
			TransientStorePoolSize:                   5,
			EnableScheduleMessageStats:               true,
			MaxLmqConsumeQueueNum:                    20000,
			ScheduleAsyncDeliverMaxPendingLimit:      2000,
			ScheduleAsyncDeliverMaxResendNum2Blocked: 3,
		},
	}
}

// Constants from the Java sources that the defaults and rules use.
const (
	// MasterID is MixAll.MASTER_ID, the brokerId every master gets.
	MasterID = 0
	// DefaultListenPort is the port BrokerStartup sets before reading
	// broker.conf.
	DefaultListenPort = 10911
	// PermRead and PermWrite are PermName bits of brokerPermission.
	PermRead  = 1 << 2
	PermWrite = 1 << 1
	// ConsumeQueueUnitSize is ConsumeQueue.CQ_STORE_UNIT_SIZE.
	ConsumeQueueUnitSize = 20
	// DefaultMessageDelayLevel is MessageStoreConfig's 18 delay levels.
	DefaultMessageDelayLevel = "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h"
	// defaultBrokerName is what localHostName() returns when the host name
	// does not resolve.
	defaultBrokerName = "DEFAULT_BROKER"
)

// LocalHostName mirrors BrokerConfig.localHostName(), the default
// brokerName: Java's InetAddress.getLocalHost() fails when the host name
// does not resolve, and the broker is then called DEFAULT_BROKER.
func LocalHostName() string {
	name, err := os.Hostname()
	if err != nil || name == "" {
		return defaultBrokerName
	}
	if name == "localhost" {
		return name
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := net.DefaultResolver.LookupHost(ctx, name); err != nil {
		return defaultBrokerName
	}
	return name
}

// LocalAddress mirrors RemotingUtil.getLocalAddress(), the default of
// brokerIP1/brokerIP2: among the non-loopback addresses of interfaces
// that are not Linux bridges, the first IPv4 address outside 127.0.* and
// 192.168.*, else the last IPv4 address, else the first IPv6 address in
// brackets, else the address the host name resolves to. Java lists
// interfaces from the highest index down on Linux; this walks them in the
// same order, but which address wins on a multi-homed host can still
// differ from Java's, so operators with several NICs should set brokerIP1.
func LocalAddress() string {
	ifaces, err := net.Interfaces()
	if err != nil {
		return ""
	}
	var v4, v6 []string
	for i := len(ifaces) - 1; i >= 0; i-- {
		ifc := ifaces[i]
		if isBridge(ifc.Name) {
			continue
		}
		addrs, err := ifc.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok || ipn.IP.IsLoopback() {
				continue
			}
			if ip4 := ipn.IP.To4(); ip4 != nil {
				v4 = append(v4, ip4.String())
			} else {
				v6 = append(v6, "["+javaIPv6(ipn.IP, ifc.Name)+"]")
			}
		}
	}
	return pickLocalAddress(v4, v6, hostAddress)
}

// pickLocalAddress applies getLocalAddress's preference order.
func pickLocalAddress(v4, v6 []string, fallback func() string) string {
	for _, ip := range v4 {
		if strings.HasPrefix(ip, "127.0") || strings.HasPrefix(ip, "192.168") {
			continue
		}
		return ip
	}
	if len(v4) > 0 {
		return v4[len(v4)-1]
	}
	if len(v6) > 0 {
		return v6[0]
	}
	return fallback()
}

// hostAddress is the last resort of getLocalAddress: the first address the
// host name resolves to.
func hostAddress() string {
	name, err := os.Hostname()
	if err != nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	ips, err := net.DefaultResolver.LookupIPAddr(ctx, name)
	if err != nil || len(ips) == 0 {
		return ""
	}
	if ip4 := ips[0].IP.To4(); ip4 != nil {
		return ip4.String()
	}
	return "[" + javaIPv6(ips[0].IP, ips[0].Zone) + "]"
}

// isBridge reports whether a Linux interface is a bridge (RemotingUtil
// skips those, e.g. docker0).
func isBridge(name string) bool {
	if runtime.GOOS != "linux" {
		return false
	}
	_, err := os.Stat(filepath.Join("/sys/class/net", name, "bridge"))
	return err == nil
}

// javaIPv6 formats an IPv6 address as Inet6Address.getHostAddress does:
// eight hex groups without zero compression, plus "%zone" for link-local
// addresses.
func javaIPv6(ip net.IP, zone string) string {
	ip = ip.To16()
	var b strings.Builder
	for i := 0; i < 16; i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(strconv.FormatUint(uint64(ip[i])<<8|uint64(ip[i+1]), 16))
	}
	if zone != "" && (ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast()) {
		b.WriteByte('%')
		b.WriteString(zone)
	}
	return b.String()
}
