package topicconfig

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/sirupsen/logrus"
	"github.com/sirupsen/logrus/hooks/test"
)

const fixtureConfig = "../../../shared/testdata/java-4.9.7/store-small/config"

func quiet() logrus.FieldLogger {
	l, _ := test.NewNullLogger()
	return l
}

// fixedClock returns a clock that reads start, then one millisecond more
// on each call.
func fixedClock(start int64) func() time.Time {
	var n atomic.Int64
	n.Store(start - 1)
	return func() time.Time { return time.UnixMilli(n.Add(1)) }
}

// fixtureBrokerConfig is the configuration of the Java broker that wrote
// the fixtures (README: DefaultCluster / broker-a, defaults otherwise).
func fixtureBrokerConfig(path string) Config {
	c := DefaultConfig()
	c.BrokerName = "broker-a"
	c.Path = path
	c.Logger = quiet()
	c.Now = fixedClock(1_800_000_000_000)
	return c
}

// copyFixture copies files of the Java store's config directory into a
// fresh one and returns that directory.
func copyFixture(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(fixtureConfig, n))
		if err != nil {
			t.Fatalf("Java 4.9.7 fixture missing: %v", err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func mustNew(t *testing.T, c Config) *Manager {
	t.Helper()
	m, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

type want struct {
	queues int32
	perm   int32
}

func checkTopics(t *testing.T, m *Manager, expect map[string]want) {
	t.Helper()
	all := m.All()
	if len(all) != len(expect) {
		t.Errorf("have %d topics %v, want %d", len(all), slices.Sorted(maps.Keys(all)), len(expect))
	}
	for name, w := range expect {
		tc, ok := m.Get(name)
		if !ok {
			t.Errorf("%s missing", name)
			continue
		}
		if tc.ReadQueueNums != w.queues || tc.WriteQueueNums != w.queues || tc.Perm != w.perm ||
			tc.TopicFilterType != body.SingleTag || tc.TopicSysFlag != 0 || tc.Order || tc.TopicName != name {
			t.Errorf("%s: %s, want %d queues perm %d", name, String(&tc), w.queues, w.perm)
		}
	}
}

func TestSystemTopicsAtConstruction(t *testing.T) {
	base := map[string]want{
		"SELF_TEST_TOPIC": {1, 6}, "TBW102": {8, 7}, "BenchmarkTest": {1024, 6}, "DefaultCluster": {16, 7},
		"broker-a": {1, 7}, "OFFSET_MOVED_EVENT": {1, 6}, "SCHEDULE_TOPIC_XXXX": {18, 6},
		"DefaultCluster_REPLY_TOPIC": {1, 6},
	}
	with := func(changes map[string]want, drop ...string) map[string]want {
		m := maps.Clone(base)
		for _, d := range drop {
			delete(m, d)
		}
		maps.Copy(m, changes)
		return m
	}
	tests := []struct {
		name   string
		modify func(*Config)
		want   map[string]want
	}{
		{"Java defaults", func(*Config) {}, base},
		{"no auto-create", func(c *Config) { c.AutoCreateTopicEnable = false }, with(nil, "TBW102")},
		{"16 default queues", func(c *Config) { c.DefaultTopicQueueNums = 16 }, with(map[string]want{"TBW102": {16, 7}})},
		{"cluster topic off", func(c *Config) { c.ClusterTopicEnable = false }, with(map[string]want{"DefaultCluster": {16, 1}})},
		{"broker topic off", func(c *Config) { c.BrokerTopicEnable = false }, with(map[string]want{"broker-a": {1, 1}})},
		{"trace on", func(c *Config) { c.TraceTopicEnable = true }, with(map[string]want{"RMQ_SYS_TRACE_TOPIC": {1, 6}})},
		{"custom trace topic", func(c *Config) { c.TraceTopicEnable = true; c.MsgTraceTopicName = "MyTrace" },
			with(map[string]want{"MyTrace": {1, 6}})},
		{"other cluster", func(c *Config) { c.BrokerClusterName = "C2" },
			with(map[string]want{"C2": {16, 7}, "C2_REPLY_TOPIC": {1, 6}}, "DefaultCluster", "DefaultCluster_REPLY_TOPIC")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fixtureBrokerConfig(filepath.Join(t.TempDir(), "config", "topics.json"))
			tt.modify(&c)
			m := mustNew(t, c)
			checkTopics(t, m, tt.want)
			if v := m.DataVersion(); v.Counter != 0 || v.Timestamp != 1_800_000_000_000 {
				t.Errorf("fresh version %+v", v)
			}
			if _, err := os.Stat(c.Path); !os.IsNotExist(err) {
				t.Errorf("construction wrote the file (Java does not): %v", err)
			}
		})
	}
}

func TestLoadJavaFixtureAndPersistIdentically(t *testing.T) {
	dir := copyFixture(t, "topics.json", "topics.json.bak")
	m := mustNew(t, fixtureBrokerConfig(filepath.Join(dir, "topics.json")))
	checkTopics(t, m, map[string]want{
		"SELF_TEST_TOPIC": {1, 6}, "TBW102": {8, 7}, "BenchmarkTest": {1024, 6}, "DefaultCluster": {16, 7},
		"broker-a": {1, 7}, "OFFSET_MOVED_EVENT": {1, 6}, "SCHEDULE_TOPIC_XXXX": {18, 6},
		"DefaultCluster_REPLY_TOPIC": {1, 6}, "FixtureTopic": {4, 6}, "FillTopic": {4, 6},
		"%RETRY%FixtureGroup": {1, 6}, "RMQ_SYS_TRANS_HALF_TOPIC": {1, 6},
	})
	if v := m.DataVersion(); v != (body.DataVersion{Counter: 4, Timestamp: 1795256402621}) {
		t.Fatalf("version %+v", v)
	}
	want, _ := os.ReadFile(filepath.Join(fixtureConfig, "topics.json"))
	if err := m.Persist(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "topics.json"))
	if string(got) != string(want) {
		t.Fatalf("persisted topics.json differs from Java's\n got %q\nwant %q", got, want)
	}
	bak, _ := os.ReadFile(filepath.Join(dir, "topics.json.bak"))
	if string(bak) != string(want) {
		t.Fatal("the backup is not the previous file")
	}
}

// A broker that starts without topics.json and sees the same history as
// the Java one writes the same table, in the same order.
func TestFreshTableMatchesJavaFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "topics.json")
	c := fixtureBrokerConfig(path)
	c.Now = func() time.Time { return time.UnixMilli(1795256402621) }
	m := mustNew(t, c)
	m.CreateTopicInSendMessageBack("%RETRY%FixtureGroup", 1, 6, 0)
	m.CreateTopicInSendMessage("FixtureTopic", "TBW102", "127.0.0.1:1", 4, 0)
	m.CreateTopicInSendMessageBack("RMQ_SYS_TRANS_HALF_TOPIC", 1, 6, 0)
	m.CreateTopicInSendMessage("FillTopic", "TBW102", "127.0.0.1:1", 4, 0)
	got, _ := os.ReadFile(path)
	want, _ := os.ReadFile(filepath.Join(fixtureConfig, "topics.json"))
	if string(got) != string(want) {
		t.Fatalf("\n got %s\nwant %s", got, want)
	}
}

func TestLoadFallsBackToBak(t *testing.T) {
	dir := copyFixture(t, "topics.json.bak")
	path := filepath.Join(dir, "topics.json")
	if err := os.WriteFile(path, []byte("{\n\t\"dataVersion\":{\n\t\t\"coun"), 0o644); err != nil {
		t.Fatal(err)
	}
	m := mustNew(t, fixtureBrokerConfig(path))
	if v := m.DataVersion(); v.Counter != 3 || v.Timestamp != 1795256354811 {
		t.Fatalf("version %+v, want the backup's", v)
	}
	if _, ok := m.Get("RMQ_SYS_TRANS_HALF_TOPIC"); ok {
		t.Fatal("topic only in the corrupt file was loaded")
	}
	if _, ok := m.Get("FillTopic"); !ok {
		t.Fatal("backup topic missing")
	}
	// a corrupt file without a backup is an error, not an empty table
	if err := os.Remove(path + ".bak"); err != nil {
		t.Fatal(err)
	}
	if _, err := New(fixtureBrokerConfig(path)); err == nil {
		t.Fatal("corrupt topics.json without a backup was accepted")
	}
}

func TestPersistReloadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config", "topics.json")
	c := fixtureBrokerConfig(path)
	m := mustNew(t, c)
	for i, name := range []string{"A", "B-topic", "c_3", "%RETRY%g1", "%DLQ%g1"} {
		tc := body.NewTopicConfig(name)
		tc.ReadQueueNums, tc.WriteQueueNums = int32(i+1), int32(i+2)
		tc.Order = i%2 == 0
		tc.TopicSysFlag = int32(i % 3)
		if i == 2 {
			tc.TopicFilterType = body.MultiTag
		}
		if err := m.Update(tc); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Delete("B-topic"); err != nil {
		t.Fatal(err)
	}
	if v := m.DataVersion(); v.Counter != 6 {
		t.Fatalf("counter %d after 5 updates and a delete", v.Counter)
	}
	first, _ := os.ReadFile(path)
	r := mustNew(t, c)
	if !maps.Equal(r.All(), m.All()) || r.DataVersion() != m.DataVersion() {
		t.Fatal("reloaded table differs")
	}
	if !slices.Equal(r.Names(), m.Names()) {
		t.Fatalf("order %v vs %v", r.Names(), m.Names())
	}
	if err := r.Persist(); err != nil {
		t.Fatal(err)
	}
	second, _ := os.ReadFile(path)
	if string(first) != string(second) {
		t.Fatal("persist after reload changed the file")
	}
}

func TestCreateTopicInSendMessageRules(t *testing.T) {
	tests := []struct {
		name        string
		autoCreate  bool
		setup       func(m *Manager)
		defaultTop  string
		clientNums  int32
		sysFlag     int32
		wantOK      bool
		wantQueues  int32
		wantPerm    int32
		wantFilter  string
		wantTBWPerm int32 // TBW102's perm afterwards; 0 = TBW102 absent
	}{
		{name: "defaults: 4 of TBW102's 8", autoCreate: true, defaultTop: "TBW102", clientNums: 4,
			wantOK: true, wantQueues: 4, wantPerm: 6, wantFilter: body.SingleTag, wantTBWPerm: 7},
		{name: "client asks more than TBW102 has", autoCreate: true, defaultTop: "TBW102", clientNums: 64,
			wantOK: true, wantQueues: 8, wantPerm: 6, wantFilter: body.SingleTag, wantTBWPerm: 7},
		{name: "negative becomes zero", autoCreate: true, defaultTop: "TBW102", clientNums: -3,
			wantOK: true, wantQueues: 0, wantPerm: 6, wantFilter: body.SingleTag, wantTBWPerm: 7},
		{name: "unit flag kept", autoCreate: true, defaultTop: "TBW102", clientNums: 2, sysFlag: SysFlagUnit,
			wantOK: true, wantQueues: 2, wantPerm: 6, wantFilter: body.SingleTag, wantTBWPerm: 7},
		{name: "auto-create off: no TBW102", autoCreate: false, defaultTop: "TBW102", clientNums: 4},
		{name: "auto-create off: stale TBW102 loses INHERIT", autoCreate: false, defaultTop: "TBW102", clientNums: 4,
			setup: func(m *Manager) {
				tc := body.NewTopicConfig("TBW102")
				tc.ReadQueueNums, tc.WriteQueueNums, tc.Perm = 8, 8, 7
				m.Update(tc)
			}, wantTBWPerm: 6},
		{name: "cluster topic inherits", autoCreate: true, defaultTop: "DefaultCluster", clientNums: 32,
			wantOK: true, wantQueues: 16, wantPerm: 6, wantFilter: body.SingleTag, wantTBWPerm: 7},
		{name: "default topic without INHERIT", autoCreate: true, defaultTop: "SELF_TEST_TOPIC", clientNums: 4, wantTBWPerm: 7},
		{name: "unknown default topic", autoCreate: true, defaultTop: "NoSuchTopic", clientNums: 4, wantTBWPerm: 7},
		{name: "perm and filter from a custom default", autoCreate: true, clientNums: 4, defaultTop: "Tmpl",
			setup: func(m *Manager) {
				tc := body.NewTopicConfig("Tmpl")
				tc.ReadQueueNums, tc.WriteQueueNums, tc.Perm, tc.TopicFilterType = 3, 3, body.PermInherit|body.PermRead, body.MultiTag
				m.Update(tc)
			}, wantOK: true, wantQueues: 3, wantPerm: 4, wantFilter: body.MultiTag, wantTBWPerm: 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "topics.json")
			c := fixtureBrokerConfig(path)
			c.AutoCreateTopicEnable = tt.autoCreate
			var changes atomic.Int32
			c.OnChange = func() { changes.Add(1) }
			m := mustNew(t, c)
			if tt.setup != nil {
				tt.setup(m)
			}
			before := m.DataVersion()
			tc, ok := m.CreateTopicInSendMessage("NewTopic", tt.defaultTop, "10.0.0.1:5555", tt.clientNums, tt.sysFlag)
			if ok != tt.wantOK {
				t.Fatalf("ok = %v", ok)
			}
			stored, inTable := m.Get("NewTopic")
			if inTable != tt.wantOK {
				t.Fatalf("in table = %v", inTable)
			}
			if tt.wantOK {
				if tc != stored || tc.ReadQueueNums != tt.wantQueues || tc.WriteQueueNums != tt.wantQueues ||
					tc.Perm != tt.wantPerm || tc.TopicFilterType != tt.wantFilter || tc.TopicSysFlag != tt.sysFlag {
					t.Fatalf("created %s", String(&tc))
				}
				if v := m.DataVersion(); v.Counter != before.Counter+1 || changes.Load() != 1 {
					t.Fatalf("version %+v -> %+v, %d change calls", before, v, changes.Load())
				}
				disk := mustNew(t, c)
				if got, ok := disk.Get("NewTopic"); !ok || got != tc {
					t.Fatal("the new topic was not persisted")
				}
			} else if m.DataVersion() != before || changes.Load() != 0 {
				t.Fatal("a failed creation changed the version or called OnChange")
			}
			tbw, ok := m.Get("TBW102")
			if (tt.wantTBWPerm != 0) != ok || (ok && tbw.Perm != tt.wantTBWPerm) {
				t.Fatalf("TBW102 present %v perm %d, want perm %d", ok, tbw.Perm, tt.wantTBWPerm)
			}
		})
	}
}

func TestCreateExistingTopicIsNoChange(t *testing.T) {
	c := fixtureBrokerConfig(filepath.Join(t.TempDir(), "topics.json"))
	var changes atomic.Int32
	c.OnChange = func() { changes.Add(1) }
	m := mustNew(t, c)
	first, ok := m.CreateTopicInSendMessageBack("%RETRY%G", 1, 6, 0)
	if !ok || first.ReadQueueNums != 1 || first.Perm != 6 {
		t.Fatalf("retry topic %s", String(&first))
	}
	v := m.DataVersion()
	again, ok := m.CreateTopicInSendMessageBack("%RETRY%G", 5, 2, 1)
	if !ok || again != first {
		t.Fatalf("existing topic changed: %s", String(&again))
	}
	viaSend, ok := m.CreateTopicInSendMessage("%RETRY%G", "TBW102", "", 4, 0)
	if !ok || viaSend != first || m.DataVersion() != v || changes.Load() != 1 {
		t.Fatalf("existing topic re-created; %d change calls", changes.Load())
	}
	tran, ok := m.CreateTopicOfTranCheckMaxTime(1, 6)
	if !ok || tran.TopicName != TransCheckMaxTimeTopic || changes.Load() != 2 {
		t.Fatalf("tran check topic %s", String(&tran))
	}
}

// Concurrent first sends to one new topic create it once.
func TestConcurrentAutoCreate(t *testing.T) {
	c := fixtureBrokerConfig(filepath.Join(t.TempDir(), "topics.json"))
	var changes atomic.Int32
	c.OnChange = func() { changes.Add(1) }
	m := mustNew(t, c)
	var wg sync.WaitGroup
	results := make([]body.TopicConfig, 16)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], _ = m.CreateTopicInSendMessage("Hot", "TBW102", "", int32(i%4+1), 0)
			m.Get("Hot")
		}()
	}
	wg.Wait()
	for _, r := range results {
		if r != results[0] {
			t.Fatalf("different configs returned: %v", results)
		}
	}
	if changes.Load() != 1 || m.DataVersion().Counter != 1 {
		t.Fatalf("%d creations", changes.Load())
	}
}

func TestUpdateAndDelete(t *testing.T) {
	path := filepath.Join(t.TempDir(), "topics.json")
	c := fixtureBrokerConfig(path)
	c.Now = fixedClock(1000)
	var changes atomic.Int32
	c.OnChange = func() { changes.Add(1) }
	m := mustNew(t, c)
	tc := body.NewTopicConfig("T")
	if err := m.Update(tc); err != nil {
		t.Fatal(err)
	}
	v1 := m.DataVersion()
	tc.WriteQueueNums = 3
	if err := m.Update(tc); err != nil {
		t.Fatal(err)
	}
	v2 := m.DataVersion()
	if v1.Counter != 1 || v2.Counter != 2 || v2.Timestamp <= v1.Timestamp {
		t.Fatalf("versions %+v %+v", v1, v2)
	}
	if got, _ := m.Get("T"); got.WriteQueueNums != 3 {
		t.Fatal("update lost")
	}
	if err := m.Delete("T"); err != nil {
		t.Fatal(err)
	}
	if err := m.Delete("T"); err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Get("T"); ok || m.DataVersion().Counter != 3 {
		t.Fatalf("delete: counter %d", m.DataVersion().Counter)
	}
	if changes.Load() != 0 {
		t.Fatal("Update/Delete called OnChange")
	}
	if _, ok := mustNew(t, c).Get("T"); ok {
		t.Fatal("deleted topic still on disk")
	}
}

func TestUpdateOrderTopics(t *testing.T) {
	c := fixtureBrokerConfig(filepath.Join(t.TempDir(), "topics.json"))
	m := mustNew(t, c)
	m.Update(body.NewTopicConfig("O1"))
	m.Update(body.NewTopicConfig("O2"))
	v := m.DataVersion()
	if err := m.UpdateOrderTopics(nil); err != nil || m.DataVersion() != v {
		t.Fatal("nil table changed something")
	}
	m.UpdateOrderTopics(map[string]string{"O1": "broker-a:4", "Unknown": "broker-a:1"})
	if !m.IsOrderTopic("O1") || m.IsOrderTopic("O2") || m.IsOrderTopic("Unknown") || m.DataVersion().Counter != v.Counter+1 {
		t.Fatal("order flags not applied")
	}
	m.UpdateOrderTopics(map[string]string{"O1": "broker-a:4"})
	if m.DataVersion().Counter != v.Counter+1 {
		t.Fatal("no-op order update bumped the version")
	}
	m.UpdateOrderTopics(map[string]string{})
	if m.IsOrderTopic("O1") {
		t.Fatal("empty table left O1 ordered")
	}
	if tc, _ := mustNew(t, c).Get("O1"); tc.Order {
		t.Fatal("order flag not persisted")
	}
}

func TestUnitFlags(t *testing.T) {
	c := fixtureBrokerConfig(filepath.Join(t.TempDir(), "topics.json"))
	var changes atomic.Int32
	c.OnChange = func() { changes.Add(1) }
	m := mustNew(t, c)
	m.Update(body.NewTopicConfig("U"))
	m.UpdateTopicUnitFlag("U", true)
	m.UpdateTopicUnitSubFlag("U", true)
	if tc, _ := m.Get("U"); tc.TopicSysFlag != 3 {
		t.Fatalf("flags %d", tc.TopicSysFlag)
	}
	m.UpdateTopicUnitFlag("U", false)
	m.UpdateTopicUnitFlag("Missing", true)
	if tc, _ := m.Get("U"); tc.TopicSysFlag != 2 || changes.Load() != 3 {
		t.Fatalf("flags %d, %d changes", tc.TopicSysFlag, changes.Load())
	}
}

func TestSyncFrom(t *testing.T) {
	c := fixtureBrokerConfig(filepath.Join(t.TempDir(), "topics.json"))
	m := mustNew(t, c)
	master, err := body.DecodeTopicConfigSerializeWrapper(mustRead(t, filepath.Join(fixtureConfig, "topics.json")))
	if err != nil {
		t.Fatal(err)
	}
	changed, err := m.SyncFrom(master)
	if err != nil || !changed {
		t.Fatalf("sync: %v %v", changed, err)
	}
	if changed, _ := m.SyncFrom(master); changed {
		t.Fatal("same version synced twice")
	}
	if string(mustRead(t, c.Path)) != string(mustRead(t, filepath.Join(fixtureConfig, "topics.json"))) {
		t.Fatal("slave's topics.json differs from the master's")
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWrapperIsASnapshot(t *testing.T) {
	m := mustNew(t, fixtureBrokerConfig(filepath.Join(t.TempDir(), "topics.json")))
	w := m.Wrapper()
	if len(w.TopicOrder) != len(w.TopicConfigTable) || !slices.Equal(w.TopicOrder, m.Names()) {
		t.Fatal("wrapper order")
	}
	w.TopicConfigTable["TBW102"].Perm = 0
	if tc, _ := m.Get("TBW102"); tc.Perm != 7 {
		t.Fatal("wrapper shares the table")
	}
	if got, err := body.DecodeTopicConfigSerializeWrapper(m.Encode()); err != nil || len(got.TopicConfigTable) != 8 {
		t.Fatalf("Encode: %v", err)
	}
}

func TestNewNeedsAPath(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Fatal("no error")
	}
	c := DefaultConfig()
	c.StorePathRootDir = t.TempDir()
	c.Logger = quiet()
	m := mustNew(t, c)
	if m.Path() != filepath.Join(c.StorePathRootDir, "config", "topics.json") {
		t.Fatal(m.Path())
	}
}
