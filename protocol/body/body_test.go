package body

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

const wireDir = "../../../shared/testdata/java-4.9.7/wire"

// javaBodies returns the bodyText of every captured frame, by file name.
func javaBodies(t *testing.T) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(wireDir, "INDEX.json"))
	if err != nil {
		t.Fatalf("Java 4.9.7 captures missing: %v", err)
	}
	var idx struct {
		Frames []struct {
			File     string `json:"file"`
			BodyText string `json:"bodyText"`
		} `json:"frames"`
	}
	if err := json.Unmarshal(raw, &idx); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range idx.Frames {
		out[f.File] = f.BodyText
	}
	return out
}

func TestGoldenRouteReencode(t *testing.T) {
	bodies := javaBodies(t)
	for _, file := range []string{"003_GET_ROUTEINFO_BY_TOPIC_response_json.bin", "051_GET_ROUTEINFO_BY_TOPIC_response_rocketmq.bin", "mixed/098_GET_ROUTEINFO_BY_TOPIC_response_rocketmq.bin"} {
		text, ok := bodies[file]
		if !ok || text == "" {
			t.Fatalf("%s: no body in INDEX.json", file)
		}
		r, err := DecodeTopicRouteData([]byte(text))
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		// The captured requests carry version 407 >= V4_9_4: standard JSON.
		if got := string(r.Encode(Standard)); got != text {
			t.Errorf("%s:\n got %s\nwant %s", file, got, text)
		}
	}
}

func TestGoldenClusterInfoReencode(t *testing.T) {
	bodies := javaBodies(t)
	for _, file := range []string{"005_GET_BROKER_CLUSTER_INFO_response_json.bin", "053_GET_BROKER_CLUSTER_INFO_response_rocketmq.bin"} {
		text := bodies[file]
		c, err := DecodeClusterInfo([]byte(text))
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if got := string(c.Encode()); got != text {
			t.Errorf("%s:\n got %s\nwant %s", file, got, text)
		}
	}
}

func TestGoldenRegisterBrokerBodyReencode(t *testing.T) {
	bodies := javaBodies(t)
	for _, file := range []string{"001_REGISTER_BROKER_request_json.bin", "002_REGISTER_BROKER_request_json.bin", "049_REGISTER_BROKER_request_rocketmq.bin"} {
		text := bodies[file]
		r, err := DecodeRegisterBrokerBody([]byte(text), false)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if len(r.TopicConfigSerializeWrapper.TopicConfigTable) < 8 {
			t.Fatalf("%s: only %d topics", file, len(r.TopicConfigSerializeWrapper.TopicConfigTable))
		}
		got, _ := r.Encode(false)
		if string(got) != text {
			t.Errorf("%s:\n got %s\nwant %s", file, got, text)
		}
		// The compressed form carries the same topics (minus order and
		// topicSysFlag, which it does not transmit).
		z, err := r.Encode(true)
		if err != nil {
			t.Fatal(err)
		}
		if z[0] != 0x78 || z[1] != 0xda {
			t.Errorf("compressed header % x, want 78 da", z[:2])
		}
		back, err := DecodeRegisterBrokerBody(z, true)
		if err != nil {
			t.Fatal(err)
		}
		if back.TopicConfigSerializeWrapper.DataVersion != r.TopicConfigSerializeWrapper.DataVersion {
			t.Errorf("data version %+v", back.TopicConfigSerializeWrapper.DataVersion)
		}
		for name, tc := range r.TopicConfigSerializeWrapper.TopicConfigTable {
			b := back.TopicConfigSerializeWrapper.TopicConfigTable[name]
			if b == nil || b.ReadQueueNums != tc.ReadQueueNums || b.WriteQueueNums != tc.WriteQueueNums || b.Perm != tc.Perm || b.TopicFilterType != tc.TopicFilterType {
				t.Errorf("topic %s: %+v vs %+v", name, b, tc)
			}
		}
	}
}

func TestRouteModes(t *testing.T) {
	r := &TopicRouteData{
		BrokerDatas: []BrokerData{{Cluster: "DefaultCluster", BrokerName: "broker-a",
			BrokerAddrs: map[int64]string{10: "192.168.0.12:10911", 1: "192.168.0.11:10911", 0: "192.168.0.10:10911"}}},
		QueueDatas: []QueueData{{BrokerName: "broker-a", Perm: 6, ReadQueueNums: 4, WriteQueueNums: 4}},
	}
	legacy := `{"brokerDatas":[{"brokerAddrs":{0:"192.168.0.10:10911",1:"192.168.0.11:10911",10:"192.168.0.12:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}`
	std := `{"brokerDatas":[{"brokerAddrs":{"0":"192.168.0.10:10911","1":"192.168.0.11:10911","10":"192.168.0.12:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}`
	if got := string(r.Encode(Fastjson)); got != legacy {
		t.Errorf("fastjson:\n got %s\nwant %s", got, legacy)
	}
	if got := string(r.Encode(Standard)); got != std {
		t.Errorf("standard:\n got %s\nwant %s", got, std)
	}
	var check map[string]any
	if err := json.Unmarshal([]byte(std), &check); err != nil {
		t.Errorf("standard form is not valid JSON: %v", err)
	}
	for _, in := range []string{legacy, std} {
		back, err := DecodeTopicRouteData([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		back.FilterServerTable = nil
		if !reflect.DeepEqual(back, r) {
			t.Errorf("round trip: %+v", back)
		}
	}
	r.OrderTopicConf = "broker-a:4;broker-b:4"
	if got := string(r.Encode(Fastjson)); !bytes.Contains([]byte(got), []byte(`"filterServerTable":{},"orderTopicConf":"broker-a:4;broker-b:4","queueDatas"`)) {
		t.Errorf("orderTopicConf placement: %s", got)
	}
	// An empty route still has both arrays.
	empty := &TopicRouteData{}
	if got := string(empty.Encode(Fastjson)); got != `{"brokerDatas":[],"filterServerTable":{},"queueDatas":[]}` {
		t.Errorf("empty: %s", got)
	}
}

func TestStringEscaping(t *testing.T) {
	r := &TopicRouteData{BrokerDatas: []BrokerData{{BrokerName: "b\u00e9\"\n", Cluster: "c", BrokerAddrs: map[int64]string{}}}}
	if got := string(r.Encode(Standard)); !bytes.Contains([]byte(got), []byte(`"brokerName":"b\u00E9\"\n"`)) {
		t.Errorf("standard escaping: %s", got)
	}
	if got := string(r.Encode(Fastjson)); !bytes.Contains([]byte(got), []byte("\"brokerName\":\"b\u00e9\\\"\\n\"")) {
		t.Errorf("fastjson escaping: %s", got)
	}
}

func TestDecodeTolerance(t *testing.T) {
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"spaces and quoted keys", `{ "brokerDatas" : [ { "brokerAddrs" : { "0" : "a:1" } , "brokerName":"b","cluster":"c"} ], "queueDatas":[] }`, true},
		{"numbers as strings", `{"queueDatas":[{"brokerName":"b","perm":"6","readQueueNums":"4","writeQueueNums":4,"topicSynFlag":0}],"brokerDatas":[]}`, true},
		{"unknown keys", `{"x":{"y":[1,2,{"z":null}]},"queueDatas":[],"brokerDatas":[],"topicQueueMappingByBroker":null}`, true},
		{"truncated", `{"queueDatas":[`, false},
		{"not an object", `[1]`, false},
		{"bad broker id", `{"brokerDatas":[{"brokerAddrs":{x:"a"}}]}`, false},
		{"perm not a number", `{"queueDatas":[{"perm":"rw"}]}`, false},
		{"garbage", "\x00\x01", false},
	}
	for _, tt := range tests {
		_, err := DecodeTopicRouteData([]byte(tt.in))
		if (err == nil) != tt.ok {
			t.Errorf("%s: err = %v", tt.name, err)
		}
	}
}

func TestSmallBodies(t *testing.T) {
	tl := &TopicList{TopicList: []string{"TopicTest", "TBW102"}}
	if got := string(tl.Encode()); got != `{"topicList":["TopicTest","TBW102"]}` {
		t.Errorf("TopicList: %s", got)
	}
	tl.BrokerAddr = "1.2.3.4:10911"
	if got := string(tl.Encode()); got != `{"brokerAddr":"1.2.3.4:10911","topicList":["TopicTest","TBW102"]}` {
		t.Errorf("TopicList with brokerAddr: %s", got)
	}
	back, err := DecodeTopicList(tl.Encode())
	if err != nil || !reflect.DeepEqual(back, tl) {
		t.Errorf("TopicList round trip %+v %v", back, err)
	}
	kv := &KVTable{Table: map[string]string{"TopicTest": "broker-a:4"}}
	if got := string(kv.Encode()); got != `{"table":{"TopicTest":"broker-a:4"}}` {
		t.Errorf("KVTable: %s", got)
	}
	w := &KVConfigSerializeWrapper{ConfigTable: map[string]map[string]string{"ORDER_TOPIC_CONFIG": {"T": "broker-a:4"}}}
	if got := string(w.Encode()); got != `{"configTable":{"ORDER_TOPIC_CONFIG":{"T":"broker-a:4"}}}` {
		t.Errorf("KVConfigSerializeWrapper: %s", got)
	}
	w2, err := DecodeKVConfigSerializeWrapper(w.Encode())
	if err != nil || !reflect.DeepEqual(w2, w) {
		t.Errorf("kv wrapper round trip %+v %v", w2, err)
	}
	dv := DataVersion{Timestamp: 1700000000000, Counter: 5}
	if got := string(dv.Encode()); got != `{"counter":5,"timestamp":1700000000000}` {
		t.Errorf("DataVersion: %s", got)
	}
}

func TestCompressedRefusesFiveXLine(t *testing.T) {
	// 5.x appends attributes as a sixth field; 4.9.7 refuses that body.
	if _, err := decodeTopicLine("T 4 4 6 SINGLE_TAG {}"); err == nil {
		t.Error("6-field line accepted")
	}
	if _, err := DecodeRegisterBrokerBody([]byte("not zlib"), true); err == nil {
		t.Error("garbage accepted as compressed body")
	}
}
