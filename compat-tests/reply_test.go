package compat

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	rocketmq "github.com/apache/rocketmq-client-go/v2"
	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/rocketgo/rocketgo/store/message"
)

// replyTopic is the reply topic the broker creates for the compat
// cluster ("{cluster}_REPLY_TOPIC").
const replyTopic = "CompatCluster_REPLY_TOPIC"

// replyInstance is a unique client instance name: the Go client caches
// its client per client id, process-wide, and refuses a second one with
// other NameServers.
func replyInstance(role string) string {
	return fmt.Sprintf("%s-%d", role, time.Now().UnixNano())
}

// replyResponder is a push consumer of the request topic that answers
// every request with a reply sent by a Go producer, as an RPC server
// written with rocketmq-client-go does. emptyBody leaves the body
// consumer.CreateReplyMessage makes (v2.1.2 never sets it).
type replyResponder struct {
	mu   sync.Mutex
	errs []string
	seen []*primitive.MessageExt
}

func replyStartResponder(t *testing.T, c *cluster, topic string, emptyBody func(*primitive.MessageExt) bool) *replyResponder {
	t.Helper()
	rs := &replyResponder{}
	replier := newProducer(t, c, "reply-replier", producer.WithInstanceName(replyInstance("replier")), producer.WithRetry(0))
	pc, err := consumer.NewPushConsumer(
		consumer.WithNsResolver(primitive.NewPassthroughResolver([]string{c.Namesrv()})),
		consumer.WithGroupName("reply-server"),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset),
	)
	if err != nil {
		t.Fatal(err)
	}
	err = pc.Subscribe(topic, consumer.MessageSelector{Type: consumer.TAG, Expression: "*"},
		func(ctx context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
			for _, m := range msgs {
				reply, err := consumer.CreateReplyMessage(m, nil)
				if err == nil {
					if !emptyBody(m) {
						reply.Body = []byte("pong:" + string(m.Body))
					}
					_, err = replier.SendSync(ctx, reply)
				}
				rs.mu.Lock()
				rs.seen = append(rs.seen, m)
				if err != nil {
					rs.errs = append(rs.errs, fmt.Sprintf("reply to %s: %v", m.Body, err))
				}
				rs.mu.Unlock()
			}
			return consumer.ConsumeSuccess, nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if err := pc.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Shutdown() })
	return rs
}

// replyNewRequester starts a Go producer that will send requests and makes
// sure the broker knows it as a producer before the first reply comes
// back. rocketmq-client-go v2.1.2 heartbeats 1 s after start (when it
// usually knows no broker yet) and then every 30 s; Request heartbeats
// first only when the NameServer has no route for the topic — unlike the
// Java client, which checks its own route table. So a first Request to an
// existing topic races its reply against the next heartbeat (the client's
// own rpc example sleeps for this). A request to a topic the NameServer
// does not know yet makes it heartbeat at once; nobody answers that one.
func replyNewRequester(t *testing.T, c *cluster, group string) rocketmq.Producer {
	t.Helper()
	p := newProducer(t, c, group, producer.WithInstanceName(replyInstance("requester")))
	warmup := primitive.NewMessage(fmt.Sprintf("ReplyWarmup%d", time.Now().UnixNano()), []byte("warmup"))
	if err := p.RequestAsync(context.Background(), time.Minute, func(context.Context, *primitive.Message, error) {}, warmup); err != nil {
		t.Fatalf("warm-up request: %v", err)
	}
	return p
}

func (rs *replyResponder) errors() []string {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return append([]string(nil), rs.errs...)
}

// replyPullAll reads a queue from offset 0 with our remoting client.
func replyPullAll(t *testing.T, c *cluster, topic string) []message.Record {
	t.Helper()
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quietLogger()})
	defer cl.Close()
	r := codec.NewRequest(int32(requestcode.PullMessage), 0)
	for _, kv := range [][2]string{{"consumerGroup", "reply-probe"}, {"topic", topic}, {"queueId", "0"},
		{"queueOffset", "0"}, {"maxMsgNums", "32"}, {"sysFlag", "4"}, {"commitOffset", "0"},
		{"suspendTimeoutMillis", "0"}, {"subscription", "*"}, {"subVersion", "0"}, {"expressionType", "TAG"}} {
		r.Set(kv[0], kv[1])
	}
	resp, err := cl.Invoke(context.Background(), c.Broker(), r)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Code != 0 {
		return nil
	}
	var out []message.Record
	sc := message.NewScanner(resp.Body, 0, true)
	for sc.Next() {
		rec := *sc.Record()
		rec.Body = append([]byte(nil), rec.Body...)
		rec.Properties = append(message.Properties(nil), rec.Properties...)
		out = append(out, rec)
	}
	return out
}

// TestReplyGoRequestReplyRoundTrip: the Go client's Request and
// RequestAsync complete with the reply a Go push consumer sends back
// through CreateReplyMessage and SendSync (code 324): the broker pushes it
// to the requester found by REPLY_TO_CLIENT and stores it on
// {cluster}_REPLY_TOPIC. A reply with the empty body CreateReplyMessage
// really produces is delivered too.
func TestReplyGoRequestReplyRoundTrip(t *testing.T) {
	c := startCluster(t)
	const topic = "ReplyRequestTopic"
	createTopic(t, c, topic, 2)
	waitRoute(t, c, replyTopic, 1)
	rs := replyStartResponder(t, c, topic, func(m *primitive.MessageExt) bool { return string(m.Body) == "empty" })
	requester := replyNewRequester(t, c, "reply-requester")

	ctx := context.Background()
	for i := 0; i < 3; i++ {
		body := "ping-" + strconv.Itoa(i)
		got, err := requester.Request(ctx, 15*time.Second, primitive.NewMessage(topic, []byte(body)))
		if err != nil {
			t.Fatalf("request %d: %v (replier errors %v)", i, err, rs.errors())
		}
		if got == nil || string(got.Body) != "pong:"+body {
			t.Fatalf("request %d: reply %v", i, got)
		}
		if got.Topic != replyTopic || got.GetProperty(primitive.PropertyCorrelationID) == "" ||
			got.GetProperty(primitive.PropertyMsgType) != "reply" {
			t.Fatalf("request %d: reply topic %q properties %v", i, got.Topic, got.GetProperties())
		}
	}

	// The empty body CreateReplyMessage leaves is accepted and delivered.
	got, err := requester.Request(ctx, 15*time.Second, primitive.NewMessage(topic, []byte("empty")))
	if err != nil || got == nil || len(got.Body) != 0 {
		t.Fatalf("empty-body reply: %v %v (replier errors %v)", got, err, rs.errors())
	}

	// RequestAsync: the callback gets the reply.
	done := make(chan string, 1)
	err = requester.RequestAsync(ctx, 15*time.Second, func(_ context.Context, m *primitive.Message, err error) {
		if err != nil {
			done <- "error: " + err.Error()
			return
		}
		done <- string(m.Body)
	}, primitive.NewMessage(topic, []byte("async")))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-done:
		if s != "pong:async" {
			t.Fatalf("async reply %q", s)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("async request got no reply (replier errors %v)", rs.errors())
	}
	if errs := rs.errors(); len(errs) != 0 {
		t.Fatalf("replier errors %v", errs)
	}

	// Every reply was stored on the reply topic (storeReplyMessageEnable
	// defaults to true), exactly once, properties as the replier sent them.
	recs := replyPullAll(t, c, replyTopic)
	bodies := map[string]int{}
	for _, r := range recs {
		bodies[string(r.Body)]++
		if v, _ := r.Properties.GetString(message.PropertyMessageType); v != "reply" {
			t.Fatalf("stored reply properties %q", r.Properties)
		}
		if _, ok := r.Properties.Get(message.PropertyPushReplyTime); ok {
			t.Fatalf("stored reply carries PUSH_REPLY_TIME: %q", r.Properties)
		}
	}
	want := map[string]int{"pong:ping-0": 1, "pong:ping-1": 1, "pong:ping-2": 1, "": 1, "pong:async": 1}
	if fmt.Sprint(bodies) != fmt.Sprint(want) {
		t.Fatalf("stored replies %v, want %v", bodies, want)
	}
}

// TestReplyJavaStyleSides: each side of request/reply against a peer that
// speaks Java's frames with our remoting client, for what rocketmq-client-go
// never sends: a SEND_REPLY_MESSAGE_V2 (325, short keys, what the Java
// client sends) completing a Go Request, and a Java-style requester (a
// HEART_BEAT-registered producer connection answering
// PUSH_REPLY_MESSAGE_TO_CLIENT) receiving a Go replier's reply. A reply to
// a client the broker does not know fails with Java's remark.
func TestReplyJavaStyleSides(t *testing.T) {
	c := startCluster(t)
	const topic = "ReplyJavaTopic"
	createTopic(t, c, topic, 1)
	waitRoute(t, c, replyTopic, 1)
	ctx := context.Background()
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quietLogger()})
	defer cl.Close()

	// 1. Go requester, Java-style V2 replier.
	requests := make(chan *primitive.MessageExt, 4)
	pc, err := consumer.NewPushConsumer(
		consumer.WithNsResolver(primitive.NewPassthroughResolver([]string{c.Namesrv()})),
		consumer.WithGroupName("reply-java-server"),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset),
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := pc.Subscribe(topic, consumer.MessageSelector{Type: consumer.TAG, Expression: "*"},
		func(_ context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
			for _, m := range msgs {
				requests <- m
			}
			return consumer.ConsumeSuccess, nil
		}); err != nil {
		t.Fatal(err)
	}
	if err := pc.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = pc.Shutdown() }()
	var wg sync.WaitGroup
	defer wg.Wait()
	stop := make(chan struct{})
	defer close(stop)
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m *primitive.MessageExt
		select {
		case m = <-requests:
		case <-stop:
			return
		}
		props := "CORRELATION_ID\x01" + m.GetProperty(primitive.PropertyCorrelationID) +
			"\x02REPLY_TO_CLIENT\x01" + m.GetProperty(primitive.PropertyMessageReplyToClient) +
			"\x02TTL\x01" + m.GetProperty(primitive.PropertyMessageTTL) + "\x02MSG_TYPE\x01reply"
		r := codec.NewRequest(int32(requestcode.SendReplyMessageV2), 0)
		for _, kv := range [][2]string{{"a", "java-replier"}, {"b", replyTopic}, {"c", "TBW102"}, {"d", "4"},
			{"e", "-1"}, {"f", "0"}, {"g", strconv.FormatInt(time.Now().UnixMilli(), 10)}, {"h", "0"},
			{"i", props}, {"j", "0"}, {"k", "false"}} {
			r.Set(kv[0], kv[1])
		}
		r.Body = []byte("java-pong:" + string(m.Body))
		if resp, err := cl.Invoke(ctx, c.Broker(), r); err != nil || resp.Code != 0 {
			t.Errorf("V2 reply: %v %v", resp, err)
		}
	}()
	requester := replyNewRequester(t, c, "reply-go-requester")
	got, err := requester.Request(ctx, 15*time.Second, primitive.NewMessage(topic, []byte("hi")))
	if err != nil || got == nil || string(got.Body) != "java-pong:hi" {
		t.Fatalf("Go request answered by a V2 reply: %v %v", got, err)
	}

	// 2. Java-style requester, Go replier.
	pushes := make(chan *codec.Command, 4)
	javaReq := remoting.NewClient(remoting.ClientConfig{Logger: quietLogger(),
		Processors: map[requestcode.RequestCode]remoting.RequestHandler{
			requestcode.PushReplyMessageToClient: func(req *codec.Command) (*codec.Command, error) {
				select {
				case pushes <- req:
				default:
				}
				return codec.NewResponse(req, int32(requestcode.Success), ""), nil
			},
		}})
	defer javaReq.Close()
	const javaClientID = "10.0.0.1@java-requester"
	hb := codec.NewRequest(int32(requestcode.HeartBeat), 0)
	hb.Body = []byte(`{"clientID":"` + javaClientID + `","producerDataSet":[{"groupName":"java-requester"}],"consumerDataSet":[]}`)
	if resp, err := javaReq.Invoke(ctx, c.Broker(), hb); err != nil || resp.Code != 0 {
		t.Fatalf("heartbeat: %v %v", resp, err)
	}
	replier := newProducer(t, c, "reply-go-replier", producer.WithInstanceName(replyInstance("replier")), producer.WithRetry(0))
	request := &primitive.MessageExt{Message: primitive.Message{Topic: topic}}
	request.WithProperty(primitive.PropertyCluster, "CompatCluster")
	request.WithProperty(primitive.PropertyMessageReplyToClient, javaClientID)
	request.WithProperty(primitive.PropertyCorrelationID, "java-corr-1")
	request.WithProperty(primitive.PropertyMessageTTL, "3")
	reply, err := consumer.CreateReplyMessage(request, nil)
	if err != nil {
		t.Fatal(err)
	}
	reply.Body = []byte("go-pong")
	res, err := replier.SendSync(ctx, reply)
	if err != nil {
		t.Fatalf("Go reply to a Java-style requester: %v", err)
	}
	if len(res.OffsetMsgID) != 32 || res.RegionID != "DefaultRegion" || !res.TraceOn {
		t.Fatalf("reply send result %+v", res)
	}
	select {
	case p := <-pushes:
		pp := message.Properties(p.Value("properties"))
		if string(p.Body) != "go-pong" || p.Value("topic") != replyTopic || p.Value("producerGroup") != "reply-go-replier" {
			t.Fatalf("push %v body %q", p.Ext, p.Body)
		}
		if v, _ := pp.GetString("CORRELATION_ID"); v != "java-corr-1" {
			t.Fatalf("pushed properties %q", pp)
		}
		if _, ok := pp.Get("PUSH_REPLY_TIME"); !ok {
			t.Fatalf("pushed properties lack PUSH_REPLY_TIME: %q", pp)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the Java-style requester got no push")
	}

	// 3. A reply to a client the broker does not know.
	request.WithProperty(primitive.PropertyMessageReplyToClient, "10.0.0.2@gone")
	reply, err = consumer.CreateReplyMessage(request, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = replier.SendSync(ctx, reply)
	if err == nil || !strings.Contains(err.Error(), "push reply message fail, channel of <10.0.0.2@gone> not found.") {
		t.Fatalf("reply to an unknown client: %v", err)
	}
}
