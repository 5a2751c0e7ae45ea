package broker

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/rocketgo/rocketgo/store/message"
)

// replyRequester is a requesting client as the Java client is one: a
// connection registered as a producer by HEART_BEAT under its client id,
// answering PUSH_REPLY_MESSAGE_TO_CLIENT.
type replyRequester struct {
	cl     *remoting.Client
	pushes chan *codec.Command
	mu     sync.Mutex
	answer func(*codec.Command) *codec.Command // nil: SUCCESS
}

func newReplyRequester(tb testing.TB, b *Broker, clientID string) *replyRequester {
	tb.Helper()
	rq := &replyRequester{pushes: make(chan *codec.Command, 1024)}
	rq.cl = remoting.NewClient(remoting.ClientConfig{Logger: quiet(), Processors: map[requestcode.RequestCode]remoting.RequestHandler{
		requestcode.PushReplyMessageToClient: func(req *codec.Command) (*codec.Command, error) {
			select {
			case rq.pushes <- req:
			default:
			}
			rq.mu.Lock()
			answer := rq.answer
			rq.mu.Unlock()
			if answer != nil {
				return answer(req), nil
			}
			return codec.NewResponse(req, int32(requestcode.Success), ""), nil
		},
	}})
	tb.Cleanup(rq.cl.Close)
	hb := codec.NewRequest(int32(requestcode.HeartBeat), 0)
	hb.Body = []byte(`{"clientID":"` + clientID + `","producerDataSet":[{"groupName":"REQUESTER_PG"}],"consumerDataSet":[]}`)
	if resp, err := rq.cl.Invoke(context.Background(), b.Addr(), hb); err != nil || resp.Code != 0 {
		tb.Fatalf("heartbeat: %v %v", resp, err)
	}
	return rq
}

func (rq *replyRequester) setAnswer(f func(*codec.Command) *codec.Command) {
	rq.mu.Lock()
	rq.answer = f
	rq.mu.Unlock()
}

// replyRequest is what a replying client sends: V1 (324, long keys) or V2
// (325, short keys) with the request's correlation properties.
func replyRequest(code requestcode.RequestCode, topic, props string, body []byte) *codec.Command {
	r := codec.NewRequest(int32(code), 0)
	keys := []string{"producerGroup", "topic", "defaultTopic", "defaultTopicQueueNums", "queueId", "sysFlag",
		"bornTimestamp", "flag", "properties", "reconsumeTimes", "unitMode"}
	if code == requestcode.SendReplyMessageV2 {
		keys = []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"}
	}
	vals := []string{"REPLIER_PG", topic, "TBW102", "4", "0", "0", "1700000000123", "7", props, "2", "false"}
	for i, k := range keys {
		r.Set(k, vals[i])
	}
	r.Body = body
	return r
}

func replyProps(client string) string {
	return "CORRELATION_ID\x01corr-1\x02REPLY_TO_CLIENT\x01" + client + "\x02TTL\x013\x02MSG_TYPE\x01reply\x02WAIT\x01true"
}

// TestReplyPushedAndStored: a reply sent with either header form is pushed
// to the requester with Java's ReplyMessageRequestHeader, answered SUCCESS
// with the send header fields, and — with storeReplyMessageEnable — stored
// on the reply topic with its properties exactly as sent.
func TestReplyPushedAndStored(t *testing.T) {
	for _, tc := range []struct {
		name  string
		code  requestcode.RequestCode
		store bool
	}{
		{"v1 stored", requestcode.SendReplyMessage, true},
		{"v2 stored", requestcode.SendReplyMessageV2, true},
		{"v1 not stored", requestcode.SendReplyMessage, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := startBroker(t, map[string]string{"storeReplyMessageEnable": strconv.FormatBool(tc.store),
				"regionId": "RegionX", "traceOn": "false"})
			rq := newReplyRequester(t, b, "requester@1")
			replier := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
			defer replier.Close()
			const topic = "DefaultCluster_REPLY_TOPIC"
			props := replyProps("requester@1")
			before := time.Now().UnixMilli()
			resp, err := replier.Invoke(context.Background(), b.Addr(), replyRequest(tc.code, topic, props, []byte("pong")))
			if err != nil || resp.Code != 0 {
				t.Fatalf("reply: %v %v", resp, err)
			}
			if resp.Value("MSG_REGION") != "RegionX" || resp.Value("TRACE_ON") != "false" || resp.Value("queueId") != "0" {
				t.Fatalf("reply response header %v", resp.Ext)
			}
			var push *codec.Command
			select {
			case push = <-rq.pushes:
			case <-time.After(5 * time.Second):
				t.Fatal("no push reached the requester")
			}
			want := map[string]string{"producerGroup": "REPLIER_PG", "topic": topic, "defaultTopic": "TBW102",
				"defaultTopicQueueNums": "4", "queueId": "0", "sysFlag": "0", "bornTimestamp": "1700000000123",
				"flag": "7", "reconsumeTimes": "2", "unitMode": "false", "storeHost": b.BrokerAddr()}
			for k, v := range want {
				if got, ok := push.Get(k); !ok || got != v {
					t.Errorf("push %s = %q (present %v), want %q", k, got, ok, v)
				}
			}
			if !strings.HasPrefix(push.Value("bornHost"), "127.0.0.1:") {
				t.Errorf("push bornHost %q", push.Value("bornHost"))
			}
			if ts, _ := strconv.ParseInt(push.Value("storeTimestamp"), 10, 64); ts < before {
				t.Errorf("push storeTimestamp %d before the send at %d", ts, before)
			}
			pp := message.Properties(push.Value("properties"))
			for k, v := range map[string]string{"CORRELATION_ID": "corr-1", "REPLY_TO_CLIENT": "requester@1", "TTL": "3", "WAIT": "true"} {
				if got, _ := pp.GetString(k); got != v {
					t.Errorf("pushed property %s = %q, want %q", k, got, v)
				}
			}
			if ts, _ := pp.GetString("PUSH_REPLY_TIME"); ts != push.Value("storeTimestamp") {
				t.Errorf("PUSH_REPLY_TIME %q, storeTimestamp %q", ts, push.Value("storeTimestamp"))
			}
			if string(push.Body) != "pong" {
				t.Errorf("pushed body %q", push.Body)
			}

			pull, err := replier.Invoke(context.Background(), b.Addr(), pullRequest(topic, 0, 0, 0))
			if err != nil {
				t.Fatal(err)
			}
			if !tc.store {
				if resp.Value("msgId") != "0" || resp.Value("queueOffset") != "0" {
					t.Fatalf("unstored reply answered %v", resp.Ext)
				}
				if pull.Code == 0 {
					t.Fatal("the reply was stored with storeReplyMessageEnable=false")
				}
				return
			}
			if len(resp.Value("msgId")) != 32 || resp.Value("queueOffset") != "0" {
				t.Fatalf("stored reply answered %v", resp.Ext)
			}
			if pull.Code != 0 {
				t.Fatalf("pull reply topic: %v", pull)
			}
			sc := message.NewScanner(pull.Body, 0, true)
			if !sc.Next() {
				t.Fatalf("no stored reply: %v", sc.Err())
			}
			r := sc.Record()
			if string(r.Body) != "pong" || string(r.Properties) != props || r.SysFlag != 0 || r.Flag != 7 ||
				r.ReconsumeTimes != 2 || r.BornTimestamp != 1700000000123 || r.OffsetMsgID() != resp.Value("msgId") {
				t.Fatalf("stored reply %+v", r)
			}
		})
	}
}

// TestReplyBadInput: each malformed or undeliverable reply gets Java's
// code and remark; with storing on, a reply whose push failed is still
// stored (and says where), as in Java; the broker keeps serving.
func TestReplyBadInput(t *testing.T) {
	b := startBroker(t, map[string]string{"maxMessageSize": "1024"})
	rq := newReplyRequester(t, b, "requester@2")
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
	defer cl.Close()
	const topic = "DefaultCluster_REPLY_TOPIC"
	ok := func(mut func(r *codec.Command)) *codec.Command {
		r := replyRequest(requestcode.SendReplyMessage, topic, replyProps("requester@2"), []byte("x"))
		mut(r)
		return r
	}
	okV2 := func(mut func(r *codec.Command)) *codec.Command {
		r := replyRequest(requestcode.SendReplyMessageV2, topic, replyProps("requester@2"), []byte("x"))
		mut(r)
		return r
	}
	cases := []struct {
		name     string
		req      *codec.Command
		answer   func(*codec.Command) *codec.Command
		code     requestcode.ResponseCode
		remark   string
		stored   bool // the response carries the stored position
		noRegion bool // the error comes from the header decode, before the send fields
	}{
		{"ok", ok(func(*codec.Command) {}), nil, requestcode.Success, "", true, false},
		{"empty body is fine", ok(func(r *codec.Command) { r.Body = nil }), nil, requestcode.Success, "", true, false},
		{"no REPLY_TO_CLIENT", ok(func(r *codec.Command) { r.Set("properties", "CORRELATION_ID\x01c") }), nil,
			requestcode.SystemError, "reply message properties[REPLY_TO_CLIENT] is null", true, false},
		{"empty REPLY_TO_CLIENT", ok(func(r *codec.Command) { r.Set("properties", "REPLY_TO_CLIENT\x01\x02TTL\x013") }), nil,
			requestcode.SystemError, "reply message properties[REPLY_TO_CLIENT] is null", true, false},
		{"no properties at all", ok(func(r *codec.Command) { r.Ext = replyWithout(r.Ext, "properties") }), nil,
			requestcode.SystemError, "reply message properties[REPLY_TO_CLIENT] is null", true, false},
		{"unknown client", ok(func(r *codec.Command) { r.Set("properties", replyProps("nobody@9")) }), nil,
			requestcode.SystemError, "push reply message fail, channel of <nobody@9> not found.", true, false},
		{"requester refuses", ok(func(*codec.Command) {}),
			func(req *codec.Command) *codec.Command {
				return codec.NewResponse(req, int32(requestcode.SystemError), "no such request")
			}, requestcode.SystemError, "push reply message to requester@2fail.", true, false},
		{"missing topic", ok(func(r *codec.Command) { r.Ext = replyWithout(r.Ext, "topic") }), nil,
			requestcode.SystemError, "<topic> is null", false, true},
		{"v2 missing topic", okV2(func(r *codec.Command) { r.Ext = replyWithout(r.Ext, "b") }), nil,
			requestcode.SystemError, "<b> is null", false, true},
		{"v1 keys on a v2 code", func() *codec.Command {
			r := ok(func(*codec.Command) {})
			r.Code = int32(requestcode.SendReplyMessageV2)
			return r
		}(), nil, requestcode.SystemError, "<a> is null", false, true},
		{"queue id not a number", ok(func(r *codec.Command) { r.Set("queueId", "x") }), nil,
			requestcode.SystemError, "queueId", false, true},
		{"queue out of range", ok(func(r *codec.Command) { r.Set("queueId", "5") }), nil,
			requestcode.SystemError, "request queueId[5] is illegal", false, false},
		{"illegal topic", ok(func(r *codec.Command) { r.Set("topic", "bad topic!") }), nil,
			requestcode.SystemError, "illegal characters", false, false},
		{"forbidden topic", ok(func(r *codec.Command) { r.Set("topic", "SCHEDULE_TOPIC_XXXX") }), nil,
			requestcode.NoPermission, "is forbidden", false, false},
		{"body over the limit: pushed, not stored", ok(func(r *codec.Command) { r.Body = make([]byte, 2048) }), nil,
			requestcode.Success, "", false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rq.setAnswer(tc.answer)
			defer rq.setAnswer(nil)
			resp, err := cl.Invoke(context.Background(), b.Addr(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Code != int32(tc.code) || !strings.Contains(resp.Remark, tc.remark) {
				t.Fatalf("code %d remark %q, want %d containing %q", resp.Code, resp.Remark, tc.code, tc.remark)
			}
			if !tc.noRegion && (resp.Value("MSG_REGION") != "DefaultRegion" || resp.Value("TRACE_ON") != "true") {
				t.Fatalf("response lacks MSG_REGION/TRACE_ON: %v", resp.Ext)
			}
			if got := len(resp.Value("msgId")) == 32; got != tc.stored {
				t.Fatalf("msgId %q, stored want %v", resp.Value("msgId"), tc.stored)
			}
		})
	}
	// Still serving, and the requester still reachable.
	resp, err := cl.Invoke(context.Background(), b.Addr(), ok(func(*codec.Command) {}))
	if err != nil || resp.Code != 0 {
		t.Fatalf("after bad input: %v %v", resp, err)
	}
}

// TestReplyBeforeAcceptTime: before startAcceptSendRequestTimeStamp a
// reply is refused with SYSTEM_ERROR and the time, and not pushed.
func TestReplyBeforeAcceptTime(t *testing.T) {
	until := time.Now().Add(time.Hour).UnixMilli()
	b := startBroker(t, map[string]string{"startAcceptSendRequestTimeStamp": strconv.FormatInt(until, 10)})
	rq := newReplyRequester(t, b, "requester@5")
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
	defer cl.Close()
	resp, err := cl.Invoke(context.Background(), b.Addr(),
		replyRequest(requestcode.SendReplyMessage, "DefaultCluster_REPLY_TOPIC", replyProps("requester@5"), nil))
	if err != nil {
		t.Fatal(err)
	}
	want := "broker unable to service, until " + time.UnixMilli(until).Format("2006-01-02 15:04:05,000")
	if resp.Code != int32(requestcode.SystemError) || resp.Remark != want || resp.Value("MSG_REGION") == "" {
		t.Fatalf("code %d remark %q ext %v, want %q", resp.Code, resp.Remark, resp.Ext, want)
	}
	select {
	case <-rq.pushes:
		t.Fatal("a refused reply was pushed")
	default:
	}
}

// TestReplyRequesterGone: once the requester's connection closes, its
// client id is forgotten and replies to it fail with "not found".
func TestReplyRequesterGone(t *testing.T) {
	b := startBroker(t, nil)
	rq := newReplyRequester(t, b, "requester@3")
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
	defer cl.Close()
	req := func() *codec.Command {
		return replyRequest(requestcode.SendReplyMessage, "DefaultCluster_REPLY_TOPIC", replyProps("requester@3"), nil)
	}
	if resp, err := cl.Invoke(context.Background(), b.Addr(), req()); err != nil || resp.Code != 0 {
		t.Fatalf("reply: %v %v", resp, err)
	}
	rq.cl.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := cl.Invoke(context.Background(), b.Addr(), req())
		if err != nil {
			t.Fatal(err)
		}
		if resp.Code == int32(requestcode.SystemError) && strings.Contains(resp.Remark, "channel of <requester@3> not found") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the requester left: %d %q", resp.Code, resp.Remark)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestReplyShutdownDoesNotWaitForSilentRequester: a requester that never
// acknowledges the push holds a reply worker for up to 10 s; stopping the
// broker cuts that short.
func TestReplyShutdownDoesNotWaitForSilentRequester(t *testing.T) {
	b := startBroker(t, nil)
	rq := newReplyRequester(t, b, "requester@4")
	rq.setAnswer(func(*codec.Command) *codec.Command { return nil }) // never answers
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet(), RequestTimeout: 15 * time.Second})
	defer cl.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = cl.Invoke(context.Background(), b.Addr(),
			replyRequest(requestcode.SendReplyMessage, "DefaultCluster_REPLY_TOPIC", replyProps("requester@4"), nil))
	}()
	select {
	case <-rq.pushes:
	case <-time.After(5 * time.Second):
		t.Fatal("no push reached the requester")
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := b.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Fatalf("shutdown waited %v for the silent requester", el)
	}
	<-done
}

// BenchmarkReplyLoopback measures SEND_REPLY_MESSAGE end to end over
// loopback: decode, push to a registered requester and its answer, store
// (or not), response.
func BenchmarkReplyLoopback(b *testing.B) {
	body := make([]byte, 256)
	for _, store := range []bool{true, false} {
		b.Run("store="+strconv.FormatBool(store), func(b *testing.B) {
			br := startBroker(b, map[string]string{"storeReplyMessageEnable": strconv.FormatBool(store)})
			// The requester drops pushes once its buffer is full.
			newReplyRequester(b, br, "bench@1")
			cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
			defer cl.Close()
			props := replyProps("bench@1")
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					resp, err := cl.Invoke(context.Background(), br.Addr(),
						replyRequest(requestcode.SendReplyMessage, "DefaultCluster_REPLY_TOPIC", props, body))
					if err != nil || resp.Code != 0 {
						b.Error(err, resp)
						return
					}
				}
			})
		})
	}
}

func replyWithout(fields []codec.Field, key string) []codec.Field {
	out := fields[:0:0]
	for _, f := range fields {
		if f.Key != key {
			out = append(out, f)
		}
	}
	return out
}
