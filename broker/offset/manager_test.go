package offset

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/sirupsen/logrus"
	"github.com/sirupsen/logrus/hooks/test"
)

const fixtureConfig = "../../../shared/testdata/java-4.9.7/store-small/config"

func quiet() (logrus.FieldLogger, *test.Hook) {
	l, h := test.NewNullLogger()
	return l, h
}

func mustNew(t testing.TB, path string) *Manager {
	t.Helper()
	log, _ := quiet()
	m, err := New(Config{Path: path, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func fixtureCopy(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "consumerOffset.json")
	if err := os.WriteFile(path, mustRead(t, filepath.Join(fixtureConfig, "consumerOffset.json")), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// The fixture's committed offsets (README: FixtureTopic 11/6/6/7,
// %RETRY%FixtureGroup 1, the transaction checker's 2 and 2).
var fixtureOffsets = []struct {
	group, topic string
	queue        int32
	offset       int64
}{
	{"FixtureGroup", "FixtureTopic", 0, 11},
	{"FixtureGroup", "FixtureTopic", 1, 6},
	{"FixtureGroup", "FixtureTopic", 2, 6},
	{"FixtureGroup", "FixtureTopic", 3, 7},
	{"FixtureGroup", "%RETRY%FixtureGroup", 0, 1},
	{"CID_RMQ_SYS_TRANS", "RMQ_SYS_TRANS_HALF_TOPIC", 0, 2},
	{"CID_RMQ_SYS_TRANS", "RMQ_SYS_TRANS_OP_HALF_TOPIC", 0, 2},
}

func TestLoadJavaFixture(t *testing.T) {
	path := fixtureCopy(t)
	m := mustNew(t, path)
	for _, f := range fixtureOffsets {
		if got := m.Query(f.group, f.topic, f.queue); got != f.offset {
			t.Errorf("%s@%s queue %d = %d, want %d", f.topic, f.group, f.queue, got, f.offset)
		}
	}
	for _, q := range []struct {
		group, topic string
		queue        int32
	}{{"FixtureGroup", "FixtureTopic", 4}, {"Other", "FixtureTopic", 0}, {"FixtureGroup", "Nope", 0}} {
		if got := m.Query(q.group, q.topic, q.queue); got != -1 {
			t.Errorf("%+v = %d, want -1", q, got)
		}
	}
	if got := m.QueryAll("FixtureGroup", "FixtureTopic"); !maps.Equal(got, map[int32]int64{0: 11, 1: 6, 2: 6, 3: 7}) {
		t.Errorf("QueryAll %v", got)
	}
	// Java reads the file into no-argument maps, so a restarted Java
	// broker lists the keys in a 16-bucket table's order.
	if err := m.Persist(); err != nil {
		t.Fatal(err)
	}
	want := "{\n\t\"offsetTable\":{\n" +
		"\t\t\"%RETRY%FixtureGroup@FixtureGroup\":{0:1\n\t\t},\n" +
		"\t\t\"RMQ_SYS_TRANS_HALF_TOPIC@CID_RMQ_SYS_TRANS\":{0:2\n\t\t},\n" +
		"\t\t\"FixtureTopic@FixtureGroup\":{0:11,1:6,2:6,3:7\n\t\t},\n" +
		"\t\t\"RMQ_SYS_TRANS_OP_HALF_TOPIC@CID_RMQ_SYS_TRANS\":{0:2\n\t\t}\n" +
		"\t}\n}"
	if got := string(mustRead(t, path)); got != want {
		t.Fatalf("\n got %q\nwant %q", got, want)
	}
	if bak := string(mustRead(t, path+".bak")); bak != string(mustRead(t, filepath.Join(fixtureConfig, "consumerOffset.json"))) {
		t.Fatal("backup is not the previous file")
	}
}

// A broker that never read a file (the Java one that wrote the fixture)
// writes the fixture byte for byte, whatever the commit order.
func TestFreshCommitsMatchJavaFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config", "consumerOffset.json")
	m := mustNew(t, path)
	for _, i := range []int{6, 3, 0, 5, 2, 4, 1} {
		f := fixtureOffsets[i]
		m.Commit("127.0.0.1:1", f.group, f.topic, f.queue, f.offset)
	}
	if err := m.Persist(); err != nil {
		t.Fatal(err)
	}
	if got, want := mustRead(t, path), mustRead(t, filepath.Join(fixtureConfig, "consumerOffset.json")); string(got) != string(want) {
		t.Fatalf("\n got %s\nwant %s", got, want)
	}
}

func TestCommitAcceptsLowerOffsetWithWarning(t *testing.T) {
	log, hook := quiet()
	m, err := New(Config{Path: filepath.Join(t.TempDir(), "o.json"), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	m.Commit("c1", "G", "T", 0, 10)
	m.Commit("c1", "G", "T", 0, 12)
	if len(hook.AllEntries()) != 0 {
		t.Fatal("warned on a forward commit")
	}
	m.Commit("c2", "G", "T", 0, 4)
	if got := m.Query("G", "T", 0); got != 4 {
		t.Fatalf("offset %d", got)
	}
	e := hook.LastEntry()
	if e == nil || e.Level != logrus.WarnLevel || e.Data["stored"] != int64(12) || e.Data["client"] != "c2" {
		t.Fatalf("warning %+v", e)
	}
}

func TestTopicsGroupsAndRemoval(t *testing.T) {
	m := mustNew(t, fixtureCopy(t))
	m.Commit("", "G2", "FixtureTopic", 0, 1)
	m.Commit("", "FixtureGroup", "Other", 0, 1)
	if got := m.Topics("FixtureGroup"); !slices.Equal(got, []string{"%RETRY%FixtureGroup", "FixtureTopic", "Other"}) {
		t.Errorf("Topics %v", got)
	}
	if got := m.Groups("FixtureTopic"); !slices.Equal(got, []string{"FixtureGroup", "G2"}) {
		t.Errorf("Groups %v", got)
	}
	if got := m.Topics("Fixture"); len(got) != 0 {
		t.Errorf("substring of a group matched: %v", got)
	}
	removed := m.RemoveGroup("FixtureGroup")
	if len(removed) != 3 || m.Query("FixtureGroup", "FixtureTopic", 0) != -1 || m.Query("G2", "FixtureTopic", 0) != 1 {
		t.Errorf("RemoveGroup removed %v", removed)
	}
	if removed := m.RemoveTopic("FixtureTopic"); !slices.Equal(removed, []string{"FixtureTopic@G2"}) {
		t.Errorf("RemoveTopic removed %v", removed)
	}
	if !m.Remove("RMQ_SYS_TRANS_HALF_TOPIC", "CID_RMQ_SYS_TRANS") || m.Remove("RMQ_SYS_TRANS_HALF_TOPIC", "CID_RMQ_SYS_TRANS") {
		t.Error("Remove")
	}
	if got := m.Keys(); !slices.Equal(got, []string{"RMQ_SYS_TRANS_OP_HALF_TOPIC@CID_RMQ_SYS_TRANS"}) {
		t.Errorf("left %v", got)
	}
}

// Keys that are not exactly "topic@group" are kept and written back but
// belong to no topic or group, as Java's split check does.
func TestOddKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "o.json")
	in := `{"offsetTable":{"a@b@c":{0:1},"t@":{0:2},"@g":{0:3},"plain":{0:4}}}`
	if err := os.WriteFile(path, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	m := mustNew(t, path)
	if got := m.Groups("t"); len(got) != 0 {
		t.Errorf("Groups(t) %v", got)
	}
	if got := m.Topics("g"); !slices.Equal(got, []string{""}) {
		t.Errorf("Topics(g) %v", got)
	}
	if got := m.Topics("b@c"); len(got) != 0 {
		t.Errorf("Topics(b@c) %v", got)
	}
	if m.Query("b@c", "a", 0) != 1 {
		t.Error("a@b@c not queryable by its full key")
	}
	if len(m.Wrapper().OffsetTable) != 4 {
		t.Error("odd keys dropped")
	}
}

func TestCloneOffset(t *testing.T) {
	m := mustNew(t, fixtureCopy(t))
	m.Commit("", "Dest", "FixtureTopic", 9, 99)
	m.CloneOffset("FixtureGroup", "Dest", "FixtureTopic")
	m.CloneOffset("NoSuchGroup", "Dest2", "FixtureTopic")
	if got := m.QueryAll("Dest", "FixtureTopic"); !maps.Equal(got, map[int32]int64{0: 11, 1: 6, 2: 6, 3: 7}) {
		t.Fatalf("cloned %v", got)
	}
	if m.QueryAll("Dest2", "FixtureTopic") != nil {
		t.Fatal("cloned from nothing")
	}
	m.Commit("", "Dest", "FixtureTopic", 0, 20)
	if m.Query("FixtureGroup", "FixtureTopic", 0) != 11 {
		t.Fatal("clone shares the source map")
	}
}

func TestPersistReloadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "consumerOffset.json")
	m := mustNew(t, path)
	for g := 0; g < 20; g++ {
		for q := int32(0); q < 70; q += 3 {
			m.Commit("", fmt.Sprintf("group-%d", g), fmt.Sprintf("topic-%d", g%7), q, int64(g*1000)+int64(q))
		}
	}
	if err := m.Persist(); err != nil {
		t.Fatal(err)
	}
	r := mustNew(t, path)
	if !equalWrappers(r.Wrapper(), m.Wrapper()) {
		t.Fatal("reloaded offsets differ")
	}
	if r.Query("group-13", "topic-6", 69) != 13069 {
		t.Fatal("lost an offset")
	}
}

func equalWrappers(a, b body.ConsumerOffsetSerializeWrapper) bool {
	if len(a.OffsetTable) != len(b.OffsetTable) {
		return false
	}
	for k, ea := range a.OffsetTable {
		ma, mb := map[int32]int64{}, map[int32]int64{}
		for _, e := range ea {
			ma[e.ID] = e.Offset
		}
		for _, e := range b.OffsetTable[k] {
			mb[e.ID] = e.Offset
		}
		if !maps.Equal(ma, mb) {
			return false
		}
	}
	return true
}

func TestLoadFallsBackToBak(t *testing.T) {
	path := filepath.Join(t.TempDir(), "consumerOffset.json")
	if err := os.WriteFile(path+".bak", mustRead(t, filepath.Join(fixtureConfig, "consumerOffset.json.bak")), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("{\n\t\"offsetTable\":{\n\t\t\"FixtureTopic@FixtureGroup\":{0:11,1:"), 0o644); err != nil {
		t.Fatal(err)
	}
	m := mustNew(t, path)
	if m.Query("FixtureGroup", "FixtureTopic", 3) != 7 {
		t.Fatal("backup not loaded")
	}
	if err := os.Remove(path + ".bak"); err != nil {
		t.Fatal(err)
	}
	log, _ := quiet()
	if _, err := New(Config{Path: path, Logger: log}); err == nil {
		t.Fatal("corrupt file without backup accepted")
	}
}

func TestEncodeAndSync(t *testing.T) {
	master := mustNew(t, fixtureCopy(t))
	w, err := body.DecodeConsumerOffsetSerializeWrapper(master.Encode())
	if err != nil {
		t.Fatal(err)
	}
	slavePath := filepath.Join(t.TempDir(), "consumerOffset.json")
	slave := mustNew(t, slavePath)
	slave.Commit("", "FixtureGroup", "FixtureTopic", 0, 3)
	slave.Commit("", "FixtureGroup", "FixtureTopic", 7, 3)
	slave.Commit("", "SlaveOnly", "T", 0, 5)
	if err := slave.SyncFrom(w); err != nil {
		t.Fatal(err)
	}
	if slave.Query("FixtureGroup", "FixtureTopic", 0) != 11 || slave.Query("FixtureGroup", "FixtureTopic", 7) != -1 {
		t.Fatal("master's queue map did not replace the slave's")
	}
	if slave.Query("SlaveOnly", "T", 0) != 5 {
		t.Fatal("putAll dropped a slave-only key")
	}
	if r := mustNew(t, slavePath); r.Query("FixtureGroup", "FixtureTopic", 3) != 7 {
		t.Fatal("sync not persisted")
	}
}

func TestConcurrentCommitsAndPersist(t *testing.T) {
	m := mustNew(t, filepath.Join(t.TempDir(), "consumerOffset.json"))
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int64(0); i < 300; i++ {
				m.Commit("", fmt.Sprintf("G%d", g%3), "T", int32(i%8), i)
				m.Query("G0", "T", 1)
				if i%100 == 0 {
					if err := m.Persist(); err != nil {
						t.Error(err)
					}
					m.Topics("G1")
				}
			}
		}()
	}
	wg.Wait()
	if len(m.Keys()) != 3 {
		t.Fatalf("keys %v", m.Keys())
	}
}

func TestCommitDoesNotAllocate(t *testing.T) {
	m := mustNew(t, filepath.Join(t.TempDir(), "consumerOffset.json"))
	m.Commit("c", "please_rename_unique_group_name_4", "TopicTest", 3, 1)
	var off int64
	allocs := testing.AllocsPerRun(1000, func() {
		off++
		m.Commit("c", "please_rename_unique_group_name_4", "TopicTest", 3, off)
		_ = m.Query("please_rename_unique_group_name_4", "TopicTest", 3)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per commit+query", allocs)
	}
}

func BenchmarkCommit(b *testing.B) {
	m := mustNew(b, filepath.Join(b.TempDir(), "consumerOffset.json"))
	for q := int32(0); q < 8; q++ {
		m.Commit("c", "please_rename_unique_group_name_4", "TopicTest", q, 0)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var i int64
		for pb.Next() {
			i++
			m.Commit("c", "please_rename_unique_group_name_4", "TopicTest", int32(i&7), i)
		}
	})
}

func BenchmarkPersist1000Keys(b *testing.B) {
	m := mustNew(b, filepath.Join(b.TempDir(), "consumerOffset.json"))
	for k := 0; k < 1000; k++ {
		for q := int32(0); q < 8; q++ {
			m.Commit("c", fmt.Sprintf("group-%d", k), "TopicTest", q, int64(k))
		}
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := m.Persist(); err != nil {
			b.Fatal(err)
		}
	}
}
