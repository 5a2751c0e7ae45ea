package broker

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/filter/sql92"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/rocketgo/rocketgo/store"
	"github.com/rocketgo/rocketgo/store/message"
)

// filterSub is one subscription of a test heartbeat.
type filterSub struct {
	Topic          string   `json:"topic"`
	SubString      string   `json:"subString"`
	ExpressionType string   `json:"expressionType"`
	SubVersion     int64    `json:"subVersion"`
	TagsSet        []string `json:"tagsSet"`
}

// filterHeartbeat is a HEART_BEAT for one consumer group shaped like the
// Go client's (GO-CLIENT.md §3.7).
func filterHeartbeat(t *testing.T, group string, subs ...filterSub) *codec.Command {
	t.Helper()
	type consumerData struct {
		GroupName        string      `json:"groupName"`
		ConsumeType      string      `json:"consumeType"`
		MessageModel     string      `json:"messageModel"`
		ConsumeFromWhere string      `json:"consumeFromWhere"`
		Subscriptions    []filterSub `json:"subscriptionDataSet"`
	}
	hb := struct {
		ClientID  string         `json:"clientID"`
		Consumers []consumerData `json:"consumerDataSet"`
	}{"127.0.0.1@filter-test", []consumerData{{group, "CONSUME_PASSIVELY", "CLUSTERING", "CONSUME_FROM_FIRST_OFFSET", subs}}}
	b, err := json.Marshal(hb)
	if err != nil {
		t.Fatal(err)
	}
	r := codec.NewRequest(int32(requestcode.HeartBeat), 0)
	r.Body = b
	return r
}

// filterSend sends body to topic queue 0 with the given user properties
// (name=value pairs).
func filterSend(t *testing.T, cl *remoting.Client, addr, topic, body string, kv ...string) {
	t.Helper()
	r := sendRequest(topic, 0, []byte(body))
	var props []byte
	for i := 0; i+1 < len(kv); i += 2 {
		props = message.AppendProperty(props, 0, kv[i], kv[i+1])
	}
	r.Set("properties", string(props))
	resp, err := cl.Invoke(context.Background(), addr, r)
	if err != nil || resp.Code != 0 {
		t.Fatalf("send %s: %v %v", body, resp, err)
	}
}

// filterPull pulls queue 0 of topic from offset as group. With expr ==
// "" it is a push consumer's pull (no subscription in the request, TAG as
// expression type, as rocketmq-client-go sends it); otherwise the
// subscription and its type ride in the request.
func filterPull(t *testing.T, cl *remoting.Client, addr, group, topic string, offset int64, typ, expr string) (*codec.Command, []string) {
	t.Helper()
	r := pullRequest(topic, 0, offset, 0)
	r.Set("consumerGroup", group)
	if expr == "" {
		r.Set("sysFlag", "0")
		r.Set("subscription", "")
		r.Set("expressionType", "TAG")
	} else {
		r.Set("subscription", expr)
		r.Set("expressionType", typ)
	}
	resp, err := cl.Invoke(context.Background(), addr, r)
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	if resp.Code == 0 {
		sc := message.NewScanner(resp.Body, 0, true)
		for sc.Next() {
			bodies = append(bodies, string(sc.Record().Body))
		}
	}
	return resp, bodies
}

// filterMessages is a mixed set for "a > 5 AND b = 'x'": m0, m5 and m7
// match; m3 lacks a (NULL), m4 and m6 make Java's Integer.valueOf throw.
func filterMessages(t *testing.T, cl *remoting.Client, addr, topic string) {
	t.Helper()
	for i, kv := range [][]string{
		{"a", "7", "b", "x"}, {"a", "3", "b", "x"}, {"a", "9", "b", "y"}, {"b", "x"},
		{"a", "abc", "b", "x"}, {"a", "10", "b", "x"}, {"a", "6.5", "b", "x"}, {"a", "6", "b", "x"},
	} {
		filterSend(t, cl, addr, topic, "m"+strconv.Itoa(i), kv...)
	}
}

// filterDispatched waits until queue 0 of topic holds n entries (the
// consume queue is written after the send is answered).
func filterDispatched(t *testing.T, b *Broker, topic string, n int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for b.Store().MaxOffsetInQueue(topic, 0) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%s has %d entries, want %d", topic, b.Store().MaxOffsetInQueue(topic, 0), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func filterInvoke(t *testing.T, cl *remoting.Client, addr string, req *codec.Command) *codec.Command {
	t.Helper()
	resp, err := cl.Invoke(context.Background(), addr, req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func filterSQL(topic, expr string, version int64) filterSub {
	return filterSub{Topic: topic, SubString: expr, ExpressionType: "SQL92", SubVersion: version}
}

// TestSQL92PullFromHeartbeatSubscription: a push consumer's pulls carry
// no subscription; the broker filters with the SQL92 subscription of the
// group's heartbeat, follows a newer subscription, answers
// FILTER_DATA_NOT_EXIST while the registered expression does not compile,
// and leaves TAG consumers of the same topic alone.
func TestSQL92PullFromHeartbeatSubscription(t *testing.T) {
	b := startBroker(t, map[string]string{"enablePropertyFilter": "true"})
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
	defer cl.Close()
	addr := b.Addr()
	filterMessages(t, cl, addr, "SqlT")
	filterDispatched(t, b, "SqlT", 8)

	if r := filterInvoke(t, cl, addr, filterHeartbeat(t, "G1", filterSQL("SqlT", "a > 5 AND b = 'x'", 1))); r.Code != 0 {
		t.Fatalf("heartbeat: %v", r)
	}
	resp, got := filterPull(t, cl, addr, "G1", "SqlT", 0, "", "")
	if resp.Code != 0 || strings.Join(got, ",") != "m0,m5,m7" || resp.Value("nextBeginOffset") != "8" {
		t.Fatalf("pull: code %d %q next %s, want m0,m5,m7 next 8", resp.Code, got, resp.Value("nextBeginOffset"))
	}
	resp, got = filterPull(t, cl, addr, "G1", "SqlT", 1, "", "")
	if resp.Code != 0 || strings.Join(got, ",") != "m5,m7" {
		t.Fatalf("pull from 1: code %d %q", resp.Code, got)
	}
	// Nothing matching: PULL_RETRY_IMMEDIATELY past the scanned entries,
	// as Java's NO_MATCHED_MESSAGE.
	if r := filterInvoke(t, cl, addr, filterHeartbeat(t, "G1", filterSQL("SqlT", "a > 100", 2))); r.Code != 0 {
		t.Fatalf("heartbeat: %v", r)
	}
	resp, _ = filterPull(t, cl, addr, "G1", "SqlT", 0, "", "")
	if resp.Code != int32(requestcode.PullRetryImmediately) || resp.Value("nextBeginOffset") != "8" {
		t.Fatalf("no match: %v", resp)
	}
	// An older subscription version never replaces the filter.
	filterInvoke(t, cl, addr, filterHeartbeat(t, "G1", filterSQL("SqlT", "b = 'y'", 1)))
	if resp, _ = filterPull(t, cl, addr, "G1", "SqlT", 0, "", ""); resp.Code != int32(requestcode.PullRetryImmediately) {
		t.Fatalf("older version replaced the filter: %v", resp)
	}
	filterInvoke(t, cl, addr, filterHeartbeat(t, "G1", filterSQL("SqlT", "b = 'y' OR a IS NULL", 3)))
	if resp, got = filterPull(t, cl, addr, "G1", "SqlT", 0, "", ""); resp.Code != 0 || strings.Join(got, ",") != "m2,m3" {
		t.Fatalf("newer subscription: code %d %q", resp.Code, got)
	}

	// A subscription that does not compile is accepted by the heartbeat
	// (Java only logs) and refused at pull time.
	if r := filterInvoke(t, cl, addr, filterHeartbeat(t, "G2", filterSQL("SqlT", "a > ", 1))); r.Code != 0 {
		t.Fatalf("heartbeat with a bad expression: %v", r)
	}
	resp, _ = filterPull(t, cl, addr, "G2", "SqlT", 0, "", "")
	if resp.Code != int32(requestcode.FilterDataNotExist) ||
		resp.Remark != "The broker's consumer filter data is not exist!Your expression may be wrong!" {
		t.Fatalf("bad expression pull: %d %q", resp.Code, resp.Remark)
	}
	filterInvoke(t, cl, addr, filterHeartbeat(t, "G2", filterSQL("SqlT", "a BETWEEN 9 AND 10", 2)))
	if resp, got = filterPull(t, cl, addr, "G2", "SqlT", 0, "", ""); resp.Code != 0 || strings.Join(got, ",") != "m2,m5" {
		t.Fatalf("fixed expression: code %d %q", resp.Code, got)
	}
	// A type no filter exists for, and Java's case-sensitive TAG.
	for _, typ := range []string{"FOO", "tag"} {
		filterInvoke(t, cl, addr, filterHeartbeat(t, "G3"+typ, filterSub{Topic: "SqlT", SubString: "*", ExpressionType: typ, SubVersion: 1}))
		if resp, _ = filterPull(t, cl, addr, "G3"+typ, "SqlT", 0, "", ""); resp.Code != int32(requestcode.FilterDataNotExist) {
			t.Fatalf("type %s: %v", typ, resp)
		}
	}

	// TAG consumers are untouched.
	filterInvoke(t, cl, addr, filterHeartbeat(t, "G4", filterSub{Topic: "SqlT", SubString: "*", ExpressionType: "TAG", SubVersion: 1}))
	if resp, got = filterPull(t, cl, addr, "G4", "SqlT", 0, "", ""); resp.Code != 0 || len(got) != 8 {
		t.Fatalf("TAG consumer: code %d %q", resp.Code, got)
	}
}

// TestSQL92PullWithSubscription: a pull consumer sends its SQL92
// expression with each pull: filtered when it parses,
// SUBSCRIPTION_PARSE_FAILED when it does not.
func TestSQL92PullWithSubscription(t *testing.T) {
	b := startBroker(t, map[string]string{"enablePropertyFilter": "true"})
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
	defer cl.Close()
	addr := b.Addr()
	filterMessages(t, cl, addr, "SqlP")
	filterDispatched(t, b, "SqlP", 8)
	for _, c := range []struct {
		typ, expr string
		code      requestcode.ResponseCode
		want      string
	}{
		{"SQL92", "a > 5 AND b = 'x'", requestcode.Success, "m0,m5,m7"},
		{"SQL92", "a IN ('3', '9') OR a = 'abc'", requestcode.Success, "m1,m2,m4"},
		{"SQL92", "a > 5.0 AND b = 'x'", requestcode.Success, "m0,m5,m6,m7"},
		{"SQL92", "a > ", requestcode.SubscriptionParseFailed, ""},
		{"SQL92", "a = NULL", requestcode.SubscriptionParseFailed, ""},
		{"SQL92", "'x'", requestcode.SubscriptionParseFailed, ""},
		{"FOO", "a > 5", requestcode.SubscriptionParseFailed, ""},
		{"TAG", "*", requestcode.Success, "m0,m1,m2,m3,m4,m5,m6,m7"},
	} {
		resp, got := filterPull(t, cl, addr, "PG", "SqlP", 0, c.typ, c.expr)
		if resp.Code != int32(c.code) || strings.Join(got, ",") != c.want {
			t.Errorf("%s %q: code %d %q %q, want %d %q", c.typ, c.expr, resp.Code, resp.Remark, got, c.code, c.want)
		}
		if c.code == requestcode.SubscriptionParseFailed && resp.Remark != "parse the consumer's subscription failed" {
			t.Errorf("%s %q: remark %q", c.typ, c.expr, resp.Remark)
		}
	}
	// An empty expression of a non-TAG type is refused before anything
	// else (FilterAPI.build).
	r := pullRequest("SqlP", 0, 0, 0)
	r.Set("expressionType", "SQL92")
	r.Set("subscription", "")
	if resp := filterInvoke(t, cl, addr, r); resp.Code != int32(requestcode.SubscriptionParseFailed) {
		t.Errorf("empty SQL92 expression: %v", resp)
	}
}

// TestSQL92Disabled: with enablePropertyFilter=false (the default) every
// SQL92 subscription is answered with Java's SYSTEM_ERROR and remark,
// after the checks Java makes first.
func TestSQL92Disabled(t *testing.T) {
	b := startBroker(t, nil)
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
	defer cl.Close()
	addr := b.Addr()
	filterMessages(t, cl, addr, "SqlOff")
	filterDispatched(t, b, "SqlOff", 8)
	const remark = "The broker does not support consumer to filter message by SQL92"

	filterInvoke(t, cl, addr, filterHeartbeat(t, "G1", filterSQL("SqlOff", "a > 5", 1)))
	if resp, _ := filterPull(t, cl, addr, "G1", "SqlOff", 0, "", ""); resp.Code != int32(requestcode.SystemError) || resp.Remark != remark {
		t.Fatalf("heartbeat subscription: %d %q", resp.Code, resp.Remark)
	}
	// Java looks for the filter data before it looks at the switch.
	filterInvoke(t, cl, addr, filterHeartbeat(t, "G2", filterSQL("SqlOff", "a >", 1)))
	if resp, _ := filterPull(t, cl, addr, "G2", "SqlOff", 0, "", ""); resp.Code != int32(requestcode.FilterDataNotExist) {
		t.Fatalf("bad heartbeat subscription: %v", resp)
	}
	for _, expr := range []string{"a > 5", "a >"} {
		if resp, _ := filterPull(t, cl, addr, "PG", "SqlOff", 0, "SQL92", expr); resp.Code != int32(requestcode.SystemError) || resp.Remark != remark {
			t.Fatalf("pull subscription %q: %d %q", expr, resp.Code, resp.Remark)
		}
	}
	if resp, got := filterPull(t, cl, addr, "PG", "SqlOff", 0, "TAG", "*"); resp.Code != 0 || len(got) != 8 {
		t.Fatalf("TAG pull: %v %q", resp, got)
	}
	if resp := filterInvoke(t, cl, addr, filterCheckRequest(`{"clientId":"c","group":"g","subscriptionData":{"topic":"SqlOff","subString":"a > 5","expressionType":"SQL92"}}`)); resp.Code != int32(requestcode.SystemError) || resp.Remark != remark {
		t.Fatalf("CHECK_CLIENT_CONFIG: %d %q", resp.Code, resp.Remark)
	}
}

func filterCheckRequest(body string) *codec.Command {
	r := codec.NewRequest(int32(requestcode.CheckClientConfig), 0)
	if body != "-" {
		r.Body = []byte(body)
	}
	return r
}

// TestCheckClientConfig: CHECK_CLIENT_CONFIG answers as Java's
// checkClientConfig, including bad bodies.
func TestCheckClientConfig(t *testing.T) {
	b := startBroker(t, map[string]string{"enablePropertyFilter": "true"})
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
	defer cl.Close()
	sub := func(typ, expr string) string {
		s, _ := json.Marshal(map[string]any{"clientId": "127.0.0.1@1", "group": "g",
			"subscriptionData": map[string]any{"topic": "T", "subString": expr, "expressionType": typ, "subVersion": 1}})
		return string(s)
	}
	for _, c := range []struct {
		name   string
		body   string
		code   requestcode.ResponseCode
		remark string // substring
	}{
		{"valid SQL92", sub("SQL92", "a > 5 AND b = 'x'"), requestcode.Success, ""},
		{"TAG", sub("TAG", "a ||| b"), requestcode.Success, ""},
		{"no type", sub("", "whatever"), requestcode.Success, ""},
		{"no subscription", `{"clientId":"c","group":"g"}`, requestcode.Success, ""},
		{"null body", `null`, requestcode.Success, ""},
		{"bad SQL92", sub("SQL92", "a > 5 AND"), requestcode.SubscriptionParseFailed, "line 1, column 10"},
		{"uncomparable", sub("SQL92", "a > 'x'"), requestcode.SubscriptionParseFailed, "cannot be compared"},
		{"empty SQL92", sub("SQL92", ""), requestcode.SubscriptionParseFailed, "unexpected end of expression"},
		{"unknown type", sub("FOO", "a > 5"), requestcode.SubscriptionParseFailed, "FOO"},
		{"no body", "-", requestcode.SystemError, "without a body"},
		{"not JSON", `{"subscriptionData":`, requestcode.SystemError, "malformed"},
		{"wrong JSON types", `{"subscriptionData":{"subString":5}}`, requestcode.SystemError, "malformed"},
	} {
		resp := filterInvoke(t, cl, b.Addr(), filterCheckRequest(c.body))
		if resp.Code != int32(c.code) || !strings.Contains(resp.Remark, c.remark) {
			t.Errorf("%s: %d %q, want %d containing %q", c.name, resp.Code, resp.Remark, c.code, c.remark)
		}
	}
}

// TestSQL92FilterSupportRetry: with filterSupportRetry, messages of the
// group's retry topic are filtered with the group's expression for the
// topic named by RETRY_TOPIC; without it they all come back.
func TestSQL92FilterSupportRetry(t *testing.T) {
	for _, retry := range []bool{true, false} {
		t.Run("filterSupportRetry="+strconv.FormatBool(retry), func(t *testing.T) {
			b := startBroker(t, map[string]string{"enablePropertyFilter": "true", "filterSupportRetry": strconv.FormatBool(retry)})
			cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
			defer cl.Close()
			addr := b.Addr()
			filterInvoke(t, cl, addr, filterHeartbeat(t, "RG", filterSQL("SqlR", "a > 5", 1),
				filterSub{Topic: "%RETRY%RG", SubString: "*", ExpressionType: "TAG", SubVersion: 1}))
			filterSend(t, cl, addr, "%RETRY%RG", "r0", "a", "7", "RETRY_TOPIC", "SqlR")
			filterSend(t, cl, addr, "%RETRY%RG", "r1", "a", "1", "RETRY_TOPIC", "SqlR")
			filterSend(t, cl, addr, "%RETRY%RG", "r2", "a", "1", "RETRY_TOPIC", "OtherTopic")
			filterSend(t, cl, addr, "%RETRY%RG", "r3", "a", "1")
			filterDispatched(t, b, "%RETRY%RG", 4)
			want := "r0,r1,r2,r3"
			if retry {
				want = "r0,r2,r3"
			}
			resp, got := filterPull(t, cl, addr, "RG", "%RETRY%RG", 0, "", "")
			if resp.Code != 0 || strings.Join(got, ",") != want {
				t.Fatalf("retry pull: code %d %q, want %s", resp.Code, got, want)
			}
		})
	}
}

// TestSQL92LongPoll: a held SQL92 pull is answered by a matching message.
func TestSQL92LongPoll(t *testing.T) {
	b := startBroker(t, map[string]string{"enablePropertyFilter": "true"})
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
	defer cl.Close()
	addr := b.Addr()
	filterSend(t, cl, addr, "SqlL", "first", "a", "1")
	filterDispatched(t, b, "SqlL", 1)
	filterInvoke(t, cl, addr, filterHeartbeat(t, "LG", filterSQL("SqlL", "a > 5", 1)))
	done := make(chan []string, 1)
	go func() {
		r := pullRequest("SqlL", 0, 1, 10*time.Second)
		r.Set("consumerGroup", "LG")
		r.Set("sysFlag", "2")
		resp, err := cl.Invoke(context.Background(), addr, r)
		if err != nil || resp.Code != 0 {
			t.Errorf("held pull: %v %v", resp, err)
			done <- nil
			return
		}
		var bodies []string
		for sc := message.NewScanner(resp.Body, 0, true); sc.Next(); {
			bodies = append(bodies, string(sc.Record().Body))
		}
		done <- bodies
	}()
	time.Sleep(200 * time.Millisecond)
	filterSend(t, cl, addr, "SqlL", "match", "a", "9")
	select {
	case got := <-done:
		if strings.Join(got, ",") != "match" {
			t.Fatalf("held pull got %q", got)
		}
	case <-time.After(8 * time.Second):
		t.Fatal("held pull not answered")
	}
}

// BenchmarkSQL92RecordFilter is the per-record cost of a SQL92 pull: find
// the properties in the stored record, evaluate "a > 5 AND b = 'x'".
func BenchmarkSQL92RecordFilter(b *testing.B) {
	x, err := sql92.Parse("a > 5 AND b = 'x'")
	if err != nil {
		b.Fatal(err)
	}
	var props []byte
	for _, kv := range [][2]string{{"a", "7"}, {"b", "x"}, {"UNIQ_KEY", "7F0000010001B4AAC6DC1A2B3C4D0001"},
		{"WAIT", "true"}, {"TAGS", "TagA"}, {"CLUSTER", "DefaultCluster"}} {
		props = message.AppendProperty(props, 0, kv[0], kv[1])
	}
	rec, err := message.AppendRecord(nil, &message.Message{Topic: "SqlBench", Body: make([]byte, 1024), Properties: props,
		BornHost: storeHost("127.0.0.1", 5000), StoreHost: storeHost("127.0.0.1", 10911)})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if !x.EvaluateProperties(store.RecordProperties(rec)) {
			b.Fatal("no match")
		}
	}
}

// BenchmarkSQL92PullLoopback is BenchmarkPullLoopback with a SQL92
// subscription that half the messages match.
func BenchmarkSQL92PullLoopback(b *testing.B) {
	br := startBroker(b, map[string]string{"enablePropertyFilter": "true"})
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
	defer cl.Close()
	body := make([]byte, 1024)
	const n = 6400
	for i := 0; i < n; i++ {
		r := sendRequest("SqlBench", 0, body)
		r.Set("properties", "a\x01"+strconv.Itoa(i%10)+"\x02b\x01x\x02UNIQ_KEY\x017F0000010001B4AAC6DC1A2B3C4D0001")
		if resp, err := cl.Invoke(context.Background(), br.Addr(), r); err != nil || resp.Code != 0 {
			b.Fatal(err, resp)
		}
	}
	for br.Store().MaxOffsetInQueue("SqlBench", 0) < n {
		time.Sleep(time.Millisecond)
	}
	b.SetBytes(32 * 1024)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		off := int64(i*64) % n
		r := pullRequest("SqlBench", 0, off, 0)
		r.Set("expressionType", "SQL92")
		r.Set("subscription", "a > 4 AND b = 'x'")
		resp, err := cl.Invoke(context.Background(), br.Addr(), r)
		if err != nil || resp.Code != 0 {
			b.Fatal(err, resp)
		}
	}
	b.ReportMetric(float64(b.N*32)/b.Elapsed().Seconds(), "msgs/s")
}
