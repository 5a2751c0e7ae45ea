package subscription

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
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

func at(ms int64) func() time.Time { return func() time.Time { return time.UnixMilli(ms) } }

func mustNew(t *testing.T, c Config) *Manager {
	t.Helper()
	m, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func readFixture(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureConfig, "subscriptionGroup.json"))
	if err != nil {
		t.Fatalf("Java 4.9.7 fixture missing: %v", err)
	}
	return b
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var fixtureGroups = []string{"SELF_TEST_C_GROUP", "FixtureGroup", "CID_ONSAPI_OWNER", "CID_ONSAPI_PERMISSION",
	"TOOLS_CONSUMER", "CID_ONS-HTTP-PROXY", "FILTERSRV_CONSUMER", "CID_ONSAPI_PULL"}

func TestBuiltinGroups(t *testing.T) {
	m := mustNew(t, Config{Path: filepath.Join(t.TempDir(), "subscriptionGroup.json"), Logger: quiet(), Now: at(5)})
	want := slices.DeleteFunc(slices.Clone(fixtureGroups), func(g string) bool { return g == "FixtureGroup" })
	if got := m.Names(); !slices.Equal(got, want) {
		t.Fatalf("groups %v, want %v", got, want)
	}
	for _, g := range want {
		if c, ok := m.Find(g); !ok || c != body.NewSubscriptionGroupConfig(g) {
			t.Errorf("%s: %+v", g, c)
		}
	}
	if v := m.DataVersion(); v != (body.DataVersion{Timestamp: 5}) {
		t.Fatalf("version %+v", v)
	}
}

// A fresh broker whose consumer group shows up writes exactly the Java
// broker's file.
func TestFreshHistoryMatchesJavaFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config", "subscriptionGroup.json")
	m := mustNew(t, Config{Path: path, Logger: quiet(), Now: at(1795256354805)})
	if _, ok := m.FindOrCreate("FixtureGroup", true); !ok {
		t.Fatal("not created")
	}
	if got, want := mustRead(t, path), readFixture(t); string(got) != string(want) {
		t.Fatalf("\n got %s\nwant %s", got, want)
	}
}

var versionRE = regexp.MustCompile(`"counter":\d+,\s*"timestamp":\d+`)

func TestLoadJavaFixture(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "subscriptionGroup.json")
	if err := os.WriteFile(path, readFixture(t), 0o644); err != nil {
		t.Fatal(err)
	}
	m := mustNew(t, Config{Path: path, Logger: quiet(), Now: at(42)})
	if got := m.Names(); !slices.Equal(got, fixtureGroups) {
		t.Fatalf("order %v", got)
	}
	if c, ok := m.Find("FixtureGroup"); !ok || c != body.NewSubscriptionGroupConfig("FixtureGroup") {
		t.Fatalf("FixtureGroup %+v", c)
	}
	// Java does not read the file's dataVersion back.
	if v := m.DataVersion(); v != (body.DataVersion{Timestamp: 42}) {
		t.Fatalf("version %+v", v)
	}
	if err := m.Persist(); err != nil {
		t.Fatal(err)
	}
	got := versionRE.ReplaceAllString(string(mustRead(t, path)), "V")
	want := versionRE.ReplaceAllString(string(readFixture(t)), "V")
	if got != want {
		t.Fatalf("\n got %s\nwant %s", got, want)
	}
	if !regexp.MustCompile(`"counter":0,\s*"timestamp":42`).Match(mustRead(t, path)) {
		t.Fatal("persisted version")
	}
}

func TestFindOrCreate(t *testing.T) {
	tests := []struct {
		group      string
		autoCreate bool
		want       bool
		bump       bool
	}{
		{"NewGroup", true, true, true},
		{"NewGroup", false, false, false},
		{"CID_RMQ_SYS_TRANS", false, true, true},
		{"TOOLS_CONSUMER", false, true, false},
	}
	for _, tt := range tests {
		path := filepath.Join(t.TempDir(), "subscriptionGroup.json")
		m := mustNew(t, Config{Path: path, Logger: quiet()})
		c, ok := m.FindOrCreate(tt.group, tt.autoCreate)
		if ok != tt.want || (ok && c != body.NewSubscriptionGroupConfig(tt.group)) {
			t.Errorf("%s auto=%v: %+v %v", tt.group, tt.autoCreate, c, ok)
		}
		if bumped := m.DataVersion().Counter == 1; bumped != tt.bump {
			t.Errorf("%s auto=%v: version bumped %v", tt.group, tt.autoCreate, bumped)
		}
		_, onDisk := mustNew(t, Config{Path: path, Logger: quiet()}).Find(tt.group)
		if tt.bump && !onDisk {
			t.Errorf("%s not persisted", tt.group)
		}
	}
}

func TestUpdateDeleteDisableAndReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "subscriptionGroup.json")
	c := Config{Path: path, Logger: quiet()}
	m := mustNew(t, c)
	g := body.NewSubscriptionGroupConfig("G1")
	g.RetryMaxTimes, g.ConsumeBroadcastEnable, g.BrokerID, g.WhichBrokerWhenConsumeSlowly = 3, false, 1, 2
	if err := m.Update(&g); err != nil {
		t.Fatal(err)
	}
	if err := m.Update(&body.SubscriptionGroupConfig{GroupName: "G2", RetryQueueNums: 4}); err != nil {
		t.Fatal(err)
	}
	if err := m.Delete("TOOLS_CONSUMER"); err != nil {
		t.Fatal(err)
	}
	if err := m.Delete("NoSuchGroup"); err != nil {
		t.Fatal(err)
	}
	if m.DataVersion().Counter != 3 {
		t.Fatalf("counter %d", m.DataVersion().Counter)
	}
	m.DisableConsume("G1")
	if got, _ := m.Find("G1"); got.ConsumeEnable || m.DataVersion().Counter != 4 {
		t.Fatal("disable consume")
	}
	if got, _ := mustNew(t, c).Find("G1"); !got.ConsumeEnable {
		t.Fatal("DisableConsume persisted (Java does not)")
	}
	if err := m.Persist(); err != nil {
		t.Fatal(err)
	}
	r := mustNew(t, c)
	// TOOLS_CONSUMER is built in: deleting it lasts only until a restart.
	want := m.All()
	want["TOOLS_CONSUMER"] = body.NewSubscriptionGroupConfig("TOOLS_CONSUMER")
	if !maps.Equal(r.All(), want) {
		t.Fatalf("reloaded %v\nwant %v", r.All(), want)
	}
}

func TestLoadFallsBackToBak(t *testing.T) {
	path := filepath.Join(t.TempDir(), "subscriptionGroup.json")
	if err := os.WriteFile(path+".bak", readFixture(t), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(`{"subscriptionGroupTable":{"X":`), 0o644); err != nil {
		t.Fatal(err)
	}
	m := mustNew(t, Config{Path: path, Logger: quiet()})
	if _, ok := m.Find("FixtureGroup"); !ok {
		t.Fatal("backup not loaded")
	}
	if _, ok := m.Find("X"); ok {
		t.Fatal("corrupt file half-loaded")
	}
}

func TestEncodeAndSync(t *testing.T) {
	master := mustNew(t, Config{Path: filepath.Join(t.TempDir(), "m.json"), Logger: quiet(), Now: at(9)})
	master.FindOrCreate("FixtureGroup", true)
	w, err := body.DecodeSubscriptionGroupWrapper(master.Encode())
	if err != nil {
		t.Fatal(err)
	}
	slavePath := filepath.Join(t.TempDir(), "s.json")
	slave := mustNew(t, Config{Path: slavePath, Logger: quiet(), Now: at(1)})
	if changed, err := slave.SyncFrom(w); !changed || err != nil {
		t.Fatalf("sync %v %v", changed, err)
	}
	if changed, _ := slave.SyncFrom(w); changed {
		t.Fatal("synced twice")
	}
	if !maps.Equal(slave.All(), master.All()) || slave.DataVersion() != master.DataVersion() {
		t.Fatal("slave differs")
	}
	if string(mustRead(t, slavePath)) != string(master.EncodePretty()) {
		t.Fatal("slave file differs")
	}
}

func TestConcurrentFindOrCreate(t *testing.T) {
	m := mustNew(t, Config{Path: filepath.Join(t.TempDir(), "s.json"), Logger: quiet()})
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m.FindOrCreate("G", true)
			m.Find("G")
			m.Names()
		}()
	}
	wg.Wait()
	if m.DataVersion().Counter != 1 {
		t.Fatalf("created %d times", m.DataVersion().Counter)
	}
}
