package broker

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/broker/config"
	"github.com/rocketgo/rocketgo/namesrv"
	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/rocketgo/rocketgo/store"
)

// haNamesrv runs an in-process NameServer: a slave learns its master's
// addresses from the REGISTER_BROKER reply.
func haNamesrv(t testing.TB) string {
	t.Helper()
	cfg := namesrv.DefaultConfig()
	cfg.ListenAddr = "127.0.0.1:0"
	cfg.KvConfigPath = filepath.Join(t.TempDir(), "kvConfig.json")
	cfg.ConfigStorePath = filepath.Join(t.TempDir(), "namesrv.properties")
	cfg.Logger = quiet()
	s := namesrv.New(cfg)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
	})
	return s.Addr()
}

func haCall(t testing.TB, cl *remoting.Client, addr string, req *codec.Command) *codec.Command {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := cl.Invoke(ctx, addr, req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func haRequest(code requestcode.RequestCode, ext map[string]string, b []byte) *codec.Command {
	req := codec.NewRequest(int32(code), 0)
	for k, v := range ext {
		req.Set(k, v)
	}
	req.Body = b
	return req
}

func haWait(t testing.TB, within time.Duration, cond func() string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		why := cond()
		if why == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(why)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestHAStoreConfigFromBrokerConf: the replication keys of broker.conf
// reach the store with Java's defaults and units, the HA port follows
// the service port as BrokerStartup sets it, and a haMasterAddress shorter
// than 6 characters counts as unset.
func TestHAStoreConfigFromBrokerConf(t *testing.T) {
	tests := []struct {
		name   string
		listen string
		props  map[string]string
		check  func(sc store.Config) bool
	}{
		{"java defaults", "", map[string]string{},
			func(sc store.Config) bool {
				return sc.BrokerRole == store.RoleAsyncMaster && sc.HAListenAddr == ":10912" && sc.HAMasterAddr == "" &&
					sc.HASendHeartbeatInterval == 5*time.Second && sc.HAHousekeepingInterval == 20*time.Second &&
					sc.HATransferBatchSize == 32768 && sc.HASlaveFallbehindMax == 256<<20 && sc.SlaveTimeout == 3*time.Second
			}},
		{"listenPort moves the HA port", "", map[string]string{"listenPort": "20911", "haListenPort": "1"},
			func(sc store.Config) bool { return sc.HAListenAddr == ":20912" }},
		{"listen address override", "127.0.0.1:30911", map[string]string{},
			func(sc store.Config) bool { return sc.HAListenAddr == "127.0.0.1:30912" }},
		{"port 0 picks both", "127.0.0.1:0", map[string]string{},
			func(sc store.Config) bool { return sc.HAListenAddr == "127.0.0.1:0" }},
		{"sync master with tuned HA", "", map[string]string{"brokerRole": "SYNC_MASTER", "haSendHeartbeatInterval": "100",
			"haHousekeepingInterval": "900", "haTransferBatchSize": "4096", "haSlaveFallbehindMax": "1048576", "slaveTimeout": "250"},
			func(sc store.Config) bool {
				return sc.BrokerRole == store.RoleSyncMaster && sc.HASendHeartbeatInterval == 100*time.Millisecond &&
					sc.HAHousekeepingInterval == 900*time.Millisecond && sc.HATransferBatchSize == 4096 &&
					sc.HASlaveFallbehindMax == 1<<20 && sc.SlaveTimeout == 250*time.Millisecond
			}},
		{"slave with a master address", "", map[string]string{"brokerRole": "SLAVE", "brokerId": "1", "haMasterAddress": "10.0.0.1:10912"},
			func(sc store.Config) bool {
				return sc.BrokerRole == store.RoleSlave && sc.HAMasterAddr == "10.0.0.1:10912"
			}},
		{"slave with a too short master address", "", map[string]string{"brokerRole": "SLAVE", "brokerId": "1", "haMasterAddress": "a:1"},
			func(sc store.Config) bool { return sc.BrokerRole == store.RoleSlave && sc.HAMasterAddr == "" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := config.SystemEnv()
			env.Hostname, env.LocalAddress, env.HomeDir, env.NamesrvAddr = "test-host", "127.0.0.1", t.TempDir(), ""
			props := map[string]string{"storePathRootDir": t.TempDir()}
			for k, v := range tc.props {
				props[k] = v
			}
			cfg, _, err := config.LoadWith(env, "", props)
			if err != nil {
				t.Fatal(err)
			}
			b, err := New(cfg, Options{ListenAddr: tc.listen, Logger: quiet()})
			if err != nil {
				t.Fatal(err)
			}
			if sc := b.storeConfig(); !tc.check(sc) {
				t.Fatalf("store config: role %v listen %q master %q hb %v hk %v batch %d behind %d timeout %v",
					sc.BrokerRole, sc.HAListenAddr, sc.HAMasterAddr, sc.HASendHeartbeatInterval, sc.HAHousekeepingInterval,
					sc.HATransferBatchSize, sc.HASlaveFallbehindMax, sc.SlaveTimeout)
			}
		})
	}
}

// TestHASyncMasterInProcess: a slave learns its master from the
// NameServer and replicates it; SYNC_MASTER sends answer Java's codes for
// no slave (SLAVE_NOT_AVAILABLE), an acknowledging slave (SUCCESS) and a
// slave that never acknowledges (FLUSH_SLAVE_TIMEOUT), each still with the
// stored message's offsets; the slave serves what it copied, refuses
// sends and does not move a consumer's offset it simply lacks.
func TestHASyncMasterInProcess(t *testing.T) {
	ns := haNamesrv(t)
	master := startBroker(t, map[string]string{"brokerRole": "SYNC_MASTER", "namesrvAddr": ns,
		"slaveTimeout": "700", "haSendHeartbeatInterval": "200"})
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
	defer cl.Close()

	if got, want := master.haServerAddr, "127.0.0.1:"+portOf(t, master.Store().HAAddr()); got != want {
		t.Fatalf("registered HA address %q, the store listens on %q", got, want)
	}

	// No slave yet: stored, but SLAVE_NOT_AVAILABLE at once.
	began := time.Now()
	resp := haCall(t, cl, master.Addr(), sendRequest("HAT", 0, []byte("alone")))
	if resp.Code != int32(requestcode.SlaveNotAvailable) || resp.Value("queueOffset") != "0" || len(resp.Value("msgId")) != 32 {
		t.Fatalf("send without a slave: code %d remark %q ext %v", resp.Code, resp.Remark, resp.Ext)
	}
	if el := time.Since(began); el > 500*time.Millisecond {
		t.Fatalf("SLAVE_NOT_AVAILABLE took %v: it must not wait for slaveTimeout", el)
	}

	slave := startBroker(t, map[string]string{"brokerRole": "SLAVE", "brokerId": "1", "namesrvAddr": ns,
		"slaveReadEnable": "true", "haSendHeartbeatInterval": "200"})
	if got := slave.Store().HAMasterAddr(); got != master.haServerAddr {
		t.Fatalf("slave follows %q, the master registered %q", got, master.haServerAddr)
	}
	if got := slave.ha.syncer.MasterAddr(); got != master.BrokerAddr() {
		t.Fatalf("slave syncs metadata from %q, want the master %q", got, master.BrokerAddr())
	}
	haWait(t, 10*time.Second, func() string {
		if resp := haCall(t, cl, master.Addr(), sendRequest("HAT", 0, []byte("probe"))); resp.Code != 0 {
			return "sends still answer " + strconv.Itoa(int(resp.Code)) + " with a slave connected"
		}
		return ""
	})
	for i := 0; i < 20; i++ {
		if resp := haCall(t, cl, master.Addr(), sendRequest("HAT", 1, []byte("m"+strconv.Itoa(i)))); resp.Code != 0 {
			t.Fatalf("send %d with a slave: %d %s", i, resp.Code, resp.Remark)
		}
	}
	haWait(t, 10*time.Second, func() string {
		if m, s := master.Store().CommitLog().MaxOffset(), slave.Store().CommitLog().MaxOffset(); m != s {
			return "slave at " + strconv.FormatInt(s, 10) + ", master at " + strconv.FormatInt(m, 10)
		}
		if slave.Store().MaxOffsetInQueue("HAT", 1) != 20 {
			return "slave's queue HAT/1 not built"
		}
		return ""
	})

	// The slave serves reads of what it copied, once its metadata sync
	// brought the auto-created topic over.
	if err := slave.ha.syncer.SyncAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	resp = haCall(t, cl, slave.Addr(), pullRequest("HAT", 1, 0, 0))
	if resp.Code != 0 || resp.Value("maxOffset") != "20" || len(resp.Body) == 0 {
		t.Fatalf("pull from the slave: %d %s %v", resp.Code, resp.Remark, resp.Ext)
	}
	// An offset it lacks is retried at the group's broker, not moved.
	resp = haCall(t, cl, slave.Addr(), pullRequest("HAT", 1, 500, 0))
	if resp.Code != int32(requestcode.PullRetryImmediately) || resp.Value("suggestWhichBrokerId") != "0" {
		t.Fatalf("pull past the slave's end: %d %v", resp.Code, resp.Ext)
	}
	// And refuses writes as Java's store does.
	if resp := haCall(t, cl, slave.Addr(), sendRequest("HAT", 0, []byte("to-slave"))); resp.Code != int32(requestcode.ServiceNotAvailable) {
		t.Fatalf("send to the slave: %d %s", resp.Code, resp.Remark)
	}

	// The slave leaves: SLAVE_NOT_AVAILABLE again.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := slave.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	haWait(t, 5*time.Second, func() string {
		if master.Store().HAConnections() != 0 {
			return "the master still counts the stopped slave"
		}
		return ""
	})
	if resp := haCall(t, cl, master.Addr(), sendRequest("HAT", 0, []byte("gone"))); resp.Code != int32(requestcode.SlaveNotAvailable) {
		t.Fatalf("send after the slave left: %d %s", resp.Code, resp.Remark)
	}

	// A connected slave that never acknowledges: FLUSH_SLAVE_TIMEOUT after
	// slaveTimeout, the message stored all the same.
	mute, err := net.Dial("tcp", master.Store().HAAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer mute.Close()
	haWait(t, 5*time.Second, func() string {
		if master.Store().HAConnections() != 1 {
			return "the mute slave is not counted"
		}
		return ""
	})
	before := master.Store().MaxOffsetInQueue("HAT", 2)
	began = time.Now()
	resp = haCall(t, cl, master.Addr(), sendRequest("HAT", 2, []byte("unacked")))
	el := time.Since(began)
	if resp.Code != int32(requestcode.FlushSlaveTimeout) || resp.Remark != "" || resp.Value("queueOffset") != strconv.FormatInt(before, 10) {
		t.Fatalf("send with a mute slave: code %d remark %q ext %v", resp.Code, resp.Remark, resp.Ext)
	}
	if el < 600*time.Millisecond || el > 5*time.Second {
		t.Fatalf("FLUSH_SLAVE_TIMEOUT after %v, slaveTimeout is 700ms", el)
	}
	if master.Store().MaxOffsetInQueue("HAT", 2) != before+1 {
		t.Fatal("the timed-out message is not in its queue")
	}
}

func portOf(t *testing.T, addr string) string {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSlaveSynchronizeInProcess: a slave copies its master's topics,
// subscription groups, consumer offsets and delay offsets (Java
// SlaveSynchronize), and answers GET_ALL_DELAY_OFFSET from what it copied.
func TestSlaveSynchronizeInProcess(t *testing.T) {
	ns := haNamesrv(t)
	master := startBroker(t, map[string]string{"namesrvAddr": ns})
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
	defer cl.Close()
	create := map[string]string{"topic": "SyncT", "defaultTopic": "TBW102", "readQueueNums": "3", "writeQueueNums": "3",
		"perm": "6", "topicFilterType": "SINGLE_TAG", "topicSysFlag": "0", "order": "false"}
	if r := haCall(t, cl, master.Addr(), haRequest(requestcode.UpdateAndCreateTopic, create, nil)); r.Code != 0 {
		t.Fatalf("create topic: %d %s", r.Code, r.Remark)
	}
	sg := body.NewSubscriptionGroupConfig("SyncG")
	sg.RetryMaxTimes = 5
	if r := haCall(t, cl, master.Addr(), haRequest(requestcode.UpdateAndCreateSubscriptiongroup, nil, sg.Encode())); r.Code != 0 {
		t.Fatalf("create group: %d %s", r.Code, r.Remark)
	}
	commit := map[string]string{"consumerGroup": "SyncG", "topic": "SyncT", "queueId": "2", "commitOffset": "42"}
	if r := haCall(t, cl, master.Addr(), haRequest(requestcode.UpdateConsumerOffset, commit, nil)); r.Code != 0 {
		t.Fatalf("commit offset: %d %s", r.Code, r.Remark)
	}
	masterDelay := haCall(t, cl, master.Addr(), haRequest(requestcode.GetAllDelayOffset, nil, nil))
	if masterDelay.Code != 0 {
		t.Fatalf("GET_ALL_DELAY_OFFSET on the master: %d %s", masterDelay.Code, masterDelay.Remark)
	}
	if _, err := body.DecodeDelayOffsetSerializeWrapper(masterDelay.Body); err != nil {
		t.Fatalf("master's delay offsets %q: %v", masterDelay.Body, err)
	}

	slave := startBroker(t, map[string]string{"brokerRole": "SLAVE", "brokerId": "1", "namesrvAddr": ns})
	if _, ok := slave.topics.Get("SyncT"); ok {
		t.Fatal("the slave knows the topic before any sync")
	}
	if err := slave.ha.syncer.SyncAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if tc, ok := slave.topics.Get("SyncT"); !ok || tc.ReadQueueNums != 3 {
		t.Fatalf("slave topic after sync: %+v %v", tc, ok)
	}
	if slave.topics.DataVersion() != master.topics.DataVersion() {
		t.Fatalf("topic data version %+v, master %+v", slave.topics.DataVersion(), master.topics.DataVersion())
	}
	if g, ok := slave.groups.Find("SyncG"); !ok || g.RetryMaxTimes != 5 {
		t.Fatalf("slave group after sync: %+v %v", g, ok)
	}
	if off := slave.offsets.Query("SyncG", "SyncT", 2); off != 42 {
		t.Fatalf("slave offset after sync: %d", off)
	}
	delayPath := filepath.Join(slave.Config().Store.StorePathRootDir, "config", "delayOffset.json")
	if got, err := os.ReadFile(delayPath); err != nil || !bytes.Equal(got, masterDelay.Body) {
		t.Fatalf("slave delayOffset.json %q (%v), master sent %q", got, err, masterDelay.Body)
	}
	// The copy survives on disk: the slave's own files hold the tables.
	if data, err := os.ReadFile(filepath.Join(slave.Config().Store.StorePathRootDir, "config", "topics.json")); err != nil || !strings.Contains(string(data), "SyncT") {
		t.Fatalf("slave topics.json lacks SyncT: %v", err)
	}

	// GET_ALL_DELAY_OFFSET on a slave answers from its file; an
	// unreadable file is a SYSTEM_ERROR with a reason, never a crash.
	tests := []struct {
		name     string
		file     []byte // nil: no file
		code     requestcode.ResponseCode
		body     string
		inRemark string
	}{
		{"copied table", []byte(`{"offsetTable":{3:9,1:4}}`), requestcode.Success, `{"offsetTable":{3:9,1:4}}`, ""},
		{"pretty file", []byte("{\n\t\"offsetTable\":{\n\t\t2:7\n\t}\n}"), requestcode.Success, `{"offsetTable":{2:7}}`, ""},
		{"no file", nil, requestcode.Success, `{"offsetTable":{}}`, ""},
		{"garbage", []byte("{\"offsetTable\":[1,2"), requestcode.SystemError, "", "delayOffset.json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_ = os.Remove(delayPath)
			if tc.file != nil {
				if err := os.WriteFile(delayPath, tc.file, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			r := haCall(t, cl, slave.Addr(), haRequest(requestcode.GetAllDelayOffset, map[string]string{"junk": "x"}, []byte("ignored")))
			if r.Code != int32(tc.code) || (tc.code == 0 && string(r.Body) != tc.body) || !strings.Contains(r.Remark, tc.inRemark) {
				t.Fatalf("code %d remark %q body %q", r.Code, r.Remark, r.Body)
			}
		})
	}
}

// BenchmarkSyncMasterSendLoopback: one SEND_MESSAGE to a SYNC_MASTER over
// loopback, answered once an in-process slave acknowledged it.
func BenchmarkSyncMasterSendLoopback(b *testing.B) {
	ns := haNamesrv(b)
	master := startBroker(b, map[string]string{"brokerRole": "SYNC_MASTER", "namesrvAddr": ns, "haSendHeartbeatInterval": "200"})
	startBroker(b, map[string]string{"brokerRole": "SLAVE", "brokerId": "1", "namesrvAddr": ns, "haSendHeartbeatInterval": "200"})
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
	defer cl.Close()
	haWait(b, 10*time.Second, func() string {
		if resp := haCall(b, cl, master.Addr(), sendRequest("HAB", 0, []byte("probe"))); resp.Code != 0 {
			return "no slave acknowledges"
		}
		return ""
	})
	payload := bytes.Repeat([]byte("x"), 256)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := cl.Invoke(ctx, master.Addr(), sendRequest("HAB", i%4, payload))
		if err != nil || resp.Code != 0 {
			b.Fatalf("send %d: %v %v", i, resp, err)
		}
	}
}
