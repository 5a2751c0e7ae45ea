package slavesync

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/sirupsen/logrus"
)

// fakeMaster answers the getAll* codes from a table and records the calls.
type fakeMaster struct {
	mu      sync.Mutex
	answers map[requestcode.RequestCode]*codec.Command
	fail    map[requestcode.RequestCode]error
	calls   []string
}

func (f *fakeMaster) Invoke(_ context.Context, addr string, req *codec.Command) (*codec.Command, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	code := requestcode.RequestCode(req.Code)
	f.calls = append(f.calls, addr+"/"+code.String())
	if err := f.fail[code]; err != nil {
		return nil, err
	}
	if a := f.answers[code]; a != nil {
		return a, nil
	}
	return &codec.Command{Code: int32(requestcode.RequestCodeNotSupported), Remark: "not supported"}, nil
}

func ok(b []byte) *codec.Command { return &codec.Command{Code: int32(requestcode.Success), Body: b} }

type sinks struct {
	topics  *body.TopicConfigSerializeWrapper
	offsets *body.ConsumerOffsetSerializeWrapper
	groups  *body.SubscriptionGroupWrapper
}

func (s *sinks) topicSink() TopicSink {
	return topicFunc(func(w *body.TopicConfigSerializeWrapper) { s.topics = w })
}
func (s *sinks) offsetSink() OffsetSink {
	return offsetFunc(func(w *body.ConsumerOffsetSerializeWrapper) { s.offsets = w })
}
func (s *sinks) groupSink() GroupSink {
	return groupFunc(func(w *body.SubscriptionGroupWrapper) { s.groups = w })
}

type topicFunc func(*body.TopicConfigSerializeWrapper)

func (f topicFunc) SyncFrom(w *body.TopicConfigSerializeWrapper) (bool, error) {
	f(w)
	return true, nil
}

type offsetFunc func(*body.ConsumerOffsetSerializeWrapper)

func (f offsetFunc) SyncFrom(w *body.ConsumerOffsetSerializeWrapper) error { f(w); return nil }

type groupFunc func(*body.SubscriptionGroupWrapper)

func (f groupFunc) SyncFrom(w *body.SubscriptionGroupWrapper) (bool, error) { f(w); return true, nil }

func quiet() logrus.FieldLogger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return l
}

func masterTables() map[requestcode.RequestCode]*codec.Command {
	topics := body.TopicConfigSerializeWrapper{
		TopicConfigTable: map[string]*body.TopicConfig{"T1": {TopicName: "T1", ReadQueueNums: 4, WriteQueueNums: 4, Perm: 6}},
		DataVersion:      body.DataVersion{Timestamp: 1700000000000, Counter: 3},
	}
	offsets := body.ConsumerOffsetSerializeWrapper{OffsetTable: map[string][]body.OffsetEntry{"T1@G1": {{ID: 0, Offset: 42}}}}
	groups := body.SubscriptionGroupWrapper{
		SubscriptionGroupTable: map[string]*body.SubscriptionGroupConfig{"G1": {GroupName: "G1", ConsumeEnable: true, RetryMaxTimes: 16, WhichBrokerWhenConsumeSlowly: 1}},
		DataVersion:            body.DataVersion{Timestamp: 1700000000001, Counter: 7},
	}
	delay := body.DelayOffsetSerializeWrapper{OffsetTable: []body.OffsetEntry{{ID: 2, Offset: 5}}}
	return map[requestcode.RequestCode]*codec.Command{
		requestcode.GetAllTopicConfig:             ok(topics.Encode()),
		requestcode.GetAllConsumerOffset:          ok(offsets.Encode()),
		requestcode.GetAllDelayOffset:             ok(delay.Encode()),
		requestcode.GetAllSubscriptiongroupConfig: ok(groups.Encode()),
	}
}

func newSyncer(t *testing.T, m *fakeMaster, s *sinks) (*Syncer, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config", "delayOffset.json")
	return New(Config{Client: m, Topics: s.topicSink(), Offsets: s.offsetSink(), Groups: s.groupSink(),
		DelayOffsetPath: path, SelfAddr: "127.0.0.1:20911", Logger: quiet()}), path
}

// TestSyncAllInstallsEveryTable: one round installs the master's topics,
// offsets and groups, and writes its delay offsets to delayOffset.json
// byte for byte.
func TestSyncAllInstallsEveryTable(t *testing.T) {
	m := &fakeMaster{answers: masterTables()}
	var s sinks
	sy, path := newSyncer(t, m, &s)
	sy.SetMasterAddr("127.0.0.1:10911")
	if err := sy.SyncAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []string{"127.0.0.1:10911/GET_ALL_TOPIC_CONFIG", "127.0.0.1:10911/GET_ALL_CONSUMER_OFFSET",
		"127.0.0.1:10911/GET_ALL_DELAY_OFFSET", "127.0.0.1:10911/GET_ALL_SUBSCRIPTIONGROUP_CONFIG"}
	if strings.Join(m.calls, " ") != strings.Join(want, " ") {
		t.Fatalf("calls %v, want %v (Java's order)", m.calls, want)
	}
	if s.topics == nil || s.topics.TopicConfigTable["T1"] == nil || s.topics.DataVersion.Counter != 3 {
		t.Fatalf("topics %+v", s.topics)
	}
	if s.offsets == nil || len(s.offsets.OffsetTable["T1@G1"]) != 1 || s.offsets.OffsetTable["T1@G1"][0].Offset != 42 {
		t.Fatalf("offsets %+v", s.offsets)
	}
	if s.groups == nil || s.groups.SubscriptionGroupTable["G1"] == nil || s.groups.DataVersion.Counter != 7 {
		t.Fatalf("groups %+v", s.groups)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != `{"offsetTable":{2:5}}` {
		t.Fatalf("delayOffset.json %q %v", got, err)
	}
}

// TestSyncAllWithoutMaster: no master address (none registered yet, or
// the NameServer no longer knows one) and the slave's own address make no
// calls at all.
func TestSyncAllWithoutMaster(t *testing.T) {
	for _, addr := range []string{"", "127.0.0.1:20911"} {
		m := &fakeMaster{answers: masterTables()}
		var s sinks
		sy, _ := newSyncer(t, m, &s)
		sy.SetMasterAddr(addr)
		if err := sy.SyncAll(context.Background()); err != nil || len(m.calls) != 0 {
			t.Fatalf("master %q: calls %v err %v", addr, m.calls, err)
		}
	}
}

// TestSyncAllPartialFailures: a failing or malformed part is reported and
// leaves its table alone; the other parts are still installed.
func TestSyncAllPartialFailures(t *testing.T) {
	tests := []struct {
		name   string
		change func(m *fakeMaster)
		want   string // in the error
		check  func(s *sinks, delay []byte) bool
	}{
		{"topic call fails", func(m *fakeMaster) {
			m.fail = map[requestcode.RequestCode]error{requestcode.GetAllTopicConfig: errors.New("connection refused")}
		},
			"connection refused", func(s *sinks, d []byte) bool {
				return s.topics == nil && s.offsets != nil && s.groups != nil && d != nil
			}},
		{"offsets not supported", func(m *fakeMaster) { delete(m.answers, requestcode.GetAllConsumerOffset) },
			"CODE: 3 ", func(s *sinks, d []byte) bool { return s.topics != nil && s.offsets == nil && s.groups != nil }},
		{"garbage groups", func(m *fakeMaster) { m.answers[requestcode.GetAllSubscriptiongroupConfig] = ok([]byte("{not json")) },
			"subscription group", func(s *sinks, d []byte) bool { return s.groups == nil && s.topics != nil }},
		{"garbage delay offsets", func(m *fakeMaster) { m.answers[requestcode.GetAllDelayOffset] = ok([]byte(`{"offsetTable":[`)) },
			"delay offset", func(s *sinks, d []byte) bool { return d == nil && s.groups != nil }},
		{"delay offsets system error", func(m *fakeMaster) {
			m.answers[requestcode.GetAllDelayOffset] = &codec.Command{Code: int32(requestcode.SystemError), Remark: "No delay offset in this broker"}
		}, "No delay offset", func(s *sinks, d []byte) bool { return d == nil && s.offsets != nil }},
		{"empty topic body", func(m *fakeMaster) { m.answers[requestcode.GetAllTopicConfig] = ok(nil) },
			"topic config", func(s *sinks, d []byte) bool { return s.topics == nil && s.groups != nil }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := &fakeMaster{answers: masterTables()}
			tc.change(m)
			var s sinks
			sy, path := newSyncer(t, m, &s)
			sy.SetMasterAddr("127.0.0.1:10911")
			err := sy.SyncAll(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want one mentioning %q", err, tc.want)
			}
			delay, _ := os.ReadFile(path)
			if !tc.check(&s, delay) {
				t.Fatalf("tables after a partial failure: %+v delay %q", s, delay)
			}
			if len(m.calls) != 4 {
				t.Fatalf("calls %v: a failing part stopped the round", m.calls)
			}
		})
	}
}

// TestDelayOffsetRewrittenOnlyOnChange: the same delay offsets do not
// rewrite the file (no .bak churn every ten seconds); new ones do.
func TestDelayOffsetRewrittenOnlyOnChange(t *testing.T) {
	m := &fakeMaster{answers: masterTables()}
	var s sinks
	sy, path := newSyncer(t, m, &s)
	sy.SetMasterAddr("127.0.0.1:10911")
	if err := sy.SyncAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + ".bak"); err == nil {
		t.Fatal("a first write left a .bak")
	}
	if err := sy.SyncAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + ".bak"); err == nil {
		t.Fatal("unchanged delay offsets were written again")
	}
	m.answers[requestcode.GetAllDelayOffset] = ok([]byte(`{"offsetTable":{2:6,3:1}}`))
	if err := sy.SyncAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != `{"offsetTable":{2:6,3:1}}` {
		t.Fatalf("delayOffset.json %q", got)
	}
}
