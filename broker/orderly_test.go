package broker

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/broker/rebalancelock"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/rocketgo/rocketgo/store/message"
)

func orderlyClient(t testing.TB, st codec.SerializeType) *remoting.Client {
	t.Helper()
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet(), Serialize: st})
	t.Cleanup(cl.Close)
	return cl
}

func orderlyInvoke(t testing.TB, cl *remoting.Client, addr string, req *codec.Command) *codec.Command {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := cl.Invoke(ctx, addr, req)
	if err != nil {
		t.Fatalf("invoke %d: %v", req.Code, err)
	}
	return resp
}

func orderlyLockRequest(code requestcode.RequestCode, group, client string, ids ...int32) *codec.Command {
	r := rebalancelock.BatchRequest{ConsumerGroup: group, ClientID: client}
	for _, id := range ids {
		r.MQs = append(r.MQs, rebalancelock.MessageQueue{Topic: "LockTopic", BrokerName: "broker-test", QueueID: id})
	}
	req := codec.NewRequest(int32(code), 0)
	req.Body = r.Encode()
	return req
}

// orderlyLock sends LOCK_BATCH_MQ and returns the granted queue ids.
func orderlyLock(t *testing.T, cl *remoting.Client, addr, group, client string, ids ...int32) []int32 {
	t.Helper()
	resp := orderlyInvoke(t, cl, addr, orderlyLockRequest(requestcode.LockBatchMq, group, client, ids...))
	if resp.Code != int32(requestcode.Success) {
		t.Fatalf("lock: %d %s", resp.Code, resp.Remark)
	}
	mqs, err := rebalancelock.DecodeLockBatchResponse(resp.Body)
	if err != nil {
		t.Fatalf("lock response %q: %v", resp.Body, err)
	}
	got := []int32{}
	for _, mq := range mqs {
		got = append(got, mq.QueueID)
	}
	return got
}

// TestLockBatchMQ: one owner per queue per group; only the owner unlocks;
// the response body is fastjson's LockBatchResponseBody.
func TestLockBatchMQ(t *testing.T) {
	b := startBroker(t, nil)
	cl := orderlyClient(t, codec.JSON)
	addr := b.Addr()

	steps := []struct {
		name          string
		unlock        bool
		group, client string
		ids           []int32
		want          []int32
	}{
		{"A takes the free queues", false, "G", "A", []int32{0, 1, 2, 3}, []int32{0, 1, 2, 3}},
		{"B gets none of A's", false, "G", "B", []int32{0, 1, 2, 3, 4}, []int32{4}},
		{"another group is independent", false, "G2", "B", []int32{0}, []int32{0}},
		{"B cannot unlock A's queue", true, "G", "B", []int32{0}, nil},
		{"so B still gets nothing", false, "G", "B", []int32{0}, []int32{}},
		{"A unlocks 0 and 1", true, "G", "A", []int32{0, 1}, nil},
		{"B gets them now", false, "G", "B", []int32{0, 1, 2}, []int32{0, 1}},
		{"A renews what it keeps", false, "G", "A", []int32{0, 1, 2, 3}, []int32{2, 3}},
	}
	for _, s := range steps {
		if s.unlock {
			resp := orderlyInvoke(t, cl, addr, orderlyLockRequest(requestcode.UnlockBatchMq, s.group, s.client, s.ids...))
			if resp.Code != int32(requestcode.Success) || len(resp.Body) != 0 {
				t.Fatalf("%s: unlock answered %d %q body %q", s.name, resp.Code, resp.Remark, resp.Body)
			}
			continue
		}
		if got := orderlyLock(t, cl, addr, s.group, s.client, s.ids...); !reflect.DeepEqual(got, s.want) {
			t.Fatalf("%s: %s got %v, want %v", s.name, s.client, got, s.want)
		}
	}
	resp := orderlyInvoke(t, cl, addr, orderlyLockRequest(requestcode.LockBatchMq, "G", "A", 3))
	if want := `{"lockOKMQSet":[{"brokerName":"broker-test","queueId":3,"topic":"LockTopic"}]}`; string(resp.Body) != want {
		t.Fatalf("body %s\nwant %s", resp.Body, want)
	}
	if owner, live := b.orderly.locks.Owner("G", rebalancelock.MessageQueue{Topic: "LockTopic", BrokerName: "broker-test", QueueID: 0}); owner != "B" || !live {
		t.Fatalf("lock table: queue 0 owned by %q live=%v", owner, live)
	}
}

func TestLockMaxLiveTimeEnv(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want time.Duration
	}{{"", time.Minute}, {"1500", 1500 * time.Millisecond}, {" 20 ", 20 * time.Millisecond}, {"x", time.Minute}, {"-1", time.Minute}, {"0", time.Minute}} {
		t.Setenv(lockMaxLiveTimeEnv, tc.v)
		if got := lockMaxLiveTime(quiet()); got != tc.want {
			t.Errorf("%s=%q: %v, want %v", lockMaxLiveTimeEnv, tc.v, got, tc.want)
		}
	}
}

// orderlySendRequest is a SEND_MESSAGE with KEYS and UNIQ_KEY.
func orderlySendRequest(topic string, body, keys, uniq string) *codec.Command {
	r := sendRequest(topic, 0, []byte(body))
	r.Set("properties", "KEYS\x01"+keys+"\x02TAGS\x01TagQ\x02UNIQ_KEY\x01"+uniq+"\x02")
	return r
}

func orderlyQueryRequest(topic, key string, maxNum int, begin, end int64, unique bool) *codec.Command {
	r := codec.NewRequest(int32(requestcode.QueryMessage), 0)
	r.Set("topic", topic)
	r.Set("key", key)
	r.Set("maxNum", strconv.Itoa(maxNum))
	r.Set("beginTimestamp", strconv.FormatInt(begin, 10))
	r.Set("endTimestamp", strconv.FormatInt(end, 10))
	r.Set("_UNIQUE_KEY_QUERY", strconv.FormatBool(unique))
	return r
}

func orderlyViewRequest(offset string) *codec.Command {
	r := codec.NewRequest(int32(requestcode.ViewMessageById), 0)
	r.Set("offset", offset)
	return r
}

// orderlyRecords decodes a query or view body.
func orderlyRecords(t *testing.T, b []byte) []message.Record {
	t.Helper()
	var recs []message.Record
	sc := message.NewScanner(b, 0, true)
	for sc.Next() {
		recs = append(recs, *sc.Record())
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("records: %v", err)
	}
	return recs
}

// TestQueryAndViewMessage: QUERY_MESSAGE by a KEYS entry and by UNIQ_KEY
// finds the sent messages with the index freshness header; maxNum is
// capped by maxMsgsNumBatch, and a unique-key query uses
// defaultQueryMaxNum; VIEW_MESSAGE_BY_ID answers the record at the offset
// in the send reply's msgId. Replies written from the mapped commitlog use
// JSON headers whatever the request used, as Java's do.
func TestQueryAndViewMessage(t *testing.T) {
	b := startBroker(t, map[string]string{"maxMsgsNumBatch": "8", "defaultQueryMaxNum": "5"})
	addr := b.Addr()
	cl := orderlyClient(t, codec.JSON)
	before := time.Now().UnixMilli()

	var offsetIDs []string
	for i := 0; i < 12; i++ {
		keys := fmt.Sprintf("k-%d shared", i)
		resp := orderlyInvoke(t, cl, addr, orderlySendRequest("QT", fmt.Sprintf("body-%d", i), keys, fmt.Sprintf("UNIQ%02d", i)))
		if resp.Code != 0 {
			t.Fatalf("send %d: %d %s", i, resp.Code, resp.Remark)
		}
		offsetIDs = append(offsetIDs, resp.Value("msgId"))
	}
	// The index is built behind the consume queues: wait for the last key.
	deadline := time.Now().Add(5 * time.Second)
	for orderlyInvoke(t, cl, addr, orderlyQueryRequest("QT", "k-11", 32, 0, math.MaxInt64, false)).Code != 0 {
		if time.Now().After(deadline) {
			t.Fatal("k-11 never indexed")
		}
		time.Sleep(5 * time.Millisecond)
	}

	cases := []struct {
		name   string
		req    *codec.Command
		bodies []string
	}{
		{"one key", orderlyQueryRequest("QT", "k-3", 32, 0, math.MaxInt64, false), []string{"body-3"}},
		{"second of two keys", orderlyQueryRequest("QT", "shared", 3, 0, math.MaxInt64, false), []string{"body-9", "body-10", "body-11"}},
		{"maxNum capped by maxMsgsNumBatch", orderlyQueryRequest("QT", "shared", 1000, 0, math.MaxInt64, false),
			[]string{"body-4", "body-5", "body-6", "body-7", "body-8", "body-9", "body-10", "body-11"}},
		{"unique key", orderlyQueryRequest("QT", "UNIQ07", 1, before-1000, math.MaxInt64, true), []string{"body-7"}},
		{"unique flag takes defaultQueryMaxNum", orderlyQueryRequest("QT", "shared", 1, 0, math.MaxInt64, true),
			[]string{"body-7", "body-8", "body-9", "body-10", "body-11"}},
	}
	for _, tc := range cases {
		resp := orderlyInvoke(t, cl, addr, tc.req)
		if resp.Code != 0 {
			t.Fatalf("%s: %d %s", tc.name, resp.Code, resp.Remark)
		}
		var bodies []string
		for _, r := range orderlyRecords(t, resp.Body) {
			if r.TopicString() != "QT" {
				t.Fatalf("%s: topic %s", tc.name, r.Topic)
			}
			bodies = append(bodies, string(r.Body))
		}
		if !reflect.DeepEqual(bodies, tc.bodies) {
			t.Errorf("%s: %v, want %v", tc.name, bodies, tc.bodies)
		}
		ts, _ := strconv.ParseInt(resp.Value("indexLastUpdateTimestamp"), 10, 64)
		phy, _ := strconv.ParseInt(resp.Value("indexLastUpdatePhyoffset"), 10, 64)
		if ts < before || phy <= 0 {
			t.Errorf("%s: index header %v", tc.name, resp.Ext)
		}
	}

	nf := orderlyInvoke(t, cl, addr, orderlyQueryRequest("QT", "no-such-key", 32, 0, math.MaxInt64, false))
	if nf.Code != int32(requestcode.QueryNotFound) || nf.Remark != "can not find message, maybe time range not correct" ||
		nf.Value("indexLastUpdateTimestamp") != "0" || nf.Value("indexLastUpdatePhyoffset") != "0" {
		t.Fatalf("not found: %d %q %v", nf.Code, nf.Remark, nf.Ext)
	}
	if r := orderlyInvoke(t, cl, addr, orderlyQueryRequest("QT", "k-3", 32, time.Now().Add(time.Hour).UnixMilli(), math.MaxInt64, false)); r.Code != int32(requestcode.QueryNotFound) {
		t.Fatalf("a range after the message: %d", r.Code)
	}

	// VIEW_MESSAGE_BY_ID with the offset of an offset msgId, from a client
	// whose headers are ROCKETMQ.
	rcl := orderlyClient(t, codec.RocketMQ)
	for i, id := range offsetIDs {
		_, off, err := message.DecodeOffsetMsgID(id)
		if err != nil {
			t.Fatal(err)
		}
		resp := orderlyInvoke(t, rcl, addr, orderlyViewRequest(strconv.FormatInt(off, 10)))
		if resp.Code != 0 {
			t.Fatalf("view %s: %d %s", id, resp.Code, resp.Remark)
		}
		if resp.Serialize != codec.JSON {
			t.Fatalf("view reply serialized as %v, Java answers JSON", resp.Serialize)
		}
		recs := orderlyRecords(t, resp.Body)
		if len(recs) != 1 || string(recs[0].Body) != fmt.Sprintf("body-%d", i) || recs[0].PhysicalOffset != off || recs[0].OffsetMsgID() != id {
			t.Fatalf("view %s: %d records", id, len(recs))
		}
		if keys, _ := recs[0].Keys(); string(keys) != fmt.Sprintf("k-%d shared", i) {
			t.Fatalf("view %s: KEYS %q", id, keys)
		}
	}
}

// TestOrderlyBadInput: malformed lock bodies and query/view headers get
// Java's codes and a remark that says what is wrong; the broker keeps
// serving.
func TestOrderlyBadInput(t *testing.T) {
	b := startBroker(t, nil)
	addr := b.Addr()
	cl := orderlyClient(t, codec.JSON)
	withBody := func(code requestcode.RequestCode, body string) *codec.Command {
		r := codec.NewRequest(int32(code), 0)
		if body != "" {
			r.Body = []byte(body)
		}
		return r
	}
	without := func(r *codec.Command, key string) *codec.Command {
		out := r.Ext[:0:0]
		for _, f := range r.Ext {
			if f.Key != key {
				out = append(out, f)
			}
		}
		r.Ext = out
		return r
	}
	with := func(r *codec.Command, key, v string) *codec.Command { r.Set(key, v); return r }
	q := func() *codec.Command { return orderlyQueryRequest("QT", "k", 32, 0, math.MaxInt64, false) }
	const mqs = `"mqSet":[{"brokerName":"b","queueId":0,"topic":"T"}]`

	cases := []struct {
		name   string
		req    *codec.Command
		code   requestcode.ResponseCode
		remark string
		body   string
	}{
		{"lock without body", withBody(requestcode.LockBatchMq, ""), requestcode.SystemError, "body is empty", ""},
		{"unlock without body", withBody(requestcode.UnlockBatchMq, ""), requestcode.SystemError, "body is empty", ""},
		{"lock body null", withBody(requestcode.LockBatchMq, "null"), requestcode.SystemError, "not a JSON object", ""},
		{"lock body not JSON", withBody(requestcode.LockBatchMq, "{consumerGroup"), requestcode.SystemError, "LockBatchRequestBody", ""},
		{"lock queueId not a number", withBody(requestcode.LockBatchMq, `{"consumerGroup":"G","clientId":"C","mqSet":[{"queueId":"zero"}]}`), requestcode.SystemError, "queueId", ""},
		{"lock without consumerGroup", withBody(requestcode.LockBatchMq, `{"clientId":"C",`+mqs+`}`), requestcode.SystemError, "consumerGroup and clientId are required", ""},
		{"lock without clientId", withBody(requestcode.LockBatchMq, `{"consumerGroup":"G",`+mqs+`}`), requestcode.SystemError, "consumerGroup and clientId are required", ""},
		{"unlock without clientId", withBody(requestcode.UnlockBatchMq, `{"consumerGroup":"G",`+mqs+`}`), requestcode.SystemError, "consumerGroup and clientId are required", ""},
		{"lock of no queues", withBody(requestcode.LockBatchMq, `{"consumerGroup":"G","clientId":"C","mqSet":[]}`), requestcode.Success, "", `{"lockOKMQSet":[]}`},
		{"lock with everything", withBody(requestcode.LockBatchMq, `{"consumerGroup":"G","clientId":"C",`+mqs+`}`), requestcode.Success, "", `{"lockOKMQSet":[{"brokerName":"b","queueId":0,"topic":"T"}]}`},
		{"query without topic", without(q(), "topic"), requestcode.SystemError, "<topic> is null", ""},
		{"query without key", without(q(), "key"), requestcode.SystemError, "<key> is null", ""},
		{"query without maxNum", without(q(), "maxNum"), requestcode.SystemError, "<maxNum> is null", ""},
		{"query without beginTimestamp", without(q(), "beginTimestamp"), requestcode.SystemError, "<beginTimestamp> is null", ""},
		{"query without endTimestamp", without(q(), "endTimestamp"), requestcode.SystemError, "<endTimestamp> is null", ""},
		{"query maxNum not a number", with(q(), "maxNum", "many"), requestcode.SystemError, "<maxNum> is not a number", ""},
		{"query negative maxNum", with(q(), "maxNum", "-1"), requestcode.SystemError, "maxNum must not be negative", ""},
		{"query maxNum 0", with(q(), "maxNum", "0"), requestcode.QueryNotFound, "can not find message", ""},
		{"query unknown topic", with(q(), "topic", "NoSuchTopic"), requestcode.QueryNotFound, "can not find message", ""},
		{"view without offset", codec.NewRequest(int32(requestcode.ViewMessageById), 0), requestcode.SystemError, "<offset> is null", ""},
		{"view offset not a number", orderlyViewRequest("x"), requestcode.SystemError, "<offset> is not a number", ""},
		{"view negative offset", orderlyViewRequest("-1"), requestcode.SystemError, "can not find message by the offset, -1", ""},
		{"view beyond the commitlog", orderlyViewRequest("123456789"), requestcode.SystemError, "can not find message by the offset, 123456789", ""},
	}
	for _, tc := range cases {
		resp := orderlyInvoke(t, cl, addr, tc.req)
		if resp.Code != int32(tc.code) || !strings.Contains(resp.Remark, tc.remark) || string(resp.Body) != tc.body {
			t.Errorf("%s: code %d remark %q body %q, want %d containing %q body %q", tc.name, resp.Code, resp.Remark, resp.Body, tc.code, tc.remark, tc.body)
		}
	}
	// Still serving.
	if got := orderlyLock(t, cl, addr, "G", "D", 1); !reflect.DeepEqual(got, []int32{1}) {
		t.Fatalf("after bad input: %v", got)
	}
}

// BenchmarkQueryMessageLoopback is QUERY_MESSAGE by key end to end over
// loopback: header decode, index walk, zero-copy reply of four records.
func BenchmarkQueryMessageLoopback(b *testing.B) {
	br := startBroker(b, nil)
	cl := orderlyClient(b, codec.JSON)
	addr := br.Addr()
	for i := 0; i < 400; i++ {
		resp := orderlyInvoke(b, cl, addr, orderlySendRequest("QB", "payload-"+strconv.Itoa(i), "key-"+strconv.Itoa(i%100), "U"+strconv.Itoa(i)))
		if resp.Code != 0 {
			b.Fatal(resp.Remark)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for orderlyInvoke(b, cl, addr, orderlyQueryRequest("QB", "U399", 1, 0, math.MaxInt64, true)).Code != 0 {
		if time.Now().After(deadline) {
			b.Fatal("not indexed")
		}
		time.Sleep(5 * time.Millisecond)
	}
	req := orderlyQueryRequest("QB", "key-42", 32, 0, math.MaxInt64, false)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := cl.Invoke(ctx, addr, req)
		if err != nil || resp.Code != 0 || len(resp.Body) == 0 {
			b.Fatalf("%v %v", resp, err)
		}
	}
}

// BenchmarkLockBatchLoopback16 is LOCK_BATCH_MQ of 16 queues over loopback.
func BenchmarkLockBatchLoopback16(b *testing.B) {
	br := startBroker(b, nil)
	cl := orderlyClient(b, codec.JSON)
	ids := make([]int32, 16)
	for i := range ids {
		ids[i] = int32(i)
	}
	req := orderlyLockRequest(requestcode.LockBatchMq, "BG", "bench@1", ids...)
	ctx := context.Background()
	addr := br.Addr()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := cl.Invoke(ctx, addr, req)
		if err != nil || resp.Code != 0 {
			b.Fatalf("%v %v", resp, err)
		}
	}
}
