package namesrv

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/sirupsen/logrus"
)

const wireDir = "../../shared/testdata/java-4.9.7/wire"

func quietLogger() *logrus.Logger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return l
}

// fakeClock is a controllable clock.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock() *fakeClock {
	c := &fakeClock{}
	c.ns.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

func testConfig(t *testing.T) Config {
	cfg := DefaultConfig()
	dir := t.TempDir()
	cfg.KvConfigPath = filepath.Join(dir, "kvConfig.json")
	cfg.ConfigStorePath = filepath.Join(dir, "namesrv.properties")
	cfg.ListenAddr = "127.0.0.1:0"
	cfg.ServerSelectorThreads = 2
	cfg.Logger = quietLogger()
	return cfg
}

// newHandlerServer returns a NameServer used through Handle (no network).
func newHandlerServer(t *testing.T, clock *fakeClock) *Server {
	cfg := testConfig(t)
	if clock != nil {
		cfg.Now = clock.Now
	}
	return New(cfg)
}

func startServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	s := New(cfg)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
	})
	return s
}

func readFrame(t *testing.T, name string) ([]byte, *codec.Command) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(wireDir, name))
	if err != nil {
		t.Fatalf("Java 4.9.7 capture missing: %v", err)
	}
	cmd, err := codec.Decode(raw)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return raw, cmd
}

func encodeFrame(t *testing.T, c *codec.Command) []byte {
	t.Helper()
	b, err := codec.AppendFrame(nil, c)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestGoldenJavaSession replays what a Java 4.9.7 broker and clients sent
// a Java NameServer and checks every reply byte for byte against the Java
// NameServer's, for both header serializations.
func TestGoldenJavaSession(t *testing.T) {
	sessions := map[string][]string{
		"json": {
			"001_REGISTER_BROKER_request_json.bin", "001_REGISTER_BROKER_response_json.bin",
			"002_REGISTER_BROKER_request_json.bin", "",
			"003_GET_ROUTEINFO_BY_TOPIC_request_json.bin", "003_GET_ROUTEINFO_BY_TOPIC_response_json.bin",
			"004_GET_ROUTEINFO_BY_TOPIC_request_json.bin", "004_GET_ROUTEINFO_BY_TOPIC_response_json.bin",
			"005_GET_BROKER_CLUSTER_INFO_request_json.bin", "005_GET_BROKER_CLUSTER_INFO_response_json.bin",
			"048_UNREGISTER_BROKER_request_json.bin", "048_UNREGISTER_BROKER_response_json.bin",
		},
		"rocketmq": {
			"049_REGISTER_BROKER_request_rocketmq.bin", "049_REGISTER_BROKER_response_rocketmq.bin",
			"050_REGISTER_BROKER_request_rocketmq.bin", "",
			"051_GET_ROUTEINFO_BY_TOPIC_request_rocketmq.bin", "051_GET_ROUTEINFO_BY_TOPIC_response_rocketmq.bin",
			"052_GET_ROUTEINFO_BY_TOPIC_request_rocketmq.bin", "052_GET_ROUTEINFO_BY_TOPIC_response_rocketmq.bin",
			"053_GET_BROKER_CLUSTER_INFO_request_rocketmq.bin", "053_GET_BROKER_CLUSTER_INFO_response_rocketmq.bin",
			"096_UNREGISTER_BROKER_request_rocketmq.bin", "096_UNREGISTER_BROKER_response_rocketmq.bin",
		},
	}
	for name, files := range sessions {
		t.Run(name, func(t *testing.T) {
			s := newHandlerServer(t, nil)
			for i := 0; i < len(files); i += 2 {
				_, req := readFrame(t, files[i])
				resp := s.Handle(nil, req)
				if files[i+1] == "" {
					if !req.IsOneway() {
						t.Fatalf("%s: expected a oneway request", files[i])
					}
					if resp.Code != int32(requestcode.Success) {
						t.Fatalf("%s: code %d %s", files[i], resp.Code, resp.Remark)
					}
					continue
				}
				want, _ := readFrame(t, files[i+1])
				if got := encodeFrame(t, resp); !bytes.Equal(got, want) {
					t.Errorf("%s reply differs from Java's\n got %q\nwant %q", files[i], got, want)
				}
			}
			// After UNREGISTER the topic has no route any more.
			_, req := readFrame(t, files[4])
			if resp := s.Handle(nil, req); resp.Code != int32(requestcode.TopicNotExist) {
				t.Errorf("after unregister: code %d", resp.Code)
			}
		})
	}
}

// registration builds a REGISTER_BROKER request as a 4.9.7 broker does.
func registration(t testing.TB, cluster, name string, id int64, addr string, dv body.DataVersion, compressed bool, topics ...body.TopicConfig) *codec.Command {
	rb := body.RegisterBrokerBody{FilterServerList: []string{}, TopicConfigSerializeWrapper: body.TopicConfigSerializeWrapper{
		DataVersion: dv, TopicConfigTable: map[string]*body.TopicConfig{}}}
	for i := range topics {
		rb.TopicConfigSerializeWrapper.TopicConfigTable[topics[i].TopicName] = &topics[i]
	}
	data, err := rb.Encode(compressed)
	if err != nil {
		t.Fatal(err)
	}
	req := codec.NewRequest(int32(requestcode.RegisterBroker), 1)
	req.Set("brokerId", fmt.Sprint(id))
	req.Set("bodyCrc32", fmt.Sprint(bodyCRC(data)))
	req.Set("clusterName", cluster)
	req.Set("brokerAddr", addr)
	req.Set("haServerAddr", strings.Replace(addr, ":10911", ":10912", 1))
	req.Set("compressed", fmt.Sprint(compressed))
	req.Set("brokerName", name)
	req.Body = data
	return req
}

func topic(name string, queues int32) body.TopicConfig {
	tc := body.NewTopicConfig(name)
	tc.ReadQueueNums, tc.WriteQueueNums = queues, queues
	return tc
}

func routeReq(topicName string, version int32) *codec.Command {
	req := codec.NewRequest(int32(requestcode.GetRouteinfoByTopic), 2)
	req.Version = version
	req.Set("topic", topicName)
	return req
}

func mustRoute(t *testing.T, s *Server, topicName string) *body.TopicRouteData {
	t.Helper()
	resp := s.Handle(nil, routeReq(topicName, 407))
	if resp.Code != 0 {
		t.Fatalf("route %s: code %d %s", topicName, resp.Code, resp.Remark)
	}
	r, err := body.DecodeTopicRouteData(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRouteEncodingByVersion(t *testing.T) {
	s := newHandlerServer(t, nil)
	s.Handle(nil, registration(t, "DefaultCluster", "broker-a", 0, "192.168.0.10:10911", body.DataVersion{Timestamp: 1, Counter: 1}, false, topic("TopicTest", 4)))
	s.Handle(nil, registration(t, "DefaultCluster", "broker-a", 1, "192.168.0.11:10911", body.DataVersion{Timestamp: 1, Counter: 1}, false, topic("TopicTest", 4)))
	tests := []struct {
		name    string
		version int32
		std     string
		want    string
	}{
		{"go client 317", 317, "", `{0:"192.168.0.10:10911",1:"192.168.0.11:10911"}`},
		{"v4_9_3", 400, "", `{0:"192.168.0.10:10911",1:"192.168.0.11:10911"}`},
		{"v4_9_4", 401, "", `{"0":"192.168.0.10:10911","1":"192.168.0.11:10911"}`},
		{"old with acceptStandardJsonOnly", 317, "true", `{"0":"192.168.0.10:10911","1":"192.168.0.11:10911"}`},
		{"old with acceptStandardJsonOnly=false", 317, "false", `{0:"192.168.0.10:10911",1:"192.168.0.11:10911"}`},
	}
	for _, tt := range tests {
		req := routeReq("TopicTest", tt.version)
		if tt.std != "" {
			req.Set("acceptStandardJsonOnly", tt.std)
		}
		resp := s.Handle(nil, req)
		want := `{"brokerDatas":[{"brokerAddrs":` + tt.want + `,"brokerName":"broker-a","cluster":"DefaultCluster"}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}`
		if string(resp.Body) != want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, resp.Body, want)
		}
	}
}

func TestSlaveLearnsMasterAndCompressedBody(t *testing.T) {
	s := newHandlerServer(t, nil)
	dv := body.DataVersion{Timestamp: 5, Counter: 5}
	// A slave before its master: no master addresses.
	resp := s.Handle(nil, registration(t, "C", "b", 1, "10.0.0.2:10911", dv, true, topic("T", 8)))
	if resp.Code != 0 || resp.Value("masterAddr") != "" || resp.Ext == nil {
		t.Fatalf("slave first: %+v", resp)
	}
	// Slave topics are not taken: no route yet.
	if r := s.Handle(nil, routeReq("T", 407)); r.Code != int32(requestcode.TopicNotExist) {
		t.Fatalf("slave-only topic routed: %d", r.Code)
	}
	resp = s.Handle(nil, registration(t, "C", "b", 0, "10.0.0.1:10911", dv, true, topic("T", 8)))
	if resp.Code != 0 || resp.Value("masterAddr") != "" {
		t.Fatalf("master: %+v", resp)
	}
	resp = s.Handle(nil, registration(t, "C", "b", 1, "10.0.0.2:10911", dv, true, topic("T", 8)))
	if resp.Value("masterAddr") != "10.0.0.1:10911" || resp.Value("haServerAddr") != "10.0.0.1:10912" {
		t.Fatalf("slave: ext %+v", resp.Ext)
	}
	r := mustRoute(t, s, "T")
	if len(r.QueueDatas) != 1 || r.QueueDatas[0].WriteQueueNums != 8 || len(r.BrokerDatas[0].BrokerAddrs) != 2 {
		t.Fatalf("route %+v", r)
	}
	// ORDER_TOPIC_CONFIG goes back in the register reply and, when
	// enabled, into routes.
	s.kv.Put(NamespaceOrderTopicConfig, "T", "b:8")
	resp = s.Handle(nil, registration(t, "C", "b", 0, "10.0.0.1:10911", dv, false, topic("T", 8)))
	if string(resp.Body) != `{"table":{"T":"b:8"}}` {
		t.Errorf("register body %s", resp.Body)
	}
	s.orderEnabled.Store(true)
	if r := mustRoute(t, s, "T"); r.OrderTopicConf != "b:8" {
		t.Errorf("orderTopicConf %q", r.OrderTopicConf)
	}
}

func TestDataVersionAndQuery(t *testing.T) {
	clock := newFakeClock()
	s := newHandlerServer(t, clock)
	dv := body.DataVersion{Timestamp: 7, Counter: 1}
	s.Handle(nil, registration(t, "C", "b", 0, "10.0.0.1:10911", dv, false, topic("T", 4)))
	// Unchanged version: topics are not re-read (a changed queue count is
	// ignored, as in Java).
	s.Handle(nil, registration(t, "C", "b", 0, "10.0.0.1:10911", dv, false, topic("T", 2), topic("U", 2)))
	if r := mustRoute(t, s, "T"); r.QueueDatas[0].WriteQueueNums != 4 {
		t.Errorf("unchanged version re-read topics: %+v", r.QueueDatas)
	}
	dv2 := body.DataVersion{Timestamp: 8, Counter: 2}
	s.Handle(nil, registration(t, "C", "b", 0, "10.0.0.1:10911", dv2, false, topic("T", 2)))
	if r := mustRoute(t, s, "T"); r.QueueDatas[0].WriteQueueNums != 2 {
		t.Errorf("changed version not applied: %+v", r.QueueDatas)
	}
	q := func(v body.DataVersion) *codec.Command {
		req := codec.NewRequest(int32(requestcode.QueryDataVersion), 3)
		for k, val := range map[string]string{"brokerName": "b", "brokerAddr": "10.0.0.1:10911", "clusterName": "C", "brokerId": "0"} {
			req.Set(k, val)
		}
		req.Body = v.Encode()
		return s.Handle(nil, req)
	}
	if resp := q(dv2); resp.Value("changed") != "false" || string(resp.Body) != string(dv2.Encode()) {
		t.Errorf("same version: %+v %s", resp.Ext, resp.Body)
	}
	if resp := q(dv); resp.Value("changed") != "true" {
		t.Errorf("other version: %+v", resp.Ext)
	}
	// An unchanged QUERY_DATA_VERSION keeps the broker alive.
	clock.Advance(100 * time.Second)
	q(dv2)
	clock.Advance(100 * time.Second)
	if n := s.routes.ScanNotActiveBroker(); n != 0 {
		t.Errorf("query did not refresh liveness: removed %d", n)
	}
}

type fakeChan struct {
	id     uint64
	remote string
	closed atomic.Bool
}

func (f *fakeChan) ID() uint64         { return f.id }
func (f *fakeChan) RemoteAddr() string { return f.remote }
func (f *fakeChan) Close() error       { f.closed.Store(true); return nil }

func TestExpiryCascade(t *testing.T) {
	clock := newFakeClock()
	s := newHandlerServer(t, clock)
	dv := body.DataVersion{Timestamp: 1}
	chA, chA1, chB := &fakeChan{id: 1}, &fakeChan{id: 2}, &fakeChan{id: 3}
	s.Handle(chA, registration(t, "C", "a", 0, "10.0.0.1:10911", dv, false, topic("Shared", 4), topic("OnlyA", 4)))
	s.Handle(chA1, registration(t, "C", "a", 1, "10.0.0.2:10911", dv, false))
	s.Handle(chB, registration(t, "C2", "b", 0, "10.0.0.3:10911", dv, false, topic("Shared", 4)))

	clock.Advance(100 * time.Second)
	s.Handle(chA1, registration(t, "C", "a", 1, "10.0.0.2:10911", dv, false))
	s.Handle(chB, registration(t, "C2", "b", 0, "10.0.0.3:10911", dv, false, topic("Shared", 4)))
	clock.Advance(21 * time.Second) // master a: 121 s silent
	if n := s.routes.ScanNotActiveBroker(); n != 1 {
		t.Fatalf("removed %d, want 1", n)
	}
	if !chA.closed.Load() || chA1.closed.Load() {
		t.Error("expired broker's connection not closed (or the wrong one)")
	}
	// The group still has its slave: queue data stays, route has no id 0.
	r := mustRoute(t, s, "OnlyA")
	if _, ok := r.BrokerDatas[0].BrokerAddrs[0]; ok || r.BrokerDatas[0].BrokerAddrs[1] != "10.0.0.2:10911" {
		t.Errorf("after master expiry: %+v", r.BrokerDatas)
	}
	clock.Advance(121 * time.Second)
	if n := s.routes.ScanNotActiveBroker(); n != 2 {
		t.Fatalf("removed %d, want 2", n)
	}
	for _, tp := range []string{"OnlyA", "Shared"} {
		if resp := s.Handle(nil, routeReq(tp, 407)); resp.Code != int32(requestcode.TopicNotExist) {
			t.Errorf("%s still routed", tp)
		}
	}
	ci := s.routes.ClusterInfo()
	if len(ci.BrokerAddrTable) != 0 || len(ci.ClusterAddrTable) != 0 || len(s.routes.AllTopics()) != 0 {
		t.Errorf("tables not empty: %+v %v", ci, s.routes.AllTopics())
	}
}

func TestChannelCloseCascade(t *testing.T) {
	s := newHandlerServer(t, nil)
	dv := body.DataVersion{Timestamp: 1}
	chA, chB := &fakeChan{id: 1, remote: "127.0.0.1:5000"}, &fakeChan{id: 2}
	s.Handle(chA, registration(t, "C", "a", 0, "10.0.0.1:10911", dv, false, topic("Shared", 4), topic("OnlyA", 4)))
	s.Handle(chB, registration(t, "C", "b", 0, "10.0.0.3:10911", dv, false, topic("Shared", 4)))
	// A client connection closing changes nothing.
	s.routes.OnChannelDestroy("127.0.0.1:6000", &fakeChan{id: 99})
	if s.routes.liveBrokers() != 2 {
		t.Fatal("client close removed a broker")
	}
	s.routes.OnChannelDestroy(chA.remote, chA)
	if resp := s.Handle(nil, routeReq("OnlyA", 407)); resp.Code != int32(requestcode.TopicNotExist) {
		t.Error("OnlyA still routed")
	}
	r := mustRoute(t, s, "Shared")
	if len(r.QueueDatas) != 1 || r.QueueDatas[0].BrokerName != "b" {
		t.Errorf("Shared: %+v", r.QueueDatas)
	}
	if ci := s.routes.ClusterInfo(); len(ci.ClusterAddrTable["C"]) != 1 {
		t.Errorf("cluster table %+v", ci.ClusterAddrTable)
	}
}

// TestNetworkCloseAndBadInput runs the real server: a broker's connection
// closing removes it at once; bad requests each get an error reply and the
// server keeps serving.
func TestNetworkCloseAndBadInput(t *testing.T) {
	s := startServer(t, testConfig(t))
	ctx := context.Background()
	broker := remoting.NewClient(remoting.ClientConfig{Logger: quietLogger()})
	client := remoting.NewClient(remoting.ClientConfig{Logger: quietLogger()})
	defer client.Close()
	dv := body.DataVersion{Timestamp: 1}
	resp, err := broker.Invoke(ctx, s.Addr(), registration(t, "C", "a", 0, "10.0.0.1:10911", dv, false, topic("T", 4)))
	if err != nil || resp.Code != 0 {
		t.Fatalf("register: %v %+v", err, resp)
	}
	bad := func(name string, req *codec.Command, code requestcode.ResponseCode, remark string) {
		t.Helper()
		resp, err := client.Invoke(ctx, s.Addr(), req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if resp.Code != int32(code) || !strings.Contains(resp.Remark, remark) {
			t.Errorf("%s: code %d remark %q", name, resp.Code, resp.Remark)
		}
	}
	broken := registration(t, "C", "x", 0, "10.0.0.9:10911", dv, false, topic("X", 1))
	broken.Body = []byte(`{"topicConfigSerializeWrapper":{"topicConfigTable":{`)
	broken.Set("bodyCrc32", "0")
	bad("broken body", broken, requestcode.SystemError, "Failed to decode RegisterBrokerBody")
	badCRC := registration(t, "C", "x", 0, "10.0.0.9:10911", dv, false, topic("X", 1))
	badCRC.Set("bodyCrc32", "12345")
	bad("bad crc", badCRC, requestcode.SystemError, "crc32 not match")
	badZ := registration(t, "C", "x", 0, "10.0.0.9:10911", dv, true, topic("X", 1))
	badZ.Body = badZ.Body[:len(badZ.Body)/2]
	badZ.Set("bodyCrc32", "0")
	bad("truncated compressed body", badZ, requestcode.SystemError, "Failed to decode")
	noTopic := codec.NewRequest(int32(requestcode.GetRouteinfoByTopic), 0)
	bad("route without topic", noTopic, requestcode.SystemError, "the custom field <topic> is null")
	noID := registration(t, "C", "x", 0, "10.0.0.9:10911", dv, false)
	noID.Ext = noID.Ext[1:] // drop brokerId
	bad("register without brokerId", noID, requestcode.SystemError, "<brokerId>")
	bad("unknown code", codec.NewRequest(9999, 0), requestcode.RequestCodeNotSupported, "not supported")
	bad("broker-only code", codec.NewRequest(int32(requestcode.SendMessage), 0), requestcode.RequestCodeNotSupported, "not supported")
	if got := s.routes.AllTopics(); len(got) != 1 || got[0] != "T" {
		t.Errorf("bad registrations changed the table: %v", got)
	}

	resp, err = client.Invoke(ctx, s.Addr(), routeReq("T", 317))
	if err != nil || resp.Code != 0 {
		t.Fatalf("route: %v %+v", err, resp)
	}
	// The broker's connection closes: it is gone at once.
	broker.Close()
	deadline := time.Now().Add(3 * time.Second)
	for s.routes.liveBrokers() != 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	resp, err = client.Invoke(ctx, s.Addr(), routeReq("T", 317))
	if err != nil || resp.Code != int32(requestcode.TopicNotExist) {
		t.Fatalf("route after close: %v %+v", err, resp)
	}
}

func TestAdminCodes(t *testing.T) {
	s := newHandlerServer(t, nil)
	dv := body.DataVersion{Timestamp: 1}
	unit := topic("UnitT", 2)
	unit.TopicSysFlag = body.FlagUnit
	sub := topic("SubT", 2)
	sub.TopicSysFlag = body.FlagUnitSub
	both := topic("BothT", 2)
	both.TopicSysFlag = body.FlagUnit | body.FlagUnitSub
	s.Handle(nil, registration(t, "C1", "a", 0, "10.0.0.1:10911", dv, false, topic("T", 4), unit, sub, both))
	s.Handle(nil, registration(t, "C2", "b", 0, "10.0.0.2:10911", dv, false, topic("T", 4), topic("OnlyB", 1)))

	call := func(code requestcode.RequestCode, kv ...string) *codec.Command {
		req := codec.NewRequest(int32(code), 0)
		for i := 0; i < len(kv); i += 2 {
			req.Set(kv[i], kv[i+1])
		}
		return s.Handle(nil, req)
	}
	list := func(resp *codec.Command) string {
		tl, err := body.DecodeTopicList(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(tl.TopicList, ",") + "|" + tl.BrokerAddr
	}
	tests := []struct {
		name string
		resp *codec.Command
		want string
	}{
		{"all topics", call(requestcode.GetAllTopicListFromNameserver), "BothT,OnlyB,SubT,T,UnitT|"},
		{"by cluster", call(requestcode.GetTopicsByCluster, "cluster", "C2"), "OnlyB,T|"},
		{"unknown cluster", call(requestcode.GetTopicsByCluster, "cluster", "nope"), "|"},
		{"system", call(requestcode.GetSystemTopicListFromNs), "C1,C2,a,b|10.0.0.1:10911"},
		{"unit", call(requestcode.GetUnitTopicList), "BothT,UnitT|"},
		{"unit sub", call(requestcode.GetHasUnitSubTopicList), "BothT,SubT|"},
		{"unit sub ununit", call(requestcode.GetHasUnitSubUnunitTopicList), "SubT|"},
	}
	for _, tt := range tests {
		if got := list(tt.resp); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
	if resp := call(requestcode.GetTopicsByCluster); resp.Code != int32(requestcode.SystemError) || !strings.Contains(resp.Remark, "<cluster>") {
		t.Errorf("missing cluster: %+v", resp)
	}
	if resp := call(requestcode.WipeWritePermOfBroker, "brokerName", "a"); resp.Value("wipeTopicCount") != "4" {
		t.Errorf("wipe: %+v", resp.Ext)
	}
	if r := mustRoute(t, s, "T"); r.QueueDatas[0].Perm != body.PermRead || r.QueueDatas[1].Perm != 6 {
		t.Errorf("after wipe: %+v", r.QueueDatas)
	}
	if resp := call(requestcode.AddWritePermOfBroker, "brokerName", "a"); resp.Value("addTopicCount") != "4" {
		t.Errorf("add: %+v", resp.Ext)
	}
	if r := mustRoute(t, s, "T"); r.QueueDatas[0].Perm != 6 {
		t.Errorf("after add: %+v", r.QueueDatas)
	}
	call(requestcode.DeleteTopicInNamesrv, "topic", "T", "clusterName", "C1")
	if r := mustRoute(t, s, "T"); len(r.QueueDatas) != 1 || r.QueueDatas[0].BrokerName != "b" {
		t.Errorf("after cluster delete: %+v", r.QueueDatas)
	}
	call(requestcode.DeleteTopicInNamesrv, "topic", "T")
	if resp := call(requestcode.GetRouteinfoByTopic, "topic", "T"); resp.Code != int32(requestcode.TopicNotExist) {
		t.Errorf("after delete: %d", resp.Code)
	}
	ci, err := body.DecodeClusterInfo(call(requestcode.GetBrokerClusterInfo).Body)
	if err != nil || len(ci.BrokerAddrTable) != 2 || ci.ClusterAddrTable["C1"][0] != "a" {
		t.Errorf("cluster info %+v %v", ci, err)
	}

	// Config.
	if resp := call(requestcode.GetNamesrvConfig); !strings.Contains(string(resp.Body), "listenPort=9876\n") {
		t.Errorf("config: %s", resp.Body)
	}
	up := codec.NewRequest(int32(requestcode.UpdateNamesrvConfig), 0)
	up.Body = []byte("orderMessageEnable=true\nnoSuchKey=1\n")
	if resp := s.Handle(nil, up); resp.Code != 0 || !s.orderEnabled.Load() {
		t.Errorf("update: %+v", resp)
	}
	if data, err := os.ReadFile(s.Config().ConfigStorePath); err != nil || !strings.Contains(string(data), "orderMessageEnable=true") {
		t.Errorf("config not persisted: %v %s", err, data)
	}
	up.Body = []byte("kvConfigPath=/tmp/x")
	if resp := s.Handle(nil, up); resp.Code != int32(requestcode.NoPermission) {
		t.Errorf("kvConfigPath update: %d", resp.Code)
	}
}

func TestKVPersistence(t *testing.T) {
	cfg := testConfig(t)
	s := New(cfg)
	if err := s.kv.Load(); err != nil {
		t.Fatal(err)
	}
	put := func(s *Server, ns, k, v string) {
		req := codec.NewRequest(int32(requestcode.PutKvConfig), 0)
		req.Set("namespace", ns)
		req.Set("key", k)
		req.Set("value", v)
		if resp := s.Handle(nil, req); resp.Code != 0 {
			t.Fatalf("put: %+v", resp)
		}
	}
	put(s, NamespaceOrderTopicConfig, "T", "broker-a:4")
	put(s, NamespaceOrderTopicConfig, "U", "broker-a:2")
	put(s, "other", "k", "v\"\u00e9")
	del := codec.NewRequest(int32(requestcode.DeleteKvConfig), 0)
	del.Set("namespace", NamespaceOrderTopicConfig)
	del.Set("key", "U")
	s.Handle(nil, del)
	data, err := os.ReadFile(cfg.KvConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"configTable":{"ORDER_TOPIC_CONFIG":{"T":"broker-a:4"},"other":{"k":"v\"` + "\u00e9" + `"}}}`
	if string(data) != want {
		t.Errorf("kvConfig.json:\n got %s\nwant %s", data, want)
	}
	if _, err := os.Stat(cfg.KvConfigPath + ".bak"); err != nil {
		t.Errorf("no .bak: %v", err)
	}
	if _, err := os.Stat(cfg.KvConfigPath + ".tmp"); err == nil {
		t.Error(".tmp left behind")
	}

	// Restart: a new server loads it.
	s2 := startServer(t, cfg)
	get := codec.NewRequest(int32(requestcode.GetKvConfig), 0)
	get.Set("namespace", NamespaceOrderTopicConfig)
	get.Set("key", "T")
	if resp := s2.Handle(nil, get); resp.Code != 0 || resp.Value("value") != "broker-a:4" {
		t.Errorf("get after restart: %+v", resp)
	}
	get.Set("key", "U")
	if resp := s2.Handle(nil, get); resp.Code != int32(requestcode.QueryNotFound) || resp.Remark != "No config item, Namespace: ORDER_TOPIC_CONFIG Key: U" {
		t.Errorf("deleted key: %+v", resp)
	}
	list := codec.NewRequest(int32(requestcode.GetKvlistByNamespace), 0)
	list.Set("namespace", "other")
	if resp := s2.Handle(nil, list); resp.Code != 0 || string(resp.Body) != `{"table":{"k":"v\"`+"\u00e9"+`"}}` {
		t.Errorf("kv list: %+v %s", resp, resp.Body)
	}
	list.Set("namespace", "none")
	if resp := s2.Handle(nil, list); resp.Code != int32(requestcode.QueryNotFound) {
		t.Errorf("kv list of unknown namespace: %d", resp.Code)
	}
	// A corrupt main file falls back to the backup.
	if err := os.WriteFile(cfg.KvConfigPath, []byte("{garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	kv := NewKVConfig(cfg.KvConfigPath, quietLogger())
	if err := kv.Load(); err != nil {
		t.Fatal(err)
	}
	if _, ok := kv.Get("other", "k"); !ok {
		t.Error("backup not used")
	}
}

// TestConcurrentRegisterAndLookup: under -race, registrations, removals
// and lookups in parallel.
func TestConcurrentRegisterAndLookup(t *testing.T) {
	s := newHandlerServer(t, nil)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for b := 0; b < 4; b++ {
		wg.Add(1)
		go func(b int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				name := fmt.Sprintf("broker-%d", b)
				addr := fmt.Sprintf("10.0.0.%d:10911", b)
				ch := &fakeChan{id: uint64(b + 1)}
				s.Handle(ch, registration(t, "C", name, 0, addr, body.DataVersion{Timestamp: int64(i)}, i%2 == 0, topic("T", 4), topic(fmt.Sprintf("T%d", i%10), 2)))
				if i%7 == 0 {
					s.routes.OnChannelDestroy("", ch)
				}
			}
		}(b)
	}
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				resp := s.Handle(nil, routeReq("T", int32(317+i%2*100)))
				if resp.Code == 0 {
					if _, err := body.DecodeTopicRouteData(resp.Body); err != nil {
						t.Error(err)
						return
					}
				}
				s.routes.ClusterInfo()
			}
		}()
	}
	time.Sleep(200 * time.Millisecond)
	close(stop)
	wg.Wait()
}

func TestProperties(t *testing.T) {
	in := "# comment\n! also\nlistenPort = 19876\norderMessageEnable:TRUE\nkvConfigPath /x/kv\\\n.json\nrocketmqHome=C:\\\\rmq\n  productEnvName=\\u0041b\n"
	props, err := ParseProperties(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	if _, err := cfg.Apply(props); err != nil {
		t.Fatal(err)
	}
	if cfg.ListenPort != 19876 || !cfg.OrderMessageEnable || cfg.KvConfigPath != "/x/kv.json" || cfg.RocketmqHome != `C:\rmq` || cfg.ProductEnvName != "Ab" {
		t.Errorf("%+v", cfg)
	}
	if _, err := cfg.Apply(map[string]string{"listenPort": "x"}); err == nil {
		t.Error("bad int accepted")
	}
}
