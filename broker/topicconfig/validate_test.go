package topicconfig

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/rocketgo/rocketgo/protocol/body"
)

func TestValidate(t *testing.T) {
	const (
		blank   = "The specified topic is blank."
		illegal = "The specified topic contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$"
		long    = "The specified topic is longer than topic max length."
	)
	tests := []struct {
		topic string
		want  string // "" = valid
	}{
		{"TopicTest", ""},
		{"%RETRY%group_1", ""},
		{"a|b-c", ""},
		{strings.Repeat("x", 127), ""},
		{strings.Repeat("x", 128), long},
		{"", blank},
		{"   ", blank},
		{"\t\n", blank},
		{"\u00a0", illegal}, // Java: a no-break space is not whitespace
		{"topic name", illegal},
		{"topic.name", illegal},
		{"topic@group", illegal},
		{"tópico", illegal},
		{strings.Repeat("é", 100), illegal},
	}
	for _, tt := range tests {
		err := Validate(tt.topic)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("Validate(%q) = %q, want %q", tt.topic, got, tt.want)
		}
	}
}

func TestSystemAndForbiddenTopics(t *testing.T) {
	m := mustNew(t, fixtureBrokerConfig(filepath.Join(t.TempDir(), "topics.json")))
	tests := []struct {
		topic          string
		system, method bool
		notAllowedSend bool
	}{
		{"TBW102", true, true, false},
		{"SCHEDULE_TOPIC_XXXX", true, true, true},
		{"RMQ_SYS_TRANS_HALF_TOPIC", true, true, true},
		{"RMQ_SYS_TRANS_OP_HALF_TOPIC", true, true, true},
		{"TRANS_CHECK_MAX_TIME_TOPIC", true, true, true},
		{"SELF_TEST_TOPIC", true, true, true},
		{"OFFSET_MOVED_EVENT", true, true, true},
		{"BenchmarkTest", true, true, false},
		{"RMQ_SYS_TRACE_TOPIC", true, true, false},
		{"rmq_sys_anything", true, true, false},
		{"DefaultCluster", false, true, false},
		{"DefaultCluster_REPLY_TOPIC", false, true, false},
		{"broker-a", false, true, false},
		{"FixtureTopic", false, false, false},
	}
	for _, tt := range tests {
		if got := IsSystemTopic(tt.topic); got != tt.system {
			t.Errorf("IsSystemTopic(%q) = %v", tt.topic, got)
		}
		if got := m.IsSystemTopic(tt.topic); got != tt.method {
			t.Errorf("Manager.IsSystemTopic(%q) = %v", tt.topic, got)
		}
		if got := NotAllowedSend(tt.topic); got != tt.notAllowedSend {
			t.Errorf("NotAllowedSend(%q) = %v", tt.topic, got)
		}
	}
	if SystemTopicRemark("T") != "The topic[T] is conflict with system topic." ||
		NotAllowedSendRemark("T") != "Sending message to topic[T] is forbidden." {
		t.Fatal("remarks")
	}
}

func TestString(t *testing.T) {
	tc := body.NewTopicConfig("T")
	tc.Perm = 7
	tc.ReadQueueNums = 2
	want := "TopicConfig [topicName=T, readQueueNums=2, writeQueueNums=16, perm=RWX, topicFilterType=SINGLE_TAG, topicSysFlag=0, order=false]"
	if got := String(&tc); got != want {
		t.Fatalf("\n got %s\nwant %s", got, want)
	}
	for perm, want := range map[int32]string{0: "---", 1: "--X", 2: "-W-", 4: "R--", 6: "RW-"} {
		if got := PermString(perm); got != want {
			t.Errorf("PermString(%d) = %s", perm, got)
		}
	}
}
