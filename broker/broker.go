// Package broker is rocketgo's broker: it wires the message store, the
// topic, subscription-group and consumer-offset managers, the client
// tables, long polling and the request processors onto one remoting
// server, and keeps the broker registered with its NameServers (Java
// BrokerController).
package broker

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rocketgo/rocketgo/broker/client"
	"github.com/rocketgo/rocketgo/broker/config"
	"github.com/rocketgo/rocketgo/broker/longpoll"
	"github.com/rocketgo/rocketgo/broker/offset"
	"github.com/rocketgo/rocketgo/broker/processor"
	"github.com/rocketgo/rocketgo/broker/subscription"
	"github.com/rocketgo/rocketgo/broker/topicconfig"
	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/rocketgo/rocketgo/store"
	"github.com/rocketgo/rocketgo/store/commitlog"
	"github.com/rocketgo/rocketgo/store/message"
	"github.com/sirupsen/logrus"
)

// Options are the process-level settings that are not broker.conf keys.
type Options struct {
	// ListenAddr overrides the listen address (default
	// 0.0.0.0:listenPort); tests pass "127.0.0.1:0".
	ListenAddr string
	Logger     logrus.FieldLogger
}

// Broker is one broker process's state and lifecycle.
type Broker struct {
	cfg  config.Config
	opts Options
	log  logrus.FieldLogger

	store     *store.Store
	topics    *topicconfig.Manager
	groups    *subscription.Manager
	offsets   *offset.Manager
	consumers *client.ConsumerManager
	producers *client.ProducerManager
	hold      *longpoll.Service
	env       *processor.Env
	pull      *processor.Pull
	server    *remoting.Server
	client    *remoting.Client

	brokerAddr   string // brokerIP1:listenPort, what clients dial
	haServerAddr string // brokerIP2:haListenPort

	mu           sync.Mutex
	masterAddr   string // learnt from the NameServer (slave)
	masterHAAddr string

	reply        *replyFeature       // see reply.go
	delay        *delayFeature       // see delay.go
	orderly      *orderlyFeature     // see orderly.go
	transaction  *transactionFeature // see transaction.go
	adminTools   *adminToolsFeature  // see admintools.go
	filter       *filterFeature      // see filter.go
	ha           *haFeature          // see ha.go
	registerKick chan struct{}       // a oneway re-registration is wanted
	ctx          context.Context
	cancel       context.CancelFunc
	wg           sync.WaitGroup
	started      atomic.Bool
	stopped      atomic.Bool
	bootTime     time.Time
	stats        stats
}

// New validates cfg and returns a broker that is not started.
func New(cfg config.Config, opts Options) (*Broker, error) {
	if opts.Logger == nil {
		opts.Logger = logrus.StandardLogger()
	}
	ws, err := cfg.Validate()
	config.LogWarnings(opts.Logger, ws)
	if err != nil {
		return nil, err
	}
	b := &Broker{cfg: cfg, opts: opts, log: opts.Logger, registerKick: make(chan struct{}, 1)}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	return b, nil
}

// Config returns the broker's configuration.
func (b *Broker) Config() config.Config { return b.cfg }

// Addr is the address the broker listens on (valid after Start).
func (b *Broker) Addr() string { return b.server.Addr() }

// BrokerAddr is the address registered with the NameServers.
func (b *Broker) BrokerAddr() string { return b.brokerAddr }

// Store exposes the message store (tests, tools).
func (b *Broker) Store() *store.Store { return b.store }

// Start opens the store and the config files, starts serving and registers
// with the NameServers.
func (b *Broker) Start() error {
	if !b.started.CompareAndSwap(false, true) {
		return errors.New("broker: already started")
	}
	b.bootTime = time.Now()
	if err := b.start(); err != nil {
		b.shutdown(context.Background(), false)
		return err
	}
	return nil
}

func (b *Broker) start() error {
	c := &b.cfg
	root := c.Store.StorePathRootDir
	cfgDir := filepath.Join(root, "config")

	b.consumers = client.NewConsumerManager(client.ConsumerConfig{Logger: b.log, OnChange: b.consumerIDsChanged})
	b.producers = client.NewProducerManager(client.ProducerConfig{Logger: b.log})
	var err error
	b.topics, err = topicconfig.New(topicconfig.Config{
		Path:                  filepath.Join(cfgDir, "topics.json"),
		BrokerClusterName:     c.Broker.BrokerClusterName,
		BrokerName:            c.Broker.BrokerName,
		AutoCreateTopicEnable: c.Broker.AutoCreateTopicEnable,
		DefaultTopicQueueNums: c.Broker.DefaultTopicQueueNums,
		ClusterTopicEnable:    c.Broker.ClusterTopicEnable,
		BrokerTopicEnable:     c.Broker.BrokerTopicEnable,
		TraceTopicEnable:      c.Broker.TraceTopicEnable,
		MsgTraceTopicName:     c.Broker.MsgTraceTopicName,
		OnChange:              b.kickRegister,
		Logger:                b.log,
	})
	if err != nil {
		return err
	}
	b.groups, err = subscription.New(subscription.Config{Path: filepath.Join(cfgDir, "subscriptionGroup.json"), Logger: b.log})
	if err != nil {
		return err
	}
	b.offsets, err = offset.New(offset.Config{Path: filepath.Join(cfgDir, "consumerOffset.json"), Logger: b.log})
	if err != nil {
		return err
	}

	b.hold = longpoll.New(longpoll.Config{Logger: b.log, Wake: func(r *longpoll.Request, timedOut bool) { b.pull.Wake(r, timedOut) }})
	scfg := b.storeConfig()
	if b.store, err = store.Open(scfg); err != nil {
		return fmt.Errorf("open store %s: %w", root, err)
	}

	listen := b.opts.ListenAddr
	if listen == "" {
		listen = net.JoinHostPort("0.0.0.0", strconv.Itoa(c.NettyServer.ListenPort))
	}
	b.server = remoting.NewServer(remoting.ServerConfig{
		Addr:             listen,
		NumEventLoops:    c.NettyServer.ServerSelectorThreads,
		IdleTimeout:      time.Duration(c.NettyServer.ServerChannelMaxIdleTimeSeconds) * time.Second,
		SocketSendBuffer: c.NettyServer.ServerSocketSndBufSize,
		SocketRecvBuffer: c.NettyServer.ServerSocketRcvBufSize,
		Logger:           b.log,
		OnClose:          b.channelClosed,
	})
	b.client = remoting.NewClient(remoting.ClientConfig{Logger: b.log})
	if err := b.registerProcessors(); err != nil {
		return err
	}
	if err := b.server.Start(); err != nil {
		return fmt.Errorf("listen %s: %w", listen, err)
	}
	// With port 0 the real port is known only now.
	port := c.NettyServer.ListenPort
	if ap, err := netip.ParseAddrPort(b.server.Addr()); err == nil {
		port = int(ap.Port())
	}
	b.brokerAddr = net.JoinHostPort(c.Broker.BrokerIP1, strconv.Itoa(port))
	// The HA port is always the service port + 1 (BrokerStartup).
	b.haServerAddr = net.JoinHostPort(c.Broker.BrokerIP2, strconv.Itoa(port+1))
	b.env.StoreHost = storeHost(c.Broker.BrokerIP1, port)
	b.env.SetSettings(b.settings())

	b.hold.Start()
	for _, start := range []func() error{b.startDelay, b.startTransaction, b.startOrderly, b.startFilter, b.startReply, b.startHA} {
		if err := start(); err != nil {
			return err
		}
	}
	b.registerAll(false)
	b.startTasks()
	b.log.WithFields(logrus.Fields{"addr": b.brokerAddr, "cluster": c.Broker.BrokerClusterName, "name": c.Broker.BrokerName,
		"id": c.Broker.BrokerID, "namesrv": c.Broker.NamesrvAddr, "store": root}).Info("broker started")
	return nil
}

// storeHost is the record's STOREHOST: brokerIP1 and the listen port.
func storeHost(ip string, port int) message.Host {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		a = netip.IPv4Unspecified()
	}
	return message.Host{Addr: a.Unmap(), Port: int32(port)}
}

func (b *Broker) storeConfig() store.Config {
	s := &b.cfg.Store
	sc := store.DefaultConfig(s.StorePathRootDir)
	sc.StorePathCommitLog = b.cfg.StorePathCommitLog()
	sc.MappedFileSizeCommitLog = s.MappedFileSizeCommitLog
	sc.MappedFileSizeConsumeQueue = s.MappedFileSizeConsumeQueue
	sc.FlushDiskType = commitlog.AsyncFlush
	if s.FlushDiskType == config.SyncFlush {
		sc.FlushDiskType = commitlog.SyncFlush
	}
	sc.SyncFlushTimeout = time.Duration(s.SyncFlushTimeout) * time.Millisecond
	sc.CheckCRCOnRecover = s.CheckCRCOnRecover
	sc.MessageIndexEnable = s.MessageIndexEnable
	sc.MaxHashSlotNum = s.MaxHashSlotNum
	sc.MaxIndexNum = s.MaxIndexNum
	sc.AccessMessageInMemoryMaxRatio = s.AccessMessageInMemoryMaxRatio
	sc.MaxMessageSize = s.MaxMessageSize
	sc.WarmMapedFileEnable = s.WarmMapedFileEnable
	sc.MessageDelayLevel = s.MessageDelayLevel
	sc.FileReservedTime = s.FileReservedTime
	sc.DeleteWhen = s.DeleteWhen
	sc.DiskMaxUsedSpaceRatio = s.DiskMaxUsedSpaceRatio
	sc.CleanFileForciblyEnable = s.CleanFileForciblyEnable
	sc.CleanResourceInterval = time.Duration(s.CleanResourceInterval) * time.Millisecond
	sc.DeleteCommitLogFilesInterval = time.Duration(s.DeleteCommitLogFilesInterval) * time.Millisecond
	sc.DeleteConsumeQueueFilesInterval = time.Duration(s.DeleteConsumeQueueFilesInterval) * time.Millisecond
	sc.OnDispatch = func(topic string, qid int32, max int64) { b.hold.Notify(topic, qid, max) }
	b.haStoreConfig(&sc)
	sc.Logger = b.log
	return sc
}

// settings derives the processors' per-request settings from the config.
func (b *Broker) settings() *processor.Settings {
	c := &b.cfg
	return &processor.Settings{
		BrokerName:                      c.Broker.BrokerName,
		ClusterName:                     c.Broker.BrokerClusterName,
		BrokerIP1:                       c.Broker.BrokerIP1,
		BrokerAddr:                      b.brokerAddr,
		BrokerID:                        c.Broker.BrokerID,
		BrokerPermission:                int32(c.Broker.BrokerPermission),
		Slave:                           c.Store.BrokerRole == config.Slave,
		RegionID:                        c.Broker.RegionID,
		TraceOn:                         c.Broker.TraceOn,
		MaxMessageSize:                  c.Store.MaxMessageSize,
		RejectTransactionMessage:        c.Broker.RejectTransactionMessage,
		StartAcceptSendRequestTimeStamp: c.Broker.StartAcceptSendRequestTimeStamp,
		LongPollingEnable:               c.Broker.LongPollingEnable,
		ShortPollingTime:                time.Duration(c.Broker.ShortPollingTimeMills) * time.Millisecond,
		AutoCreateSubscriptionGroup:     c.Broker.AutoCreateSubscriptionGroup,
		SlaveReadEnable:                 c.Broker.SlaveReadEnable,
		TransferMsgByHeap:               c.Broker.TransferMsgByHeap,
		EnablePropertyFilter:            c.Broker.EnablePropertyFilter,
		FilterSupportRetry:              c.Broker.FilterSupportRetry,
		StoreReplyMessageEnable:         c.Broker.StoreReplyMessageEnable,
	}
}

// registerProcessors maps request codes to processors and pools as Java's
// registerProcessor does: sends, pulls, admin, client management and
// consumer management each on their own bounded pool so one kind of load
// cannot starve the others.
func (b *Broker) registerProcessors() error {
	c := &b.cfg.Broker
	b.env = &processor.Env{
		Store: b.store, Topics: b.topics, Groups: b.groups, Offsets: b.offsets,
		Consumers: b.consumers, Producers: b.producers, Hold: b.hold, Log: b.log,
	}
	b.env.SetSettings(b.settings())
	b.stats.putTotal, b.stats.getTotal = &b.env.PutNums, &b.env.GetNums
	srv := b.server
	sendWorkers := c.SendMessageThreadPoolNums
	if b.cfg.Store.FlushDiskType == config.SyncFlush {
		// A SYNC_FLUSH send blocks its worker until the group commit; more
		// workers make bigger groups.
		sendWorkers = max(sendWorkers, 32)
	}
	sendPool := srv.NewPool("send", max(sendWorkers, 4), max(c.SendThreadPoolQueueCapacity, 1))
	pullPool := srv.NewPool("pull", max(c.PullMessageThreadPoolNums, 4), max(c.PullThreadPoolQueueCapacity, 1))
	adminPool := srv.NewPool("admin", max(c.AdminBrokerThreadPoolNums, 1), 10000)
	clientPool := srv.NewPool("client", max(c.ClientManageThreadPoolNums, 1), max(c.ClientManagerThreadPoolQueueCapacity, 1))
	heartbeatPool := srv.NewPool("heartbeat", max(c.HeartbeatThreadPoolNums, 1), max(c.HeartbeatThreadPoolQueueCapacity, 1))
	consumerPool := srv.NewPool("consumer", max(c.ConsumerManageThreadPoolNums, 1), max(c.ConsumerManagerThreadPoolQueueCapacity, 1))
	b.env.Pool = pullPool

	send := processor.NewSend(b.env)
	srv.Register(requestcode.SendMessage, send, sendPool)
	srv.Register(requestcode.SendMessageV2, send, sendPool)
	srv.Register(requestcode.SendBatchMessage, send, sendPool)

	b.pull = processor.NewPull(b.env)
	srv.Register(requestcode.PullMessage, b.pull, pullPool)

	cm := processor.NewClientManage(b.env)
	srv.Register(requestcode.HeartBeat, cm, heartbeatPool)
	srv.Register(requestcode.UnregisterClient, cm, clientPool)

	com := processor.NewConsumerManage(b.env)
	srv.Register(requestcode.GetConsumerListByGroup, com, consumerPool)
	srv.Register(requestcode.UpdateConsumerOffset, com, consumerPool)
	srv.Register(requestcode.QueryConsumerOffset, com, consumerPool)

	qo := processor.NewQueueOffsets(b.env)
	for _, code := range []requestcode.RequestCode{requestcode.GetMaxOffset, requestcode.GetMinOffset,
		requestcode.SearchOffsetByTimestamp, requestcode.GetEarliestMsgStoretime} {
		srv.Register(code, qo, adminPool)
	}
	ta := processor.NewTopicAdmin(b.env)
	ta.Registered = func(body.TopicConfig) { b.kickRegister() }
	ta.Deleted = b.topicDeleted
	srv.Register(requestcode.UpdateAndCreateTopic, ta, adminPool)
	srv.Register(requestcode.DeleteTopicInBroker, ta, adminPool)
	srv.Register(requestcode.GetAllTopicConfig, ta, adminPool)

	ga := processor.NewGroupAdmin(b.env)
	srv.Register(requestcode.UpdateAndCreateSubscriptiongroup, ga, adminPool)
	srv.Register(requestcode.GetAllSubscriptiongroupConfig, ga, adminPool)
	srv.Register(requestcode.DeleteSubscriptiongroup, ga, adminPool)

	bi := processor.NewBrokerInfo(b.env, b.runtimeInfo, b.configText)
	srv.Register(requestcode.GetBrokerRuntimeInfo, bi, adminPool)
	srv.Register(requestcode.GetBrokerConfig, bi, adminPool)

	fp := pools{send: sendPool, pull: pullPool, admin: adminPool, client: clientPool, consumer: consumerPool}
	for _, register := range []func(pools) error{b.registerDelay, b.registerTransaction, b.registerOrderly, b.registerFilter, b.registerReply, b.registerAdminTools, b.registerHA} {
		if err := register(fp); err != nil {
			return err
		}
	}
	return nil
}

// pools are the worker pools feature processors are registered on, by
// the Java executor each code runs on.
type pools struct {
	send, pull, admin, client, consumer *remoting.WorkerPool
}

// consumerIDsChanged tells a group's members to rebalance (Java
// DefaultConsumerIdsChangeListener → Broker2Client.notifyConsumerIdsChanged).
func (b *Broker) consumerIDsChanged(ev client.Event, group string, chans []client.Channel) {
	if ev != client.EventChange || !b.cfg.Broker.NotifyConsumerIdsChangedEnable {
		return
	}
	for _, ch := range chans {
		req := codec.NewRequest(int32(requestcode.NotifyConsumerIdsChanged), 0)
		req.Set("consumerGroup", group)
		if err := ch.InvokeOneway(req); err != nil {
			b.log.WithFields(logrus.Fields{"group": group, "remote": ch.RemoteAddr()}).WithError(err).Debug("notify consumer ids changed failed")
		}
	}
}

// channelClosed drops a closed connection's producer and consumer entries
// at once (Java ClientHousekeepingService on channel close).
func (b *Broker) channelClosed(c *remoting.Conn, _ error) {
	// OnClose runs on an event loop: the notifications it causes are
	// oneway writes, which do not block.
	b.producers.ChannelClosed(c)
	b.consumers.ChannelClosed(c)
}

// topicDeleted drops the deleted topic's offsets and consume queues.
func (b *Broker) topicDeleted(topic string) {
	b.offsets.RemoveTopic(topic)
	if err := b.store.DeleteTopic(topic); err != nil {
		b.log.WithField("topic", topic).WithError(err).Warn("cannot delete the topic's queues")
	}
	b.kickRegister()
}

// kickRegister asks for a oneway re-registration with the NameServers
// (Java registers at once when a topic is created by a send or an admin).
func (b *Broker) kickRegister() {
	select {
	case b.registerKick <- struct{}{}:
	default:
	}
}

// startTasks runs the periodic work of BrokerController.start: NameServer
// registration, consumer offset persistence and client expiry.
func (b *Broker) startTasks() {
	b.every(b.cfg.RegisterPeriod(), func() { b.registerAll(false) })
	offsetEvery := time.Duration(b.cfg.Broker.FlushConsumerOffsetInterval) * time.Millisecond
	if offsetEvery <= 0 {
		offsetEvery = 5 * time.Second
	}
	b.every(offsetEvery, b.persistOffsets)
	b.every(10*time.Second, b.scanClients)
	b.every(10*time.Second, func() { b.stats.tick(time.Now()) })
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		for {
			select {
			case <-b.ctx.Done():
				return
			case <-b.registerKick:
				b.registerAll(true)
			}
		}
	}()
}

func (b *Broker) every(d time.Duration, f func()) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-b.ctx.Done():
				return
			case <-t.C:
				f()
			}
		}
	}()
}

func (b *Broker) persistOffsets() {
	if err := b.offsets.Persist(); err != nil {
		b.log.WithError(err).Error("persist consumerOffset.json")
	}
}

func (b *Broker) scanClients() {
	for _, ch := range b.consumers.ScanExpired() {
		_ = ch.Close()
	}
	for _, ch := range b.producers.ScanExpired() {
		_ = ch.Close()
	}
}

// Shutdown unregisters from the NameServers, answers held pulls, stops
// serving, persists the offsets and closes the store (Java
// BrokerController.shutdown).
func (b *Broker) Shutdown(ctx context.Context) error {
	if !b.started.Load() {
		return nil
	}
	return b.shutdown(ctx, true)
}

func (b *Broker) shutdown(ctx context.Context, unregister bool) error {
	if !b.stopped.CompareAndSwap(false, true) {
		return nil
	}
	if unregister && b.client != nil {
		b.unregisterAll(ctx)
	}
	b.cancel()
	b.wg.Wait()
	// Feature services stop before the store closes: they write to it.
	for _, stop := range []func(){b.stopReply, b.stopFilter, b.stopOrderly, b.stopTransaction, b.stopDelay} {
		stop()
	}
	if b.hold != nil {
		b.hold.Shutdown()
	}
	var errs []error
	if b.server != nil {
		errs = append(errs, b.server.Shutdown(ctx))
	}
	if b.client != nil {
		b.client.Close()
	}
	if b.offsets != nil {
		errs = append(errs, b.offsets.Persist())
	}
	if b.store != nil {
		errs = append(errs, b.store.Close(ctx))
	}
	b.log.Info("broker stopped")
	return errors.Join(errs...)
}
