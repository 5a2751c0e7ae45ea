package broker

import (
	"context"
	"strings"
	"testing"

	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
)

// TestAdminCodes drives the admin codes an operator uses first against an
// in-process broker and checks what each changes.
func TestAdminCodes(t *testing.T) {
	b := startBroker(t, nil)
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
	defer cl.Close()
	call := func(code requestcode.RequestCode, ext map[string]string, bodyBytes []byte) *codec.Command {
		t.Helper()
		req := codec.NewRequest(int32(code), 0)
		for k, v := range ext {
			req.Set(k, v)
		}
		req.Body = bodyBytes
		resp, err := cl.Invoke(context.Background(), b.Addr(), req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	create := map[string]string{"topic": "AdminT", "defaultTopic": "TBW102", "readQueueNums": "3", "writeQueueNums": "3",
		"perm": "6", "topicFilterType": "SINGLE_TAG", "topicSysFlag": "0", "order": "false"}
	if r := call(requestcode.UpdateAndCreateTopic, create, nil); r.Code != 0 {
		t.Fatalf("create topic: %d %s", r.Code, r.Remark)
	}
	r := call(requestcode.GetAllTopicConfig, nil, nil)
	w, err := body.DecodeTopicConfigSerializeWrapper(r.Body)
	if err != nil || r.Code != 0 {
		t.Fatalf("topic table: %v %d", err, r.Code)
	}
	if tc := w.TopicConfigTable["AdminT"]; tc == nil || tc.ReadQueueNums != 3 || tc.Perm != 6 {
		t.Fatalf("AdminT in the table: %+v", tc)
	}
	if w.TopicConfigTable["TBW102"] == nil || w.TopicConfigTable["SCHEDULE_TOPIC_XXXX"] == nil {
		t.Fatal("system topics missing from the table")
	}
	bad := map[string]string{"topic": "SCHEDULE_TOPIC_XXXX", "defaultTopic": "TBW102", "readQueueNums": "1",
		"writeQueueNums": "1", "perm": "6", "topicFilterType": "SINGLE_TAG"}
	if r := call(requestcode.UpdateAndCreateTopic, bad, nil); r.Code != int32(requestcode.SystemError) || !strings.Contains(r.Remark, "system topic") {
		t.Fatalf("system topic overwrite: %d %s", r.Code, r.Remark)
	}
	if r := call(requestcode.DeleteTopicInBroker, map[string]string{"topic": "AdminT"}, nil); r.Code != 0 {
		t.Fatalf("delete topic: %d %s", r.Code, r.Remark)
	}
	if _, ok := b.topics.Get("AdminT"); ok {
		t.Fatal("AdminT still configured after DELETE_TOPIC_IN_BROKER")
	}

	sg := body.NewSubscriptionGroupConfig("AdminG")
	sg.RetryMaxTimes = 3
	if r := call(requestcode.UpdateAndCreateSubscriptiongroup, nil, sg.Encode()); r.Code != 0 {
		t.Fatalf("create group: %d %s", r.Code, r.Remark)
	}
	r = call(requestcode.GetAllSubscriptiongroupConfig, nil, nil)
	gw, err := body.DecodeSubscriptionGroupWrapper(r.Body)
	if err != nil || gw.SubscriptionGroupTable["AdminG"].RetryMaxTimes != 3 {
		t.Fatalf("group table: %v %+v", err, gw)
	}
	if r := call(requestcode.DeleteSubscriptiongroup, map[string]string{"groupName": "AdminG"}, nil); r.Code != 0 {
		t.Fatalf("delete group: %d %s", r.Code, r.Remark)
	}
	if _, ok := b.groups.Find("AdminG"); ok {
		t.Fatal("AdminG survived DELETE_SUBSCRIPTIONGROUP")
	}

	r = call(requestcode.GetBrokerRuntimeInfo, nil, nil)
	kv, err := body.DecodeKVTable(r.Body)
	if err != nil || kv.Table["brokerVersionDesc"] != "V4_9_7" || kv.Table["commitLogMaxOffset"] == "" {
		t.Fatalf("runtime info: %v %v", err, kv)
	}
	r = call(requestcode.GetBrokerConfig, nil, nil)
	if r.Code != 0 || !strings.Contains(string(r.Body), "brokerName=broker-test\n") || r.Value("version") == "" {
		t.Fatalf("broker config: %d %q", r.Code, r.Body)
	}
}
