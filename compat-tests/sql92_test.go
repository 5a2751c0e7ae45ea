package compat

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	rocketmq "github.com/apache/rocketmq-client-go/v2"
	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
)

// sql92Consumer starts a push consumer of group subscribed to topic with
// a SQL92 selector. rocketmq-client-go registers the expression through
// its heartbeats and never sends it with a pull (GO-CLIENT.md §1.3), so
// the broker filters with the heartbeat's subscription.
func sql92Consumer(t *testing.T, c *cluster, group, topic, expr string, col *collector) rocketmq.PushConsumer {
	t.Helper()
	pc, err := consumer.NewPushConsumer(
		consumer.WithNsResolver(primitive.NewPassthroughResolver([]string{c.Namesrv()})),
		consumer.WithGroupName(group),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset),
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := pc.Subscribe(topic, consumer.MessageSelector{Type: consumer.SQL92, Expression: expr}, col.consume); err != nil {
		t.Fatal(err)
	}
	if err := pc.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { _ = pc.Shutdown() }) })
	return pc
}

// sql92Message is one message of the mixed set with its user properties
// (an empty value: the property is not set).
type sql92Message struct {
	a, b string
}

// sql92Send sends the messages with their properties through the Go
// producer; the body is the message's index.
func sql92Send(t *testing.T, c *cluster, topic string, msgs []sql92Message) {
	t.Helper()
	p := newProducer(t, c, "sql92-producer")
	for i, m := range msgs {
		msg := primitive.NewMessage(topic, []byte(strconv.Itoa(i)))
		if m.a != "" {
			msg.WithProperty("a", m.a)
		}
		if m.b != "" {
			msg.WithProperty("b", m.b)
		}
		if _, err := p.SendSync(context.Background(), msg); err != nil {
			t.Fatal(err)
		}
	}
}

// sql92Invoke sends one request to the broker with our remoting client.
func sql92Invoke(t *testing.T, c *cluster, req *codec.Command) *codec.Command {
	t.Helper()
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quietLogger()})
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := cl.Invoke(ctx, c.Broker(), req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// sql92Pull is a pull of queue 0 as group: without a subscription (what
// the push consumer sends) when expr is "", else with a SQL92 one.
func sql92Pull(group, topic, expr string) *codec.Command {
	r := codec.NewRequest(int32(requestcode.PullMessage), 0)
	r.Set("consumerGroup", group)
	r.Set("topic", topic)
	r.Set("queueId", "0")
	r.Set("queueOffset", "0")
	r.Set("maxMsgNums", "32")
	r.Set("commitOffset", "0")
	r.Set("suspendTimeoutMillis", "0")
	r.Set("subVersion", "0")
	if expr == "" {
		r.Set("sysFlag", "0")
		r.Set("expressionType", "TAG")
	} else {
		r.Set("sysFlag", "4")
		r.Set("subscription", expr)
		r.Set("expressionType", "SQL92")
	}
	return r
}

func sql92CheckClientConfig(t *testing.T, group, topic, expr string) *codec.Command {
	t.Helper()
	b, err := json.Marshal(map[string]any{"clientId": "127.0.0.1@sql92", "group": group,
		"subscriptionData": map[string]any{"topic": topic, "subString": expr, "expressionType": "SQL92"}})
	if err != nil {
		t.Fatal(err)
	}
	r := codec.NewRequest(int32(requestcode.CheckClientConfig), 0)
	r.Body = b
	return r
}

// TestSQL92ConsumerGetsExactlyMatching: with enablePropertyFilter=true a
// push consumer subscribed with "a > 5 AND b = 'x'" receives exactly the
// messages whose user properties match, as a Java broker delivers them:
// a is compared as an int (Integer.valueOf), so "6.5" or "abc" never
// match, and a message without a or b does not match.
func TestSQL92ConsumerGetsExactlyMatching(t *testing.T) {
	c := startCluster(t, "enablePropertyFilter=true")
	const topic = "SqlTopic"
	createTopic(t, c, topic, 2)
	var msgs []sql92Message
	want := map[string]bool{}
	for i := 0; i < 40; i++ {
		m := sql92Message{a: strconv.Itoa(i % 10), b: []string{"x", "y"}[i%2]}
		switch i % 13 {
		case 3:
			m.a = ""
		case 5:
			m.b = ""
		case 7:
			m.a = "6.5"
		case 11:
			m.a = "abc"
		}
		if n, err := strconv.Atoi(m.a); err == nil && n > 5 && m.b == "x" {
			want[strconv.Itoa(i)] = true
		}
		msgs = append(msgs, m)
	}
	sql92Send(t, c, topic, msgs)

	col := newCollector()
	sql92Consumer(t, c, "sql92-group", topic, "a > 5 AND b = 'x'", col)
	all := newCollector()
	startPushConsumer(t, c, "sql92-all", topic, "*", all)
	col.waitDistinct(t, len(want), 20*time.Second)
	all.waitDistinct(t, len(msgs), 20*time.Second)
	time.Sleep(time.Second) // anything extra would have arrived with the rest
	got, ids := col.snapshot()
	if len(ids) != len(want) {
		t.Fatalf("received %d distinct messages, want %d", len(ids), len(want))
	}
	for _, m := range got {
		if !want[string(m.Body)] {
			t.Errorf("message %s (a=%q b=%q) does not match but was delivered", m.Body, m.GetProperty("a"), m.GetProperty("b"))
		}
	}
}

// TestSQL92WithPropertyFilterOff: on a broker with enablePropertyFilter
// false (the default) a SQL92 consumer receives nothing while a TAG
// consumer of the same topic receives everything; the broker answers the
// group's pulls and CHECK_CLIENT_CONFIG with Java's SYSTEM_ERROR.
func TestSQL92WithPropertyFilterOff(t *testing.T) {
	c := startCluster(t)
	const topic = "SqlOffTopic"
	createTopic(t, c, topic, 1)
	msgs := make([]sql92Message, 10)
	for i := range msgs {
		msgs[i] = sql92Message{a: "7", b: "x"}
	}
	sql92Send(t, c, topic, msgs)

	col := newCollector()
	sql92Consumer(t, c, "sql92-off", topic, "a > 5 AND b = 'x'", col)
	all := newCollector()
	startPushConsumer(t, c, "sql92-off-all", topic, "*", all)
	all.waitDistinct(t, len(msgs), 20*time.Second)

	const remark = "The broker does not support consumer to filter message by SQL92"
	eventually(t, 10*time.Second, func() string {
		if r := sql92Invoke(t, c, sql92Pull("sql92-off", topic, "")); r.Code != int32(requestcode.SystemError) || r.Remark != remark {
			return "pull as the SQL92 group: " + strconv.Itoa(int(r.Code)) + " " + r.Remark
		}
		return ""
	})
	if r := sql92Invoke(t, c, sql92Pull("sql92-pull", topic, "a > 5")); r.Code != int32(requestcode.SystemError) || r.Remark != remark {
		t.Errorf("pull with a SQL92 subscription: %d %q", r.Code, r.Remark)
	}
	if r := sql92Invoke(t, c, sql92CheckClientConfig(t, "sql92-off", topic, "a > 5")); r.Code != int32(requestcode.SystemError) || r.Remark != remark {
		t.Errorf("CHECK_CLIENT_CONFIG: %d %q", r.Code, r.Remark)
	}
	// The client retries failed pulls every 3 s; give it two rounds.
	time.Sleep(4 * time.Second)
	if _, ids := col.snapshot(); len(ids) != 0 {
		t.Fatalf("the SQL92 consumer received %d messages from a broker without property filtering", len(ids))
	}
}

// TestSQL92MalformedExpression: an expression that does not parse is
// accepted in the heartbeat (Java only logs it); the consumer receives
// nothing because its pulls are answered FILTER_DATA_NOT_EXIST, a pull
// carrying the expression is answered SUBSCRIPTION_PARSE_FAILED, and
// CHECK_CLIENT_CONFIG names where the expression is wrong. Nothing is
// lost: a consumer with a good expression still gets the messages.
func TestSQL92MalformedExpression(t *testing.T) {
	c := startCluster(t, "enablePropertyFilter=true")
	const topic = "SqlBadTopic"
	createTopic(t, c, topic, 1)
	msgs := make([]sql92Message, 10)
	for i := range msgs {
		msgs[i] = sql92Message{a: "7", b: "x"}
	}
	sql92Send(t, c, topic, msgs)

	const bad = "a > 5 AND"
	col := newCollector()
	sql92Consumer(t, c, "sql92-bad", topic, bad, col)
	good := newCollector()
	sql92Consumer(t, c, "sql92-good", topic, "a > 5 AND b = 'x'", good)
	good.waitDistinct(t, len(msgs), 20*time.Second)

	eventually(t, 10*time.Second, func() string {
		r := sql92Invoke(t, c, sql92Pull("sql92-bad", topic, ""))
		if r.Code != int32(requestcode.FilterDataNotExist) ||
			r.Remark != "The broker's consumer filter data is not exist!Your expression may be wrong!" {
			return "pull as the group with the bad expression: " + strconv.Itoa(int(r.Code)) + " " + r.Remark
		}
		return ""
	})
	if r := sql92Invoke(t, c, sql92Pull("sql92-pull", topic, bad)); r.Code != int32(requestcode.SubscriptionParseFailed) ||
		r.Remark != "parse the consumer's subscription failed" {
		t.Errorf("pull with the bad expression: %d %q", r.Code, r.Remark)
	}
	r := sql92Invoke(t, c, sql92CheckClientConfig(t, "sql92-bad", topic, bad))
	if r.Code != int32(requestcode.SubscriptionParseFailed) || !strings.Contains(r.Remark, "column 10") {
		t.Errorf("CHECK_CLIENT_CONFIG: %d %q", r.Code, r.Remark)
	}
	time.Sleep(4 * time.Second)
	if _, ids := col.snapshot(); len(ids) != 0 {
		t.Fatalf("the consumer with a malformed expression received %d messages", len(ids))
	}
}
