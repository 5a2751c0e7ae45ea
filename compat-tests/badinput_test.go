package compat

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
)

// TestBrokerRefusesBadRequests sends malformed sends and pulls to a real
// broker process over our own remoting client and checks each gets Java's
// response code and a remark that says what is wrong — and that the broker
// still serves afterwards.
func TestBrokerRefusesBadRequests(t *testing.T) {
	c := startCluster(t, "maxMessageSize=1024")
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quietLogger()})
	defer cl.Close()
	createTopic(t, c, "BadInputTopic", 2)

	sendReq := func(mut func(r *codec.Command)) *codec.Command {
		r := codec.NewRequest(int32(requestcode.SendMessage), 0)
		for _, kv := range [][2]string{{"producerGroup", "PG"}, {"topic", "BadInputTopic"}, {"defaultTopic", "TBW102"},
			{"defaultTopicQueueNums", "4"}, {"queueId", "0"}, {"sysFlag", "0"}, {"bornTimestamp", "1700000000000"},
			{"flag", "0"}, {"properties", "TAGS\x01a\x02"}, {"reconsumeTimes", "0"}, {"unitMode", "false"}, {"batch", "false"}} {
			r.Set(kv[0], kv[1])
		}
		r.Body = []byte("hello")
		mut(r)
		return r
	}
	pullReq := func(group, topic string) *codec.Command {
		r := codec.NewRequest(int32(requestcode.PullMessage), 0)
		for _, kv := range [][2]string{{"consumerGroup", group}, {"topic", topic}, {"queueId", "0"}, {"queueOffset", "0"},
			{"maxMsgNums", "32"}, {"sysFlag", "0"}, {"commitOffset", "0"}, {"suspendTimeoutMillis", "0"}, {"subVersion", "0"}} {
			r.Set(kv[0], kv[1])
		}
		return r
	}
	cases := []struct {
		name   string
		req    *codec.Command
		code   requestcode.ResponseCode
		remark string
	}{
		{"ok", sendReq(func(*codec.Command) {}), requestcode.Success, ""},
		{"missing topic", sendReq(func(r *codec.Command) { r.Ext = without(r.Ext, "topic") }), requestcode.SystemError, "<topic> is null"},
		{"negative queue picks one", sendReq(func(r *codec.Command) { r.Set("queueId", "-1") }), requestcode.Success, ""},
		{"queue out of range", sendReq(func(r *codec.Command) { r.Set("queueId", "99") }), requestcode.SystemError, "request queueId[99] is illegal"},
		{"queue not a number", sendReq(func(r *codec.Command) { r.Set("queueId", "x") }), requestcode.SystemError, "queueId"},
		{"body over the limit", sendReq(func(r *codec.Command) { r.Body = make([]byte, 2048) }), requestcode.MessageIllegal, "msg body length limit 1024B"},
		{"illegal topic name", sendReq(func(r *codec.Command) { r.Set("topic", "bad topic!") }), requestcode.SystemError, "illegal characters"},
		{"forbidden topic", sendReq(func(r *codec.Command) { r.Set("topic", "SCHEDULE_TOPIC_XXXX") }), requestcode.NoPermission, "is forbidden"},
		{"pull unknown topic", pullReq("G", "NoSuchTopic"), requestcode.TopicNotExist, "topic[NoSuchTopic] not exist"},
		{"pull unknown group without subscription", pullReq("UnknownGroup", "BadInputTopic"), requestcode.SubscriptionNotExist, "group info not exist"},
		{"unknown request code", codec.NewRequest(9999, 0), requestcode.RequestCodeNotSupported, "9999"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			resp, err := cl.Invoke(ctx, c.Broker(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Code != int32(tc.code) || !strings.Contains(resp.Remark, tc.remark) {
				t.Fatalf("code %d remark %q, want %d containing %q", resp.Code, resp.Remark, tc.code, tc.remark)
			}
			if tc.code == requestcode.Success && (len(resp.Value("msgId")) != 32 || resp.Value("MSG_REGION") == "") {
				t.Fatalf("send reply header %v", resp.Ext)
			}
		})
	}
}

func without(fields []codec.Field, key string) []codec.Field {
	out := fields[:0:0]
	for _, f := range fields {
		if f.Key != key {
			out = append(out, f)
		}
	}
	return out
}
