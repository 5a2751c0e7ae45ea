package body

import (
	"reflect"
	"strings"
	"testing"
)

var (
	mqA0 = MessageQueue{Topic: "TopicA", BrokerName: "broker-a", QueueID: 0}
	mqA1 = MessageQueue{Topic: "TopicA", BrokerName: "broker-a", QueueID: 1}
	mqB0 = MessageQueue{Topic: "TopicB", BrokerName: "broker-a", QueueID: 0}
)

func TestMessageQueueJSONAndOrder(t *testing.T) {
	if got, want := string(mqA1.AppendJSON(nil)), `{"brokerName":"broker-a","queueId":1,"topic":"TopicA"}`; got != want {
		t.Errorf("got %s want %s", got, want)
	}
	qs := []MessageQueue{mqB0, mqA1, mqA0, {Topic: "TopicA", BrokerName: "broker-0", QueueID: 9}}
	SortMessageQueues(qs)
	want := []MessageQueue{{Topic: "TopicA", BrokerName: "broker-0", QueueID: 9}, mqA0, mqA1, mqB0}
	if !reflect.DeepEqual(qs, want) {
		t.Errorf("order %v", qs)
	}
	if got := mqA1.String(); got != "MessageQueue [topic=TopicA, brokerName=broker-a, queueId=1]" {
		t.Errorf("String %q", got)
	}
}

func TestQuoteObjectKeys(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"a":1}`, `{"a":1}`},
		{`{{"x":"}"}:1,"k":[{"y":2}]}`, `{"{\"x\":\"}\"}":1,"k":[{"y":2}]}`},
		{`{ {"x":1} : {"z":{"w":1}} , {"x":2}:3}`, `{ "{\"x\":1}" : {"z":{"w":1}} , "{\"x\":2}":3}`},
		{`[{"a":"{b"},{"c":1}]`, `[{"a":"{b"},{"c":1}]`},
		{`{{"unterminated":1`, `{{"unterminated":1`},
	}
	for _, tt := range tests {
		if got := string(quoteObjectKeys([]byte(tt.in))); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}

func TestTopicStatsTableRoundTrip(t *testing.T) {
	ts := &TopicStatsTable{OffsetTable: map[MessageQueue]TopicOffset{
		mqA1: {MinOffset: 0, MaxOffset: 7, LastUpdateTimestamp: 1700000000001},
		mqA0: {MinOffset: 2, MaxOffset: 5, LastUpdateTimestamp: 1700000000000},
	}}
	got := string(ts.Encode())
	want := `{"offsetTable":{{"brokerName":"broker-a","queueId":0,"topic":"TopicA"}:{"lastUpdateTimestamp":1700000000000,"maxOffset":5,"minOffset":2},` +
		`{"brokerName":"broker-a","queueId":1,"topic":"TopicA"}:{"lastUpdateTimestamp":1700000000001,"maxOffset":7,"minOffset":0}}}`
	if got != want {
		t.Fatalf("encode\n got %s\nwant %s", got, want)
	}
	back, err := DecodeTopicStatsTable([]byte(got))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, ts) {
		t.Errorf("round trip %+v", back)
	}
}

func TestConsumeStatsRoundTripAndForms(t *testing.T) {
	cs := &ConsumeStats{ConsumeTps: 12.5, OffsetTable: map[MessageQueue]OffsetWrapper{
		mqA0: {BrokerOffset: 10, ConsumerOffset: 4, LastTimestamp: 1700000000000},
		mqA1: {BrokerOffset: 3, ConsumerOffset: 3},
	}}
	text := string(cs.Encode())
	want := `{"consumeTps":12.5,"offsetTable":{{"brokerName":"broker-a","queueId":0,"topic":"TopicA"}:{"brokerOffset":10,"consumerOffset":4,"lastTimestamp":1700000000000},` +
		`{"brokerName":"broker-a","queueId":1,"topic":"TopicA"}:{"brokerOffset":3,"consumerOffset":3,"lastTimestamp":0}}}`
	if text != want {
		t.Fatalf("encode\n got %s\nwant %s", text, want)
	}
	if d := cs.ComputeTotalDiff(); d != 6 {
		t.Errorf("total diff %d", d)
	}
	forms := map[string]string{
		"fastjson": text,
		// a standard-JSON writer's string keys, with whitespace
		"string keys": `{ "consumeTps": "12.5", "offsetTable": { "{\"topic\":\"TopicA\",\"brokerName\":\"broker-a\",\"queueId\":0}": {"brokerOffset":10,"consumerOffset":4,"lastTimestamp":1700000000000},` +
			`"MessageQueue [topic=TopicA, brokerName=broker-a, queueId=1]": {"brokerOffset":3,"consumerOffset":3} } }`,
		"gson pairs": `{"consumeTps":12.5,"offsetTable":[[{"topic":"TopicA","brokerName":"broker-a","queueId":0},{"brokerOffset":10,"consumerOffset":4,"lastTimestamp":1700000000000}],` +
			`[{"topic":"TopicA","brokerName":"broker-a","queueId":1},{"brokerOffset":3,"consumerOffset":3,"lastTimestamp":0}]]}`,
	}
	for name, in := range forms {
		back, err := DecodeConsumeStats([]byte(in))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(back, cs) {
			t.Errorf("%s: %+v", name, back)
		}
	}
	if got := string((&ConsumeStats{}).Encode()); got != `{"consumeTps":0.0,"offsetTable":{}}` {
		t.Errorf("empty %s", got)
	}
}

func TestConsumeStatsListRoundTrip(t *testing.T) {
	l := &ConsumeStatsList{BrokerAddr: "10.0.0.1:10911", TotalDiff: 6, ConsumeStatsList: []GroupConsumeStats{
		{Group: "G1", Stats: []ConsumeStats{{OffsetTable: map[MessageQueue]OffsetWrapper{mqA0: {BrokerOffset: 6}}}}},
		{Group: "G2", Stats: nil},
	}}
	text := string(l.Encode())
	want := `{"brokerAddr":"10.0.0.1:10911","consumeStatsList":[{"G1":[{"consumeTps":0.0,"offsetTable":{{"brokerName":"broker-a","queueId":0,"topic":"TopicA"}:{"brokerOffset":6,"consumerOffset":0,"lastTimestamp":0}}}]},{"G2":[]}],"totalDiff":6}`
	if text != want {
		t.Fatalf("encode\n got %s\nwant %s", text, want)
	}
	back, err := DecodeConsumeStatsList([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, l) {
		t.Errorf("round trip %+v", back)
	}
}

func TestConnectionsRoundTrip(t *testing.T) {
	cc := &ConsumerConnection{
		ConnectionSet: []Connection{{ClientID: "10.0.0.2@1", ClientAddr: "10.0.0.2:50000", Language: "GO", Version: 317}},
		SubscriptionTable: map[string]SubscriptionData{
			"TopicA": {Topic: "TopicA", SubString: "TagA || TagB", ExpressionType: "TAG", SubVersion: 5, TagsSet: []string{"TagA", "TagB"}, CodeSet: TagCodes([]string{"TagA", "TagB"})},
		},
		ConsumeType: "CONSUME_PASSIVELY", MessageModel: "CLUSTERING", ConsumeFromWhere: "CONSUME_FROM_LAST_OFFSET",
	}
	text := string(cc.Encode())
	want := `{"connectionSet":[{"clientAddr":"10.0.0.2:50000","clientId":"10.0.0.2@1","language":"GO","version":317}],` +
		`"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","consumeType":"CONSUME_PASSIVELY","messageModel":"CLUSTERING",` +
		`"subscriptionTable":{"TopicA":{"classFilterMode":false,"codeSet":[2598919,2598920],"expressionType":"TAG","subString":"TagA || TagB","subVersion":5,"tagsSet":["TagA","TagB"],"topic":"TopicA"}}}`
	if text != want {
		t.Fatalf("encode\n got %s\nwant %s", text, want)
	}
	back, err := DecodeConsumerConnection([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, cc) {
		t.Errorf("round trip %+v", back)
	}
	if v := cc.ComputeMinVersion(); v != 317 {
		t.Errorf("min version %d", v)
	}

	pc := &ProducerConnection{ConnectionSet: []Connection{{ClientID: "c1", ClientAddr: "a:1", Language: "JAVA", Version: 407}, {ClientID: "c2", Version: 1}}}
	text = string(pc.Encode())
	if want := `{"connectionSet":[{"clientAddr":"a:1","clientId":"c1","language":"JAVA","version":407},{"clientId":"c2","version":1}]}`; text != want {
		t.Fatalf("producer encode\n got %s\nwant %s", text, want)
	}
	pback, err := DecodeProducerConnection([]byte(text))
	if err != nil || !reflect.DeepEqual(pback, pc) {
		t.Errorf("producer round trip %+v %v", pback, err)
	}

	gl := &GroupList{GroupList: []string{"G1", "G2"}}
	if got := string(gl.Encode()); got != `{"groupList":["G1","G2"]}` {
		t.Errorf("group list %s", got)
	}
	gback, err := DecodeGroupList(gl.Encode())
	if err != nil || !reflect.DeepEqual(gback, gl) {
		t.Errorf("group list round trip %+v %v", gback, err)
	}
}

func TestResetOffsetBody(t *testing.T) {
	r := &ResetOffsetBody{OffsetTable: map[MessageQueue]int64{mqA1: 40, mqA0: 42}}
	text := string(r.Encode())
	want := `{"offsetTable":{{"brokerName":"broker-a","queueId":0,"topic":"TopicA"}:42,{"brokerName":"broker-a","queueId":1,"topic":"TopicA"}:40}}`
	if text != want {
		t.Fatalf("encode\n got %s\nwant %s", text, want)
	}
	for name, in := range map[string]string{
		"fastjson": text,
		"gson":     `{"offsetTable":[[{"topic":"TopicA","brokerName":"broker-a","queueId":0},42],[{"topic":"TopicA","brokerName":"broker-a","queueId":1},40]]}`,
	} {
		back, err := DecodeResetOffsetBody([]byte(in))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(back, r) {
			t.Errorf("%s: %+v", name, back)
		}
	}
	c := NewResetOffsetBodyForC(r)
	ctext := string(c.Encode())
	if want := `{"offsetTable":[{"brokerName":"broker-a","offset":42,"queueId":0,"topic":"TopicA"},{"brokerName":"broker-a","offset":40,"queueId":1,"topic":"TopicA"}]}`; ctext != want {
		t.Fatalf("for C\n got %s\nwant %s", ctext, want)
	}
	cback, err := DecodeResetOffsetBodyForC([]byte(ctext))
	if err != nil || !reflect.DeepEqual(cback, c) {
		t.Errorf("for C round trip %+v %v", cback, err)
	}
}

// goRunningInfo is what rocketmq-client-go v2.1.2's ConsumerRunningInfo.Encode
// writes (its own key order, a space before "jstack", "dropped").
const goRunningInfo = `{"properties":{"PROP_CONSUME_TYPE":"CONSUME_PASSIVELY","PROP_CLIENT_VERSION":"v2.1.2"},` +
	`"statusTable":{"TopicA":{"pullRT":1.5,"pullTPS":2,"consumeRT":0,"consumeOKTPS":3.25,"consumeFailedTPS":0,"consumeFailedMsgs":4}},` +
	`"subscriptionSet":[{"classFilterMode":false,"topic":"TopicA","subString":"*","tagsSet":[],"codeSet":[],"subVersion":1700000000000000000,"expressionType":"TAG"}],` +
	`"mqTable":{{"topic":"TopicA","brokerName":"broker-a","queueId":0}:{"commitOffset":5,"cachedMsgMinOffset":1,"cachedMsgMaxOffset":2,"cachedMsgCount":3,"cachedMsgSizeInMiB":0,"transactionMsgMinOffset":0,"transactionMsgMaxOffset":0,"transactionMsgCount":0,"locked":true,"tryUnlockTimes":0,"lastLockTimestamp":0,"dropped":true,"lastPullTimestamp":7,"lastConsumeTimestamp":8}}, "jstack":"" }`

func TestConsumerRunningInfo(t *testing.T) {
	info, err := DecodeConsumerRunningInfo([]byte(goRunningInfo))
	if err != nil {
		t.Fatal(err)
	}
	want := &ConsumerRunningInfo{
		Properties:      map[string]string{"PROP_CONSUME_TYPE": "CONSUME_PASSIVELY", "PROP_CLIENT_VERSION": "v2.1.2"},
		SubscriptionSet: []SubscriptionData{{Topic: "TopicA", SubString: "*", ExpressionType: "TAG", SubVersion: 1700000000000000000, TagsSet: []string{}}},
		MQTable: map[MessageQueue]ProcessQueueInfo{mqA0: {CommitOffset: 5, CachedMsgMinOffset: 1, CachedMsgMaxOffset: 2, CachedMsgCount: 3,
			Locked: true, Dropped: true, LastPullTimestamp: 7, LastConsumeTimestamp: 8}},
		StatusTable: map[string]ConsumeStatus{"TopicA": {PullRT: 1.5, PullTPS: 2, ConsumeOKTPS: 3.25, ConsumeFailedMsgs: 4}},
	}
	if !reflect.DeepEqual(info, want) {
		t.Fatalf("decoded\n %+v\nwant %+v", info, want)
	}
	text := string(info.Encode())
	if !strings.Contains(text, `"droped":true`) || !strings.Contains(text, `"pullTPS":2.0`) || !strings.HasPrefix(text, `{"mqTable":{{"brokerName":"broker-a","queueId":0,"topic":"TopicA"}:{"cachedMsgCount":3,`) {
		t.Errorf("encode %s", text)
	}
	back, err := DecodeConsumerRunningInfo([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, info) {
		t.Errorf("round trip\n %+v\nwant %+v", back, info)
	}
}

func TestConsumeMessageDirectlyResult(t *testing.T) {
	r := &ConsumeMessageDirectlyResult{AutoCommit: true, ConsumeResult: "CR_SUCCESS", SpentTimeMills: 3}
	text := string(r.Encode())
	if want := `{"autoCommit":true,"consumeResult":"CR_SUCCESS","order":false,"spentTimeMills":3}`; text != want {
		t.Fatalf("encode %s", text)
	}
	// rocketmq-client-go writes the result's ordinal
	goText := `{"order":false,"autoCommit":true,"consumeResult":4,"remark":"boom","spentTimeMills":1}`
	back, err := DecodeConsumeMessageDirectlyResult([]byte(goText))
	if err != nil {
		t.Fatal(err)
	}
	if back.ConsumeResult != "CR_THROW_EXCEPTION" || back.Remark != "boom" || !back.AutoCommit {
		t.Errorf("go form %+v", back)
	}
	if _, err := DecodeConsumeMessageDirectlyResult([]byte(`{"consumeResult":99}`)); err == nil {
		t.Error("ordinal 99 accepted")
	}
}

func TestAdminBodiesRejectGarbage(t *testing.T) {
	decoders := map[string]func([]byte) error{
		"TopicStatsTable":     func(b []byte) error { _, err := DecodeTopicStatsTable(b); return err },
		"ConsumeStats":        func(b []byte) error { _, err := DecodeConsumeStats(b); return err },
		"ConsumeStatsList":    func(b []byte) error { _, err := DecodeConsumeStatsList(b); return err },
		"ConsumerConnection":  func(b []byte) error { _, err := DecodeConsumerConnection(b); return err },
		"ProducerConnection":  func(b []byte) error { _, err := DecodeProducerConnection(b); return err },
		"GroupList":           func(b []byte) error { _, err := DecodeGroupList(b); return err },
		"ResetOffsetBody":     func(b []byte) error { _, err := DecodeResetOffsetBody(b); return err },
		"ResetOffsetBodyForC": func(b []byte) error { _, err := DecodeResetOffsetBodyForC(b); return err },
		"ConsumerRunningInfo": func(b []byte) error { _, err := DecodeConsumerRunningInfo(b); return err },
		"DirectlyResult":      func(b []byte) error { _, err := DecodeConsumeMessageDirectlyResult(b); return err },
	}
	bad := []string{``, `[]`, `{`, `{"offsetTable":{{"topic":1}`, `{"offsetTable":{"not a queue":1}}`, `{"connectionSet":5}`,
		`{"consumeStatsList":{}}`, `{"groupList":{}}`, `{"offsetTable":[[1]]}`, `{"mqTable":3}`, `{"consumeResult":{}}`}
	for name, dec := range decoders {
		rejected := 0
		for _, in := range bad {
			if dec([]byte(in)) != nil {
				rejected++
			}
		}
		// every decoder rejects at least the four malformed documents
		if rejected < 4 {
			t.Errorf("%s rejected only %d of the bad inputs", name, rejected)
		}
	}
	// queue-keyed decoders reject a key that names no queue
	if _, err := DecodeResetOffsetBody([]byte(`{"offsetTable":{"not a queue":1}}`)); err == nil {
		t.Error("ResetOffsetBody accepted a non-queue key")
	}
}

func TestAppendJavaDouble(t *testing.T) {
	for in, want := range map[float64]string{0: "0.0", 1: "1.0", 12.5: "12.5", -3: "-3.0", 1e7: "1.0E7", 1.5e-4: "1.5E-4", 123456789.5: "1.234567895E8"} {
		if got := string(appendJavaDouble(nil, in)); got != want {
			t.Errorf("%v: got %s want %s", in, got, want)
		}
	}
}

// FuzzQueueKeyedBodies: the object-key rewriting and the queue-keyed
// decoders never panic, and what they accept re-encodes to a body they
// accept again.
func FuzzQueueKeyedBodies(f *testing.F) {
	f.Add([]byte(`{"offsetTable":{{"brokerName":"b","queueId":0,"topic":"t"}:42}}`))
	f.Add([]byte(`{"offsetTable":[[{"topic":"t","brokerName":"b","queueId":1},{"brokerOffset":1}]]}`))
	f.Add([]byte(goRunningInfo))
	f.Add([]byte(`{{{"a":'}'}:[{"b":{}}]}:1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if r, err := DecodeResetOffsetBody(data); err == nil {
			if _, err := DecodeResetOffsetBody(r.Encode()); err != nil {
				t.Fatalf("re-encoded ResetOffsetBody rejected: %v", err)
			}
		}
		if c, err := DecodeConsumeStats(data); err == nil {
			if _, err := DecodeConsumeStats(c.Encode()); err != nil {
				t.Fatalf("re-encoded ConsumeStats rejected: %v", err)
			}
		}
		if c, err := DecodeConsumerRunningInfo(data); err == nil {
			if _, err := DecodeConsumerRunningInfo(c.Encode()); err != nil {
				t.Fatalf("re-encoded ConsumerRunningInfo rejected: %v", err)
			}
		}
		_, _ = DecodeTopicStatsTable(data)
		_, _ = DecodeConsumeStatsList(data)
	})
}
