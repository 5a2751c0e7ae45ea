package broker

import (
	"context"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/broker/config"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/rocketgo/rocketgo/store/message"
	"github.com/sirupsen/logrus"
)

func quiet() *logrus.Logger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return l
}

// startBroker runs an in-process broker on a free loopback port with no
// NameServer, its store in a temp dir.
func startBroker(tb testing.TB, props map[string]string) *Broker {
	tb.Helper()
	env := config.SystemEnv()
	env.Hostname, env.LocalAddress, env.HomeDir = "test-host", "127.0.0.1", tb.TempDir()
	env.NamesrvAddr = ""
	base := map[string]string{
		"brokerName":                 "broker-test",
		"storePathRootDir":           filepath.Join(tb.TempDir(), "store"),
		"mappedFileSizeCommitLog":    strconv.Itoa(64 << 20),
		"mappedFileSizeConsumeQueue": "600000",
		"maxHashSlotNum":             "10000",
		"maxIndexNum":                "40000",
		"brokerIP1":                  "127.0.0.1",
	}
	for k, v := range props {
		base[k] = v
	}
	cfg, _, err := config.LoadWith(env, "", base)
	if err != nil {
		tb.Fatal(err)
	}
	b, err := New(cfg, Options{ListenAddr: "127.0.0.1:0", Logger: quiet()})
	if err != nil {
		tb.Fatal(err)
	}
	if err := b.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = b.Shutdown(ctx)
	})
	return b
}

func sendRequest(topic string, qid int, body []byte) *codec.Command {
	r := codec.NewRequest(int32(requestcode.SendMessage), 0)
	r.Set("producerGroup", "PG")
	r.Set("topic", topic)
	r.Set("defaultTopic", "TBW102")
	r.Set("defaultTopicQueueNums", "4")
	r.Set("queueId", strconv.Itoa(qid))
	r.Set("sysFlag", "0")
	r.Set("bornTimestamp", strconv.FormatInt(time.Now().UnixMilli(), 10))
	r.Set("flag", "0")
	r.Set("properties", "TAGS\x01TagA\x02UNIQ_KEY\x017F00000100002A9F0000000000000001\x02")
	r.Body = body
	return r
}

func pullRequest(topic string, qid int, offset int64, suspend time.Duration) *codec.Command {
	r := codec.NewRequest(int32(requestcode.PullMessage), 0)
	r.Set("consumerGroup", "CG")
	r.Set("topic", topic)
	r.Set("queueId", strconv.Itoa(qid))
	r.Set("queueOffset", strconv.FormatInt(offset, 10))
	r.Set("maxMsgNums", "32")
	flag := 4 // subscription in the request
	if suspend > 0 {
		flag |= 2
	}
	r.Set("sysFlag", strconv.Itoa(flag))
	r.Set("commitOffset", "0")
	r.Set("suspendTimeoutMillis", strconv.FormatInt(suspend.Milliseconds(), 10))
	r.Set("subscription", "*")
	r.Set("subVersion", "0")
	r.Set("expressionType", "TAG")
	return r
}

// TestSendThenPullAndLongPoll: messages sent are pulled back byte-exact
// with the pull header every client needs; a pull at the end of the queue
// is held and answered when the next message is stored.
func TestSendThenPullAndLongPoll(t *testing.T) {
	b := startBroker(t, nil)
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
	defer cl.Close()
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		resp, err := cl.Invoke(ctx, b.Addr(), sendRequest("BT", 1, []byte("m"+strconv.Itoa(i))))
		if err != nil || resp.Code != 0 {
			t.Fatalf("send %d: %v %v", i, resp, err)
		}
		if resp.Value("queueOffset") != strconv.Itoa(i) || resp.Value("queueId") != "1" || len(resp.Value("msgId")) != 32 {
			t.Fatalf("send reply %v", resp.Ext)
		}
	}
	resp, err := cl.Invoke(ctx, b.Addr(), pullRequest("BT", 1, 0, 0))
	if err != nil || resp.Code != 0 {
		t.Fatalf("pull: %v %v", resp, err)
	}
	for _, k := range []string{"nextBeginOffset", "minOffset", "maxOffset", "suggestWhichBrokerId"} {
		if _, ok := resp.Get(k); !ok {
			t.Fatalf("pull reply lacks %s: %v", k, resp.Ext)
		}
	}
	if resp.Value("nextBeginOffset") != "5" || resp.Value("maxOffset") != "5" {
		t.Fatalf("pull header %v", resp.Ext)
	}
	sc := message.NewScanner(resp.Body, 0, true)
	n := 0
	for sc.Next() {
		r := sc.Record()
		if string(r.Body) != "m"+strconv.Itoa(n) || r.QueueOffset != int64(n) || r.TopicString() != "BT" {
			t.Fatalf("record %d: %q at %d", n, r.Body, r.QueueOffset)
		}
		if v, _ := r.Properties.GetString("CLUSTER"); v != "DefaultCluster" {
			t.Fatalf("CLUSTER property %q", v)
		}
		n++
	}
	if n != 5 {
		t.Fatalf("pulled %d records (%v)", n, sc.Err())
	}

	done := make(chan *codec.Command, 1)
	start := time.Now()
	go func() {
		r, err := cl.Invoke(ctx, b.Addr(), pullRequest("BT", 1, 5, 10*time.Second))
		if err != nil {
			t.Error(err)
		}
		done <- r
	}()
	time.Sleep(200 * time.Millisecond)
	if _, err := cl.Invoke(ctx, b.Addr(), sendRequest("BT", 1, []byte("late"))); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-done:
		if r == nil || r.Code != 0 || r.Value("nextBeginOffset") != "6" {
			t.Fatalf("held pull answered %v", r)
		}
		if el := time.Since(start); el > 3*time.Second {
			t.Fatalf("held pull took %v", el)
		}
	case <-time.After(8 * time.Second):
		t.Fatal("held pull not answered when a message arrived")
	}

	// A held pull with nothing arriving is answered PULL_NOT_FOUND when its
	// suspend time is up.
	start = time.Now()
	r, err := cl.Invoke(ctx, b.Addr(), pullRequest("BT", 1, 6, 300*time.Millisecond))
	if err != nil || r.Code != int32(requestcode.PullNotFound) || r.Value("nextBeginOffset") != "6" {
		t.Fatalf("expired pull: %v %v", r, err)
	}
	if el := time.Since(start); el < 250*time.Millisecond || el > 3*time.Second {
		t.Fatalf("a 300 ms hold answered after %v", el)
	}
}

// BenchmarkSendLoopback measures SEND_MESSAGE over loopback with N
// concurrent senders (our remoting client, pipelined), reporting msgs/s and
// latency percentiles; BenchmarkSendLoopback/store-only is the same
// encoding and put without the network, for comparison.
func BenchmarkSendLoopback(b *testing.B) {
	body := make([]byte, 1024)
	for _, senders := range []int{1, 16, 64} {
		b.Run("senders="+strconv.Itoa(senders), func(b *testing.B) {
			br := startBroker(b, nil)
			cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
			defer cl.Close()
			if _, err := cl.Invoke(context.Background(), br.Addr(), sendRequest("Bench", 0, body)); err != nil {
				b.Fatal(err)
			}
			lat := make([][]time.Duration, senders)
			var next sync.WaitGroup
			per := b.N/senders + 1
			b.SetBytes(int64(len(body)))
			b.ResetTimer()
			start := time.Now()
			for s := 0; s < senders; s++ {
				next.Add(1)
				go func(s int) {
					defer next.Done()
					lat[s] = make([]time.Duration, 0, per)
					for i := 0; i < per; i++ {
						t0 := time.Now()
						resp, err := cl.Invoke(context.Background(), br.Addr(), sendRequest("Bench", i%4, body))
						if err != nil || resp.Code != 0 {
							b.Error(err, resp)
							return
						}
						lat[s] = append(lat[s], time.Since(t0))
					}
				}(s)
			}
			next.Wait()
			el := time.Since(start)
			b.StopTimer()
			var all []time.Duration
			for _, l := range lat {
				all = append(all, l...)
			}
			sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
			if len(all) > 0 {
				b.ReportMetric(float64(len(all))/el.Seconds(), "msgs/s")
				b.ReportMetric(float64(all[len(all)/2].Microseconds()), "p50-µs")
				b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-µs")
			}
		})
	}
	b.Run("store-only", func(b *testing.B) {
		br := startBroker(b, nil)
		st := br.Store()
		m := message.Message{Topic: "Bench", Body: body, Properties: []byte("TAGS\x01TagA\x02CLUSTER\x01DefaultCluster"),
			BornHost: storeHost("127.0.0.1", 5000), StoreHost: storeHost("127.0.0.1", 10911)}
		var buf []byte
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			m.QueueID = int32(i % 4)
			rec, err := message.AppendRecord(buf[:0], &m)
			if err != nil {
				b.Fatal(err)
			}
			buf = rec
			if _, err := st.Put("Bench", m.QueueID, rec); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkPullLoopback measures PULL_MESSAGE of 32 x 1 KiB messages over
// loopback.
func BenchmarkPullLoopback(b *testing.B) {
	br := startBroker(b, nil)
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
	defer cl.Close()
	body := make([]byte, 1024)
	const n = 3200
	for i := 0; i < n; i++ {
		if resp, err := cl.Invoke(context.Background(), br.Addr(), sendRequest("PullBench", 0, body)); err != nil || resp.Code != 0 {
			b.Fatal(err, resp)
		}
	}
	b.SetBytes(32 * 1024)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		off := int64(i*32) % n
		resp, err := cl.Invoke(context.Background(), br.Addr(), pullRequest("PullBench", 0, off, 0))
		if err != nil || resp.Code != 0 {
			b.Fatal(err, resp)
		}
	}
	b.ReportMetric(float64(b.N*32)/b.Elapsed().Seconds(), "msgs/s")
}

// TestHalfMessageIsNotDelivered: a transaction half message (TRAN_MSG) is
// parked in RMQ_SYS_TRANS_HALF_TOPIC with its real topic and queue in
// properties; consumers of the real topic do not see it.
func TestHalfMessageIsNotDelivered(t *testing.T) {
	b := startBroker(t, nil)
	cl := remoting.NewClient(remoting.ClientConfig{Logger: quiet()})
	defer cl.Close()
	ctx := context.Background()
	req := sendRequest("TxT", 2, []byte("half"))
	req.Set("properties", "TRAN_MSG\x01true\x02PGROUP\x01PG\x02")
	req.Set("sysFlag", "4")
	resp, err := cl.Invoke(ctx, b.Addr(), req)
	if err != nil || resp.Code != 0 || resp.Value("queueId") != "2" || len(resp.Value("msgId")) != 32 {
		t.Fatalf("half send: %v %v", resp, err)
	}
	if r, _ := cl.Invoke(ctx, b.Addr(), pullRequest("TxT", 2, 0, 0)); r.Code == 0 {
		t.Fatal("the half message was delivered on its real topic")
	}
	_, phys, err := message.DecodeOffsetMsgID(resp.Value("msgId"))
	if err != nil {
		t.Fatal(err)
	}
	rec, v, ok := b.Store().LookMessage(phys)
	if !ok {
		t.Fatal("half message not found by its msgId")
	}
	defer v.Release()
	realTopic, _ := rec.Properties.GetString("REAL_TOPIC")
	realQID, _ := rec.Properties.GetString("REAL_QID")
	if rec.TopicString() != "RMQ_SYS_TRANS_HALF_TOPIC" || rec.QueueID != 0 || realTopic != "TxT" || realQID != "2" ||
		message.TransactionType(rec.SysFlag) != 0 {
		t.Fatalf("half record: topic %s queue %d real %s/%s sysFlag %d", rec.TopicString(), rec.QueueID, realTopic, realQID, rec.SysFlag)
	}
}
