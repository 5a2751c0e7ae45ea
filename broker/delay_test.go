package broker

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/rocketgo/rocketgo/store"
	"github.com/rocketgo/rocketgo/store/message"
)

const delayJavaStore = "../../shared/testdata/java-4.9.7/store-small"

// delayFixtureBroker runs a broker on a copy of the Java fixture store,
// with the broker.conf values it was written with.
func delayFixtureBroker(t *testing.T, props map[string]string) *Broker {
	t.Helper()
	root := t.TempDir()
	err := filepath.WalkDir(delayJavaStore, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(delayJavaStore, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(root, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(root, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	base := map[string]string{
		"brokerClusterName": "DefaultCluster", "brokerName": "broker-a", "storePathRootDir": root,
		"mappedFileSizeCommitLog": "1048576", "mappedFileSizeConsumeQueue": "6000",
		"maxHashSlotNum": "1000", "maxIndexNum": "4000",
	}
	for k, v := range props {
		base[k] = v
	}
	return startBroker(t, base)
}

func delayClient(t testing.TB) *remoting.Client {
	t.Helper()
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
	t.Cleanup(cl.Close)
	return cl
}

func delayInvoke(t testing.TB, cl *remoting.Client, addr string, req *codec.Command) *codec.Command {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := cl.Invoke(ctx, addr, req)
	if err != nil {
		t.Fatalf("invoke %d: %v", req.Code, err)
	}
	return resp
}

func delaySendBackRequest(offset int64, group string, delayLevel int, maxTimes string) *codec.Command {
	r := codec.NewRequest(int32(requestcode.ConsumerSendMsgBack), 0)
	r.Set("offset", strconv.FormatInt(offset, 10))
	r.Set("group", group)
	r.Set("delayLevel", strconv.Itoa(delayLevel))
	r.Set("originMsgId", "")
	r.Set("originTopic", "T")
	r.Set("unitMode", "false")
	if maxTimes != "" {
		r.Set("maxReconsumeTimes", maxTimes)
	}
	return r
}

// delaySend sends one message with the given properties string and
// returns its commitlog offset.
func delaySend(t *testing.T, cl *remoting.Client, b *Broker, topic string, qid int, props string, wantCode requestcode.ResponseCode) int64 {
	t.Helper()
	req := sendRequest(topic, qid, []byte("body-"+topic))
	req.Set("properties", props)
	resp := delayInvoke(t, cl, b.Addr(), req)
	if resp.Code != int32(wantCode) {
		t.Fatalf("send to %s with %q: code %d %q, want %d", topic, props, resp.Code, resp.Remark, wantCode)
	}
	if wantCode != requestcode.Success {
		return -1
	}
	_, off, err := message.DecodeOffsetMsgID(resp.Value("msgId"))
	if err != nil {
		t.Fatal(err)
	}
	return off
}

// delayRecords reads the records of topic/qid from the store (copies).
func delayRecords(t *testing.T, b *Broker, topic string, qid int32) []message.Record {
	t.Helper()
	st := b.Store()
	var out []message.Record
	for off := st.MinOffsetInQueue(topic, qid); off < st.MaxOffsetInQueue(topic, qid); off++ {
		e, ok := st.Entry(topic, qid, off)
		if !ok {
			t.Fatalf("entry %d of %s/%d", off, topic, qid)
		}
		v, ok := st.SelectOneMessageByOffset(e.Offset, int(e.Size))
		if !ok {
			t.Fatalf("record at %d", e.Offset)
		}
		rec, err := message.Decode(append([]byte(nil), v.Bytes...), false)
		v.Release()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
	return out
}

// delayWaitRecords waits until topic/qid holds n records.
func delayWaitRecords(t *testing.T, b *Broker, topic string, qid int32, n int, within time.Duration) []message.Record {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		recs := delayRecords(t, b, topic, qid)
		if len(recs) >= n {
			return recs
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/%d holds %d records, want %d", topic, qid, len(recs), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func delayProp(rec *message.Record, name string) string {
	v, _ := rec.Properties.GetString(name)
	return v
}

// TestSendDelayMatchesJava: a Java client's delay message (with WAIT=true,
// which Java strips from plain messages but keeps when it re-serializes
// for the schedule topic) is parked with the properties string Java wrote
// in the fixture store, whichever order the client listed WAIT and DELAY.
func TestSendDelayMatchesJava(t *testing.T) {
	b := delayFixtureBroker(t, nil)
	cl := delayClient(t)
	const want = "p1\x01delay-v1-0\x02REAL_TOPIC\x01FixtureTopic\x02KEYS\x01delay-key-0\x02UNIQ_KEY\x01C000020205EF5FFD2B2769360E32001B" +
		"\x02CLUSTER\x01DefaultCluster\x02DELAY\x011\x02WAIT\x01true\x02TAGS\x01TagDelay\x02seq\x010\x02REAL_QID\x013"
	for i, props := range []string{
		"p1\x01delay-v1-0\x02KEYS\x01delay-key-0\x02UNIQ_KEY\x01C000020205EF5FFD2B2769360E32001B\x02WAIT\x01true\x02DELAY\x011\x02TAGS\x01TagDelay\x02seq\x010",
		"p1\x01delay-v1-0\x02KEYS\x01delay-key-0\x02UNIQ_KEY\x01C000020205EF5FFD2B2769360E32001B\x02DELAY\x011\x02WAIT\x01true\x02TAGS\x01TagDelay\x02seq\x010",
	} {
		req := sendRequest("FixtureTopic", 3, []byte("delay-0"))
		req.Set("properties", props)
		resp := delayInvoke(t, cl, b.Addr(), req)
		if resp.Code != 0 || resp.Value("queueId") != "3" || resp.Value("queueOffset") != strconv.Itoa(2+i) {
			t.Fatalf("send %d: code %d %q, header %v", i, resp.Code, resp.Remark, resp.Ext)
		}
		recs := delayWaitRecords(t, b, store.ScheduleTopic, 0, 3+i, 5*time.Second)
		got := recs[2+i]
		if string(got.Properties) != want {
			t.Fatalf("client order %d: schedule record properties\n%q\nwant (Java)\n%q", i, got.Properties, want)
		}
		if string(got.Topic) != store.ScheduleTopic || got.QueueID != 0 {
			t.Fatalf("stored in %s/%d", got.Topic, got.QueueID)
		}
	}
	// A half message keeps WAIT too (Java re-serializes for the half topic).
	const wantHalf = "p1\x01tx-v1-commit\x02REAL_TOPIC\x01FixtureTopic\x02KEYS\x01tx-key-commit\x02TRAN_MSG\x01true" +
		"\x02UNIQ_KEY\x01C000020205EF5FFD2B2769361267001D\x02CLUSTER\x01DefaultCluster\x02PGROUP\x01FixtureTxProducer" +
		"\x02WAIT\x01true\x02TAGS\x01TagTx\x02REAL_QID\x013"
	half := sendRequest("FixtureTopic", 3, []byte("tx"))
	half.Set("sysFlag", "4")
	half.Set("properties", "p1\x01tx-v1-commit\x02KEYS\x01tx-key-commit\x02TRAN_MSG\x01true\x02UNIQ_KEY\x01C000020205EF5FFD2B2769361267001D"+
		"\x02PGROUP\x01FixtureTxProducer\x02WAIT\x01true\x02TAGS\x01TagTx")
	if resp := delayInvoke(t, cl, b.Addr(), half); resp.Code != 0 {
		t.Fatalf("half send: %d %q", resp.Code, resp.Remark)
	}
	halves := delayWaitRecords(t, b, "RMQ_SYS_TRANS_HALF_TOPIC", 0, 3, 5*time.Second)
	if got := halves[len(halves)-1]; string(got.Properties) != wantHalf {
		t.Fatalf("half record properties\n%q\nwant (Java)\n%q", got.Properties, wantHalf)
	}

	// A plain message still drops WAIT.
	delaySend(t, cl, b, "FixtureTopic", 1, "WAIT\x01true\x02TAGS\x01T", requestcode.Success)
	recs := delayWaitRecords(t, b, "FixtureTopic", 1, 1, 5*time.Second)
	last := recs[len(recs)-1]
	if _, ok := last.Properties.Get(message.PropertyWaitStoreMsgOK); ok {
		t.Fatalf("plain message stored WAIT: %q", last.Properties)
	}
}

// TestSendBackMatchesJava: CONSUMER_SEND_MSG_BACK of the fixture's
// message 5 for FixtureGroup writes the schedule record Java wrote for the
// same send-back, field for field (only the position fields, which the
// store assigns, differ).
func TestSendBackMatchesJava(t *testing.T) {
	b := delayFixtureBroker(t, nil)
	cl := delayClient(t)
	resp := delayInvoke(t, cl, b.Addr(), delaySendBackRequest(1095, "FixtureGroup", 0, "16"))
	if resp.Code != 0 {
		t.Fatalf("send back: %d %q", resp.Code, resp.Remark)
	}
	recs := delayWaitRecords(t, b, store.ScheduleTopic, 2, 2, 5*time.Second)
	got := recs[1]
	javaRec, v, ok := b.Store().LookMessage(1409371)
	if !ok {
		t.Fatal("Java's retry record not found")
	}
	defer v.Release()
	want := append([]byte(nil), javaRec.Raw...)
	if err := message.Patch(want, got.QueueOffset, got.PhysicalOffset, got.StoreTimestamp); err != nil {
		t.Fatal(err)
	}
	if string(got.Raw) != string(want) {
		t.Fatalf("send-back record\n%q\nJava's\n%q", got.Properties, javaRec.Properties)
	}
}

// TestSendBackRetryThenDLQ: a message handed back goes to the group's
// retry topic through the schedule topic with level 3 + reconsumeTimes
// (clamped to the table), comes back with a growing reconsume count and,
// past maxReconsumeTimes, lands in the group's DLQ without a delay.
func TestSendBackRetryThenDLQ(t *testing.T) {
	b := startBroker(t, map[string]string{"messageDelayLevel": "1s 1s 1s"})
	cl := delayClient(t)
	orig := delaySend(t, cl, b, "T", 0, "TAGS\x01TagA\x02UNIQ_KEY\x01AAAA", requestcode.Success)
	origID := message.OffsetMsgID(b.env.StoreHost, false, orig)

	resp := delayInvoke(t, cl, b.Addr(), delaySendBackRequest(orig, "CG", 0, "2"))
	if resp.Code != 0 {
		t.Fatalf("send back 1: %d %q", resp.Code, resp.Remark)
	}
	tc, ok := b.topics.Get("%RETRY%CG")
	if !ok || tc.ReadQueueNums != 1 || tc.WriteQueueNums != 1 || tc.Perm != body.PermRead|body.PermWrite {
		t.Fatalf("retry topic %+v %v", tc, ok)
	}
	sched := delayWaitRecords(t, b, store.ScheduleTopic, 2, 1, 5*time.Second)[0]
	for k, want := range map[string]string{"DELAY": "3", "REAL_TOPIC": "%RETRY%CG", "REAL_QID": "0", "RETRY_TOPIC": "T",
		"ORIGIN_MESSAGE_ID": origID, "WAIT": "false", "TAGS": "TagA", "UNIQ_KEY": "AAAA"} {
		if got := delayProp(&sched, k); got != want {
			t.Fatalf("schedule record %s = %q, want %q (%q)", k, got, want, sched.Properties)
		}
	}
	if sched.ReconsumeTimes != 1 || string(sched.Body) != "body-T" {
		t.Fatalf("schedule record reconsume %d body %q", sched.ReconsumeTimes, sched.Body)
	}
	// Delivered to the retry topic after the 1 s level.
	start := time.Now()
	retry1 := delayWaitRecords(t, b, "%RETRY%CG", 0, 1, 5*time.Second)[0]
	if el := time.Since(start); el > 3*time.Second {
		t.Fatalf("retry delivered after %v", el)
	}
	if retry1.ReconsumeTimes != 1 || delayProp(&retry1, "RETRY_TOPIC") != "T" {
		t.Fatalf("retry record reconsume %d props %q", retry1.ReconsumeTimes, retry1.Properties)
	}

	// Second failure: level 3+1 = 4 is beyond the 3-level table → 3.
	resp = delayInvoke(t, cl, b.Addr(), delaySendBackRequest(retry1.PhysicalOffset, "CG", 0, "2"))
	if resp.Code != 0 {
		t.Fatalf("send back 2: %d %q", resp.Code, resp.Remark)
	}
	sched2 := delayWaitRecords(t, b, store.ScheduleTopic, 2, 2, 5*time.Second)[1]
	if delayProp(&sched2, "DELAY") != "3" || sched2.ReconsumeTimes != 2 || delayProp(&sched2, "ORIGIN_MESSAGE_ID") != origID {
		t.Fatalf("second schedule record: reconsume %d props %q", sched2.ReconsumeTimes, sched2.Properties)
	}
	retry2 := delayWaitRecords(t, b, "%RETRY%CG", 0, 2, 5*time.Second)[1]

	// Third failure: reconsumeTimes 2 >= maxReconsumeTimes 2 → DLQ at once.
	resp = delayInvoke(t, cl, b.Addr(), delaySendBackRequest(retry2.PhysicalOffset, "CG", 0, "2"))
	if resp.Code != 0 {
		t.Fatalf("send back 3: %d %q", resp.Code, resp.Remark)
	}
	dtc, ok := b.topics.Get("%DLQ%CG")
	if !ok || dtc.ReadQueueNums != 1 || dtc.WriteQueueNums != 1 || dtc.Perm != body.PermRead|body.PermWrite {
		t.Fatalf("DLQ topic %+v %v", dtc, ok)
	}
	dlq := delayWaitRecords(t, b, "%DLQ%CG", 0, 1, 5*time.Second)[0]
	if dlq.ReconsumeTimes != 3 || delayProp(&dlq, "DELAY") != "0" || delayProp(&dlq, "REAL_TOPIC") != "%RETRY%CG" ||
		delayProp(&dlq, "ORIGIN_MESSAGE_ID") != origID || string(dlq.Body) != "body-T" {
		t.Fatalf("DLQ record: reconsume %d props %q", dlq.ReconsumeTimes, dlq.Properties)
	}
	if n := len(delayRecords(t, b, store.ScheduleTopic, 2)); n != 2 {
		t.Fatalf("the dead letter went through the schedule topic (%d records)", n)
	}
}

// TestSendBackChoices: the client's delay level is used as given, a
// negative one sends straight to the DLQ, and without a usable
// maxReconsumeTimes the group's retryMaxTimes decides.
func TestSendBackChoices(t *testing.T) {
	b := startBroker(t, nil)
	cl := delayClient(t)
	orig := delaySend(t, cl, b, "T", 0, "TAGS\x01TagA", requestcode.Success)

	if resp := delayInvoke(t, cl, b.Addr(), delaySendBackRequest(orig, "CG", 5, "16")); resp.Code != 0 {
		t.Fatalf("level 5: %d %q", resp.Code, resp.Remark)
	}
	if recs := delayWaitRecords(t, b, store.ScheduleTopic, 4, 1, 5*time.Second); delayProp(&recs[0], "DELAY") != "5" {
		t.Fatalf("level 5 record %q", recs[0].Properties)
	}
	if resp := delayInvoke(t, cl, b.Addr(), delaySendBackRequest(orig, "CG", -1, "16")); resp.Code != 0 {
		t.Fatalf("level -1: %d %q", resp.Code, resp.Remark)
	}
	delayWaitRecords(t, b, "%DLQ%CG", 0, 1, 5*time.Second)

	// maxReconsumeTimes unparsable (Java: null) → the group's 16 applies.
	req := delaySendBackRequest(orig, "CG", 0, "many")
	if resp := delayInvoke(t, cl, b.Addr(), req); resp.Code != 0 {
		t.Fatalf("bad maxReconsumeTimes: %d %q", resp.Code, resp.Remark)
	}
	delayWaitRecords(t, b, store.ScheduleTopic, 2, 1, 5*time.Second)
	// A group with retryMaxTimes 0 and no header value: DLQ.
	sg := body.NewSubscriptionGroupConfig("CG0")
	sg.RetryMaxTimes = 0
	if err := b.groups.Update(&sg); err != nil {
		t.Fatal(err)
	}
	if resp := delayInvoke(t, cl, b.Addr(), delaySendBackRequest(orig, "CG0", 0, "")); resp.Code != 0 {
		t.Fatalf("CG0: %d %q", resp.Code, resp.Remark)
	}
	delayWaitRecords(t, b, "%DLQ%CG0", 0, 1, 5*time.Second)

	// The client's fallback: a plain send to the retry topic past the
	// limit goes to the DLQ, and the DELAY it carries still applies (Java
	// overwrites the DLQ branch's DELAY=0 with the request's properties).
	fb := sendRequest("%RETRY%CG", 0, []byte("fallback"))
	fb.Set("properties", "DELAY\x013\x02RETRY_TOPIC\x01T")
	fb.Set("reconsumeTimes", "16")
	fb.Set("maxReconsumeTimes", "16")
	if resp := delayInvoke(t, cl, b.Addr(), fb); resp.Code != 0 {
		t.Fatalf("fallback send: %d %q", resp.Code, resp.Remark)
	}
	recs := delayWaitRecords(t, b, store.ScheduleTopic, 2, 2, 5*time.Second)
	if last := recs[len(recs)-1]; delayProp(&last, "REAL_TOPIC") != "%DLQ%CG" || string(last.Body) != "fallback" {
		t.Fatalf("fallback parked as %q", last.Properties)
	}
}

// TestSendBackBadInput: every malformed or impossible send-back gets Java's
// response code and a remark that says why, and stores nothing.
func TestSendBackBadInput(t *testing.T) {
	b := startBroker(t, map[string]string{"autoCreateSubscriptionGroup": "false"})
	cl := delayClient(t)
	orig := delaySend(t, cl, b, "T", 0, "TAGS\x01TagA", requestcode.Success)
	known := body.NewSubscriptionGroupConfig("CG")
	if err := b.groups.Update(&known); err != nil {
		t.Fatal(err)
	}
	noRetry := body.NewSubscriptionGroupConfig("NORETRY")
	noRetry.RetryQueueNums = 0
	if err := b.groups.Update(&noRetry); err != nil {
		t.Fatal(err)
	}
	without := func(key string) *codec.Command {
		r := delaySendBackRequest(orig, "CG", 0, "16")
		var kept []codec.Field
		for _, f := range r.Ext {
			if f.Key != key {
				kept = append(kept, f)
			}
		}
		r.Ext = kept
		return r
	}
	with := func(key, value string) *codec.Command {
		r := delaySendBackRequest(orig, "CG", 0, "16")
		r.Set(key, value)
		return r
	}
	for _, tc := range []struct {
		name   string
		req    *codec.Command
		code   requestcode.ResponseCode
		remark string
	}{
		{"no offset", without("offset"), requestcode.SystemError, "the custom field <offset> is null"},
		{"no group", without("group"), requestcode.SystemError, "the custom field <group> is null"},
		{"no delayLevel", without("delayLevel"), requestcode.SystemError, "the custom field <delayLevel> is null"},
		{"offset not a number", with("offset", "x1"), requestcode.SystemError, "<offset> is not a number"},
		{"delayLevel not a number", with("delayLevel", "three"), requestcode.SystemError, "<delayLevel> is not a number"},
		{"unknown offset", with("offset", "99999999"), requestcode.SystemError, "look message by offset failed, 99999999"},
		{"offset inside a record", with("offset", strconv.FormatInt(orig+5, 10)), requestcode.SystemError, "look message by offset failed"},
		{"negative offset", with("offset", "-1"), requestcode.SystemError, "look message by offset failed, -1"},
		{"unknown group", with("group", "NOPE"), requestcode.SubscriptionGroupNotExist, "subscription group not exist, NOPE"},
		{"empty group", with("group", ""), requestcode.SubscriptionGroupNotExist, "subscription group not exist"},
		{"group without retry queues", with("group", "NORETRY"), requestcode.Success, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := delayInvoke(t, cl, b.Addr(), tc.req)
			if resp.Code != int32(tc.code) || !strings.Contains(resp.Remark, tc.remark) {
				t.Fatalf("code %d remark %q, want %d containing %q", resp.Code, resp.Remark, tc.code, tc.remark)
			}
		})
	}
	if n := b.Store().MaxOffsetInQueue(store.ScheduleTopic, 2); n != 0 {
		t.Fatalf("%d records stored by failed send-backs", n)
	}
	if _, ok := b.topics.Get("%RETRY%NORETRY"); ok {
		t.Fatal("a group without retry queues got a retry topic")
	}

	ro := startBroker(t, map[string]string{"brokerPermission": "4"})
	resp := delayInvoke(t, cl, ro.Addr(), delaySendBackRequest(0, "CG", 0, "16"))
	if resp.Code != int32(requestcode.NoPermission) || !strings.Contains(resp.Remark, "sending message is forbidden") {
		t.Fatalf("read-only broker: %d %q", resp.Code, resp.Remark)
	}
}

// TestSendDelayLevels: levels 1..max are parked in queue level-1; a level
// beyond the table is clamped to the last level (Java's behaviour, the
// message is kept); 0 and negative levels are not delayed; a DELAY that is
// not a number is refused with SYSTEM_ERROR and stored nowhere; a batch
// with DELAY is refused. A message parked at the last level is still
// delivered after its delay.
func TestSendDelayLevels(t *testing.T) {
	b := startBroker(t, map[string]string{"messageDelayLevel": "1s 2s"})
	cl := delayClient(t)
	delaySend(t, cl, b, "D", 0, "DELAY\x011", requestcode.Success)
	delaySend(t, cl, b, "D", 1, "DELAY\x0199", requestcode.Success)
	delaySend(t, cl, b, "D", 2, "DELAY\x010", requestcode.Success)
	delaySend(t, cl, b, "D", 3, "DELAY\x01-2", requestcode.Success)
	req := sendRequest("D", 0, []byte("x"))
	req.Set("properties", "DELAY\x01abc")
	resp := delayInvoke(t, cl, b.Addr(), req)
	if resp.Code != int32(requestcode.SystemError) || !strings.Contains(resp.Remark, `DELAY "abc"`) {
		t.Fatalf("DELAY=abc: %d %q", resp.Code, resp.Remark)
	}
	if r := delayWaitRecords(t, b, store.ScheduleTopic, 0, 1, 5*time.Second); len(r) != 1 || delayProp(&r[0], "REAL_QID") != "0" {
		t.Fatalf("level 1 queue: %d records", len(r))
	}
	clamped := delayWaitRecords(t, b, store.ScheduleTopic, 1, 1, 5*time.Second)
	if len(clamped) != 1 || delayProp(&clamped[0], "DELAY") != "2" || delayProp(&clamped[0], "REAL_QID") != "1" {
		t.Fatalf("level 99: %d records, props %q", len(clamped), clamped[0].Properties)
	}
	for qid, level := range map[int32]string{2: "0", 3: "-2"} {
		r := delayWaitRecords(t, b, "D", qid, 1, 5*time.Second)
		if delayProp(&r[0], "DELAY") != level || delayProp(&r[0], "REAL_TOPIC") != "" {
			t.Fatalf("level %s stored as %q in D/%d", level, r[0].Properties, qid)
		}
	}
	// The clamped message arrives after the last level's 2 s.
	start := time.Now()
	got := delayWaitRecords(t, b, "D", 1, 1, 5*time.Second)
	if string(got[0].Body) != "body-D" {
		t.Fatalf("delivered %q", got[0].Body)
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Fatalf("delivered after %v", el)
	}
	// Nothing was stored for the refused DELAY=abc.
	if n := b.Store().MaxOffsetInQueue("D", 0); n != 1 {
		t.Fatalf("D/0 holds %d records, want only the delivered level 1 message", n)
	}

	batch := codec.NewRequest(int32(requestcode.SendBatchMessage), 0)
	for _, f := range sendRequest("D", 0, nil).Ext {
		batch.Set(keysV2Name(f.Key), f.Value)
	}
	batch.Set("i", "DELAY\x011")
	item, _ := message.AppendBatchItem(nil, 0, []byte("b"), nil)
	batch.Body = item
	resp = delayInvoke(t, cl, b.Addr(), batch)
	if resp.Code != int32(requestcode.MessageIllegal) {
		t.Fatalf("batch with DELAY: %d %q", resp.Code, resp.Remark)
	}
}

// keysV2Name maps a SendMessageRequestHeader key to its V2 short name.
func keysV2Name(k string) string {
	names := map[string]string{"producerGroup": "a", "topic": "b", "defaultTopic": "c", "defaultTopicQueueNums": "d",
		"queueId": "e", "sysFlag": "f", "bornTimestamp": "g", "flag": "h", "properties": "i", "reconsumeTimes": "j",
		"unitMode": "k", "maxReconsumeTimes": "l", "batch": "m"}
	return names[k]
}

// TestDelaySurvivesRestart: a delay message waiting when the broker stops
// is delivered once after it restarts on the same store.
func TestDelaySurvivesRestart(t *testing.T) {
	root := filepath.Join(t.TempDir(), "store")
	props := map[string]string{"messageDelayLevel": "1s 2s", "storePathRootDir": root}
	b := startBroker(t, props)
	cl := delayClient(t)
	delaySend(t, cl, b, "R", 0, "DELAY\x011\x02UNIQ_KEY\x01R1", requestcode.Success)
	delayWaitRecords(t, b, "R", 0, 1, 5*time.Second) // first one delivered
	delaySend(t, cl, b, "R", 0, "DELAY\x012\x02UNIQ_KEY\x01R2", requestcode.Success)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(root, "config", "delayOffset.json"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "{\n\t\"offsetTable\":{1:1\n\t}\n}"; string(raw) != want {
		t.Fatalf("delayOffset.json after shutdown %q, want %q", raw, want)
	}
	b2 := startBroker(t, props)
	got := delayWaitRecords(t, b2, "R", 0, 2, 5*time.Second)
	time.Sleep(300 * time.Millisecond)
	got = delayRecords(t, b2, "R", 0)
	if len(got) != 2 || delayProp(&got[0], "UNIQ_KEY") != "R1" || delayProp(&got[1], "UNIQ_KEY") != "R2" {
		t.Fatalf("after restart R/0 holds %d records", len(got))
	}
}

// TestSlaveRunsNoSchedule: a slave never delivers delay messages (Java
// starts the schedule service on masters only).
func TestSlaveRunsNoSchedule(t *testing.T) {
	b := startBroker(t, map[string]string{"brokerRole": "SLAVE", "brokerId": "1"})
	if b.delay == nil || b.delay.sched != nil {
		t.Fatal("a slave started the schedule service")
	}
}

// BenchmarkSendDelayedLoopback: a delay-level send over loopback, the
// redirect to SCHEDULE_TOPIC_XXXX included.
func BenchmarkSendDelayedLoopback(b *testing.B) {
	br := startBroker(b, nil)
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
	defer cl.Close()
	req := sendRequest("BD", 0, make([]byte, 128))
	req.Set("properties", "TAGS\x01TagA\x02KEYS\x01k\x02UNIQ_KEY\x017F00000100002A9F0000000000000001\x02DELAY\x0118")
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := cl.Invoke(ctx, br.Addr(), req)
		if err != nil || resp.Code != 0 {
			b.Fatalf("send: %v %v", resp, err)
		}
	}
}

// TestSyncMasterWithoutSlaveDeliversDelayOnce: on a SYNC_MASTER with no
// slave, a client's send answers SLAVE_NOT_AVAILABLE (stored all the
// same), while the schedule service's own delivery carries WAIT=false and
// so neither waits for a slave nor counts as failed — the message reaches
// its topic exactly once instead of being redelivered every round.
func TestSyncMasterWithoutSlaveDeliversDelayOnce(t *testing.T) {
	b := startBroker(t, map[string]string{"messageDelayLevel": "1s 2s", "brokerRole": "SYNC_MASTER"})
	cl := delayClient(t)
	delaySend(t, cl, b, "SM", 0, "DELAY\x011\x02UNIQ_KEY\x01SM1", requestcode.SlaveNotAvailable)
	delayWaitRecords(t, b, "SM", 0, 1, 5*time.Second)
	time.Sleep(1500 * time.Millisecond) // several schedule rounds
	if got := delayRecords(t, b, "SM", 0); len(got) != 1 || delayProp(&got[0], "UNIQ_KEY") != "SM1" {
		t.Fatalf("SM/0 holds %d records, want the delay message once", len(got))
	}
	// A client that asks not to wait (WAIT=false) gets SEND_OK.
	delaySend(t, cl, b, "SM", 1, "WAIT\x01false", requestcode.Success)
}
