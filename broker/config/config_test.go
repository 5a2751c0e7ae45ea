package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	logtest "github.com/sirupsen/logrus/hooks/test"
)

// testEnv pins the host facts the Java goldens were generated with (see
// testdata/README.md).
var testEnv = Env{
	Hostname:     "test-host",
	LocalAddress: "10.1.2.3",
	HomeDir:      "/home/rocketmq",
	NumCPU:       2,
	RocketmqHome: "/opt/rocketmq",
}

const javaStore = "../../../shared/testdata/java-4.9.7/store-small"

func mustLoad(t *testing.T, path string, overrides map[string]string) (Config, []Warning) {
	t.Helper()
	c, ws, err := LoadWith(testEnv, path, overrides)
	if err != nil {
		t.Fatalf("LoadWith(%q): %v", path, err)
	}
	return c, ws
}

func printed(t *testing.T, c Config) string {
	t.Helper()
	var b bytes.Buffer
	if err := c.Print(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// diffLines reports the first differing line, which is far more useful
// than two 190-line dumps.
func diffLines(t *testing.T, got, want string) {
	t.Helper()
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			t.Fatalf("line %d differs:\n got %q\nwant %q", i+1, gl, wl)
		}
	}
}

// TestPrintMatchesJava: Load + Print gives, line for line, what Java
// 4.9.7's `mqbroker -p` prints for the same file and host.
func TestPrintMatchesJava(t *testing.T) {
	tests := []struct{ conf, golden string }{
		{"", "defaults.txt"},
		{"java-conf/broker.conf", "broker.conf.txt"},
		{"java-conf/2m-2s-async/broker-a-s.properties", "2m-2s-async_broker-a-s.properties.txt"},
		{"java-conf/2m-2s-sync/broker-a.properties", "2m-2s-sync_broker-a.properties.txt"},
		{"java-conf/2m-noslave/broker-trace.properties", "2m-noslave_broker-trace.properties.txt"},
		{"compat.conf", "compat.conf.txt"},
	}
	for _, tc := range tests {
		t.Run(tc.golden, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("testdata", "golden", tc.golden))
			if err != nil {
				t.Fatal(err)
			}
			path := ""
			if tc.conf != "" {
				path = filepath.Join("testdata", tc.conf)
			}
			c, _ := mustLoad(t, path, nil)
			diffLines(t, printed(t, c), string(want))
		})
	}
}

// TestDistributionConfs: every broker file shipped with Java 4.9.7 loads
// without a single warning and with the values it states.
func TestDistributionConfs(t *testing.T) {
	tests := []struct {
		file              string
		brokerName        string
		brokerID          int64
		role              BrokerRole
		haListenPortAfter int
	}{
		{"broker.conf", "broker-a", 0, AsyncMaster, 10912},
		{"2m-2s-async/broker-a.properties", "broker-a", 0, AsyncMaster, 10912},
		{"2m-2s-async/broker-a-s.properties", "broker-a", 1, Slave, 10912},
		{"2m-2s-async/broker-b.properties", "broker-b", 0, AsyncMaster, 10912},
		{"2m-2s-async/broker-b-s.properties", "broker-b", 1, Slave, 10912},
		{"2m-2s-sync/broker-a.properties", "broker-a", 0, SyncMaster, 10912},
		{"2m-2s-sync/broker-a-s.properties", "broker-a", 1, Slave, 10912},
		{"2m-2s-sync/broker-b.properties", "broker-b", 0, SyncMaster, 10912},
		{"2m-2s-sync/broker-b-s.properties", "broker-b", 1, Slave, 10912},
		{"2m-noslave/broker-a.properties", "broker-a", 0, AsyncMaster, 10912},
		{"2m-noslave/broker-b.properties", "broker-b", 0, AsyncMaster, 10912},
		{"2m-noslave/broker-trace.properties", "broker-trace", 0, AsyncMaster, 10912},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			c, ws := mustLoad(t, filepath.Join("testdata", "java-conf", tc.file), nil)
			if len(ws) != 0 {
				t.Errorf("warnings: %v", ws)
			}
			if c.Broker.BrokerClusterName != "DefaultCluster" || c.Broker.BrokerName != tc.brokerName ||
				c.Broker.BrokerID != tc.brokerID || c.Store.BrokerRole != tc.role {
				t.Errorf("cluster/name/id/role = %s/%s/%d/%s, want DefaultCluster/%s/%d/%s",
					c.Broker.BrokerClusterName, c.Broker.BrokerName, c.Broker.BrokerID, c.Store.BrokerRole,
					tc.brokerName, tc.brokerID, tc.role)
			}
			if c.Store.DeleteWhen != "04" || c.Store.FileReservedTime != 48 || c.Store.FlushDiskType != AsyncFlush {
				t.Errorf("deleteWhen/fileReservedTime/flushDiskType = %s/%d/%s, want 04/48/ASYNC_FLUSH",
					c.Store.DeleteWhen, c.Store.FileReservedTime, c.Store.FlushDiskType)
			}
			if c.Store.HaListenPort != tc.haListenPortAfter || c.BrokerAddr() != "10.1.2.3:10911" {
				t.Errorf("haListenPort %d, BrokerAddr %s", c.Store.HaListenPort, c.BrokerAddr())
			}
		})
	}
}

// TestDLedgerRefused: the DLedger sample configurations ask for the Raft
// commitlog, which rocketgo does not have; starting anyway would ignore the
// operator's replication setup, so Load refuses with a clear error.
func TestDLedgerRefused(t *testing.T) {
	for _, f := range []string{"broker-n0.conf", "broker-n1.conf", "broker-n2.conf"} {
		_, _, err := LoadWith(testEnv, filepath.Join("testdata", "java-conf", "dledger", f), nil)
		if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "enableDLegerCommitLog") {
			t.Errorf("%s: error = %v, want ErrUnsupported naming enableDLegerCommitLog", f, err)
		}
	}
}

// TestJavaStoreFixtureConfig: the broker that wrote shared/testdata's
// store-small logged its effective configuration; the same keys through
// Load give the same values for every key it logged.
func TestJavaStoreFixtureConfig(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(javaStore, "MANIFEST.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		BrokerConfig          map[string]string `json:"brokerConfig"`
		BrokerConfigEffective map[string]string `json:"brokerConfigEffective"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.BrokerConfigEffective) < 100 {
		t.Fatalf("fixture has %d effective keys, expected the full list", len(m.BrokerConfigEffective))
	}
	env := Env{Hostname: "irrelevant", LocalAddress: "192.0.2.2", HomeDir: "/root", NumCPU: 2, RocketmqHome: "<ROCKETMQ_HOME>"}
	c, ws, err := LoadWith(env, "", m.BrokerConfig)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 0 {
		t.Errorf("warnings: %v", ws)
	}
	got := c.Properties()
	for k, want := range m.BrokerConfigEffective {
		if got[k] != want {
			t.Errorf("%s = %q, Java logged %q", k, got[k], want)
		}
	}
	if c.HAListenPort() != 20912 || c.VIPListenPort() != 20909 {
		t.Errorf("HA/VIP ports %d/%d, Java used 20912/20909", c.HAListenPort(), c.VIPListenPort())
	}
}

// TestDefaults spells out the Java 4.9.7 defaults that matter most, so a
// wrong one names itself (the goldens cover the rest).
func TestDefaults(t *testing.T) {
	c := DefaultFor(testEnv)
	if _, err := c.Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
	p := c.Properties()
	tests := []struct{ key, want string }{
		{"brokerClusterName", "DefaultCluster"},
		{"brokerName", "test-host"},
		{"brokerId", "0"},
		{"brokerIP1", "10.1.2.3"},
		{"brokerIP2", "10.1.2.3"},
		{"namesrvAddr", ""},
		{"rocketmqHome", "/opt/rocketmq"},
		{"brokerPermission", "6"},
		{"defaultTopicQueueNums", "8"},
		{"autoCreateTopicEnable", "true"},
		{"autoCreateSubscriptionGroup", "true"},
		{"registerNameServerPeriod", "30000"},
		{"registerBrokerTimeoutMills", "6000"},
		{"forceRegister", "true"},
		{"longPollingEnable", "true"},
		{"shortPollingTimeMills", "1000"},
		{"flushConsumerOffsetInterval", "5000"},
		{"transactionTimeOut", "6000"},
		{"transactionCheckMax", "15"},
		{"transactionCheckInterval", "60000"},
		{"msgTraceTopicName", "RMQ_SYS_TRACE_TOPIC"},
		{"slaveReadEnable", "false"},
		{"listenPort", "10911"},
		{"serverWorkerThreads", "8"},
		{"serverSelectorThreads", "3"},
		{"serverChannelMaxIdleTimeSeconds", "120"},
		{"serverSocketSndBufSize", "0"},
		{"storePathRootDir", "/home/rocketmq/store"},
		{"storePathCommitLog", ""},
		{"mappedFileSizeCommitLog", "1073741824"},
		{"mappedFileSizeConsumeQueue", "6000000"},
		{"flushIntervalCommitLog", "500"},
		{"flushCommitLogLeastPages", "4"},
		{"flushCommitLogThoroughInterval", "10000"},
		{"flushDiskType", "ASYNC_FLUSH"},
		{"brokerRole", "ASYNC_MASTER"},
		{"syncFlushTimeout", "5000"},
		{"slaveTimeout", "3000"},
		{"haListenPort", "10912"},
		{"haSendHeartbeatInterval", "5000"},
		{"haHousekeepingInterval", "20000"},
		{"haTransferBatchSize", "32768"},
		{"haSlaveFallbehindMax", "268435456"},
		{"fileReservedTime", "72"},
		{"deleteWhen", "04"},
		{"diskMaxUsedSpaceRatio", "75"},
		{"cleanFileForciblyEnable", "true"},
		{"maxMessageSize", "4194304"},
		{"checkCRCOnRecover", "true"},
		{"messageIndexEnable", "true"},
		{"maxHashSlotNum", "5000000"},
		{"maxIndexNum", "20000000"},
		{"maxTransferBytesOnMessageInMemory", "262144"},
		{"maxTransferCountOnMessageInMemory", "32"},
		{"maxTransferBytesOnMessageInDisk", "65536"},
		{"maxTransferCountOnMessageInDisk", "8"},
		{"accessMessageInMemoryMaxRatio", "40"},
		{"messageDelayLevel", "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h"},
		{"flushDelayOffsetInterval", "10000"},
		{"duplicationEnable", "false"},
		{"diskFallRecorded", "true"},
		{"transientStorePoolEnable", "false"},
		{"enableDLegerCommitLog", "false"},
	}
	for _, tc := range tests {
		if got := p[tc.key]; got != tc.want {
			t.Errorf("default %s = %q, want %q", tc.key, got, tc.want)
		}
	}
}

// TestCPUDependentDefaults: pool sizes follow Runtime.availableProcessors()
// with Java's formulas.
func TestCPUDependentDefaults(t *testing.T) {
	tests := []struct {
		cpus                                                int
		send, pull, query, heartbeat, endTx, clientCallback int
	}{
		{1, 1, 18, 9, 1, 10, 1},
		{2, 2, 20, 10, 2, 12, 2},
		{8, 4, 32, 16, 8, 24, 8},
		{64, 4, 144, 72, 32, 136, 64},
	}
	for _, tc := range tests {
		env := testEnv
		env.NumCPU = tc.cpus
		b := DefaultFor(env).Broker
		got := []int{b.SendMessageThreadPoolNums, b.PullMessageThreadPoolNums, b.QueryMessageThreadPoolNums,
			b.HeartbeatThreadPoolNums, b.EndTransactionThreadPoolNums, DefaultFor(env).NettyClient.ClientCallbackExecutorThreads}
		want := []int{tc.send, tc.pull, tc.query, tc.heartbeat, tc.endTx, tc.clientCallback}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%d CPUs: send/pull/query/heartbeat/endTx/clientCallback = %v, want %v", tc.cpus, got, want)
		}
	}
}

type warnKey struct {
	kind WarningKind
	key  string
}

func warnKeys(ws []Warning) []warnKey {
	out := make([]warnKey, 0, len(ws))
	for _, w := range ws {
		out = append(out, warnKey{w.Kind, w.Key})
	}
	return out
}

// TestCompatWarnings: compat.conf prints exactly like Java (see
// TestPrintMatchesJava), and each line Java silently drops or rewrites is
// reported.
func TestCompatWarnings(t *testing.T) {
	c, ws := mustLoad(t, filepath.Join("testdata", "compat.conf"), nil)
	want := []warnKey{ // sorted by key
		{UnknownKey, "BrokerName"},
		{BadValue, "aclEnable"},
		{Reinterpreted, "haListenPort"},
		{BadValue, "maxMessageSize"},
		{Ignored, "rmqAddressServerDomain"},
		{BadValue, "transactionCheckMax"},
		{UnknownKey, "unknownKey"},
	}
	if got := warnKeys(ws); !reflect.DeepEqual(got, want) {
		t.Fatalf("warnings\n got %v\nwant %v\n(%v)", got, want, ws)
	}
	if !strings.Contains(ws[0].Message, "did you mean brokerName") {
		t.Errorf("case-mismatch hint missing: %s", ws[0].Message)
	}
	if !strings.Contains(ws[3].String(), `maxMessageSize="4MB"`) || !strings.Contains(ws[3].Message, "4194304") {
		t.Errorf("bad-value warning should name key, value and the value kept: %s", ws[3])
	}
	levels, err := c.DelayLevels()
	if err != nil || len(levels) != 7 || levels[6] != 24*time.Hour {
		t.Errorf("DelayLevels = %v, %v; want 7 levels ending in 24h", levels, err)
	}
	if c.NettyServer.WriteBufferHighWaterMark != 65536 || c.NettyClient.WriteBufferHighWaterMark != 65536 {
		t.Errorf("writeBufferHighWaterMark must set both Netty classes")
	}
	if got := c.NamesrvAddrs(); !reflect.DeepEqual(got, []string{"10.0.0.1:9876", "10.0.0.2:9876"}) {
		t.Errorf("NamesrvAddrs = %v", got)
	}
}

// TestApplyValues covers how single values are read, including where
// rocketgo deliberately differs from Java (and says so).
func TestApplyValues(t *testing.T) {
	tests := []struct {
		name  string
		props map[string]string
		check func(c Config) bool
		warns []warnKey
	}{
		{"int", map[string]string{"listenPort": "20911"},
			func(c Config) bool { return c.NettyServer.ListenPort == 20911 }, nil},
		{"int with plus sign", map[string]string{"listenPort": "+20911"},
			func(c Config) bool { return c.NettyServer.ListenPort == 20911 }, nil},
		{"int trailing blank is trimmed and reported", map[string]string{"listenPort": "20911 "},
			func(c Config) bool { return c.NettyServer.ListenPort == 20911 },
			[]warnKey{{Reinterpreted, "listenPort"}}},
		{"int not a number keeps default", map[string]string{"listenPort": "port"},
			func(c Config) bool { return c.NettyServer.ListenPort == 10911 },
			[]warnKey{{BadValue, "listenPort"}}},
		{"int empty keeps default", map[string]string{"defaultTopicQueueNums": ""},
			func(c Config) bool { return c.Broker.DefaultTopicQueueNums == 8 },
			[]warnKey{{BadValue, "defaultTopicQueueNums"}}},
		{"int beyond 32 bits keeps default", map[string]string{"mappedFileSizeCommitLog": "4294967296"},
			func(c Config) bool { return c.Store.MappedFileSizeCommitLog == 1<<30 },
			[]warnKey{{BadValue, "mappedFileSizeCommitLog"}}},
		{"long beyond 32 bits", map[string]string{"brokerId": "4294967296"},
			func(c Config) bool { return c.Broker.BrokerID == 4294967296 }, nil},
		{"bool any case", map[string]string{"autoCreateTopicEnable": "FaLsE", "aclEnable": "TRUE"},
			func(c Config) bool { return !c.Broker.AutoCreateTopicEnable && c.Broker.AclEnable }, nil},
		{"bool true with blank is true here, false in Java", map[string]string{"aclEnable": "true "},
			func(c Config) bool { return c.Broker.AclEnable },
			[]warnKey{{Reinterpreted, "aclEnable"}}},
		{"bool false with blank agrees with Java", map[string]string{"autoCreateTopicEnable": "false "},
			func(c Config) bool { return !c.Broker.AutoCreateTopicEnable }, nil},
		{"bool garbage is false as in Java", map[string]string{"autoCreateTopicEnable": "1"},
			func(c Config) bool { return !c.Broker.AutoCreateTopicEnable },
			[]warnKey{{BadValue, "autoCreateTopicEnable"}}},
		{"enum", map[string]string{"brokerRole": "SYNC_MASTER", "flushDiskType": "SYNC_FLUSH"},
			func(c Config) bool { return c.Store.BrokerRole == SyncMaster && c.Store.FlushDiskType == SyncFlush }, nil},
		{"enum with blank is trimmed and reported", map[string]string{"brokerRole": "SLAVE\t"},
			func(c Config) bool { return c.Store.BrokerRole == Slave },
			[]warnKey{{Reinterpreted, "brokerRole"}}},
		{"enum is case-sensitive as Enum.valueOf", map[string]string{"brokerRole": "slave"},
			func(c Config) bool { return c.Store.BrokerRole == AsyncMaster },
			[]warnKey{{BadValue, "brokerRole"}}},
		{"unknown flush type", map[string]string{"flushDiskType": "NEVER"},
			func(c Config) bool { return c.Store.FlushDiskType == AsyncFlush },
			[]warnKey{{BadValue, "flushDiskType"}}},
		{"string kept byte for byte", map[string]string{"storePathRootDir": "/data/store "},
			func(c Config) bool { return c.Store.StorePathRootDir == "/data/store " },
			[]warnKey{{Reinterpreted, "storePathRootDir"}}},
		{"tilde is not expanded", map[string]string{"storePathRootDir": "~/store"},
			func(c Config) bool { return c.Store.StorePathRootDir == "~/store" },
			[]warnKey{{Reinterpreted, "storePathRootDir"}}},
		{"setter key differs from field name", map[string]string{"enableBatchPush": "true"},
			func(c Config) bool { return c.Store.EnableBatchPush }, nil},
		{"field name is not a key", map[string]string{"isEnableBatchPush": "true"},
			func(c Config) bool { return !c.Store.EnableBatchPush },
			[]warnKey{{UnknownKey, "isEnableBatchPush"}}},
		{"keys are case-sensitive", map[string]string{"ListenPort": "1"},
			func(c Config) bool { return c.NettyServer.ListenPort == 10911 },
			[]warnKey{{UnknownKey, "ListenPort"}}},
		{"byte order mark glued to first key", map[string]string{"\u00ef\u00bb\u00bfbrokerName": "x"},
			func(c Config) bool { return c.Broker.BrokerName == "test-host" },
			[]warnKey{{UnknownKey, "\u00ef\u00bb\u00bfbrokerName"}}},
		{"message store plug-in ignored", map[string]string{"messageStorePlugIn": "com.example.Plugin"},
			func(c Config) bool { return c.Broker.MessageStorePlugIn == "com.example.Plugin" },
			[]warnKey{{Ignored, "messageStorePlugIn"}}},
		{"transient store pool ignored", map[string]string{"transientStorePoolEnable": "true"},
			func(c Config) bool { return c.Store.TransientStorePoolEnable && c.TransientStorePoolActive() },
			[]warnKey{{Ignored, "transientStorePoolEnable"}}},
		{"transient store pool off is silent", map[string]string{"transientStorePoolEnable": "false"},
			func(c Config) bool { return !c.Store.TransientStorePoolEnable }, nil},
		{"haListenPort matching listenPort+1 is silent", map[string]string{"listenPort": "20911", "haListenPort": "20912"},
			func(c Config) bool { return c.Store.HaListenPort == 20912 }, nil},
		{"empty namesrvAddr is unset", map[string]string{"namesrvAddr": ""},
			func(c Config) bool { return c.Broker.NamesrvAddr == "" },
			[]warnKey{{Reinterpreted, "namesrvAddr"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultFor(testEnv)
			ws := c.Apply(tc.props)
			if !tc.check(c) {
				t.Errorf("Apply(%q) gave an unexpected value:\n%s", tc.props, printed(t, c))
			}
			if got := warnKeys(ws); !reflect.DeepEqual(got, append([]warnKey{}, tc.warns...)) {
				t.Errorf("warnings %v, want %v", ws, tc.warns)
			}
		})
	}
}

// TestValidate covers BrokerStartup's post-load rules.
func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		props   map[string]string
		wantErr string // substring; "" means success
		check   func(c Config) bool
		warns   []warnKey
	}{
		{"master brokerId forced to 0", map[string]string{"brokerId": "5"}, "",
			func(c Config) bool { return c.Broker.BrokerID == 0 }, []warnKey{{Reinterpreted, "brokerId"}}},
		{"sync master brokerId forced to 0", map[string]string{"brokerId": "-1", "brokerRole": "SYNC_MASTER"}, "",
			func(c Config) bool { return c.Broker.BrokerID == 0 }, []warnKey{{Reinterpreted, "brokerId"}}},
		{"slave keeps its id", map[string]string{"brokerId": "2", "brokerRole": "SLAVE"}, "",
			func(c Config) bool { return c.Broker.BrokerID == 2 }, nil},
		{"slave needs id > 0", map[string]string{"brokerRole": "SLAVE"}, "Slave's brokerId must be > 0", nil, nil},
		{"slave negative id", map[string]string{"brokerRole": "SLAVE", "brokerId": "-3"}, "Slave's brokerId must be > 0", nil, nil},
		{"haListenPort derived", map[string]string{"listenPort": "30911"}, "",
			func(c Config) bool { return c.Store.HaListenPort == 30912 && c.HAListenPort() == 30912 }, nil},
		{"namesrvAddr list", map[string]string{"namesrvAddr": "a:9876;10.0.0.2:9876;"}, "", nil, nil},
		{"namesrvAddr without port", map[string]string{"namesrvAddr": "127.0.0.1"}, "Name Server Address[127.0.0.1] illegal", nil, nil},
		{"namesrvAddr bad port", map[string]string{"namesrvAddr": "127.0.0.1:98x"}, "illegal", nil, nil},
		{"namesrvAddr port too big", map[string]string{"namesrvAddr": "127.0.0.1:65536"}, "illegal", nil, nil},
		{"namesrvAddr empty first entry", map[string]string{"namesrvAddr": ";127.0.0.1:9876"}, "illegal", nil, nil},
		{"namesrvAddr blank before port", map[string]string{"namesrvAddr": "127.0.0.1: 9876"}, "illegal", nil, nil},
		{"dledger", map[string]string{"enableDLegerCommitLog": "true"}, "not supported", nil, nil},
		{"listenPort too big for the HA port", map[string]string{"listenPort": "65535"}, "listenPort=65535", nil, nil},
		{"delay levels: double blank", map[string]string{"messageDelayLevel": "1s  5s"}, "messageDelayLevel", nil, nil},
		{"delay levels: unknown unit", map[string]string{"messageDelayLevel": "1s 5w"}, "level 2", nil, nil},
		{"delay levels: no number", map[string]string{"messageDelayLevel": "s"}, "messageDelayLevel", nil, nil},
		{"delay levels: empty", map[string]string{"messageDelayLevel": ""}, "messageDelayLevel is empty", nil, nil},
		{"delay levels: trailing blank is fine", map[string]string{"messageDelayLevel": "1s 2m "}, "",
			func(c Config) bool {
				l, err := c.DelayLevels()
				return err == nil && reflect.DeepEqual(l, []time.Duration{time.Second, 2 * time.Minute})
			}, []warnKey{{Reinterpreted, "messageDelayLevel"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultFor(testEnv)
			ws := c.Apply(tc.props)
			vws, err := c.Validate()
			ws = append(ws, vws...)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Validate error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if tc.check != nil && !tc.check(c) {
				t.Errorf("unexpected result:\n%s", printed(t, c))
			}
			if got := warnKeys(ws); !reflect.DeepEqual(got, append([]warnKey{}, tc.warns...)) {
				t.Errorf("warnings %v, want %v", ws, tc.warns)
			}
			// Validate is idempotent.
			if again, err := c.Validate(); err != nil || len(again) != 0 {
				t.Errorf("second Validate: %v, %v", again, err)
			}
		})
	}
}

func TestDerived(t *testing.T) {
	c := DefaultFor(testEnv)
	c.Apply(map[string]string{
		"brokerIP1": "10.0.0.5", "brokerIP2": "10.0.0.6", "listenPort": "20911",
		"mappedFileSizeConsumeQueue": "6001", "diskMaxUsedSpaceRatio": "99",
		"registerNameServerPeriod": "5000",
	})
	if _, err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"BrokerAddr", c.BrokerAddr(), "10.0.0.5:20911"},
		{"HAServerAddr", c.HAServerAddr(), "10.0.0.6:20912"},
		{"VIPListenPort", c.VIPListenPort(), 20909},
		{"StorePathCommitLog default", c.StorePathCommitLog(), "/home/rocketmq/store" + string(filepath.Separator) + "commitlog"},
		{"MappedFileSizeConsumeQueue rounds up to 20-byte units", c.MappedFileSizeConsumeQueue(), 6020},
		{"DiskMaxUsedSpaceRatio clamps high", c.DiskMaxUsedSpaceRatio(), 95},
		{"RegisterPeriod clamps low", c.RegisterPeriod(), 10 * time.Second},
		{"NamesrvAddrs unset", len(c.NamesrvAddrs()), 0},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}

	c.Store.StorePathCommitLog = "/elsewhere/commitlog"
	c.Store.DiskMaxUsedSpaceRatio = 3
	c.Broker.RegisterNameServerPeriod = 120000
	c.Store.MappedFileSizeConsumeQueue = 6000
	if c.StorePathCommitLog() != "/elsewhere/commitlog" || c.DiskMaxUsedSpaceRatio() != 10 ||
		c.RegisterPeriod() != time.Minute || c.MappedFileSizeConsumeQueue() != 6000 {
		t.Errorf("explicit commitlog %s, ratio %d, period %v, cq size %d",
			c.StorePathCommitLog(), c.DiskMaxUsedSpaceRatio(), c.RegisterPeriod(), c.MappedFileSizeConsumeQueue())
	}

	d := DefaultFor(testEnv)
	levels, err := d.DelayLevels()
	if err != nil || len(levels) != 18 || levels[0] != time.Second || levels[2] != 10*time.Second || levels[17] != 2*time.Hour {
		t.Errorf("default DelayLevels = %v, %v", levels, err)
	}
}

// TestLoadOverrides: command-line style overrides (Java's -n) win over the
// file, and the file wins over the environment default.
func TestLoadOverrides(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "broker.conf")
	if err := os.WriteFile(p, []byte("namesrvAddr=10.0.0.1:9876\nbrokerName=from-file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := testEnv
	env.NamesrvAddr = "10.9.9.9:9876"

	c, _, err := LoadWith(env, "", nil)
	if err != nil || c.Broker.NamesrvAddr != "10.9.9.9:9876" {
		t.Fatalf("env default: %q, %v", c.Broker.NamesrvAddr, err)
	}
	c, _, err = LoadWith(env, p, nil)
	if err != nil || c.Broker.NamesrvAddr != "10.0.0.1:9876" || c.Broker.BrokerName != "from-file" {
		t.Fatalf("file: %q %q, %v", c.Broker.NamesrvAddr, c.Broker.BrokerName, err)
	}
	c, _, err = LoadWith(env, p, map[string]string{"namesrvAddr": "127.0.0.1:19876"})
	if err != nil || c.Broker.NamesrvAddr != "127.0.0.1:19876" || c.Broker.BrokerName != "from-file" {
		t.Fatalf("override: %q %q, %v", c.Broker.NamesrvAddr, c.Broker.BrokerName, err)
	}
	_, _, err = LoadWith(env, p, map[string]string{"namesrvAddr": "nope"})
	if err == nil || !strings.Contains(err.Error(), p) {
		t.Fatalf("bad override error = %v, want one naming the file", err)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	missing := filepath.Join(dir, "missing.conf")
	if _, _, err := LoadWith(testEnv, missing, nil); err == nil || !strings.Contains(err.Error(), "missing.conf") {
		t.Errorf("missing file error = %v", err)
	}
	bad := write("bad.conf", "brokerName=a\\u12G4\n")
	if _, _, err := LoadWith(testEnv, bad, nil); !errors.Is(err, ErrMalformedUnicodeEscape) || !strings.Contains(err.Error(), "bad.conf") {
		t.Errorf("malformed escape error = %v", err)
	}
	slave := write("slave.conf", "brokerRole=SLAVE\n")
	if _, _, err := LoadWith(testEnv, slave, nil); err == nil || !strings.Contains(err.Error(), "Slave's brokerId must be > 0") {
		t.Errorf("slave error = %v", err)
	}
	utf8 := write("utf8.conf", "brokerName=br\xc3\xb6ker\n")
	c, ws, err := LoadWith(testEnv, utf8, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Broker.BrokerName != "br\u00c3\u00b6ker" {
		t.Errorf("brokerName = %q, want the Latin-1 reading Java makes", c.Broker.BrokerName)
	}
	if len(ws) != 1 || ws[0].Kind != Reinterpreted || !strings.Contains(ws[0].Message, "ISO-8859-1") {
		t.Errorf("warnings = %v, want one about ISO-8859-1", ws)
	}
}

func TestPrintImportant(t *testing.T) {
	c := DefaultFor(testEnv)
	var b bytes.Buffer
	if err := c.PrintImportant(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 35 {
		t.Errorf("%d important fields, Java 4.9.7 marks 35", len(lines))
	}
	wantPrefix := []string{"namesrvAddr=", "brokerIP1=10.1.2.3", "brokerName=test-host", "brokerClusterName=DefaultCluster", "brokerId=0"}
	for i, w := range wantPrefix {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d = %q, want prefix %q", i, lines[i], w)
		}
	}
	if lines[len(lines)-1] != "transientStorePoolEnable=false" {
		t.Errorf("last important line = %q", lines[len(lines)-1])
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("closed pipe") }

func TestPrintWriteError(t *testing.T) {
	c := DefaultFor(testEnv)
	if err := c.Print(failWriter{}); err == nil || !strings.Contains(err.Error(), "closed pipe") {
		t.Fatalf("Print error = %v", err)
	}
}

func TestKeys(t *testing.T) {
	keys := Keys()
	if len(keys) != 184 { // 186 Java fields, writeBuffer{High,Low}WaterMark in both Netty classes
		t.Errorf("%d keys", len(keys))
	}
	set := map[string]bool{}
	for _, k := range keys {
		set[k] = true
	}
	for _, k := range []string{"brokerName", "enableBatchPush", "slaveReadEnable", "dLegerSelfId", "writeBufferLowWaterMark"} {
		if !set[k] {
			t.Errorf("missing key %s", k)
		}
	}
	if set["isEnableBatchPush"] {
		t.Errorf("isEnableBatchPush is a field name, not a settable key")
	}
	// Properties round-trips through Apply without warnings or changes.
	c := DefaultFor(testEnv)
	c.Apply(map[string]string{"brokerRole": "SLAVE", "brokerId": "4", "listenPort": "1234"})
	if _, err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	d := DefaultFor(Env{})
	if ws := d.Apply(c.Properties()); len(ws) != 0 {
		t.Errorf("round trip warnings: %v", ws)
	}
	if printed(t, d) != printed(t, c) {
		t.Errorf("round trip changed the configuration")
	}
}

func TestLogWarnings(t *testing.T) {
	log, hook := logtest.NewNullLogger()
	LogWarnings(log, []Warning{
		{UnknownKey, "foo", "bar", "unknown key"},
		{Kind: Reinterpreted, Message: "file-level"},
	})
	entries := hook.AllEntries()
	if len(entries) != 2 {
		t.Fatalf("%d entries", len(entries))
	}
	e := entries[0]
	if e.Level != logrus.WarnLevel || e.Data["key"] != "foo" || e.Data["value"] != "bar" || e.Data["kind"] != "unknown key" {
		t.Errorf("entry = %v %v", e.Level, e.Data)
	}
	if _, ok := entries[1].Data["key"]; ok {
		t.Errorf("file-level warning should have no key field")
	}
}

func TestPickLocalAddress(t *testing.T) {
	fallback := func() string { return "fallback" }
	tests := []struct {
		name   string
		v4, v6 []string
		want   string
	}{
		{"public over private", []string{"192.168.1.2", "10.0.0.3", "172.16.0.1"}, nil, "10.0.0.3"},
		{"only 192.168: last one", []string{"192.168.1.2", "192.168.9.9"}, []string{"[fe80:0:0:0:0:0:0:1%eth0]"}, "192.168.9.9"},
		{"v6 when no v4", nil, []string{"[2001:db8:0:0:0:0:0:1]", "[fe80:0:0:0:0:0:0:1%eth0]"}, "[2001:db8:0:0:0:0:0:1]"},
		{"nothing", nil, nil, "fallback"},
	}
	for _, tc := range tests {
		if got := pickLocalAddress(tc.v4, tc.v6, fallback); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := javaIPv6(net.ParseIP("2001:db8::1"), ""); got != "2001:db8:0:0:0:0:0:1" {
		t.Errorf("javaIPv6 = %q", got)
	}
	if got := javaIPv6(net.ParseIP("fe80::a:b"), "eth0"); got != "fe80:0:0:0:0:0:a:b%eth0" {
		t.Errorf("javaIPv6 link-local = %q", got)
	}
	// The real lookups must not fail on this host.
	if env := SystemEnv(); env.NumCPU < 1 || env.Hostname == "" {
		t.Errorf("SystemEnv: %+v", env)
	}
}
