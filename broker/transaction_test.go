package broker

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/rocketgo/rocketgo/broker/processor"
	"github.com/rocketgo/rocketgo/broker/transaction"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/rocketgo/rocketgo/store/message"
)

// txHalfProps are the properties a transaction producer sends.
const txHalfProps = "TAGS\x01TagTx\x02KEYS\x01k1\x02UNIQ_KEY\x01C0A8000100002A9F0000000000000007\x02TRAN_MSG\x01true\x02PGROUP\x01TxPG\x02WAIT\x01true\x02"

// txSendHalf sends a half message for topic/qid and returns its commitlog
// offset and half queue offset, as the producer learns them.
func txSendHalf(t testing.TB, cl *remoting.Client, addr, topic string, qid int, body string, born time.Time, props string) (int64, int64) {
	t.Helper()
	req := sendRequest(topic, qid, []byte(body))
	req.Set("properties", props)
	req.Set("sysFlag", "4")
	req.Set("bornTimestamp", strconv.FormatInt(born.UnixMilli(), 10))
	resp, err := cl.Invoke(context.Background(), addr, req)
	if err != nil || resp.Code != 0 {
		t.Fatalf("half send: %v %v", resp, err)
	}
	_, phys, err := message.DecodeOffsetMsgID(resp.Value("msgId"))
	if err != nil {
		t.Fatal(err)
	}
	qo, err := strconv.ParseInt(resp.Value("queueOffset"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return phys, qo
}

func txEndRequest(group string, qo, phys int64, kind int32, fromCheck bool) *codec.Command {
	r := codec.NewRequest(int32(requestcode.EndTransaction), 0)
	r.Set("producerGroup", group)
	r.Set("tranStateTableOffset", strconv.FormatInt(qo, 10))
	r.Set("commitLogOffset", strconv.FormatInt(phys, 10))
	r.Set("commitOrRollback", strconv.Itoa(int(kind)))
	r.Set("fromTransactionCheck", strconv.FormatBool(fromCheck))
	r.Set("msgId", "C0A8000100002A9F0000000000000007")
	return r
}

// txRecords decodes every record of a queue.
func txRecords(t testing.TB, b *Broker, topic string, qid int32) []message.Record {
	t.Helper()
	var out []message.Record
	for off := b.Store().MinOffsetInQueue(topic, qid); off < b.Store().MaxOffsetInQueue(topic, qid); off++ {
		e, ok := b.Store().Entry(topic, qid, off)
		if !ok {
			t.Fatalf("%s/%d: no entry at %d", topic, qid, off)
		}
		rec, v, ok := b.Store().LookMessage(e.Offset)
		if !ok {
			t.Fatalf("%s/%d: no record at %d", topic, qid, e.Offset)
		}
		// Copy out of the mapped file before releasing it.
		raw := bytes.Clone(rec.Raw)
		v.Release()
		r, err := message.Decode(raw, true)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// txWaitDispatched waits until the consume queue holds n entries.
func txWaitDispatched(t testing.TB, b *Broker, topic string, qid int32, n int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for b.Store().MaxOffsetInQueue(topic, qid) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%s/%d: %d entries dispatched, want %d", topic, qid, b.Store().MaxOffsetInQueue(topic, qid), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestEndTransactionBadInput: malformed headers and END_TRANSACTION for
// offsets that hold no matching half message each get Java's code and
// remark, and change nothing in the store.
func TestEndTransactionBadInput(t *testing.T) {
	b := startBroker(t, nil)
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
	defer cl.Close()
	ctx := context.Background()
	phys, qo := txSendHalf(t, cl, b.Addr(), "TxBad", 1, "half", time.Now(), txHalfProps)
	resp, err := cl.Invoke(ctx, b.Addr(), sendRequest("TxBad", 0, []byte("plain")))
	if err != nil || resp.Code != 0 {
		t.Fatal(resp, err)
	}
	_, plainPhys, _ := message.DecodeOffsetMsgID(resp.Value("msgId"))
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
	set := func(r *codec.Command, k, v string) *codec.Command { r.Set(k, v); return r }
	commit := func() *codec.Command { return txEndRequest("TxPG", qo, phys, message.TransactionCommitType, false) }
	cases := []struct {
		name   string
		req    *codec.Command
		remark string
	}{
		{"missing producerGroup", without(commit(), "producerGroup"), "<producerGroup> is null"},
		{"missing tranStateTableOffset", without(commit(), "tranStateTableOffset"), "<tranStateTableOffset> is null"},
		{"missing commitLogOffset", without(commit(), "commitLogOffset"), "<commitLogOffset> is null"},
		{"missing commitOrRollback", without(commit(), "commitOrRollback"), "<commitOrRollback> is null"},
		{"missing msgId", without(commit(), "msgId"), "<msgId> is null"},
		{"offset not a number", set(commit(), "commitLogOffset", "12x"), "commitLogOffset"},
		{"unknown outcome code", set(commit(), "commitOrRollback", "5"), "commitOrRollback field wrong"},
		{"offset past the end", set(commit(), "commitLogOffset", "99999999"), remarkFindFailed},
		{"negative offset", set(commit(), "commitLogOffset", "-1"), remarkFindFailed},
		{"offset inside a record", set(commit(), "commitLogOffset", strconv.FormatInt(phys+9, 10)), remarkFindFailed},
		{"offset of a plain message", set(set(commit(), "commitLogOffset", strconv.FormatInt(plainPhys, 10)), "tranStateTableOffset", "0"), remarkFindFailed},
		{"rollback past the end", txEndRequest("TxPG", qo, 99999999, message.TransactionRollbackType, false), remarkFindFailed},
		{"other producer group", set(commit(), "producerGroup", "OtherPG"), "The producer group wrong"},
		{"wrong state table offset", set(commit(), "tranStateTableOffset", "7"), "The transaction state table offset wrong"},
	}
	maxPhys := b.Store().MaxPhyOffset()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := cl.Invoke(ctx, b.Addr(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Code != int32(requestcode.SystemError) || !strings.Contains(resp.Remark, tc.remark) {
				t.Fatalf("code %d remark %q, want SYSTEM_ERROR containing %q", resp.Code, resp.Remark, tc.remark)
			}
			if got := b.Store().MaxPhyOffset(); got != maxPhys {
				t.Fatalf("the refused request wrote %d bytes", got-maxPhys)
			}
		})
	}
	if n := b.Store().MaxOffsetInQueue("TxBad", 1); n != 0 {
		t.Fatalf("the real queue has %d messages", n)
	}
	// The half message is still there and can be committed.
	resp, err = cl.Invoke(ctx, b.Addr(), commit())
	if err != nil || resp.Code != 0 {
		t.Fatalf("commit after the bad requests: %v %v", resp, err)
	}
	txWaitDispatched(t, b, "TxBad", 1, 1)
}

const remarkFindFailed = "Find prepared transaction message failed"

// TestEndTransactionCommitRollbackUnknown: a commit stores the message on
// its real queue as Java does (COMMIT sysflag, the half's offset as
// PREPARED TRANSACTION OFFSET, the half's properties string) and both
// outcomes write an op record; an unknown outcome is not answered and
// changes nothing.
func TestEndTransactionCommitRollbackUnknown(t *testing.T) {
	b := startBroker(t, nil)
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
	defer cl.Close()
	ctx := context.Background()
	born := time.Now().Add(-time.Second)
	phys1, qo1 := txSendHalf(t, cl, b.Addr(), "TxT", 2, "one", born, txHalfProps)
	phys2, qo2 := txSendHalf(t, cl, b.Addr(), "TxT", 2, "two", born, txHalfProps)

	// Unknown: no reply at all, nothing stored.
	before := b.Store().MaxPhyOffset()
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	resp, err := cl.Invoke(short, b.Addr(), txEndRequest("TxPG", qo1, phys1, message.TransactionNotType, false))
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("unknown outcome answered: %v %v", resp, err)
	}
	if b.Store().MaxPhyOffset() != before {
		t.Fatal("an unknown outcome wrote to the store")
	}

	resp, err = cl.Invoke(ctx, b.Addr(), txEndRequest("TxPG", qo1, phys1, message.TransactionCommitType, false))
	if err != nil || resp.Code != 0 {
		t.Fatalf("commit: %v %v", resp, err)
	}
	resp, err = cl.Invoke(ctx, b.Addr(), txEndRequest("TxPG", qo2, phys2, message.TransactionRollbackType, true))
	if err != nil || resp.Code != 0 {
		t.Fatalf("rollback: %v %v", resp, err)
	}
	txWaitDispatched(t, b, "TxT", 2, 1)
	txWaitDispatched(t, b, transaction.OpTopic, 0, 2)
	time.Sleep(50 * time.Millisecond)
	got := txRecords(t, b, "TxT", 2)
	if len(got) != 1 {
		t.Fatalf("the real queue has %d messages, want only the committed one", len(got))
	}
	half, v, ok := b.Store().LookMessage(phys1)
	if !ok {
		t.Fatal("half message gone")
	}
	halfProps, halfBorn, halfStoreHost := append([]byte(nil), half.Properties...), half.BornTimestamp, half.StoreHost
	v.Release()
	var pm message.PropertyMap
	pm.ParseFrom(halfProps)
	wantProps := pm.AppendTo(nil)
	c := got[0]
	if string(c.Body) != "one" || message.TransactionType(c.SysFlag) != message.TransactionCommitType ||
		c.PreparedTransactionOffset != phys1 || c.BornTimestamp != halfBorn || c.StoreHost != halfStoreHost ||
		!bytes.Equal(c.Properties, wantProps) || c.QueueID != 2 {
		t.Fatalf("committed record: body %q sysFlag %d prepared %d (half %d) born %d/%d props %q want %q",
			c.Body, c.SysFlag, c.PreparedTransactionOffset, phys1, c.BornTimestamp, halfBorn, c.Properties, wantProps)
	}
	for _, k := range []string{"TRAN_MSG", "REAL_TOPIC", "REAL_QID", "PGROUP"} {
		if _, ok := c.Properties.Get(k); !ok {
			t.Errorf("committed record lacks %s, which Java keeps", k)
		}
	}
	ops := txRecords(t, b, transaction.OpTopic, 0)
	for i, op := range ops {
		if string(op.Body) != strconv.FormatInt([]int64{qo1, qo2}[i], 10) || string(op.Properties) != "WAIT\x01true\x02TAGS\x01d" ||
			op.SysFlag != 0 || op.BornHost != b.env.StoreHost || op.StoreHost != b.env.StoreHost {
			t.Fatalf("op record %d: body %q props %q sysFlag %d born %v", i, op.Body, op.Properties, op.SysFlag, op.BornHost)
		}
	}
	// The committed message is pulled by consumers of its real topic.
	r, err := cl.Invoke(ctx, b.Addr(), pullRequest("TxT", 2, 0, 0))
	if err != nil || r.Code != 0 {
		t.Fatalf("pull of the committed message: %v %v", r, err)
	}
}

// TestEndTransactionCommitWithDelay: a committed message carrying a DELAY
// level goes through SCHEDULE_TOPIC_XXXX as CommitLog.asyncPutMessage
// sends any COMMIT message with a delay (TRAN_MSG dropped, REAL_TOPIC and
// REAL_QID naming its destination) and arrives there after the delay.
func TestEndTransactionCommitWithDelay(t *testing.T) {
	b := startBroker(t, nil)
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
	defer cl.Close()
	phys, qo := txSendHalf(t, cl, b.Addr(), "TxDelay", 3, "later", time.Now(), txHalfProps+"DELAY\x011\x02")
	start := time.Now()
	resp, err := cl.Invoke(context.Background(), b.Addr(), txEndRequest("TxPG", qo, phys, message.TransactionCommitType, false))
	if err != nil || resp.Code != 0 {
		t.Fatalf("commit: %v %v", resp, err)
	}
	txWaitDispatched(t, b, "SCHEDULE_TOPIC_XXXX", 0, 1)
	sch := txRecords(t, b, "SCHEDULE_TOPIC_XXXX", 0)[0]
	realTopic, _ := sch.Properties.GetString("REAL_TOPIC")
	realQID, _ := sch.Properties.GetString("REAL_QID")
	_, tran := sch.Properties.Get("TRAN_MSG")
	if realTopic != "TxDelay" || realQID != "3" || tran || message.TransactionType(sch.SysFlag) != message.TransactionCommitType ||
		sch.PreparedTransactionOffset != phys {
		t.Fatalf("scheduled commit: props %q sysFlag %d prepared %d", sch.Properties, sch.SysFlag, sch.PreparedTransactionOffset)
	}
	if n := b.Store().MaxOffsetInQueue("TxDelay", 3); n != 0 {
		t.Fatal("a delayed commit was delivered at once")
	}
	deadline := time.Now().Add(10 * time.Second)
	for b.Store().MaxOffsetInQueue("TxDelay", 3) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the delayed commit never reached its real queue")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if el := time.Since(start); el < time.Second {
		t.Fatalf("delivered after %v, before the 1 s delay", el)
	}
}

// TestEndTransactionOnSlave: a slave refuses END_TRANSACTION with
// SLAVE_NOT_AVAILABLE.
func TestEndTransactionOnSlave(t *testing.T) {
	b := startBroker(t, map[string]string{"brokerRole": "SLAVE", "brokerId": "1"})
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
	defer cl.Close()
	resp, err := cl.Invoke(context.Background(), b.Addr(), txEndRequest("TxPG", 0, 0, message.TransactionCommitType, false))
	if err != nil || resp.Code != int32(requestcode.SlaveNotAvailable) {
		t.Fatalf("slave answered %v %v", resp, err)
	}
}

// txCopyTree copies a Java fixture store so the test never modifies it.
func txCopyTree(t *testing.T, from string) string {
	t.Helper()
	to := t.TempDir()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return to
}

// TestEndTransactionMatchesJavaRecords: on a copy of the Java 4.9.7 fixture
// store, committing its half message again writes a record equal to the
// one the Java broker wrote (apart from offsets and store time), and the
// op records equal Java's apart from born time and host.
func TestEndTransactionMatchesJavaRecords(t *testing.T) {
	const (
		javaHalf      = 7405 // transaction-half, queue offset 0, committed by Java
		javaCommitted = 7723 // its transaction-committed copy
		javaOp        = 8353 // the op record Java wrote for it
		rollbackHalf  = 8029 // the rolled-back half, queue offset 1
	)
	root := txCopyTree(t, "../../shared/testdata/java-4.9.7/store-small")
	b := startBroker(t, map[string]string{"storePathRootDir": root, "brokerName": "broker-a",
		"mappedFileSizeCommitLog": "1048576", "mappedFileSizeConsumeQueue": "6000", "maxHashSlotNum": "1000", "maxIndexNum": "4000"})
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
	defer cl.Close()
	ctx := context.Background()
	realBefore := b.Store().MaxOffsetInQueue("FixtureTopic", 3)
	opBefore := b.Store().MaxOffsetInQueue(transaction.OpTopic, 0)
	for _, r := range []*codec.Command{
		txEndRequest("FixtureTxProducer", 0, javaHalf, message.TransactionCommitType, false),
		txEndRequest("FixtureTxProducer", 1, rollbackHalf, message.TransactionRollbackType, false),
	} {
		resp, err := cl.Invoke(ctx, b.Addr(), r)
		if err != nil || resp.Code != 0 {
			t.Fatalf("end transaction on the Java store: %v %v", resp, err)
		}
	}
	txWaitDispatched(t, b, "FixtureTopic", 3, realBefore+1)
	txWaitDispatched(t, b, transaction.OpTopic, 0, opBefore+2)
	raw := func(phys int64) []byte {
		v, ok := b.Store().LookMessageByOffset(phys)
		if !ok {
			t.Fatalf("no record at %d", phys)
		}
		defer v.Release()
		return bytes.Clone(v.Bytes)
	}
	entry := func(topic string, qid int32, off int64) []byte {
		e, ok := b.Store().Entry(topic, qid, off)
		if !ok {
			t.Fatalf("%s/%d/%d: no entry", topic, qid, off)
		}
		return raw(e.Offset)
	}
	// Positions of QUEUEOFFSET, PHYSICALOFFSET and (IPv4) BORNTIMESTAMP,
	// BORNHOST, STORETIMESTAMP.
	blank := func(rec []byte, spans ...[2]int) []byte {
		rec = bytes.Clone(rec)
		for _, s := range spans {
			clear(rec[s[0]:s[1]])
		}
		return rec
	}
	queueAndPhys, storeTime := [2]int{20, 36}, [2]int{56, 64}
	bornTimeAndHost, storeHost := [2]int{40, 56}, [2]int{64, 72}
	java, ours := raw(javaCommitted), entry("FixtureTopic", 3, realBefore)
	if !bytes.Equal(blank(java, queueAndPhys, storeTime), blank(ours, queueAndPhys, storeTime)) {
		jr, _ := message.Decode(java, true)
		or, _ := message.Decode(ours, true)
		t.Fatalf("committed record differs from Java's:\njava %+v\nours %+v", jr, or)
	}
	if got := binary.BigEndian.Uint64(ours[76:]); got != javaHalf {
		t.Fatalf("PREPARED TRANSACTION OFFSET %d", got)
	}
	for i, javaOpPhys := range []int64{javaOp, 8488} {
		java, ours := raw(javaOpPhys), entry(transaction.OpTopic, 0, opBefore+int64(i))
		if !bytes.Equal(blank(java, queueAndPhys, storeTime, bornTimeAndHost, storeHost), blank(ours, queueAndPhys, storeTime, bornTimeAndHost, storeHost)) {
			jr, _ := message.Decode(java, true)
			or, _ := message.Decode(ours, true)
			t.Fatalf("op record %d differs from Java's:\njava %+v\nours %+v", i, jr, or)
		}
	}
}

// txProducer is a fake transaction producer connection: it registers its
// group by heartbeat and records the CHECK_TRANSACTION_STATE requests the
// broker sends it.
type txProducer struct {
	cl     *remoting.Client
	mu     sync.Mutex
	checks []*codec.Command
	got    chan struct{}
}

func txNewProducer(t *testing.T, addr, group string) *txProducer {
	t.Helper()
	p := &txProducer{got: make(chan struct{}, 16)}
	p.cl = remoting.NewClient(remoting.ClientConfig{Logger: quiet(), Processors: map[requestcode.RequestCode]remoting.RequestHandler{
		requestcode.CheckTransactionState: func(req *codec.Command) (*codec.Command, error) {
			p.mu.Lock()
			p.checks = append(p.checks, req)
			p.mu.Unlock()
			p.got <- struct{}{}
			return nil, nil
		},
	}})
	t.Cleanup(p.cl.Close)
	hb := codec.NewRequest(int32(requestcode.HeartBeat), 0)
	hb.Body = []byte(`{"clientID":"127.0.0.1@tx-test","producerDataSet":[{"groupName":"` + group + `"}],"consumerDataSet":[]}`)
	if resp, err := p.cl.Invoke(context.Background(), addr, hb); err != nil || resp.Code != 0 {
		t.Fatalf("heartbeat: %v %v", resp, err)
	}
	return p
}

// next waits for the next check request, nil if none comes within d.
func (p *txProducer) next(d time.Duration) *codec.Command {
	select {
	case <-p.got:
	case <-time.After(d):
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.checks[len(p.checks)-1]
}

// TestTransactionCheckBack: an unresolved half message older than the
// timeout is re-appended with TRANSACTION_CHECK_TIMES=1 and the producer
// is asked about the copy, in a body the Go client decodes; its commit
// answer delivers the message once and the next round leaves it alone.
func TestTransactionCheckBack(t *testing.T) {
	b := startBroker(t, map[string]string{"transactionCheckInterval": "3600000"})
	svc := b.transaction.svc
	prod := txNewProducer(t, b.Addr(), "TxPG")
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
	defer cl.Close()
	ctx := context.Background()
	// A fresh one is not checked yet (transactionTimeOut 6 s).
	freshPhys, freshQO := txSendHalf(t, cl, b.Addr(), "TxCheck", 1, "fresh", time.Now(), txHalfProps)
	txWaitDispatched(t, b, transaction.HalfTopic, 0, 1)
	time.Sleep(2 * time.Millisecond)
	svc.Check()
	if req := prod.next(200 * time.Millisecond); req != nil {
		t.Fatalf("a fresh half message was checked: %v", req.Ext)
	}
	if off := b.offsets.Query(transaction.Group, transaction.HalfTopic, 0); off != -1 {
		t.Fatalf("half offset moved to %d over an unchecked message", off)
	}
	if _, ok := b.topics.Get(transaction.HalfTopic); !ok {
		t.Fatal("the check did not create the half topic's config")
	}

	// Roll the fresh one back; an op record now resolves offset 0.
	resp, err := cl.Invoke(ctx, b.Addr(), txEndRequest("TxPG", freshQO, freshPhys, message.TransactionRollbackType, false))
	if err != nil || resp.Code != 0 {
		t.Fatalf("rollback of the fresh one: %v %v", resp, err)
	}
	phys, qo := txSendHalf(t, cl, b.Addr(), "TxCheck", 1, "old", time.Now().Add(-time.Minute), txHalfProps)
	txWaitDispatched(t, b, transaction.HalfTopic, 0, 2)
	txWaitDispatched(t, b, transaction.OpTopic, 0, 1)
	time.Sleep(2 * time.Millisecond)
	svc.Check()
	req := prod.next(2 * time.Second)
	if req == nil {
		t.Fatal("no CHECK_TRANSACTION_STATE for an old half message")
	}
	copyQO, _ := strconv.ParseInt(req.Value("tranStateTableOffset"), 10, 64)
	copyPhys, _ := strconv.ParseInt(req.Value("commitLogOffset"), 10, 64)
	if copyQO != qo+1 || copyPhys <= phys || req.Value("msgId") != "C0A8000100002A9F0000000000000007" ||
		req.Value("transactionId") != req.Value("msgId") {
		t.Fatalf("check header %v (half %d/%d)", req.Ext, qo, phys)
	}
	if _, p, err := message.DecodeOffsetMsgID(req.Value("offsetMsgId")); err != nil || p != copyPhys {
		t.Fatalf("offsetMsgId %q: %d %v", req.Value("offsetMsgId"), p, err)
	}
	msgs := primitive.DecodeMessage(req.Body)
	if len(msgs) != 1 {
		t.Fatalf("the Go client decodes %d messages from the check body", len(msgs))
	}
	m := msgs[0]
	if m.Topic != "TxCheck" || m.Queue.QueueId != 1 || string(m.Body) != "old" || m.QueueOffset != copyQO || m.CommitLogOffset != copyPhys ||
		m.GetProperty("PGROUP") != "TxPG" || m.GetProperty("TRANSACTION_CHECK_TIMES") != "1" || m.GetProperty("WAIT") != "false" ||
		m.GetProperty("UNIQ_KEY") != "C0A8000100002A9F0000000000000007" {
		t.Fatalf("check body as the Go client sees it: %+v props %v", m, m.GetProperties())
	}
	// The copy stored TRANSACTION_CHECK_TIMES=1 and WAIT as sent.
	cp, v, ok := b.Store().LookMessage(copyPhys)
	if !ok {
		t.Fatal("no copy at the checked offset")
	}
	times, _ := cp.Properties.GetString("TRANSACTION_CHECK_TIMES")
	wait, _ := cp.Properties.GetString("WAIT")
	topic := cp.TopicString()
	v.Release()
	if topic != transaction.HalfTopic || times != "1" || wait != "true" {
		t.Fatalf("re-appended copy: topic %s check times %q WAIT %q", topic, times, wait)
	}
	if off := b.offsets.Query(transaction.Group, transaction.HalfTopic, 0); off != qo+1 {
		t.Fatalf("half offset %d after the round, want %d", off, qo+1)
	}

	// The producer answers commit for the copy.
	resp, err = cl.Invoke(ctx, b.Addr(), txEndRequest("TxPG", copyQO, copyPhys, message.TransactionCommitType, true))
	if err != nil || resp.Code != 0 {
		t.Fatalf("commit from the check: %v %v", resp, err)
	}
	txWaitDispatched(t, b, "TxCheck", 1, 1)
	txWaitDispatched(t, b, transaction.OpTopic, 0, 2)
	time.Sleep(2 * time.Millisecond)
	svc.Check()
	if req := prod.next(300 * time.Millisecond); req != nil {
		t.Fatalf("a resolved half message was checked again: %v", req.Ext)
	}
	if off := b.offsets.Query(transaction.Group, transaction.HalfTopic, 0); off != copyQO+1 {
		t.Fatalf("half offset %d, want %d (past the committed copy)", off, copyQO+1)
	}
	if off := b.offsets.Query(transaction.Group, transaction.OpTopic, 0); off != 2 {
		t.Fatalf("op offset %d, want 2", off)
	}
	if n := b.Store().MaxOffsetInQueue("TxCheck", 1); n != 1 {
		t.Fatalf("%d messages on the real queue, want 1", n)
	}
}

// TestTransactionCheckMatchesJavaWire: for a half message like the one in
// the Java 4.9.7 capture, CHECK_TRANSACTION_STATE carries the same header
// keys and a body equal to Java's byte for byte apart from the offsets,
// store time and store host (properties order, WAIT=false and
// TRANSACTION_CHECK_TIMES=1 included).
func TestTransactionCheckMatchesJavaWire(t *testing.T) {
	frame, err := os.ReadFile("../../shared/testdata/java-4.9.7/wire/027_CHECK_TRANSACTION_STATE_request_json.bin")
	if err != nil {
		t.Fatal(err)
	}
	java, err := codec.Decode(frame)
	if err != nil {
		t.Fatal(err)
	}
	jrec, err := message.Decode(java.Body, false)
	if err != nil {
		t.Fatal(err)
	}
	// The half message Java stored: the checked properties without the
	// check count, WAIT as the producer sent it.
	var pm message.PropertyMap
	pm.ParseFrom(jrec.Properties)
	pm.Remove("TRANSACTION_CHECK_TIMES")
	pm.Put("WAIT", "true")
	b := startBroker(t, map[string]string{"transactionCheckInterval": "3600000"})
	prod := txNewProducer(t, b.Addr(), "WireTxGroup")
	half := message.Message{SysFlag: jrec.SysFlag, BornTimestamp: jrec.BornTimestamp, BornHost: jrec.BornHost,
		StoreHost: b.env.StoreHost, Body: jrec.Body, Topic: transaction.HalfTopic, Properties: pm.AppendTo(nil)}
	rec, err := message.AppendRecord(nil, &half)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Store().Put(transaction.HalfTopic, 0, rec); err != nil {
		t.Fatal(err)
	}
	txWaitDispatched(t, b, transaction.HalfTopic, 0, 1)
	time.Sleep(2 * time.Millisecond)
	b.transaction.svc.Check()
	req := prod.next(2 * time.Second)
	if req == nil {
		t.Fatal("no check sent")
	}
	for _, f := range java.Ext {
		if _, ok := req.Get(f.Key); !ok {
			t.Errorf("check header lacks %s (Java: %v)", f.Key, java.Ext)
		}
	}
	if len(req.Ext) != len(java.Ext) {
		t.Errorf("check header %v, Java %v", req.Ext, java.Ext)
	}
	blank := func(r []byte) []byte {
		r = bytes.Clone(r)
		clear(r[20:36]) // QUEUEOFFSET, PHYSICALOFFSET
		clear(r[56:72]) // STORETIMESTAMP, STOREHOST
		return r
	}
	if !bytes.Equal(blank(req.Body), blank(java.Body)) {
		ours, _ := message.Decode(req.Body, false)
		t.Fatalf("check body differs from Java's:\nours %q\njava %q\nours %+v", ours.Properties, jrec.Properties, ours)
	}
}

// TestTransactionCheckDiscardsAfterMax: a half message nobody resolves is
// checked transactionCheckMax times, then copied to
// TRANS_CHECK_MAX_TIME_TOPIC and never checked again.
func TestTransactionCheckDiscardsAfterMax(t *testing.T) {
	b := startBroker(t, map[string]string{"transactionCheckInterval": "3600000", "transactionCheckMax": "2"})
	svc := b.transaction.svc
	prod := txNewProducer(t, b.Addr(), "TxPG")
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
	defer cl.Close()
	txSendHalf(t, cl, b.Addr(), "TxMax", 0, "stuck", time.Now().Add(-time.Minute), txHalfProps)
	for round := 1; round <= 3; round++ {
		txWaitDispatched(t, b, transaction.HalfTopic, 0, int64(round))
		time.Sleep(2 * time.Millisecond)
		svc.Check()
		req := prod.next(500 * time.Millisecond)
		if round <= 2 {
			if req == nil {
				t.Fatalf("round %d: no check", round)
			}
			m := primitive.DecodeMessage(req.Body)
			if len(m) != 1 || m[0].GetProperty("TRANSACTION_CHECK_TIMES") != strconv.Itoa(round) {
				t.Fatalf("round %d: check body %v", round, m)
			}
			continue
		}
		if req != nil {
			t.Fatalf("checked beyond transactionCheckMax: %v", req.Ext)
		}
	}
	txWaitDispatched(t, b, "TRANS_CHECK_MAX_TIME_TOPIC", 0, 1)
	got := txRecords(t, b, "TRANS_CHECK_MAX_TIME_TOPIC", 0)
	if times, _ := got[0].Properties.GetString("TRANSACTION_CHECK_TIMES"); string(got[0].Body) != "stuck" || times != "2" {
		t.Fatalf("discarded copy: %q check times %q", got[0].Body, times)
	}
	if tc, ok := b.topics.Get("TRANS_CHECK_MAX_TIME_TOPIC"); !ok || tc.ReadQueueNums != 1 || tc.Perm != 6 {
		t.Fatalf("TRANS_CHECK_MAX_TIME_TOPIC config %+v %v", tc, ok)
	}
}

// TestTransactionCheckImmunity: a half message inside its
// CHECK_IMMUNITY_TIME_IN_SECONDS is not checked; it is re-appended with
// TRAN_PREPARED_QUEUE_OFFSET naming the original.
func TestTransactionCheckImmunity(t *testing.T) {
	b := startBroker(t, map[string]string{"transactionCheckInterval": "3600000"})
	prod := txNewProducer(t, b.Addr(), "TxPG")
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
	defer cl.Close()
	_, qo := txSendHalf(t, cl, b.Addr(), "TxImm", 0, "immune", time.Now().Add(-time.Minute), txHalfProps+"CHECK_IMMUNITY_TIME_IN_SECONDS\x013600\x02")
	txWaitDispatched(t, b, transaction.HalfTopic, 0, 1)
	time.Sleep(2 * time.Millisecond)
	b.transaction.svc.Check()
	if req := prod.next(200 * time.Millisecond); req != nil {
		t.Fatalf("an immune half message was checked: %v", req.Ext)
	}
	txWaitDispatched(t, b, transaction.HalfTopic, 0, 2)
	got := txRecords(t, b, transaction.HalfTopic, 0)
	prep, _ := got[1].Properties.GetString("TRAN_PREPARED_QUEUE_OFFSET")
	wait, _ := got[1].Properties.GetString("WAIT")
	if prep != strconv.FormatInt(qo, 10) || wait != "false" {
		t.Fatalf("immunity copy: TRAN_PREPARED_QUEUE_OFFSET %q WAIT %q", prep, wait)
	}
}

// TestTransactionCheckServiceRuns: the broker's own check loop (interval
// from transactionCheckInterval) asks the producer without help.
func TestTransactionCheckServiceRuns(t *testing.T) {
	b := startBroker(t, map[string]string{"transactionCheckInterval": "100", "transactionTimeOut": "100"})
	prod := txNewProducer(t, b.Addr(), "TxPG")
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
	defer cl.Close()
	txSendHalf(t, cl, b.Addr(), "TxLoop", 0, "loop", time.Now(), txHalfProps)
	if req := prod.next(3 * time.Second); req == nil {
		t.Fatal("the check loop never asked the producer")
	}
}

// BenchmarkEndTransactionCommit: the commit path in-process (look the half
// message up, rebuild and store the real message, write the op record).
func BenchmarkEndTransactionCommit(b *testing.B) {
	br := startBroker(b, map[string]string{"transactionCheckInterval": "3600000"})
	p := processor.NewEndTransaction(br.env, br.transaction.svc)
	host := br.env.StoreHost
	var pm message.PropertyMap
	pm.ParseFrom(message.Properties(txHalfProps + "REAL_TOPIC\x01TxBench\x02REAL_QID\x010\x02CLUSTER\x01DefaultCluster\x02"))
	props := pm.AppendTo(nil)
	body := bytes.Repeat([]byte("x"), 256)
	reqs := make([]*codec.Command, b.N)
	for i := range reqs {
		m := message.Message{BornTimestamp: time.Now().UnixMilli(), BornHost: host, StoreHost: host, Body: body,
			Topic: transaction.HalfTopic, Properties: props}
		rec, err := message.AppendRecord(nil, &m)
		if err != nil {
			b.Fatal(err)
		}
		res, err := br.Store().Put(transaction.HalfTopic, 0, rec)
		if err != nil {
			b.Fatal(err)
		}
		reqs[i] = txEndRequest("TxPG", res.QueueOffset, res.PhysOffset, message.TransactionCommitType, false)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := p.ProcessRequest(nil, reqs[i])
		if err != nil || resp.Code != 0 {
			b.Fatalf("commit %d: %v %v", i, resp, err)
		}
	}
}
