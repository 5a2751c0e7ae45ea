package compat

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/admin"
	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
)

// TestCommittedOffsetsSurviveRestart: a consumer that consumed and shut
// down, then a broker restart (SIGTERM), then new messages: the consumer,
// restarted, resumes after what it committed and sees only the new ones.
func TestCommittedOffsetsSurviveRestart(t *testing.T) {
	c := startCluster(t)
	const topic = "OffsetTopic"
	createTopic(t, c, topic, 2)
	p := newProducer(t, c, "offset-producer")
	for i := 0; i < 20; i++ {
		if _, err := p.SendSync(context.Background(), primitive.NewMessage(topic, []byte("old"+strconv.Itoa(i)))); err != nil {
			t.Fatal(err)
		}
	}
	col := newCollector()
	pc := startPushConsumer(t, c, "offset-group", topic, "*", col, consumer.WithInstance("first-run"))
	col.waitDistinct(t, 20, 30*time.Second)
	// Shutdown persists the consumer's offsets to the broker.
	if err := pc.Shutdown(); err != nil {
		t.Fatal(err)
	}
	c.stop()
	c.restart()
	waitRoute(t, c, topic, 2)
	for i := 0; i < 10; i++ {
		if _, err := p.SendSync(context.Background(), primitive.NewMessage(topic, []byte("new"+strconv.Itoa(i)))); err != nil {
			t.Fatal(err)
		}
	}
	again := newCollector()
	startPushConsumer(t, c, "offset-group", topic, "*", again, consumer.WithInstance("second-run"))
	again.waitDistinct(t, 10, 30*time.Second)
	time.Sleep(time.Second)
	msgs, _ := again.snapshot()
	for _, m := range msgs {
		if strings.HasPrefix(string(m.Body), "old") {
			t.Fatalf("after the restart the group was given %s again: its committed offset was lost", m.Body)
		}
	}
}

// waitRoute waits until the NameServer serves topic with queues queues.
func waitRoute(t *testing.T, c *cluster, topic string, queues int) {
	t.Helper()
	adm, err := admin.NewAdmin(admin.WithResolver(primitive.NewPassthroughResolver([]string{c.Namesrv()})))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = adm.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		mqs, err := adm.FetchPublishMessageQueues(ctx, topic)
		if err == nil && len(mqs) == queues {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("route of %s: %v %v", topic, mqs, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestSendWhileBrokerDown: with the broker gone a send fails within
// seconds; once it is back, sends succeed again without restarting the
// producer.
func TestSendWhileBrokerDown(t *testing.T) {
	c := startCluster(t)
	const topic = "DownTopic"
	createTopic(t, c, topic, 2)
	p := newProducer(t, c, "down-producer")
	if _, err := p.SendSync(context.Background(), primitive.NewMessage(topic, []byte("before"))); err != nil {
		t.Fatal(err)
	}
	c.kill()
	start := time.Now()
	_, err := p.SendSync(context.Background(), primitive.NewMessage(topic, []byte("while-down")))
	if err == nil {
		t.Fatal("a send with the broker down succeeded")
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Fatalf("the failing send took %v", el)
	}
	c.restart()
	eventually(t, 30*time.Second, func() string {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		res, err := p.SendSync(ctx, primitive.NewMessage(topic, []byte("after")))
		if err != nil || res.Status != primitive.SendOK {
			return fmt.Sprintf("sends still fail 30 s after the broker returned: %v", err)
		}
		return ""
	})
}

// TestKilledBrokerKeepsAcknowledgedMessages: producers send under SYNC_FLUSH
// while the broker is killed with SIGKILL; after a restart every message
// whose send was acknowledged is consumed.
func TestKilledBrokerKeepsAcknowledgedMessages(t *testing.T) {
	c := startCluster(t)
	const topic = "CrashTopic"
	createTopic(t, c, topic, 4)
	p := newProducer(t, c, "crash-producer")
	var (
		mu    sync.Mutex
		acked = map[string]bool{}
		sent  atomic.Int64
		wg    sync.WaitGroup
	)
	stop := make(chan struct{})
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				body := fmt.Sprintf("w%d-%d-%s", w, i, strings.Repeat("z", i%50))
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
				res, err := p.SendSync(ctx, primitive.NewMessage(topic, []byte(body)))
				cancel()
				sent.Add(1)
				if err == nil && res.Status == primitive.SendOK {
					mu.Lock()
					acked[body] = true
					mu.Unlock()
				}
				if err != nil {
					return // the broker is gone
				}
			}
		}(w)
	}
	for sent.Load() < 300 {
		time.Sleep(10 * time.Millisecond)
	}
	c.kill()
	close(stop)
	wg.Wait()
	mu.Lock()
	want := len(acked)
	mu.Unlock()
	if want < 250 {
		t.Fatalf("only %d sends acknowledged before the kill", want)
	}
	c.restart()
	waitRoute(t, c, topic, 4)
	col := newCollector()
	startPushConsumer(t, c, "crash-reader", topic, "*", col)
	eventually(t, 40*time.Second, func() string {
		msgs, _ := col.snapshot()
		got := map[string]bool{}
		for _, m := range msgs {
			got[string(m.Body)] = true
		}
		missing := 0
		for b := range acked {
			if !got[b] {
				missing++
			}
		}
		if missing > 0 {
			return fmt.Sprintf("%d of %d acknowledged messages lost after SIGKILL", missing, want)
		}
		return ""
	})
}

// TestMqbrokerWithJavaBrokerConf starts mqbroker with a copy of the Java
// 4.9.7 distribution's conf/broker.conf (plus a store path and port so the
// test stays in its temp dir) against mqnamesrv: it registers, and the Go
// client routes a send through it.
func TestMqbrokerWithJavaBrokerConf(t *testing.T) {
	dir := t.TempDir()
	javaConf, err := os.ReadFile("../broker/config/testdata/java-conf/broker.conf")
	if err != nil {
		t.Fatal(err)
	}
	nsPort, ports := brokerPorts(t, 1)
	brokerPort := ports[0]
	conf := filepath.Join(dir, "broker.conf")
	extra := fmt.Sprintf("\nstorePathRootDir=%s\nlistenPort=%d\nbrokerIP1=127.0.0.1\n", filepath.Join(dir, "store"), brokerPort)
	if err := os.WriteFile(conf, append(javaConf, extra...), 0o644); err != nil {
		t.Fatal(err)
	}
	nsConf := filepath.Join(dir, "namesrv.properties")
	if err := os.WriteFile(nsConf, []byte(fmt.Sprintf("listenPort=%d\nkvConfigPath=%s\n", nsPort, filepath.Join(dir, "kv.json"))), 0o644); err != nil {
		t.Fatal(err)
	}
	_, nsOut := startProcess(t, binary(t, "mqnamesrv"), "-c", nsConf)
	ns := "127.0.0.1:" + strconv.Itoa(nsPort)
	waitListening(t, ns, nsOut)
	_, out := startProcess(t, binary(t, "mqbroker"), "-c", conf, "-n", ns)
	t.Cleanup(func() { checkRaces(t, out) })
	waitListening(t, "127.0.0.1:"+strconv.Itoa(brokerPort), out)

	c := &cluster{t: t, nsPort: nsPort, brokerPort: brokerPort, out: out}
	p := newProducer(t, c, "javaconf-producer")
	var res *primitive.SendResult
	eventually(t, 20*time.Second, func() string {
		r, err := p.SendSync(context.Background(), primitive.NewMessage("JavaConfTopic", []byte("x")))
		if err != nil || r.Status != primitive.SendOK {
			return fmt.Sprintf("send through the Java-configured broker: %v\n%s", err, out)
		}
		res = r
		return ""
	})
	if !strings.Contains(res.MessageQueue.BrokerName, "broker-a") {
		t.Fatalf("sent through %q, the conf names broker-a", res.MessageQueue.BrokerName)
	}
}
