package broker

// This file wires master/slave replication into the broker (Java
// BrokerController's HA parts and BrokerStartup's haListenPort rule): the
// store's replication settings from broker.conf, the HA address the broker
// registers, the master HA address a slave learns from the NameServer, the
// slave's metadata sync (SlaveSynchronize) and GET_ALL_DELAY_OFFSET, which
// that sync asks a master for.

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/rocketgo/rocketgo/broker/config"
	"github.com/rocketgo/rocketgo/broker/processor"
	"github.com/rocketgo/rocketgo/broker/schedule"
	"github.com/rocketgo/rocketgo/broker/slavesync"
	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/store"
	"github.com/sirupsen/logrus"
)

// Java's SlaveSynchronize schedule (BrokerController.handleSlaveSynchronize)
// and the master's printMasterAndSlaveDiff period.
const (
	slaveSyncDelay  = 3 * time.Second
	slaveSyncPeriod = 10 * time.Second
	slaveDiffPeriod = time.Minute
)

// haFeature is the broker's replication state. The replication itself
// lives in the store (package store/ha); the broker tells it its role and
// addresses and keeps the slave's config files in step with the master's.
type haFeature struct {
	// learnMasterHA is Java's updateMasterHAServerAddrPeriodically: a
	// slave without a usable haMasterAddress follows the address the
	// NameServer reports for its master.
	learnMasterHA bool
	// syncer copies the master's metadata (slaves only, else nil).
	syncer *slavesync.Syncer
	// sched is the schedule service whose table GET_ALL_DELAY_OFFSET
	// answers; nil on a slave, which answers from delayOffset.json.
	sched atomic.Pointer[schedule.Service]
	// delayPath is config/delayOffset.json.
	delayPath string
}

// storeRole maps brokerRole to the store's role.
func storeRole(r config.BrokerRole) store.Role {
	switch r {
	case config.SyncMaster:
		return store.RoleSyncMaster
	case config.Slave:
		return store.RoleSlave
	}
	return store.RoleAsyncMaster
}

// haStoreConfig fills the store's replication settings from broker.conf.
func (b *Broker) haStoreConfig(sc *store.Config) {
	s := &b.cfg.Store
	ms := func(v int) time.Duration { return time.Duration(v) * time.Millisecond }
	sc.BrokerRole = storeRole(s.BrokerRole)
	sc.HAListenAddr = b.haListenAddr()
	if usableHAMasterAddress(s.HaMasterAddress) {
		sc.HAMasterAddr = s.HaMasterAddress
	}
	sc.HASendHeartbeatInterval = ms(s.HaSendHeartbeatInterval)
	sc.HAHousekeepingInterval = ms(s.HaHousekeepingInterval)
	sc.HATransferBatchSize = s.HaTransferBatchSize
	sc.HASlaveFallbehindMax = int64(s.HaSlaveFallbehindMax)
	sc.SlaveTimeout = ms(s.SlaveTimeout)
}

// usableHAMasterAddress is Java's test for a configured haMasterAddress
// (at least 6 characters); anything shorter means "learn it".
func usableHAMasterAddress(a string) bool { return len(a) >= 6 }

// haListenAddr is where the HA listener binds: haListenPort (listenPort + 1
// after config validation, as BrokerStartup sets it) on every interface,
// as Java does. When the process overrides the listen address, the HA
// port follows that address's port + 1 on the same host; port 0 there
// (tests) lets the system pick the HA port too.
func (b *Broker) haListenAddr() string {
	host, port := "", b.cfg.Store.HaListenPort
	if b.opts.ListenAddr != "" {
		h, p, err := net.SplitHostPort(b.opts.ListenAddr)
		if err == nil {
			host = h
			if n, err := strconv.Atoi(p); err == nil {
				port = n + 1
				if n == 0 {
					port = 0
				}
			}
		}
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}

// registerHA answers GET_ALL_DELAY_OFFSET on the admin pool, as Java's
// AdminBrokerProcessor does, and sets up the feature's state.
func (b *Broker) registerHA(p pools) error {
	s := &b.cfg.Store
	b.ha = &haFeature{
		learnMasterHA: s.BrokerRole == config.Slave && !usableHAMasterAddress(s.HaMasterAddress),
		delayPath:     filepath.Join(s.StorePathRootDir, "config", "delayOffset.json"),
	}
	b.server.Register(requestcode.GetAllDelayOffset, processor.NewDelayOffsetAdmin(b.env, b.delayOffsets), p.admin)
	b.pull.CheckOffsetInSlave(s.OffsetCheckInSlave)
	return nil
}

// startHA runs after the store is open and the server listens: it fixes
// the HA address the broker registers, and starts the slave's metadata
// sync or the master's replication-lag log.
func (b *Broker) startHA() error {
	if b.ha == nil {
		return errors.New("ha: not registered")
	}
	if a := b.store.HAAddr(); a != "" {
		ap, err := netip.ParseAddrPort(a)
		if err != nil {
			return fmt.Errorf("ha listen address %q: %w", a, err)
		}
		b.haServerAddr = net.JoinHostPort(b.cfg.Broker.BrokerIP2, strconv.Itoa(int(ap.Port())))
	}
	if b.delay != nil && b.delay.sched != nil {
		b.ha.sched.Store(b.delay.sched)
	}
	if b.cfg.Store.BrokerRole != config.Slave {
		b.every(slaveDiffPeriod, b.logSlaveDiff)
		return nil
	}
	b.ha.syncer = slavesync.New(slavesync.Config{
		Client: b.client, Topics: b.topics, Offsets: b.offsets, Groups: b.groups,
		DelayOffsetPath: b.ha.delayPath, SelfAddr: b.brokerAddr, Logger: b.log,
	})
	b.wg.Add(1)
	go b.runSlaveSync()
	b.log.WithFields(logrus.Fields{"haMasterAddress": b.store.HAMasterAddr(), "learnFromNameServer": b.ha.learnMasterHA}).
		Info("slave: replicating from the master")
	return nil
}

// runSlaveSync is the slave's SlaveSynchronize schedule: 3 s after start,
// then every 10 s, until the broker stops.
func (b *Broker) runSlaveSync() {
	defer b.wg.Done()
	t := time.NewTimer(slaveSyncDelay)
	defer t.Stop()
	for {
		select {
		case <-b.ctx.Done():
			return
		case <-t.C:
		}
		// Failures are logged by the syncer and retried next round.
		_ = b.ha.syncer.SyncAll(b.ctx)
		t.Reset(slaveSyncPeriod)
	}
}

// logSlaveDiff is Java's printMasterAndSlaveDiff: how far the slaves lag.
func (b *Broker) logSlaveDiff() {
	if b.store.HAConnections() == 0 {
		return
	}
	b.log.WithFields(logrus.Fields{"bytes": b.store.SlaveFallBehindMuch(), "slaves": b.store.HAConnections()}).
		Info("slave fall behind master")
}

// haRegistered takes what a REGISTER_BROKER reply says about the master
// (Java doRegisterBrokerAll): its HA address for the store to follow,
// unless haMasterAddress is configured, and its broker address for the
// metadata sync ("" when the NameServer knows no live master, which stops
// the sync until one returns).
func (b *Broker) haRegistered(masterAddr, masterHAAddr string) {
	if b.ha == nil || b.store == nil {
		return
	}
	if b.ha.learnMasterHA && masterHAAddr != "" {
		b.store.SetHAMasterAddr(masterHAAddr)
	}
	if b.ha.syncer != nil {
		b.ha.syncer.SetMasterAddr(masterAddr)
	}
}

// delayOffsets is the GET_ALL_DELAY_OFFSET body: the running schedule
// service's table, or on a slave (which runs none) the delayOffset.json
// its sync keeps, re-encoded compactly; no file is an empty table, which
// is what Java's idle service encodes.
func (b *Broker) delayOffsets() ([]byte, error) {
	if s := b.ha.sched.Load(); s != nil {
		w := s.Wrapper()
		return w.Encode(), nil
	}
	data, err := os.ReadFile(b.ha.delayPath)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && len(data) == 0) {
		return (&body.DelayOffsetSerializeWrapper{}).Encode(), nil
	}
	if err != nil {
		return nil, err
	}
	w, err := body.DecodeDelayOffsetSerializeWrapper(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", b.ha.delayPath, err)
	}
	return w.Encode(), nil
}
