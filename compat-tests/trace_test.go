package compat

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
)

// traceTopic is the broker's default trace topic (msgTraceTopicName).
const traceTopic = "RMQ_SYS_TRACE_TOPIC"

// traceRecords splits trace message bodies into records (split by 0x02)
// and their fields (split by 0x01), the client's TraceContext encoding.
type traceRecords struct {
	mu   sync.Mutex
	recs [][]string
	keys []string // KEYS properties of the trace messages
}

func (tr *traceRecords) consume(_ context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for _, m := range msgs {
		tr.keys = append(tr.keys, m.GetKeys())
		for _, rec := range strings.Split(string(m.Body), "\x02") {
			if rec != "" {
				tr.recs = append(tr.recs, strings.Split(rec, "\x01"))
			}
		}
	}
	return consumer.ConsumeSuccess, nil
}

// find returns the first record of kind whose field at idx equals v.
func (tr *traceRecords) find(kind string, idx int, v string) []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for _, r := range tr.recs {
		if len(r) > idx && r[0] == kind && r[idx] == v {
			return r
		}
	}
	return nil
}

func (tr *traceRecords) keyed(id string) bool {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for _, k := range tr.keys {
		for _, f := range strings.Fields(k) {
			if f == id {
				return true
			}
		}
	}
	return false
}

// TestTraceRecordsLandInTraceTopic: with traceTopicEnable the broker
// creates RMQ_SYS_TRACE_TOPIC and registers its route, so a producer and a
// push consumer with tracing on deliver their trace records there; the
// records (Pub from the producer, SubBefore/SubAfter from the consumer)
// can be read back and name the traced messages. Send responses carry the
// configured MSG_REGION and TRACE_ON, which the producer's Pub record
// repeats.
//
// This is the only compat test that turns client tracing on: v2.1.2 keeps
// one process-wide trace client (instance INNER_TRACE_CLIENT_DEFAULT) and
// panics when a later trace config names other NameServers.
func TestTraceRecordsLandInTraceTopic(t *testing.T) {
	c := startCluster(t, "traceTopicEnable=true", "regionId=CompatRegion", "traceOn=true")
	const topic = "TracedTopic"
	waitRoute(t, c, traceTopic, 1)
	createTopic(t, c, topic, 2)
	trace := &primitive.TraceConfig{Access: primitive.Local, NamesrvAddrs: []string{c.Namesrv()}}

	col := newCollector()
	startPushConsumer(t, c, "trace-consumer", topic, "*", col, consumer.WithTrace(trace))
	p := newProducer(t, c, "trace-producer", producer.WithTrace(trace))

	type sent struct{ id, offsetID string }
	var msgs []sent
	for i := 0; i < 3; i++ {
		m := primitive.NewMessage(topic, []byte("traced-"+strconv.Itoa(i)))
		m.WithTag("TagT")
		m.WithKeys([]string{"key-" + strconv.Itoa(i)})
		res, err := p.SendSync(context.Background(), m)
		if err != nil {
			t.Fatal(err)
		}
		if res.RegionID != "CompatRegion" || !res.TraceOn {
			t.Fatalf("send result region %q traceOn %v, want CompatRegion true", res.RegionID, res.TraceOn)
		}
		msgs = append(msgs, sent{res.MsgID, res.OffsetMsgID})
	}
	col.waitDistinct(t, len(msgs), 20*time.Second)

	// Read the trace topic back with a plain (untraced) push consumer.
	tr := &traceRecords{}
	reader, err := consumer.NewPushConsumer(
		consumer.WithNsResolver(primitive.NewPassthroughResolver([]string{c.Namesrv()})),
		consumer.WithGroupName("trace-parser"),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset),
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := reader.Subscribe(traceTopic, consumer.MessageSelector{Type: consumer.TAG, Expression: "*"}, tr.consume); err != nil {
		t.Fatal(err)
	}
	if err := reader.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = reader.Shutdown() }()

	for _, m := range msgs {
		eventually(t, 20*time.Second, func() string {
			// Pub: type, timestamp, region, group, topic, msgId, tags, keys,
			// storeHost, bodyLength, cost, msgType, offsetMsgId, success, clientHost.
			pub := tr.find("Pub", 5, m.id)
			if pub == nil {
				return "no Pub trace record for " + m.id
			}
			if len(pub) < 14 || pub[2] != "CompatRegion" || pub[3] != "trace-producer" || pub[4] != topic ||
				pub[6] != "TagT" || pub[12] != m.offsetID || pub[13] != "true" {
				return "Pub record " + strings.Join(pub, "|")
			}
			// SubBefore: type, timestamp, region, group, requestId, msgId, ...
			if r := tr.find("SubBefore", 5, m.id); r == nil || r[3] != "trace-consumer" {
				return "no SubBefore trace record for " + m.id
			}
			// SubAfter: type, requestId, msgId, cost, success, ...
			if r := tr.find("SubAfter", 2, m.id); r == nil || r[4] != "true" {
				return "no successful SubAfter trace record for " + m.id
			}
			if !tr.keyed(m.id) {
				return "no trace message keyed by " + m.id
			}
			return ""
		})
	}
}

// TestTraceSwitchAndRegionFromConfig: the broker's traceOn and regionId
// keys reach the client through the send response (TRACE_ON, MSG_REGION):
// with traceOn=false the Go producer sees tracing off and would emit no
// Pub records.
func TestTraceSwitchAndRegionFromConfig(t *testing.T) {
	c := startCluster(t, "traceOn=false", "regionId=OtherRegion")
	const topic = "UntracedTopic"
	createTopic(t, c, topic, 1)
	p := newProducer(t, c, "untraced-producer")
	res, err := p.SendSync(context.Background(), primitive.NewMessage(topic, []byte("x")))
	if err != nil {
		t.Fatal(err)
	}
	if res.RegionID != "OtherRegion" || res.TraceOn {
		t.Fatalf("send result region %q traceOn %v, want OtherRegion false", res.RegionID, res.TraceOn)
	}
}
