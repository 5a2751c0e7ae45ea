package processor

import (
	"strings"
	"testing"

	"github.com/rocketgo/rocketgo/store"
	"github.com/rocketgo/rocketgo/store/message"
)

// TestDelayRedirect: which messages the store's delay rule parks in
// SCHEDULE_TOPIC_XXXX, in which queue, with which properties.
func TestDelayRedirect(t *testing.T) {
	levels, err := store.ParseDelayLevels("1s 5s 10s")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		props     string
		sysFlag   int32
		wait      removedWait
		topic     string
		qid       int32
		delay     string // DELAY afterwards
		wantErr   string
		realTopic bool
		hasWait   bool
	}{
		{name: "no delay", props: "TAGS\x01a", topic: "T", qid: 2},
		{name: "level 0", props: "DELAY\x010", topic: "T", qid: 2, delay: "0"},
		{name: "negative level", props: "DELAY\x01-3", topic: "T", qid: 2, delay: "-3"},
		{name: "level 1", props: "DELAY\x011", topic: store.ScheduleTopic, qid: 0, delay: "1", realTopic: true},
		{name: "level 3", props: "DELAY\x013", topic: store.ScheduleTopic, qid: 2, delay: "3", realTopic: true},
		{name: "plus sign", props: "DELAY\x01+2", topic: store.ScheduleTopic, qid: 1, delay: "+2", realTopic: true},
		{name: "beyond the table clamps", props: "DELAY\x0118", topic: store.ScheduleTopic, qid: 2, delay: "3", realTopic: true},
		{name: "commit type", props: "DELAY\x012", sysFlag: message.TransactionCommitType, topic: store.ScheduleTopic, qid: 1, delay: "2", realTopic: true},
		{name: "prepared type untouched", props: "DELAY\x012", sysFlag: message.TransactionPreparedType, topic: "T", qid: 2, delay: "2"},
		{name: "rollback type untouched", props: "DELAY\x012", sysFlag: message.TransactionRollbackType, topic: "T", qid: 2, delay: "2"},
		{name: "WAIT restored on redirect", props: "DELAY\x011", wait: removedWait{"true", true}, topic: store.ScheduleTopic, qid: 0, delay: "1", realTopic: true, hasWait: true},
		{name: "WAIT stays out without redirect", props: "TAGS\x01a", wait: removedWait{"true", true}, topic: "T", qid: 2},
		{name: "not a number", props: "DELAY\x01abc", wantErr: `DELAY "abc"`},
		{name: "empty", props: "DELAY\x01 ", wantErr: "DELAY"},
		{name: "beyond int32", props: "DELAY\x019999999999", wantErr: "NumberFormatException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var props message.PropertyMap
			props.ParseFrom(message.Properties(tc.props))
			topic, qid, redirected, err := delayRedirect(&props, levels, tc.sysFlag, "T", 2, tc.wait, nil)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if topic != tc.topic || qid != tc.qid || redirected != tc.realTopic {
				t.Fatalf("went to %s/%d (redirected %v), want %s/%d", topic, qid, redirected, tc.topic, tc.qid)
			}
			if d, _ := props.Get(message.PropertyDelayTimeLevel); d != tc.delay {
				t.Fatalf("DELAY %q, want %q", d, tc.delay)
			}
			rt, okT := props.Get(message.PropertyRealTopic)
			rq, okQ := props.Get(message.PropertyRealQueueID)
			if tc.realTopic != okT || tc.realTopic != okQ || (tc.realTopic && (rt != "T" || rq != "2")) {
				t.Fatalf("REAL_TOPIC %q %v REAL_QID %q %v", rt, okT, rq, okQ)
			}
			if _, ok := props.Get(message.PropertyWaitStoreMsgOK); ok != tc.hasWait {
				t.Fatalf("WAIT present %v, want %v", ok, tc.hasWait)
			}
		})
	}
}

// BenchmarkDelayRedirect: the per-message cost the delay rule adds to a
// send: parse the DELAY level, add REAL_TOPIC/REAL_QID, serialize.
func BenchmarkDelayRedirect(b *testing.B) {
	levels, _ := store.ParseDelayLevels(store.DefaultMessageDelayLevel)
	props := message.Properties("TAGS\x01TagA\x02KEYS\x01k1\x02UNIQ_KEY\x017F00000100002A9F0000000000000001\x02DELAY\x013")
	var m message.PropertyMap
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		m.ParseFrom(props)
		m.Put(message.PropertyCluster, "DefaultCluster")
		if _, _, _, err := delayRedirect(&m, levels, 0, "BenchTopic", 3, removedWait{}, nil); err != nil {
			b.Fatal(err)
		}
		buf = m.AppendTo(buf[:0])
	}
}
