package compat

import (
	"context"
	"fmt"
	"math"
	"net"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/rocketgo/rocketgo/store/message"
)

// rocketmq-client-go v2.1.2 defines the QUERY_MESSAGE and
// VIEW_MESSAGE_BY_ID headers but has no API that sends them, so these
// tests send exactly what the Java client's MQClientAPIImpl sends
// (queryMessage / viewMessage, as mqadmin queryMsgByKey, queryMsgByUniqueKey
// and queryMsgById use them) over rocketgo's own remoting client, for
// messages the Go client produced.

// queryMessageRequest is MQClientAPIImpl.queryMessage's request.
func queryMessageRequest(topic, key string, maxNum int, begin, end int64, uniqueKey bool) *codec.Command {
	r := codec.NewRequest(int32(requestcode.QueryMessage), 0)
	r.Set("topic", topic)
	r.Set("key", key)
	r.Set("maxNum", strconv.Itoa(maxNum))
	r.Set("beginTimestamp", strconv.FormatInt(begin, 10))
	r.Set("endTimestamp", strconv.FormatInt(end, 10))
	r.Set("_UNIQUE_KEY_QUERY", strconv.FormatBool(uniqueKey))
	return r
}

// queryInvoke sends req to addr and decodes the records of a SUCCESS body.
func queryInvoke(t *testing.T, cl *remoting.Client, addr string, req *codec.Command) (*codec.Command, []message.Record) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := cl.Invoke(ctx, addr, req)
	if err != nil {
		t.Fatalf("request %d: %v", req.Code, err)
	}
	var recs []message.Record
	if resp.Code == int32(requestcode.Success) {
		sc := message.NewScanner(resp.Body, 0, true)
		for sc.Next() {
			recs = append(recs, *sc.Record())
		}
		if err := sc.Err(); err != nil {
			t.Fatalf("reply body: %v", err)
		}
	}
	return resp, recs
}

// queryKeysOf is a record's KEYS split as the Java client splits them.
func queryKeysOf(r message.Record) []string {
	k, _ := r.Keys()
	return strings.Fields(string(k))
}

// TestQueryMessageByKeyUniqKeyAndOffsetID: messages a Go producer sent
// with keys are found by each key, by their client msgId (UNIQ_KEY) and by
// their offset msgId, with topic, keys and body intact.
func TestQueryMessageByKeyUniqKeyAndOffsetID(t *testing.T) {
	c := startCluster(t)
	const topic = "QueryTopic"
	createTopic(t, c, topic, 4)
	p := newProducer(t, c, "query-producer")
	begin := time.Now().Add(-time.Second).UnixMilli()

	type sent struct {
		body, msgID, offsetID string
		keys                  []string
	}
	var msgs []sent
	for i := 0; i < 6; i++ {
		keys := []string{fmt.Sprintf("order-%d", i), "customer-42"}
		m := primitive.NewMessage(topic, []byte(fmt.Sprintf("query-body-%d", i)))
		m.WithKeys(keys)
		m.WithTag("TagQ")
		res, err := p.SendSync(context.Background(), m)
		if err != nil || res.Status != primitive.SendOK {
			t.Fatalf("send %d: %v %v", i, res, err)
		}
		msgs = append(msgs, sent{body: string(m.Body), msgID: res.MsgID, offsetID: res.OffsetMsgID, keys: keys})
	}

	cl := remoting.NewClient(remoting.ClientConfig{Logger: quietLogger()})
	defer cl.Close()
	// The index is built just behind the consume queues: wait for the
	// last message's key.
	eventually(t, 10*time.Second, func() string {
		resp, _ := queryInvoke(t, cl, c.Broker(), queryMessageRequest(topic, "order-5", 32, 0, math.MaxInt64, false))
		if resp.Code != int32(requestcode.Success) {
			return fmt.Sprintf("order-5 not found: %d %s", resp.Code, resp.Remark)
		}
		return ""
	})

	// By each message's own key: exactly that message.
	for _, m := range msgs {
		resp, recs := queryInvoke(t, cl, c.Broker(), queryMessageRequest(topic, m.keys[0], 32, 0, math.MaxInt64, false))
		if resp.Code != int32(requestcode.Success) || len(recs) != 1 {
			t.Fatalf("key %s: code %d, %d records", m.keys[0], resp.Code, len(recs))
		}
		r := recs[0]
		if r.TopicString() != topic || string(r.Body) != m.body || strings.Join(queryKeysOf(r), " ") != strings.Join(m.keys, " ") {
			t.Fatalf("key %s: %s %q keys %v", m.keys[0], r.Topic, r.Body, queryKeysOf(r))
		}
		if u, _ := r.UniqKey(); string(u) != m.msgID || r.OffsetMsgID() != m.offsetID {
			t.Fatalf("key %s: UNIQ_KEY %s offset id %s, send result %s / %s", m.keys[0], u, r.OffsetMsgID(), m.msgID, m.offsetID)
		}
		ts, err1 := strconv.ParseInt(resp.Value("indexLastUpdateTimestamp"), 10, 64)
		phy, err2 := strconv.ParseInt(resp.Value("indexLastUpdatePhyoffset"), 10, 64)
		if err1 != nil || err2 != nil || ts < begin || phy < r.PhysicalOffset {
			t.Fatalf("key %s: index header %v", m.keys[0], resp.Ext)
		}
	}

	// By the shared key: all six, oldest first; maxNum bounds the answer
	// to the newest ones.
	_, recs := queryInvoke(t, cl, c.Broker(), queryMessageRequest(topic, "customer-42", 32, begin, math.MaxInt64, false))
	var bodies []string
	for _, r := range recs {
		bodies = append(bodies, string(r.Body))
	}
	if len(bodies) != 6 || !sort.StringsAreSorted(bodies) || bodies[0] != "query-body-0" {
		t.Fatalf("customer-42: %v", bodies)
	}
	if _, recs := queryInvoke(t, cl, c.Broker(), queryMessageRequest(topic, "customer-42", 2, 0, math.MaxInt64, false)); len(recs) != 2 ||
		string(recs[0].Body) != "query-body-4" || string(recs[1].Body) != "query-body-5" {
		t.Fatalf("customer-42 with maxNum 2: %d records", len(recs))
	}

	// By UNIQ_KEY, as queryMsgByUniqueKey asks (Java's begin is the id's
	// time less a second; any earlier begin finds it too).
	for _, m := range msgs {
		resp, recs := queryInvoke(t, cl, c.Broker(), queryMessageRequest(topic, m.msgID, 32, begin, math.MaxInt64, true))
		if resp.Code != int32(requestcode.Success) || len(recs) != 1 || string(recs[0].Body) != m.body {
			t.Fatalf("uniq key %s: code %d, %d records", m.msgID, resp.Code, len(recs))
		}
	}

	// By offset msgId: VIEW_MESSAGE_BY_ID to the address inside the id,
	// with the commitlog offset inside it.
	for _, m := range msgs {
		host, off, err := message.DecodeOffsetMsgID(m.offsetID)
		if err != nil {
			t.Fatal(err)
		}
		addr := net.JoinHostPort(host.Addr.String(), strconv.Itoa(int(host.Port)))
		if _, port, _ := net.SplitHostPort(c.Broker()); strconv.Itoa(int(host.Port)) != port {
			t.Fatalf("offset msgId %s names port %d, the broker listens on %s", m.offsetID, host.Port, port)
		}
		req := codec.NewRequest(int32(requestcode.ViewMessageById), 0)
		req.Set("offset", strconv.FormatInt(off, 10))
		resp, recs := queryInvoke(t, cl, addr, req)
		if resp.Code != int32(requestcode.Success) || len(recs) != 1 {
			t.Fatalf("view %s: code %d %s, %d records", m.offsetID, resp.Code, resp.Remark, len(recs))
		}
		if r := recs[0]; r.TopicString() != topic || string(r.Body) != m.body || r.PhysicalOffset != off || queryKeysOf(r)[0] != m.keys[0] {
			t.Fatalf("view %s: %s %q at %d", m.offsetID, r.Topic, r.Body, r.PhysicalOffset)
		}
	}

	// What mqadmin reports for a miss, and for an offset past the end.
	resp, _ := queryInvoke(t, cl, c.Broker(), queryMessageRequest(topic, "no-such-key", 32, 0, math.MaxInt64, false))
	if resp.Code != int32(requestcode.QueryNotFound) || resp.Remark != "can not find message, maybe time range not correct" {
		t.Fatalf("miss: %d %q", resp.Code, resp.Remark)
	}
	req := codec.NewRequest(int32(requestcode.ViewMessageById), 0)
	req.Set("offset", "999999999")
	if resp, _ := queryInvoke(t, cl, c.Broker(), req); resp.Code != int32(requestcode.SystemError) ||
		resp.Remark != "can not find message by the offset, 999999999" {
		t.Fatalf("view past the end: %d %q", resp.Code, resp.Remark)
	}
}
