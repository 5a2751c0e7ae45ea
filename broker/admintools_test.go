package broker

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/broker/config"
	"github.com/rocketgo/rocketgo/broker/processor"
	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/rocketgo/rocketgo/store/message"
)

const (
	adminToolsTopic  = "AdminToolsT"
	adminToolsGroup  = "AdminToolsCG"
	adminToolsPGroup = "AdminToolsPG"
	adminToolsClient = "127.0.0.1@admintools"
)

// adminToolsStartBroker is startBroker with a config file for
// UPDATE_BROKER_CONFIG to persist to (set before Start, as mqbroker -c
// does).
func adminToolsStartBroker(tb testing.TB, configFile string) *Broker {
	tb.Helper()
	env := config.SystemEnv()
	env.Hostname, env.LocalAddress, env.HomeDir = "test-host", "127.0.0.1", tb.TempDir()
	env.NamesrvAddr = ""
	cfg, _, err := config.LoadWith(env, "", map[string]string{
		"brokerName":                 "broker-test",
		"storePathRootDir":           filepath.Join(tb.TempDir(), "store"),
		"mappedFileSizeCommitLog":    strconv.Itoa(64 << 20),
		"mappedFileSizeConsumeQueue": "600000",
		"maxHashSlotNum":             "10000",
		"maxIndexNum":                "40000",
		"brokerIP1":                  "127.0.0.1",
	})
	if err != nil {
		tb.Fatal(err)
	}
	b, err := New(cfg, Options{ListenAddr: "127.0.0.1:0", Logger: quiet()})
	if err != nil {
		tb.Fatal(err)
	}
	if configFile != "" {
		b.SetConfigFile(configFile)
	}
	if err := b.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = b.Shutdown(ctx)
	})
	return b
}

// adminToolsConsumer is a consumer client registered by heartbeat whose
// connection answers the calls the broker relays to it.
type adminToolsConsumer struct {
	cl     *remoting.Client
	resets chan *codec.Command
	relays chan *codec.Command
}

func adminToolsNewConsumer(tb testing.TB, b *Broker, clientID string, answer func(*codec.Command) *codec.Command) *adminToolsConsumer {
	tb.Helper()
	c := &adminToolsConsumer{resets: make(chan *codec.Command, 4), relays: make(chan *codec.Command, 4)}
	relay := func(req *codec.Command) (*codec.Command, error) {
		c.relays <- req
		return answer(req), nil
	}
	c.cl = remoting.NewClient(remoting.ClientConfig{Logger: quiet(), Processors: map[requestcode.RequestCode]remoting.RequestHandler{
		requestcode.ResetConsumerClientOffset: func(req *codec.Command) (*codec.Command, error) {
			c.resets <- req
			return nil, nil
		},
		requestcode.GetConsumerRunningInfo:   relay,
		requestcode.ConsumeMessageDirectly:   relay,
		requestcode.NotifyConsumerIdsChanged: func(*codec.Command) (*codec.Command, error) { return nil, nil },
	}})
	tb.Cleanup(c.cl.Close)
	hb := codec.NewRequest(int32(requestcode.HeartBeat), 0)
	hb.Body = []byte(`{"clientID":"` + clientID + `","consumerDataSet":[{"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET",` +
		`"consumeType":"CONSUME_PASSIVELY","groupName":"` + adminToolsGroup + `","messageModel":"CLUSTERING","subscriptionDataSet":[` +
		`{"classFilterMode":false,"codeSet":[],"expressionType":"TAG","subString":"*","subVersion":1,"tagsSet":[],"topic":"` + adminToolsTopic + `"}],` +
		`"unitMode":false}],"producerDataSet":[{"groupName":"` + adminToolsPGroup + `"}]}`)
	if resp, err := c.cl.Invoke(context.Background(), b.Addr(), hb); err != nil || resp.Code != 0 {
		tb.Fatalf("heartbeat: %v %v", resp, err)
	}
	return c
}

type adminToolsCaller struct {
	t  *testing.T
	cl *remoting.Client
	b  *Broker
}

func (a adminToolsCaller) call(code requestcode.RequestCode, ext map[string]string, bodyBytes []byte) *codec.Command {
	a.t.Helper()
	req := codec.NewRequest(int32(code), 0)
	for k, v := range ext {
		req.Set(k, v)
	}
	req.Body = bodyBytes
	resp, err := a.cl.Invoke(context.Background(), a.b.Addr(), req)
	if err != nil {
		a.t.Fatal(err)
	}
	return resp
}

func (a adminToolsCaller) ok(code requestcode.RequestCode, ext map[string]string, bodyBytes []byte) *codec.Command {
	a.t.Helper()
	r := a.call(code, ext, bodyBytes)
	if r.Code != int32(requestcode.Success) {
		a.t.Fatalf("%s: code %d %s", requestcode.RequestCode(code), r.Code, r.Remark)
	}
	return r
}

func mq(qid int32) body.MessageQueue {
	return body.MessageQueue{Topic: adminToolsTopic, BrokerName: "broker-test", QueueID: qid}
}

// TestAdminToolsCodes drives every admin tool code against an in-process
// broker holding real messages, offsets and an online consumer.
func TestAdminToolsCodes(t *testing.T) {
	b := adminToolsStartBroker(t, "")
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
	defer cl.Close()
	a := adminToolsCaller{t, cl, b}
	a.ok(requestcode.UpdateAndCreateTopic, map[string]string{"topic": adminToolsTopic, "defaultTopic": "TBW102",
		"readQueueNums": "2", "writeQueueNums": "2", "perm": "6", "topicFilterType": "SINGLE_TAG", "topicSysFlag": "0", "order": "false"}, nil)
	start := time.Now().UnixMilli()
	var q0IDs []string
	for q, n := range []int{3, 2} {
		for i := 0; i < n; i++ {
			resp, err := cl.Invoke(context.Background(), b.Addr(), sendRequest(adminToolsTopic, q, []byte("m"+strconv.Itoa(i))))
			if err != nil || resp.Code != 0 {
				t.Fatalf("send: %v %v", resp, err)
			}
			if q == 0 {
				q0IDs = append(q0IDs, resp.Value("msgId"))
			}
		}
	}
	commit := func(group string, qid int, off int64) {
		a.ok(requestcode.UpdateConsumerOffset, map[string]string{"consumerGroup": group, "topic": adminToolsTopic,
			"queueId": strconv.Itoa(qid), "commitOffset": strconv.FormatInt(off, 10)}, nil)
	}
	commit(adminToolsGroup, 0, 1)
	commit(adminToolsGroup, 1, 2)
	commit("AdminToolsOfflineG", 0, 3)
	consumer := adminToolsNewConsumer(t, b, adminToolsClient, func(req *codec.Command) *codec.Command {
		resp := codec.NewResponse(req, 0, "")
		switch requestcode.RequestCode(req.Code) {
		case requestcode.GetConsumerRunningInfo:
			info := body.ConsumerRunningInfo{Properties: map[string]string{body.PropConsumeType: "CONSUME_PASSIVELY"},
				MQTable: map[body.MessageQueue]body.ProcessQueueInfo{mq(0): {CommitOffset: 1}}}
			resp.Body = info.Encode()
		case requestcode.ConsumeMessageDirectly:
			resp.Body = (&body.ConsumeMessageDirectlyResult{AutoCommit: true, ConsumeResult: "CR_SUCCESS", SpentTimeMills: 1}).Encode()
		}
		return resp
	})

	t.Run("GET_TOPIC_STATS_INFO", func(t *testing.T) {
		a := adminToolsCaller{t, cl, b}
		r := a.ok(requestcode.GetTopicStatsInfo, map[string]string{"topic": adminToolsTopic}, nil)
		ts, err := body.DecodeTopicStatsTable(r.Body)
		if err != nil {
			t.Fatal(err)
		}
		if len(ts.OffsetTable) != 2 || ts.OffsetTable[mq(0)].MaxOffset != 3 || ts.OffsetTable[mq(1)].MaxOffset != 2 || ts.OffsetTable[mq(0)].MinOffset != 0 {
			t.Fatalf("stats %+v", ts.OffsetTable)
		}
		if lu := ts.OffsetTable[mq(1)].LastUpdateTimestamp; lu < start || lu > time.Now().UnixMilli() {
			t.Errorf("last update %d not the last message's store time", lu)
		}
		if !strings.Contains(string(r.Body), `{"brokerName":"broker-test","queueId":0,"topic":"AdminToolsT"}:{`) {
			t.Errorf("not fastjson's object-key form: %s", r.Body)
		}
	})

	t.Run("GET_CONSUME_STATS", func(t *testing.T) {
		a := adminToolsCaller{t, cl, b}
		for _, ext := range []map[string]string{{"consumerGroup": adminToolsGroup, "topic": adminToolsTopic}, {"consumerGroup": adminToolsGroup}} {
			r := a.ok(requestcode.GetConsumeStats, ext, nil)
			cs, err := body.DecodeConsumeStats(r.Body)
			if err != nil {
				t.Fatal(err)
			}
			q0, q1 := cs.OffsetTable[mq(0)], cs.OffsetTable[mq(1)]
			if len(cs.OffsetTable) != 2 || q0.BrokerOffset != 3 || q0.ConsumerOffset != 1 || q1.BrokerOffset != 2 || q1.ConsumerOffset != 2 {
				t.Fatalf("%v: %+v", ext, cs.OffsetTable)
			}
			if q0.LastTimestamp < start || cs.ComputeTotalDiff() != 2 {
				t.Errorf("%v: last timestamp %d, diff %d", ext, q0.LastTimestamp, cs.ComputeTotalDiff())
			}
		}
		// A group with no offsets and no members has no queues.
		r := a.ok(requestcode.GetConsumeStats, map[string]string{"consumerGroup": "NobodyG"}, nil)
		if cs, err := body.DecodeConsumeStats(r.Body); err != nil || len(cs.OffsetTable) != 0 {
			t.Fatalf("unknown group: %+v %v", cs, err)
		}
	})

	t.Run("GET_BROKER_CONSUME_STATS", func(t *testing.T) {
		a := adminToolsCaller{t, cl, b}
		r := a.ok(requestcode.GetBrokerConsumeStats, map[string]string{"isOrder": "false"}, nil)
		l, err := body.DecodeConsumeStatsList(r.Body)
		if err != nil {
			t.Fatal(err)
		}
		if l.BrokerAddr != b.BrokerAddr() || l.TotalDiff != 2 {
			t.Fatalf("list %s %d", l.BrokerAddr, l.TotalDiff)
		}
		found := false
		for _, g := range l.ConsumeStatsList {
			if g.Group == adminToolsGroup {
				found = len(g.Stats) == 1 && g.Stats[0].OffsetTable[mq(0)].ConsumerOffset == 1
			}
		}
		if !found {
			t.Fatalf("group missing: %s", r.Body)
		}
		r = a.ok(requestcode.GetBrokerConsumeStats, map[string]string{"isOrder": "true"}, nil)
		if l, err := body.DecodeConsumeStatsList(r.Body); err != nil || l.TotalDiff != 0 {
			t.Fatalf("order only: %+v %v", l, err)
		}
	})

	t.Run("connections", func(t *testing.T) {
		a := adminToolsCaller{t, cl, b}
		r := a.ok(requestcode.GetConsumerConnectionList, map[string]string{"consumerGroup": adminToolsGroup}, nil)
		cc, err := body.DecodeConsumerConnection(r.Body)
		if err != nil {
			t.Fatal(err)
		}
		if len(cc.ConnectionSet) != 1 || cc.ConnectionSet[0].ClientID != adminToolsClient || cc.ConnectionSet[0].Language != "JAVA" ||
			cc.ConnectionSet[0].Version != codec.Version || !strings.HasPrefix(cc.ConnectionSet[0].ClientAddr, "127.0.0.1:") {
			t.Fatalf("connections %+v", cc.ConnectionSet)
		}
		if cc.ConsumeType != "CONSUME_PASSIVELY" || cc.MessageModel != "CLUSTERING" || cc.ConsumeFromWhere != "CONSUME_FROM_LAST_OFFSET" ||
			cc.SubscriptionTable[adminToolsTopic].SubString != "*" {
			t.Fatalf("consumer connection %+v", cc)
		}
		r = a.ok(requestcode.GetProducerConnectionList, map[string]string{"producerGroup": adminToolsPGroup}, nil)
		pc, err := body.DecodeProducerConnection(r.Body)
		if err != nil || len(pc.ConnectionSet) != 1 || pc.ConnectionSet[0].ClientID != adminToolsClient {
			t.Fatalf("producer connection %+v %v", pc, err)
		}
		r = a.ok(requestcode.QueryTopicConsumeByWho, map[string]string{"topic": adminToolsTopic}, nil)
		gl, err := body.DecodeGroupList(r.Body)
		if err != nil || !reflect.DeepEqual(gl.GroupList, []string{adminToolsGroup, "AdminToolsOfflineG"}) {
			t.Fatalf("consume by who %+v %v", gl, err)
		}
	})

	t.Run("offsets", func(t *testing.T) {
		a := adminToolsCaller{t, cl, b}
		r := a.ok(requestcode.GetAllConsumerOffset, nil, nil)
		w, err := body.DecodeConsumerOffsetSerializeWrapper(r.Body)
		if err != nil || !reflect.DeepEqual(w.OffsetTable[adminToolsTopic+"@"+adminToolsGroup], []body.OffsetEntry{{ID: 0, Offset: 1}, {ID: 1, Offset: 2}}) {
			t.Fatalf("all offsets %+v %v", w, err)
		}
		a.ok(requestcode.CloneGroupOffset, map[string]string{"srcGroup": adminToolsGroup, "destGroup": "AdminToolsClone", "topic": adminToolsTopic, "offline": "false"}, nil)
		if b.offsets.Query("AdminToolsClone", adminToolsTopic, 0) != 1 || b.offsets.Query("AdminToolsClone", adminToolsTopic, 1) != 2 {
			t.Fatal("offsets not cloned")
		}
		// blank topic: every topic of the source group
		a.ok(requestcode.CloneGroupOffset, map[string]string{"srcGroup": "AdminToolsOfflineG", "destGroup": "AdminToolsClone2"}, nil)
		if b.offsets.Query("AdminToolsClone2", adminToolsTopic, 0) != 3 {
			t.Fatal("offsets of all topics not cloned")
		}
	})

	t.Run("INVOKE_BROKER_TO_RESET_OFFSET", func(t *testing.T) {
		a := adminToolsCaller{t, cl, b}
		tests := []struct {
			ts    int64
			force bool
			want  map[body.MessageQueue]int64
		}{
			{0, true, map[body.MessageQueue]int64{mq(0): 0, mq(1): 0}},
			// the end of the queues is later than the committed offsets:
			// without force the current ones stay
			{-1, false, map[body.MessageQueue]int64{mq(0): 1, mq(1): 2}},
			{-1, true, map[body.MessageQueue]int64{mq(0): 3, mq(1): 2}},
		}
		for _, tt := range tests {
			r := a.ok(requestcode.InvokeBrokerToResetOffset, map[string]string{"topic": adminToolsTopic, "group": adminToolsGroup,
				"timestamp": strconv.FormatInt(tt.ts, 10), "isForce": strconv.FormatBool(tt.force)}, nil)
			got, err := body.DecodeResetOffsetBody(r.Body)
			if err != nil || !reflect.DeepEqual(got.OffsetTable, tt.want) {
				t.Fatalf("ts %d force %v: answer %+v %v", tt.ts, tt.force, got, err)
			}
			select {
			case req := <-consumer.resets:
				sent, err := body.DecodeResetOffsetBody(req.Body)
				if err != nil || !reflect.DeepEqual(sent.OffsetTable, tt.want) || req.Value("group") != adminToolsGroup ||
					req.Value("topic") != adminToolsTopic || req.Value("timestamp") != strconv.FormatInt(tt.ts, 10) || !req.IsOneway() {
					t.Fatalf("client got %v %s (%v)", req.Ext, req.Body, err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("RESET_CONSUMER_CLIENT_OFFSET not sent to the client")
			}
		}
		// the broker's own offsets are the clients' business
		if b.offsets.Query(adminToolsGroup, adminToolsTopic, 0) != 1 {
			t.Error("broker offset changed by the reset")
		}
	})

	t.Run("relay", func(t *testing.T) {
		a := adminToolsCaller{t, cl, b}
		r := a.ok(requestcode.GetConsumerRunningInfo, map[string]string{"consumerGroup": adminToolsGroup, "clientId": adminToolsClient, "jstackEnable": "false"}, nil)
		info, err := body.DecodeConsumerRunningInfo(r.Body)
		if err != nil || info.Properties[body.PropConsumeType] != "CONSUME_PASSIVELY" || info.MQTable[mq(0)].CommitOffset != 1 {
			t.Fatalf("running info %+v %v", info, err)
		}
		fwd := <-consumer.relays
		if fwd.Value("clientId") != adminToolsClient || fwd.Value("jstackEnable") != "false" || fwd.IsOneway() {
			t.Fatalf("forwarded %v", fwd.Ext)
		}

		r = a.ok(requestcode.ConsumeMessageDirectly, map[string]string{"consumerGroup": adminToolsGroup, "clientId": adminToolsClient, "msgId": q0IDs[1]}, nil)
		res, err := body.DecodeConsumeMessageDirectlyResult(r.Body)
		if err != nil || res.ConsumeResult != "CR_SUCCESS" {
			t.Fatalf("directly %+v %v", res, err)
		}
		fwd = <-consumer.relays
		rec, err := message.Decode(fwd.Body, true)
		if err != nil || string(rec.Body) != "m1" || rec.QueueOffset != 1 || fwd.Value("brokerName") != "broker-test" || fwd.Value("msgId") != q0IDs[1] {
			t.Fatalf("forwarded message %v %q %v", fwd.Ext, rec.Body, err)
		}
	})

	t.Run("relay timeout", func(t *testing.T) {
		// The processor itself, with a short timeout, against a client
		// that never answers GET_CONSUMER_RUNNING_INFO in time.
		adminToolsNewConsumer(t, b, "127.0.0.1@slow", func(req *codec.Command) *codec.Command {
			time.Sleep(time.Second)
			return codec.NewResponse(req, 0, "")
		})
		relay := processor.NewConsumerRelay(b.env)
		relay.Timeout = 100 * time.Millisecond
		req := codec.NewRequest(int32(requestcode.GetConsumerRunningInfo), 1)
		req.Set("consumerGroup", adminToolsGroup)
		req.Set("clientId", "127.0.0.1@slow")
		resp, err := relay.ProcessRequest(nil, req)
		if err != nil || resp.Code != int32(requestcode.ConsumeMsgTimeout) || !strings.Contains(resp.Remark, "Timeout") {
			t.Fatalf("timeout answer %+v %v", resp, err)
		}
	})
}

// TestAdminToolsBadInput: missing headers and unknown names get Java's
// codes and remarks.
func TestAdminToolsBadInput(t *testing.T) {
	b := adminToolsStartBroker(t, "")
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
	defer cl.Close()
	a := adminToolsCaller{t, cl, b}
	a.ok(requestcode.UpdateAndCreateTopic, map[string]string{"topic": adminToolsTopic, "defaultTopic": "TBW102",
		"readQueueNums": "1", "writeQueueNums": "1", "perm": "6", "topicFilterType": "SINGLE_TAG"}, nil)
	a.ok(requestcode.UpdateConsumerOffset, map[string]string{"consumerGroup": "OfflineG", "topic": adminToolsTopic, "queueId": "0", "commitOffset": "0"}, nil)
	const sysErr, topicNotExist, notOnline = requestcode.SystemError, requestcode.TopicNotExist, requestcode.ConsumerNotOnline
	reset := func(topic, group, ts, force string) map[string]string {
		m := map[string]string{"topic": topic, "group": group, "timestamp": ts, "isForce": force}
		for k, v := range m {
			if v == "" {
				delete(m, k)
			}
		}
		return m
	}
	tests := []struct {
		name   string
		code   requestcode.RequestCode
		ext    map[string]string
		body   string
		want   requestcode.ResponseCode
		remark string
	}{
		{"topic stats no topic", requestcode.GetTopicStatsInfo, nil, "", sysErr, "the custom field <topic> is null"},
		{"topic stats unknown topic", requestcode.GetTopicStatsInfo, map[string]string{"topic": "NoSuchT"}, "", topicNotExist, "topic[NoSuchT] not exist"},
		{"consume stats no group", requestcode.GetConsumeStats, map[string]string{"topic": adminToolsTopic}, "", sysErr, "<consumerGroup> is null"},
		{"broker consume stats no isOrder", requestcode.GetBrokerConsumeStats, nil, "", sysErr, "<isOrder> is null"},
		{"consumer connections no group", requestcode.GetConsumerConnectionList, nil, "", sysErr, "<consumerGroup> is null"},
		{"consumer connections offline", requestcode.GetConsumerConnectionList, map[string]string{"consumerGroup": "OfflineG"}, "", notOnline, "the consumer group[OfflineG] not online"},
		{"producer connections no group", requestcode.GetProducerConnectionList, nil, "", sysErr, "<producerGroup> is null"},
		{"producer connections unknown", requestcode.GetProducerConnectionList, map[string]string{"producerGroup": "NoPG"}, "", sysErr, "the producer group[NoPG] not exist"},
		{"consume by who no topic", requestcode.QueryTopicConsumeByWho, nil, "", sysErr, "<topic> is null"},
		{"clone no src", requestcode.CloneGroupOffset, map[string]string{"destGroup": "D"}, "", sysErr, "<srcGroup> is null"},
		{"clone no dest", requestcode.CloneGroupOffset, map[string]string{"srcGroup": "S"}, "", sysErr, "<destGroup> is null"},
		{"reset no topic", requestcode.InvokeBrokerToResetOffset, reset("", "OfflineG", "0", "true"), "", sysErr, "<topic> is null"},
		{"reset no timestamp", requestcode.InvokeBrokerToResetOffset, reset(adminToolsTopic, "OfflineG", "", "true"), "", sysErr, "<timestamp> is null"},
		{"reset bad timestamp", requestcode.InvokeBrokerToResetOffset, reset(adminToolsTopic, "OfflineG", "yesterday", "true"), "", sysErr, "<timestamp> is not a number"},
		{"reset no isForce", requestcode.InvokeBrokerToResetOffset, reset(adminToolsTopic, "OfflineG", "0", ""), "", sysErr, "<isForce> is null"},
		{"reset unknown topic", requestcode.InvokeBrokerToResetOffset, reset("NoSuchT", "OfflineG", "0", "true"), "", sysErr, "no topic in this broker. topic=NoSuchT"},
		{"reset unknown group", requestcode.InvokeBrokerToResetOffset, reset(adminToolsTopic, "NoG", "0", "true"), "", sysErr, "THe consumer group <NoG> not exist"},
		{"reset offline group", requestcode.InvokeBrokerToResetOffset, reset(adminToolsTopic, "OfflineG", "0", "true"), "", notOnline,
			"Consumer not online, so can not reset offset, Group: OfflineG Topic: " + adminToolsTopic + " Timestamp: 0"},
		{"running info no clientId", requestcode.GetConsumerRunningInfo, map[string]string{"consumerGroup": "G"}, "", sysErr, "<clientId> is null"},
		{"running info offline", requestcode.GetConsumerRunningInfo, map[string]string{"consumerGroup": "G", "clientId": "c1"}, "", sysErr, "The Consumer <G> <c1> not online"},
		{"directly no group", requestcode.ConsumeMessageDirectly, map[string]string{"msgId": "x"}, "", sysErr, "<consumerGroup> is null"},
		{"directly bad msgId", requestcode.ConsumeMessageDirectly, map[string]string{"consumerGroup": "G", "clientId": "c1", "msgId": "zz"}, "", sysErr, "bad msgId <zz>"},
		{"directly unknown msgId", requestcode.ConsumeMessageDirectly, map[string]string{"consumerGroup": "G", "clientId": "c1", "msgId": "7F00000100002A9F00000000FFFFFFFF"}, "", sysErr, "no message with msgId"},
		{"update config bad escape", requestcode.UpdateBrokerConfig, nil, "a=\\uZZ", sysErr, "string2Properties error"},
	}
	for _, tt := range tests {
		var bodyBytes []byte
		if tt.body != "" {
			bodyBytes = []byte(tt.body)
		}
		r := a.call(tt.code, tt.ext, bodyBytes)
		if r.Code != int32(tt.want) || !strings.Contains(r.Remark, tt.remark) {
			t.Errorf("%s: got %d %q, want %d containing %q", tt.name, r.Code, r.Remark, tt.want, tt.remark)
		}
	}
}

// TestAdminToolsUpdateBrokerConfig: live keys change the running broker at
// once, every known key shows in GET_BROKER_CONFIG and is persisted to the
// config file, unknown keys are ignored and named in the remark.
func TestAdminToolsUpdateBrokerConfig(t *testing.T) {
	confPath := filepath.Join(t.TempDir(), "broker.conf")
	if err := os.WriteFile(confPath, []byte("brokerName=broker-test\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b := adminToolsStartBroker(t, confPath)
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
	defer cl.Close()
	a := adminToolsCaller{t, cl, b}
	a.ok(requestcode.UpdateAndCreateTopic, map[string]string{"topic": adminToolsTopic, "defaultTopic": "TBW102",
		"readQueueNums": "1", "writeQueueNums": "1", "perm": "6", "topicFilterType": "SINGLE_TAG"}, nil)
	pull := func() int32 {
		resp, err := cl.Invoke(context.Background(), b.Addr(), pullRequest(adminToolsTopic, 0, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		return resp.Code
	}
	if c := pull(); c == int32(requestcode.NoPermission) {
		t.Fatalf("pull refused before the update: %d", c)
	}
	_, v0 := b.adminTools.configText()

	r := a.ok(requestcode.UpdateBrokerConfig, nil, []byte("brokerPermission=2\nlongPollingEnable=false\nlistenPort=12345\nnoSuchKey=1\n"))
	if !strings.Contains(r.Remark, "after a restart: listenPort") || !strings.Contains(r.Remark, "ignored: noSuchKey") || strings.Contains(r.Remark, "brokerPermission") {
		t.Errorf("remark %q", r.Remark)
	}
	if s := b.env.Settings(); s.BrokerPermission != 2 || s.LongPollingEnable {
		t.Errorf("settings not live: perm %d longPolling %v", s.BrokerPermission, s.LongPollingEnable)
	}
	if c := pull(); c != int32(requestcode.NoPermission) {
		t.Errorf("pull with a write-only broker: %d, want NO_PERMISSION", c)
	}
	// The NameServer learns the new permission with the next registration.
	if w, _, err := b.registerBody(); err != nil {
		t.Fatal(err)
	} else {
		for name, tc := range w.TopicConfigTable {
			if tc.Perm != 2 {
				t.Errorf("registration announces %s with perm %d, want the broker's 2", name, tc.Perm)
				break
			}
		}
	}
	r = a.ok(requestcode.GetBrokerConfig, nil, nil)
	text := string(r.Body)
	for _, want := range []string{"\nbrokerPermission=2\n", "\nlongPollingEnable=false\n", "\nlistenPort=12345\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("GET_BROKER_CONFIG lacks %q", want)
		}
	}
	if strings.Contains(text, "noSuchKey") {
		t.Error("unknown key shown")
	}
	v1, err := body.DecodeDataVersion([]byte(r.Value("version")))
	if v, _ := body.DecodeDataVersion(v0); err != nil || v1.Counter != v.Counter+1 {
		t.Errorf("version %s after %s", r.Value("version"), v0)
	}
	saved, err := os.ReadFile(confPath)
	if err != nil {
		t.Fatal(err)
	}
	props, err := config.ParseProperties(strings.NewReader(string(saved)))
	if err != nil || props["brokerPermission"] != "2" || props["listenPort"] != "12345" || props["brokerName"] != "broker-test" || props["noSuchKey"] != "" {
		t.Fatalf("persisted %v %v", props, err)
	}
	if _, err := os.Stat(confPath + ".bak"); err != nil {
		t.Errorf("no backup of the previous file: %v", err)
	}

	a.ok(requestcode.UpdateBrokerConfig, nil, []byte("brokerPermission=6"))
	if c := pull(); c == int32(requestcode.NoPermission) {
		t.Errorf("pull still refused after restoring the permission")
	}
	// a body-less update changes nothing
	a.ok(requestcode.UpdateBrokerConfig, nil, nil)
	if b.env.Settings().BrokerPermission != 6 {
		t.Error("empty update changed the permission")
	}
}
