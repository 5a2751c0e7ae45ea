package compat

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
)

// admintoolsCall sends an admin request to the broker process.
func admintoolsCall(t *testing.T, cl *remoting.Client, addr string, code requestcode.RequestCode, ext map[string]string) *codec.Command {
	t.Helper()
	req := codec.NewRequest(int32(code), 0)
	for k, v := range ext {
		req.Set(k, v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	resp, err := cl.Invoke(ctx, addr, req)
	if err != nil {
		t.Fatalf("%s: %v", code, err)
	}
	return resp
}

// TestAdmintoolsResetOffsetAndRunningInfo: with a Go push consumer online,
// INVOKE_BROKER_TO_RESET_OFFSET makes it consume again from the reset
// time (the broker's RESET_CONSUMER_CLIENT_OFFSET body is parsed by the
// Go client), and GET_CONSUMER_RUNNING_INFO relayed through the broker
// returns the Go consumer's own running info.
func TestAdmintoolsResetOffsetAndRunningInfo(t *testing.T) {
	c := startCluster(t)
	const topic, group = "AdmintoolsTopic", "admintools-group"
	createTopic(t, c, topic, 2)
	before := time.Now().UnixMilli() - 1
	p := newProducer(t, c, "admintools-producer")
	const n = 8
	for i := 0; i < n; i++ {
		if _, err := p.SendSync(context.Background(), primitive.NewMessage(topic, []byte("m"+strconv.Itoa(i)))); err != nil {
			t.Fatal(err)
		}
	}
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quietLogger()})
	defer cl.Close()
	// The broker resets only a group it holds offsets for; committing the
	// start offsets up front saves waiting for the client's first commit.
	for q := 0; q < 2; q++ {
		r := admintoolsCall(t, cl, c.Broker(), requestcode.UpdateConsumerOffset, map[string]string{
			"consumerGroup": group, "topic": topic, "queueId": strconv.Itoa(q), "commitOffset": "0"})
		if r.Code != 0 {
			t.Fatalf("commit: %d %s", r.Code, r.Remark)
		}
	}
	col := newCollector()
	startPushConsumer(t, c, group, topic, "*", col, consumer.WithInstance("admintools"))
	col.waitDistinct(t, n, 20*time.Second)

	r := admintoolsCall(t, cl, c.Broker(), requestcode.GetConsumerConnectionList, map[string]string{"consumerGroup": group})
	conns, err := body.DecodeConsumerConnection(r.Body)
	if err != nil || r.Code != 0 || len(conns.ConnectionSet) != 1 || conns.ConnectionSet[0].Language != "GO" {
		t.Fatalf("consumer connections: %d %s %v", r.Code, r.Body, err)
	}
	clientID := conns.ConnectionSet[0].ClientID

	reset := func() {
		t.Helper()
		r := admintoolsCall(t, cl, c.Broker(), requestcode.InvokeBrokerToResetOffset, map[string]string{
			"topic": topic, "group": group, "timestamp": strconv.FormatInt(before, 10), "isForce": "true"})
		if r.Code != 0 {
			t.Fatalf("reset: %d %s", r.Code, r.Remark)
		}
		table, err := body.DecodeResetOffsetBody(r.Body)
		if err != nil || len(table.OffsetTable) != 2 {
			t.Fatalf("reset answer %s: %v", r.Body, err)
		}
		for q, off := range table.OffsetTable {
			if off != 0 {
				t.Fatalf("queue %v reset to %d, want 0 (every message is newer)", q, off)
			}
		}
	}
	reset()
	// rocketmq-client-go v2.1.2 cannot encode its running info until its
	// statistics hold two samples (a NaN rate otherwise: it answers
	// SUCCESS with no body and "json marshal error" as remark), so the
	// call is retried while the client sits in the reset's 10 s pause.
	eventually(t, 20*time.Second, func() string {
		r := admintoolsCall(t, cl, c.Broker(), requestcode.GetConsumerRunningInfo,
			map[string]string{"consumerGroup": group, "clientId": clientID, "jstackEnable": "false"})
		if r.Code != 0 || len(r.Body) == 0 {
			return "running info: " + strconv.Itoa(int(r.Code)) + " " + r.Remark
		}
		info, err := body.DecodeConsumerRunningInfo(r.Body)
		if err != nil {
			t.Fatalf("running info body %s: %v", r.Body, err)
		}
		if info.Properties[body.PropConsumeType] != "CONSUME_PASSIVELY" {
			t.Fatalf("running info properties %v", info.Properties)
		}
		subscribed := false
		for _, s := range info.SubscriptionSet {
			subscribed = subscribed || s.Topic == topic
		}
		queues := 0
		for q := range info.MQTable {
			if q.Topic == topic && q.BrokerName == "broker-compat" {
				queues++
			}
		}
		if !subscribed || queues != 2 {
			return fmt.Sprintf("running info: subscriptions %+v, %d queues of %s in %v", info.SubscriptionSet, queues, topic, info.MQTable)
		}
		return ""
	})
	// The Go client pauses 10 s before seeking; then every message comes
	// again. After the pause it commits the new offset oneway and at once
	// reads it back to start pulling: the broker (like Java's) serves the
	// two on a worker pool, so under load the read can overtake the
	// commit and one queue keeps its old offset. One more reset covers
	// that client-side race; a broker that sent a wrong or no reset fails
	// both.
	reconsumed := func() string {
		_, ids := col.snapshot()
		again := 0
		for _, k := range ids {
			if k >= 2 {
				again++
			}
		}
		if again < n {
			return strconv.Itoa(again) + " of " + strconv.Itoa(n) + " messages consumed again after the reset"
		}
		return ""
	}
	deadline := time.Now().Add(16 * time.Second)
	for reconsumed() != "" && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if why := reconsumed(); why != "" {
		t.Logf("%s; resetting again", why)
		reset()
		eventually(t, 16*time.Second, reconsumed)
	}
	// An unknown client id is refused by the broker itself.
	r = admintoolsCall(t, cl, c.Broker(), requestcode.GetConsumerRunningInfo,
		map[string]string{"consumerGroup": group, "clientId": "nobody", "jstackEnable": "false"})
	if r.Code != int32(requestcode.SystemError) || r.Remark != "The Consumer <"+group+"> <nobody> not online" {
		t.Errorf("unknown client: %d %q", r.Code, r.Remark)
	}
}
