package body

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

const configDir = "../../../shared/testdata/java-4.9.7/store-small/config"

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(configDir, name))
	if err != nil {
		t.Fatalf("Java 4.9.7 config fixture missing: %v", err)
	}
	return b
}

// Every config file the Java broker wrote decodes and re-encodes to the
// same bytes (the decoders keep the text's order).
func TestGoldenConfigFilesReencode(t *testing.T) {
	tests := []struct {
		file   string
		encode func([]byte) ([]byte, error)
	}{
		{"topics.json", reencodeTopics},
		{"topics.json.bak", reencodeTopics},
		{"subscriptionGroup.json", func(b []byte) ([]byte, error) {
			w, err := DecodeSubscriptionGroupWrapper(b)
			if err != nil {
				return nil, err
			}
			return w.EncodePretty(), nil
		}},
		{"consumerOffset.json", reencodeOffsets},
		{"consumerOffset.json.bak", reencodeOffsets},
		{"delayOffset.json", reencodeDelay},
		{"delayOffset.json.bak", reencodeDelay},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			want := readFixture(t, tt.file)
			got, err := tt.encode(want)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Fatalf("re-encoded differs\n got %q\nwant %q", got, want)
			}
		})
	}
}

func reencodeTopics(b []byte) ([]byte, error) {
	w, err := DecodeTopicConfigSerializeWrapper(b)
	if err != nil {
		return nil, err
	}
	return w.EncodePretty(), nil
}

func reencodeOffsets(b []byte) ([]byte, error) {
	w, err := DecodeConsumerOffsetSerializeWrapper(b)
	if err != nil {
		return nil, err
	}
	return w.EncodePretty(), nil
}

func reencodeDelay(b []byte) ([]byte, error) {
	w, err := DecodeDelayOffsetSerializeWrapper(b)
	if err != nil {
		return nil, err
	}
	return w.EncodePretty(), nil
}

// The order of every table in the fixtures is the order MapOrder predicts
// for the map the Java broker built, so a Go broker can produce it without
// having read the file.
func TestFixtureOrdersAreJavaMapOrders(t *testing.T) {
	topics, err := DecodeTopicConfigSerializeWrapper(readFixture(t, "topics.json"))
	if err != nil {
		t.Fatal(err)
	}
	to := NewStringMapOrder(1024) // TopicConfigManager.topicConfigTable
	for _, name := range topics.TopicOrder {
		to.Add(name)
	}
	if got := to.Keys(); !slices.Equal(got, topics.TopicOrder) {
		t.Errorf("topics: MapOrder %v\nfile %v", got, topics.TopicOrder)
	}

	groups, err := DecodeSubscriptionGroupWrapper(readFixture(t, "subscriptionGroup.json"))
	if err != nil {
		t.Fatal(err)
	}
	gro := NewStringMapOrder(1024) // SubscriptionGroupManager.subscriptionGroupTable
	for _, name := range groups.GroupOrder {
		gro.Add(name)
	}
	if got := gro.Keys(); !slices.Equal(got, groups.GroupOrder) {
		t.Errorf("groups: MapOrder %v\nfile %v", got, groups.GroupOrder)
	}

	offsets, err := DecodeConsumerOffsetSerializeWrapper(readFixture(t, "consumerOffset.json"))
	if err != nil {
		t.Fatal(err)
	}
	oo := NewStringMapOrder(512) // ConsumerOffsetManager.offsetTable, never reloaded
	for _, key := range slices.Backward(offsets.Order) {
		oo.Add(key)
	}
	if got := oo.Keys(); !slices.Equal(got, offsets.Order) {
		t.Errorf("offsets: MapOrder %v\nfile %v", got, offsets.Order)
	}
}

func TestCompactEncodings(t *testing.T) {
	sg := NewSubscriptionGroupConfig("G1")
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"subscription group", sg.Encode(),
			`{"brokerId":0,"consumeBroadcastEnable":true,"consumeEnable":true,"consumeFromMinEnable":true,"groupName":"G1","notifyConsumerIdsChangedEnable":true,"retryMaxTimes":16,"retryQueueNums":1,"whichBrokerWhenConsumeSlowly":1}`},
		{"group without a name", (&SubscriptionGroupConfig{RetryMaxTimes: 3}).Encode(),
			`{"brokerId":0,"consumeBroadcastEnable":false,"consumeEnable":false,"consumeFromMinEnable":false,"notifyConsumerIdsChangedEnable":false,"retryMaxTimes":3,"retryQueueNums":0,"whichBrokerWhenConsumeSlowly":0}`},
		{"group wrapper", (&SubscriptionGroupWrapper{
			SubscriptionGroupTable: map[string]*SubscriptionGroupConfig{"G1": &sg},
			DataVersion:            DataVersion{Counter: 2, Timestamp: 77},
		}).Encode(),
			`{"dataVersion":{"counter":2,"timestamp":77},"subscriptionGroupTable":{"G1":{"brokerId":0,"consumeBroadcastEnable":true,"consumeEnable":true,"consumeFromMinEnable":true,"groupName":"G1","notifyConsumerIdsChangedEnable":true,"retryMaxTimes":16,"retryQueueNums":1,"whichBrokerWhenConsumeSlowly":1}}}`},
		{"consumer offsets", (&ConsumerOffsetSerializeWrapper{
			OffsetTable: map[string][]OffsetEntry{"T@G": {{0, 12}, {1, 7}}, "A@G": {}},
			Order:       []string{"T@G", "A@G"},
		}).Encode(), `{"offsetTable":{"T@G":{0:12,1:7},"A@G":{}}}`},
		{"consumer offsets unordered sort", (&ConsumerOffsetSerializeWrapper{
			OffsetTable: map[string][]OffsetEntry{"T@G": {{0, 1}}, "A@G": {{3, 4}}},
		}).Encode(), `{"offsetTable":{"A@G":{3:4},"T@G":{0:1}}}`},
		{"delay offsets", (&DelayOffsetSerializeWrapper{OffsetTable: []OffsetEntry{{1, 5}, {3, 2}}}).Encode(),
			`{"offsetTable":{1:5,3:2}}`},
		{"empty delay offsets pretty", (&DelayOffsetSerializeWrapper{}).EncodePretty(), "{\n\t\"offsetTable\":{}\n}"},
		{"empty consumer offsets pretty", (&ConsumerOffsetSerializeWrapper{}).EncodePretty(), "{\n\t\"offsetTable\":{}\n}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if string(tt.got) != tt.want {
				t.Fatalf("\n got %s\nwant %s", tt.got, tt.want)
			}
		})
	}
}

// The compact topic table from Encode is the same text the existing
// AppendJSON writes (the GET_ALL_TOPIC_CONFIG body and the register body's
// wrapper share it).
func TestTopicWrapperEncodeMatchesAppendJSON(t *testing.T) {
	w, err := DecodeTopicConfigSerializeWrapper(readFixture(t, "topics.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(w.Encode()), string(w.AppendJSON(nil)); got != want {
		t.Fatalf("\n got %s\nwant %s", got, want)
	}
	back, err := DecodeTopicConfigSerializeWrapper(w.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if string(back.EncodePretty()) != string(readFixture(t, "topics.json")) {
		t.Fatal("compact round trip lost something")
	}
}

func TestDecodeSubscriptionGroupConfig(t *testing.T) {
	def := NewSubscriptionGroupConfig("G")
	tests := []struct {
		name string
		in   string
		want SubscriptionGroupConfig
	}{
		{"mqadmin 4.9.7", `{"brokerId":1,"consumeBroadcastEnable":false,"consumeEnable":true,"consumeFromMinEnable":false,"groupName":"G","notifyConsumerIdsChangedEnable":true,"retryMaxTimes":3,"retryQueueNums":2,"whichBrokerWhenConsumeSlowly":0}`,
			SubscriptionGroupConfig{GroupName: "G", ConsumeEnable: true, RetryQueueNums: 2, RetryMaxTimes: 3, BrokerID: 1, NotifyConsumerIdsChangedEnable: true}},
		{"only a name keeps Java defaults", `{"groupName":"G"}`, def},
		{"mqadmin 5.x extra fields ignored", `{"attributes":{},"consumeMessageOrderly":false,"consumeTimeoutMinute":15,"groupName":"G","groupRetryPolicy":{"type":"CUSTOMIZED","customizedRetryPolicy":{"maxDelayMs":7200000}},"groupSysFlag":0,"retryMaxTimes":16,"subscriptionDataSet":null}`, def},
		{"Go encoding/json field names", `{"GroupName":"G","ConsumeEnable":false,"RetryMaxTimes":5,"BrokerId":0,"WhichBrokerWhenConsumeSlowly":1}`,
			func() SubscriptionGroupConfig { c := def; c.ConsumeEnable = false; c.RetryMaxTimes = 5; return c }()},
		{"numbers as strings", `{"groupName":"G","retryMaxTimes":"7"}`,
			func() SubscriptionGroupConfig { c := def; c.RetryMaxTimes = 7; return c }()},
		{"no name", `{}`, NewSubscriptionGroupConfig("")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeSubscriptionGroupConfig([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if *got != tt.want {
				t.Fatalf("\n got %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

func TestDecodeDelayOffsetBothLayouts(t *testing.T) {
	for _, in := range []string{
		"{\n\t\"offsetTable\":{1:2,3:1\n\t}\n}",
		`{"offsetTable":{1:2,3:1}}`,
		`{"offsetTable":{"1":2,"3":"1"}}`,
	} {
		w, err := DecodeDelayOffsetSerializeWrapper([]byte(in))
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if want := []OffsetEntry{{1, 2}, {3, 1}}; !slices.Equal(w.OffsetTable, want) {
			t.Fatalf("%s: got %v", in, w.OffsetTable)
		}
	}
}

func TestDecodeOffsetsRepeatedAndUnorderedIDs(t *testing.T) {
	w, err := DecodeConsumerOffsetSerializeWrapper([]byte(`{"offsetTable":{"T@G":{5:1,2:2,5:3,7:4,2:5},"T@G":{0:9}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Order) != 1 || !slices.Equal(w.OffsetTable["T@G"], []OffsetEntry{{0, 9}}) {
		t.Fatalf("repeated key: %+v", w)
	}
	w, err = DecodeConsumerOffsetSerializeWrapper([]byte(`{"offsetTable":{"T@G":{5:1,2:2,5:3,7:4,2:5}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := []OffsetEntry{{5, 3}, {2, 5}, {7, 4}}; !slices.Equal(w.OffsetTable["T@G"], want) {
		t.Fatalf("got %v want %v", w.OffsetTable["T@G"], want)
	}
}

// Corrupt or mistyped files are errors, never panics.
func TestDecodeConfigBodiesRejectBadInput(t *testing.T) {
	offsets := func(b []byte) error { _, err := DecodeConsumerOffsetSerializeWrapper(b); return err }
	delay := func(b []byte) error { _, err := DecodeDelayOffsetSerializeWrapper(b); return err }
	groups := func(b []byte) error { _, err := DecodeSubscriptionGroupWrapper(b); return err }
	group := func(b []byte) error { _, err := DecodeSubscriptionGroupConfig(b); return err }
	topics := func(b []byte) error { _, err := DecodeTopicConfigSerializeWrapper(b); return err }
	tests := []struct {
		name   string
		decode func([]byte) error
		in     string
	}{
		{"offsets empty", offsets, ``},
		{"offsets truncated", offsets, "{\n\t\"offsetTable\":{\n\t\t\"T@G\":{0:11,1:"},
		{"offsets array", offsets, `{"offsetTable":[1]}`},
		{"offsets key not int", offsets, `{"offsetTable":{"T@G":{"x":1}}}`},
		{"offsets value not number", offsets, `{"offsetTable":{"T@G":{0:"a"}}}`},
		{"offsets queue map array", offsets, `{"offsetTable":{"T@G":[1]}}`},
		{"offsets id overflow", offsets, `{"offsetTable":{"T@G":{99999999999:1}}}`},
		{"offsets NULs", offsets, "\x00\x00\x00"},
		{"delay truncated", delay, `{"offsetTable":{1:2`},
		{"delay top array", delay, `[]`},
		{"groups value number", groups, `{"subscriptionGroupTable":{"G":5}}`},
		{"groups table array", groups, `{"subscriptionGroupTable":[]}`},
		{"groups bad version", groups, `{"dataVersion":"x"}`},
		{"group bad bool", group, `{"consumeEnable":[]}`},
		{"group bad int", group, `{"retryMaxTimes":true}`},
		{"group not object", group, `"G"`},
		{"topics value number", topics, `{"topicConfigTable":{"T":7}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.decode([]byte(tt.in)); err == nil {
				t.Fatalf("accepted %q", tt.in)
			}
		})
	}
}
