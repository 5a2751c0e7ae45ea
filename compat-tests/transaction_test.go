package compat

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	rocketmq "github.com/apache/rocketmq-client-go/v2"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
)

// txConf makes transaction checks come fast: a round every second, half
// messages older than a second are checked.
var txConf = []string{"transactionCheckInterval=1000", "transactionTimeOut=1000"}

// txListener is a primitive.TransactionListener whose answers depend on
// the message's key, and which counts how often it was asked.
type txListener struct {
	mu       sync.Mutex
	execute  func(key string) primitive.LocalTransactionState
	check    func(key string) primitive.LocalTransactionState
	executed map[string]int
	checked  map[string]int
}

func txNewListener(execute, check func(key string) primitive.LocalTransactionState) *txListener {
	return &txListener{execute: execute, check: check, executed: map[string]int{}, checked: map[string]int{}}
}

func (l *txListener) ExecuteLocalTransaction(m *primitive.Message) primitive.LocalTransactionState {
	l.mu.Lock()
	l.executed[m.GetKeys()]++
	l.mu.Unlock()
	return l.execute(m.GetKeys())
}

func (l *txListener) CheckLocalTransaction(m *primitive.MessageExt) primitive.LocalTransactionState {
	l.mu.Lock()
	l.checked[m.GetKeys()]++
	l.mu.Unlock()
	return l.check(m.GetKeys())
}

func (l *txListener) checks(key string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.checked[key]
}

// checkCounts is a copy of how often each key was checked.
func (l *txListener) checkCounts() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]int, len(l.checked))
	for k, v := range l.checked {
		out[k] = v
	}
	return out
}

// txStartProducer starts the Go client's transaction producer. Its own
// instance name matters: v2.1.2 shares one client per clientID (ip@pid by
// default) and a consumer created first would own it, so the broker's
// CHECK_TRANSACTION_STATE would land on the consumer's callback channel,
// which nobody reads.
func txStartProducer(t *testing.T, c *cluster, group, instance string, l *txListener) rocketmq.TransactionProducer {
	t.Helper()
	p, err := rocketmq.NewTransactionProducer(l,
		producer.WithNsResolver(primitive.NewPassthroughResolver([]string{c.Namesrv()})),
		producer.WithGroupName(group),
		producer.WithInstanceName(instance),
		producer.WithRetry(2))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { _ = p.Shutdown() }) })
	return p
}

// txSend sends one transactional message keyed key and checks the local
// state the producer ended with.
func txSend(t *testing.T, p rocketmq.TransactionProducer, topic, key string, want primitive.LocalTransactionState) {
	t.Helper()
	m := primitive.NewMessage(topic, []byte("tx-"+key))
	m.WithKeys([]string{key})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := p.SendMessageInTransaction(ctx, m)
	if err != nil {
		t.Fatalf("send %s: %v", key, err)
	}
	if res.Status != primitive.SendOK || res.State != want {
		t.Fatalf("send %s: status %v state %v, want state %v", key, res.Status, res.State, want)
	}
}

// txBodies counts the received messages by body.
func txBodies(col *collector) map[string]int {
	msgs, _ := col.snapshot()
	out := map[string]int{}
	for _, m := range msgs {
		out[string(m.Body)]++
	}
	return out
}

// byKey answers from a table, UNKNOW for keys it does not list.
func txByKey(table map[string]primitive.LocalTransactionState) func(string) primitive.LocalTransactionState {
	return func(key string) primitive.LocalTransactionState {
		if s, ok := table[key]; ok {
			return s
		}
		return primitive.UnknowState
	}
}

// TestTransactionOutcomes: the Go client's transaction producer against
// the broker. Commit is consumed on its real topic; rollback never is;
// "unknown" is resolved by the broker's check-back, to consumed (check
// answers commit) or never consumed (check answers rollback). Each
// consumed message arrives exactly once.
func TestTransactionOutcomes(t *testing.T) {
	c := startCluster(t, txConf...)
	const topic = "TxOutcomeTopic"
	createTopic(t, c, topic, 2)
	col := newCollector()
	startPushConsumer(t, c, "tx-outcome-consumer", topic, "*", col)
	l := txNewListener(
		txByKey(map[string]primitive.LocalTransactionState{"commit": primitive.CommitMessageState, "rollback": primitive.RollbackMessageState}),
		txByKey(map[string]primitive.LocalTransactionState{
			"commit": primitive.CommitMessageState, "rollback": primitive.RollbackMessageState,
			"unknown-commit": primitive.CommitMessageState, "unknown-rollback": primitive.RollbackMessageState}))
	p := txStartProducer(t, c, "tx-outcome-producer", "tx-outcome", l)
	txSend(t, p, topic, "commit", primitive.CommitMessageState)
	txSend(t, p, topic, "rollback", primitive.RollbackMessageState)
	txSend(t, p, topic, "unknown-commit", primitive.UnknowState)
	txSend(t, p, topic, "unknown-rollback", primitive.UnknowState)

	col.waitDistinct(t, 2, 25*time.Second)
	eventually(t, 15*time.Second, func() string {
		if l.checks("unknown-commit") == 0 || l.checks("unknown-rollback") == 0 {
			return fmt.Sprintf("the broker never asked about the unknown transactions: checks %v", l.checkCounts())
		}
		return ""
	})
	// Several more check rounds: nothing else may arrive.
	time.Sleep(3 * time.Second)
	got := txBodies(col)
	want := map[string]int{"tx-commit": 1, "tx-unknown-commit": 1}
	if len(got) != len(want) || got["tx-commit"] != 1 || got["tx-unknown-commit"] != 1 {
		t.Fatalf("consumed %v, want %v", got, want)
	}
	msgs, _ := col.snapshot()
	for _, m := range msgs {
		if m.Topic != topic {
			t.Fatalf("committed message consumed with topic %q", m.Topic)
		}
	}
}

// TestTransactionCheckSurvivesRestart: a half message left unknown, the
// broker stopped and started again, then a new producer instance of the
// group: the check-back resolves it after the restart, and the committed
// message is consumed exactly once.
func TestTransactionCheckSurvivesRestart(t *testing.T) {
	// A high check limit: the message is checked about once a second
	// while the broker restarts and no producer answers.
	c := startCluster(t, append(txConf, "transactionCheckMax=100")...)
	const topic, group = "TxRestartTopic", "tx-restart-producer"
	createTopic(t, c, topic, 1)
	before := txNewListener(txByKey(nil), txByKey(nil)) // always unknown
	p1 := txStartProducer(t, c, group, "tx-before-restart", before)
	txSend(t, p1, topic, "pending", primitive.UnknowState)
	eventually(t, 15*time.Second, func() string {
		if before.checks("pending") == 0 {
			return "the half message was never checked before the restart"
		}
		return ""
	})
	if err := p1.Shutdown(); err != nil {
		t.Fatal(err)
	}
	c.stop()
	c.restart()
	waitRoute(t, c, topic, 1)

	col := newCollector()
	startPushConsumer(t, c, "tx-restart-consumer", topic, "*", col)
	after := txNewListener(
		txByKey(map[string]primitive.LocalTransactionState{"after-restart": primitive.CommitMessageState}),
		txByKey(map[string]primitive.LocalTransactionState{"pending": primitive.CommitMessageState}))
	p2 := txStartProducer(t, c, group, "tx-after-restart", after)
	// A send makes the new producer learn the broker, so its heartbeat
	// registers it for checks.
	txSend(t, p2, topic, "after-restart", primitive.CommitMessageState)
	col.waitDistinct(t, 2, 25*time.Second)
	if after.checks("pending") == 0 {
		t.Fatal("the pending message was consumed without a check after the restart")
	}
	time.Sleep(3 * time.Second)
	if got := txBodies(col); len(got) != 2 || got["tx-pending"] != 1 || got["tx-after-restart"] != 1 {
		t.Fatalf("consumed %v, want tx-pending and tx-after-restart once each", got)
	}
}

// txCommitLogMaxOffset reads commitLogMaxOffset from GET_BROKER_RUNTIME_INFO.
func txCommitLogMaxOffset(t *testing.T, cl *remoting.Client, addr string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := cl.Invoke(ctx, addr, codec.NewRequest(int32(requestcode.GetBrokerRuntimeInfo), 0))
	if err != nil || resp.Code != 0 {
		t.Fatalf("runtime info: %v %v", resp, err)
	}
	var kv struct {
		Table map[string]string `json:"table"`
	}
	if err := json.Unmarshal(resp.Body, &kv); err != nil {
		t.Fatalf("runtime info body %q: %v", resp.Body, err)
	}
	v, ok := kv.Table["commitLogMaxOffset"]
	if !ok {
		t.Fatalf("runtime info without commitLogMaxOffset: %v", kv.Table)
	}
	return v
}

// TestTransactionEndForUnknownOffset: END_TRANSACTION naming no half
// message, or missing a field, gets SYSTEM_ERROR with Java's remark and
// writes nothing; the broker keeps serving.
func TestTransactionEndForUnknownOffset(t *testing.T) {
	c := startCluster(t)
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quietLogger()})
	defer cl.Close()
	end := func(offset string, drop string) *codec.Command {
		r := codec.NewRequest(int32(requestcode.EndTransaction), 0)
		for _, kv := range [][2]string{{"producerGroup", "PG"}, {"tranStateTableOffset", "0"}, {"commitLogOffset", offset},
			{"commitOrRollback", "8"}, {"fromTransactionCheck", "false"}, {"msgId", "C0A8000100002A9F0000000000000007"}} {
			if kv[0] != drop {
				r.Set(kv[0], kv[1])
			}
		}
		return r
	}
	before := txCommitLogMaxOffset(t, cl, c.Broker())
	for _, tc := range []struct {
		name   string
		req    *codec.Command
		remark string
	}{
		{"unknown offset", end("1099511627776", ""), "Find prepared transaction message failed"},
		{"offset zero of an empty store", end("0", ""), "Find prepared transaction message failed"},
		{"missing producerGroup", end("0", "producerGroup"), "<producerGroup> is null"},
		{"offset not a number", end("zero", ""), "commitLogOffset"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		resp, err := cl.Invoke(ctx, c.Broker(), tc.req)
		cancel()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if resp.Code != int32(requestcode.SystemError) || !strings.Contains(resp.Remark, tc.remark) {
			t.Fatalf("%s: code %d remark %q, want SYSTEM_ERROR containing %q", tc.name, resp.Code, resp.Remark, tc.remark)
		}
	}
	if after := txCommitLogMaxOffset(t, cl, c.Broker()); after != before {
		t.Fatalf("commitlog max offset %s → %s: a refused END_TRANSACTION wrote", before, after)
	}
	createTopic(t, c, "TxAfterBadInput", 1)
	p := newProducer(t, c, "tx-bad-input-producer")
	if _, err := p.SendSync(context.Background(), primitive.NewMessage("TxAfterBadInput", []byte("still serving"))); err != nil {
		t.Fatal(err)
	}
}
