package compat

import (
	"bytes"
	"context"
	binenc "encoding/binary"
	"fmt"
	"io"
	"math/rand"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	rocketmq "github.com/apache/rocketmq-client-go/v2"
	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
)

// The HA tests run a broker group as an operator does: a standalone
// mqnamesrv, a master mqbroker and a slave mqbroker (brokerId 1, brokerRole
// SLAVE, same brokerName) that learns its master from the NameServer. The
// NameServer is its own process so the master can be SIGKILLed alone.

const (
	haBrokerName = "broker-ha"
	haFileSize   = 1 << 20 // small commitlog files: replication crosses many file ends
)

// haNode is one mqbroker process of the group.
type haNode struct {
	t    *testing.T
	name string
	dir  string
	conf string
	port int
	cmd  *exec.Cmd
	out  *bytes.Buffer
}

func (n *haNode) Addr() string { return "127.0.0.1:" + strconv.Itoa(n.port) }

func (n *haNode) storeDir() string { return filepath.Join(n.dir, "store") }

func (n *haNode) start() {
	n.t.Helper()
	if n.out != nil {
		checkRaces(n.t, n.out)
	}
	n.cmd, n.out = startProcess(n.t, binary(n.t, "mqbroker"), "-c", n.conf, "-listen", n.Addr())
	waitListening(n.t, n.Addr(), n.out)
}

// stop sends SIGTERM and waits for a clean exit.
func (n *haNode) stop() {
	n.t.Helper()
	if n.cmd == nil || n.cmd.ProcessState != nil {
		return
	}
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- n.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			n.t.Fatalf("%s exit after SIGTERM: %v\n%s", n.name, err, n.out)
		}
	case <-time.After(20 * time.Second):
		_ = n.cmd.Process.Kill()
		<-done
		n.t.Fatalf("%s did not stop on SIGTERM:\n%s", n.name, n.out)
	}
}

func (n *haNode) kill() {
	if n.cmd == nil || n.cmd.ProcessState != nil {
		return
	}
	_ = n.cmd.Process.Kill()
	_ = n.cmd.Wait()
}

func (n *haNode) signal(sig syscall.Signal) {
	n.t.Helper()
	if err := n.cmd.Process.Signal(sig); err != nil {
		n.t.Fatal(err)
	}
}

// haGroup is a NameServer, a master and a slave (not started until
// startSlave: config made on the master first reaches the slave with its
// first metadata sync).
type haGroup struct {
	t      *testing.T
	nsPort int
	master *haNode
	slave  *haNode
	cl     *remoting.Client
}

func (g *haGroup) Namesrv() string { return "127.0.0.1:" + strconv.Itoa(g.nsPort) }

// view lets the shared helpers (newProducer, createTopic, waitRoute) work
// against the group's NameServer and master.
func (g *haGroup) view() *cluster {
	return &cluster{t: g.t, nsPort: g.nsPort, brokerPort: g.master.port}
}

// haStartGroup starts the NameServer and the master and prepares the slave.
// extra lines go to both brokers' broker.conf, masterConf/slaveConf to one.
func haStartGroup(t *testing.T, extra, masterConf, slaveConf []string) *haGroup {
	t.Helper()
	nsPort, ports := brokerPorts(t, 2)
	g := &haGroup{t: t, nsPort: nsPort, cl: remoting.NewClient(remoting.ClientConfig{Logger: quietLogger()})}
	t.Cleanup(g.cl.Close)

	nsDir := t.TempDir()
	nsConf := filepath.Join(nsDir, "namesrv.properties")
	props := fmt.Sprintf("listenPort=%d\nkvConfigPath=%s\n", nsPort, filepath.Join(nsDir, "kvConfig.json"))
	if err := os.WriteFile(nsConf, []byte(props), 0o644); err != nil {
		t.Fatal(err)
	}
	_, nsOut := startProcess(t, binary(t, "mqnamesrv"), "-c", nsConf)
	waitListening(t, g.Namesrv(), nsOut)
	t.Cleanup(func() { checkRaces(t, nsOut) })

	node := func(name string, port int, id int, own []string) *haNode {
		n := &haNode{t: t, name: name, dir: t.TempDir(), port: port}
		lines := append([]string{
			"brokerClusterName=HACluster",
			"brokerName=" + haBrokerName,
			"brokerId=" + strconv.Itoa(id),
			"namesrvAddr=" + g.Namesrv(),
			"brokerIP1=127.0.0.1",
			"brokerIP2=127.0.0.1",
			"listenPort=" + strconv.Itoa(port),
			"storePathRootDir=" + n.storeDir(),
			"mappedFileSizeCommitLog=" + strconv.Itoa(haFileSize),
			"mappedFileSizeConsumeQueue=60000",
			"maxHashSlotNum=1000",
			"maxIndexNum=4000",
			"flushDiskType=ASYNC_FLUSH",
			"flushConsumerOffsetInterval=1000",
			"haSendHeartbeatInterval=1000",
		}, extra...)
		lines = append(lines, own...)
		n.conf = filepath.Join(n.dir, "broker.conf")
		if err := os.WriteFile(n.conf, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			n.kill()
			if n.out != nil {
				checkRaces(t, n.out)
			}
		})
		return n
	}
	g.master = node("master", ports[0], 0, masterConf)
	g.slave = node("slave", ports[1], 1, append([]string{"brokerRole=SLAVE"}, slaveConf...))
	g.master.start()
	waitRoute(t, g.view(), "TBW102", 8)
	return g
}

// startSlave starts (or restarts) the slave and waits until the
// NameServer lists it beside the master.
func (g *haGroup) startSlave() {
	g.t.Helper()
	g.slave.start()
	g.waitSlaveRegistered()
}

func (g *haGroup) waitSlaveRegistered() {
	g.t.Helper()
	eventually(g.t, 15*time.Second, func() string {
		ids := g.brokerIDs()
		if ids[1] != g.slave.Addr() {
			return fmt.Sprintf("the NameServer lists %v, no slave", ids)
		}
		return ""
	})
}

// brokerIDs is the NameServer's address table for the group.
func (g *haGroup) brokerIDs() map[int64]string {
	g.t.Helper()
	req := codec.NewRequest(int32(requestcode.GetRouteinfoByTopic), 0)
	req.Set("topic", "TBW102")
	resp, err := g.invoke(g.Namesrv(), req)
	if err != nil || resp.Code != 0 {
		return nil
	}
	rd, err := body.DecodeTopicRouteData(resp.Body)
	if err != nil {
		g.t.Fatalf("route body: %v", err)
	}
	for _, bd := range rd.BrokerDatas {
		if bd.BrokerName == haBrokerName {
			return bd.BrokerAddrs
		}
	}
	return nil
}

func (g *haGroup) invoke(addr string, req *codec.Command) (*codec.Command, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return g.cl.Invoke(ctx, addr, req)
}

// call invokes code on addr and fails the test unless it succeeds.
func (g *haGroup) call(addr string, code requestcode.RequestCode, ext map[string]string, b []byte) *codec.Command {
	g.t.Helper()
	req := codec.NewRequest(int32(code), 0)
	for k, v := range ext {
		req.Set(k, v)
	}
	req.Body = b
	resp, err := g.invoke(addr, req)
	if err != nil {
		g.t.Fatalf("%v to %s: %v", code, addr, err)
	}
	if resp.Code != 0 {
		g.t.Fatalf("%v to %s: code %d %s", code, addr, resp.Code, resp.Remark)
	}
	return resp
}

// maxOffset is a broker's commitlog max offset (GET_BROKER_RUNTIME_INFO).
func (g *haGroup) maxOffset(n *haNode) int64 {
	g.t.Helper()
	resp := g.call(n.Addr(), requestcode.GetBrokerRuntimeInfo, nil, nil)
	kv, err := body.DecodeKVTable(resp.Body)
	if err != nil {
		g.t.Fatal(err)
	}
	off, err := strconv.ParseInt(kv.Table["commitLogMaxOffset"], 10, 64)
	if err != nil {
		g.t.Fatalf("commitLogMaxOffset %q", kv.Table["commitLogMaxOffset"])
	}
	return off
}

// waitCaughtUp waits until the slave's commitlog ends where the master's
// does and returns that offset.
func (g *haGroup) waitCaughtUp(within time.Duration) int64 {
	g.t.Helper()
	var m int64
	eventually(g.t, within, func() string {
		m = g.maxOffset(g.master)
		if s := g.maxOffset(g.slave); s != m {
			return fmt.Sprintf("slave at %d, master at %d", s, m)
		}
		return ""
	})
	return m
}

// haSent is what a batch of Go-client sends got back.
type haSent struct {
	acked     []string // UNIQ_KEY msg ids answered SEND_OK
	byStatus  map[primitive.SendStatus]int
	errs      []error
	latencies []time.Duration
}

// haSend sends n messages of size bytes from workers goroutines with the
// real Go client's SendSync.
func haSend(t *testing.T, p rocketmq.Producer, topic string, n, size, workers int) haSent {
	t.Helper()
	res := haSent{byStatus: map[primitive.SendStatus]int{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan int)
	// Printable but incompressible: bodies over 4 KiB would be
	// compressed by the client otherwise.
	payload := make([]byte, size)
	rng := rand.New(rand.NewSource(int64(n)))
	for i := range payload {
		payload[i] = 'a' + byte(rng.Intn(26))
	}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				msg := primitive.NewMessage(topic, append([]byte(strconv.Itoa(i)+":"), payload...))
				began := time.Now()
				r, err := p.SendSync(context.Background(), msg)
				el := time.Since(began)
				mu.Lock()
				switch {
				case err != nil:
					res.errs = append(res.errs, err)
				default:
					res.byStatus[r.Status]++
					res.latencies = append(res.latencies, el)
					if r.Status == primitive.SendOK {
						res.acked = append(res.acked, r.MsgID)
					}
				}
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	return res
}

func haPercentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

// haCompareStores checks the slave's commitlog is the master's byte for
// byte over [0, upTo) and that every consume queue file agrees.
func haCompareStores(t *testing.T, master, slave string, upTo int64) {
	t.Helper()
	for start := int64(0); start < upTo; start += haFileSize {
		name := fmt.Sprintf("%020d", start)
		mb, err := os.ReadFile(filepath.Join(master, "commitlog", name))
		if err != nil {
			t.Fatalf("master commitlog: %v", err)
		}
		sb, err := os.ReadFile(filepath.Join(slave, "commitlog", name))
		if err != nil {
			t.Fatalf("slave commitlog: %v", err)
		}
		n := min(int64(haFileSize), upTo-start)
		if len(mb) != haFileSize || len(sb) != haFileSize {
			t.Fatalf("commitlog %s: master %d bytes, slave %d bytes, want %d", name, len(mb), len(sb), haFileSize)
		}
		if !bytes.Equal(mb[:n], sb[:n]) {
			i := 0
			for i < int(n) && mb[i] == sb[i] {
				i++
			}
			t.Fatalf("commitlog %s differs at offset %d", name, start+int64(i))
		}
	}
	files := func(root string) map[string][]byte {
		out := map[string][]byte{}
		dir := filepath.Join(root, "consumequeue")
		err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			out[rel] = b
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	mq, sq := files(master), files(slave)
	if len(mq) == 0 {
		t.Fatal("the master has no consume queue files")
	}
	for rel, b := range mq {
		if sb, ok := sq[rel]; !ok || !bytes.Equal(b, sb) {
			t.Fatalf("consume queue %s: slave's copy missing or different (present %v)", rel, ok)
		}
	}
	for rel := range sq {
		if _, ok := mq[rel]; !ok {
			t.Fatalf("consume queue %s exists only on the slave", rel)
		}
	}
}

// TestHAReplicationByteIdentical: 10,000 messages sent to an ASYNC_MASTER
// reach its slave byte for byte, across commitlog file ends and a slave
// restart in the middle of the stream (the slave resumes from its own
// offset: a master starting anywhere else would be refused by the slave
// and it would never catch up); the consume queues the slave builds are
// the master's.
func TestHAReplicationByteIdentical(t *testing.T) {
	g := haStartGroup(t, nil, nil, nil)
	const topic = "HAReplicaTopic"
	createTopic(t, g.view(), topic, 4)
	g.startSlave()
	p := newProducer(t, g.view(), "ha-replica-producer")

	send := func(n, size, workers int) haSent {
		t.Helper()
		r := haSend(t, p, topic, n, size, workers)
		if len(r.errs) > 0 || len(r.acked) != n {
			t.Fatalf("sent %d: %d acked, statuses %v, errors %v", n, len(r.acked), r.byStatus, r.errs[:min(3, len(r.errs))])
		}
		return r
	}
	began := time.Now()
	send(3000, 200, 8)
	t.Logf("3000 sends to the ASYNC_MASTER from 8 senders in %v", time.Since(began).Round(time.Millisecond))
	r := send(1000, 128, 1)
	t.Logf("ASYNC_MASTER send latency (Go client SendSync, 1 sender, race-built broker): p50 %v p99 %v",
		haPercentile(r.latencies, 0.50).Round(time.Microsecond), haPercentile(r.latencies, 0.99).Round(time.Microsecond))
	first := g.waitCaughtUp(20 * time.Second)

	g.slave.stop()
	send(3000, 3500, 8) // the slave misses these
	lag := g.maxOffset(g.master) - first
	began = time.Now()
	g.slave.start()
	listening := time.Since(began)
	for deadline := time.Now().Add(30 * time.Second); g.maxOffset(g.slave) < first+lag; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the restarted slave is at %d, the master at %d", g.maxOffset(g.slave), first+lag)
		}
	}
	el := time.Since(began)
	t.Logf("restarted slave caught up %d bytes %v after its start, %v after it listened (%.0f MB/s from listening)",
		lag, el.Round(time.Millisecond), (el - listening).Round(time.Millisecond), float64(lag)/(el-listening).Seconds()/1e6)
	g.waitSlaveRegistered()
	send(3000, 200, 8)
	end := g.waitCaughtUp(20 * time.Second)
	if end < 3*haFileSize {
		t.Fatalf("only %d bytes written: the test means to cross several commitlog files", end)
	}
	// Consume queues are built by the slave's own dispatcher.
	for q := 0; q < 4; q++ {
		ext := map[string]string{"topic": topic, "queueId": strconv.Itoa(q)}
		m := g.call(g.master.Addr(), requestcode.GetMaxOffset, ext, nil).Value("offset")
		if s := g.call(g.slave.Addr(), requestcode.GetMaxOffset, ext, nil).Value("offset"); s != m {
			t.Fatalf("queue %d: slave max offset %s, master %s", q, s, m)
		}
	}

	g.slave.stop()
	g.master.stop()
	haCompareStores(t, g.master.storeDir(), g.slave.storeDir(), end)
}

// TestHASyncMasterSlaveDownAndBack: a SYNC_MASTER answers SEND_OK only with
// a slave acknowledging; the Go client sees SLAVE_NOT_AVAILABLE as
// SendSlaveNotAvailable with the slave stopped and FLUSH_SLAVE_TIMEOUT as
// SendFlushSlaveTimeout with it frozen (SIGSTOP), both with the stored
// message's offsets; once the slave is back sends succeed and it holds
// what was stored meanwhile. Bad input on the HA port closes only that
// connection. The slave copies the master's topics, groups, consumer
// offsets and delay offsets. SYNC_MASTER latency is measured and logged.
func TestHASyncMasterSlaveDownAndBack(t *testing.T) {
	g := haStartGroup(t, nil, []string{"brokerRole=SYNC_MASTER", "slaveTimeout=1000"}, nil)
	const topic = "HASyncTopic"
	createTopic(t, g.view(), topic, 4)
	// Metadata for the slave's first sync (3 s after it starts).
	sg := body.NewSubscriptionGroupConfig("ha-sync-group")
	sg.RetryMaxTimes = 7
	g.call(g.master.Addr(), requestcode.UpdateAndCreateSubscriptiongroup, nil, sg.Encode())
	g.call(g.master.Addr(), requestcode.UpdateConsumerOffset,
		map[string]string{"consumerGroup": "ha-sync-group", "topic": topic, "queueId": "3", "commitOffset": "77"}, nil)

	p := newProducer(t, g.view(), "ha-sync-producer", producer.WithRetry(0))
	one := func() (primitive.SendStatus, *primitive.SendResult) {
		t.Helper()
		r, err := p.SendSync(context.Background(), primitive.NewMessage(topic, []byte("one")))
		if err != nil {
			t.Fatalf("send: %v", err)
		}
		return r.Status, r
	}
	// No slave yet.
	if st, r := one(); st != primitive.SendSlaveNotAvailable || r.OffsetMsgID == "" {
		t.Fatalf("send with no slave: status %v result %v", st, r)
	}

	g.startSlave()
	eventually(t, 15*time.Second, func() string {
		if st, _ := one(); st != primitive.SendOK {
			return fmt.Sprintf("send with the slave up: status %v", st)
		}
		return ""
	})

	// Latency of SYNC_MASTER sends through the broker, one at a time.
	r := haSend(t, p, topic, 1000, 128, 1)
	if len(r.errs) > 0 || len(r.acked) != 1000 {
		t.Fatalf("1000 SYNC_MASTER sends: statuses %v errors %v", r.byStatus, r.errs)
	}
	t.Logf("SYNC_MASTER send latency (Go client SendSync, 1 sender, race-built broker): p50 %v p99 %v",
		haPercentile(r.latencies, 0.50).Round(time.Microsecond), haPercentile(r.latencies, 0.99).Round(time.Microsecond))
	r = haSend(t, p, topic, 2000, 128, 16)
	if len(r.errs) > 0 || len(r.acked) != 2000 {
		t.Fatalf("2000 SYNC_MASTER sends: statuses %v errors %v", r.byStatus, r.errs)
	}
	t.Logf("SYNC_MASTER send latency (16 senders): p50 %v p99 %v",
		haPercentile(r.latencies, 0.50).Round(time.Microsecond), haPercentile(r.latencies, 0.99).Round(time.Microsecond))

	// Garbage, a negative and a future offset on the HA port: that
	// connection is closed, the real slave keeps acknowledging.
	future := make([]byte, 8)
	binenc.BigEndian.PutUint64(future, uint64(g.maxOffset(g.master)+1<<30))
	negative := make([]byte, 8)
	binenc.BigEndian.PutUint64(negative, uint64(1<<63))
	haAddr := "127.0.0.1:" + strconv.Itoa(g.master.port+1)
	for name, report := range map[string][]byte{"future offset": future, "negative offset": negative,
		"garbage": []byte("\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8GET / HTTP/1.1\r\n\r\n")} {
		c, err := net.Dial("tcp", haAddr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Write(report); err != nil {
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.Copy(io.Discard, c); err != nil {
			t.Fatalf("%s: the master did not close the connection: %v", name, err)
		}
		c.Close()
		if st, _ := one(); st != primitive.SendOK {
			t.Fatalf("after %s on the HA port: status %v", name, st)
		}
	}

	// The slave copied the master's metadata by now (first sync at 3 s).
	eventually(t, 15*time.Second, func() string {
		w, err := body.DecodeTopicConfigSerializeWrapper(g.call(g.slave.Addr(), requestcode.GetAllTopicConfig, nil, nil).Body)
		if err != nil || w.TopicConfigTable[topic] == nil {
			return "slave lacks the topic"
		}
		gw, err := body.DecodeSubscriptionGroupWrapper(g.call(g.slave.Addr(), requestcode.GetAllSubscriptiongroupConfig, nil, nil).Body)
		if err != nil || gw.SubscriptionGroupTable["ha-sync-group"] == nil || gw.SubscriptionGroupTable["ha-sync-group"].RetryMaxTimes != 7 {
			return "slave lacks the subscription group"
		}
		ow, err := body.DecodeConsumerOffsetSerializeWrapper(g.call(g.slave.Addr(), requestcode.GetAllConsumerOffset, nil, nil).Body)
		if err != nil || len(ow.OffsetTable[topic+"@ha-sync-group"]) == 0 || ow.OffsetTable[topic+"@ha-sync-group"][0].Offset != 77 {
			return "slave lacks the consumer offset"
		}
		// A slave runs no schedule service: only the sync writes its
		// delayOffset.json, with the master's GET_ALL_DELAY_OFFSET body.
		md := g.call(g.master.Addr(), requestcode.GetAllDelayOffset, nil, nil).Body
		if sd, err := os.ReadFile(filepath.Join(g.slave.storeDir(), "config", "delayOffset.json")); err != nil || !bytes.Equal(sd, md) {
			return fmt.Sprintf("slave delayOffset.json %q (%v), master sends %q", sd, err, md)
		}
		return ""
	})

	// Frozen slave: connected but silent → FLUSH_SLAVE_TIMEOUT.
	g.slave.signal(syscall.SIGSTOP)
	began := time.Now()
	st, res := one()
	el := time.Since(began)
	g.slave.signal(syscall.SIGCONT)
	if st != primitive.SendFlushSlaveTimeout || res.OffsetMsgID == "" {
		t.Fatalf("send with a frozen slave: status %v result %v", st, res)
	}
	if el < 900*time.Millisecond || el > 2500*time.Millisecond {
		t.Fatalf("FLUSH_SLAVE_TIMEOUT after %v, slaveTimeout is 1s", el)
	}
	eventually(t, 10*time.Second, func() string {
		if st, _ := one(); st != primitive.SendOK {
			return fmt.Sprintf("after SIGCONT: status %v", st)
		}
		return ""
	})

	// Stopped slave → SLAVE_NOT_AVAILABLE at once, the messages stored.
	g.slave.stop()
	var down haSent
	eventually(t, 10*time.Second, func() string {
		if st, _ := one(); st != primitive.SendSlaveNotAvailable {
			return fmt.Sprintf("with the slave stopped: status %v", st)
		}
		return ""
	})
	began = time.Now()
	down = haSend(t, p, topic, 50, 128, 1)
	if len(down.errs) > 0 || down.byStatus[primitive.SendSlaveNotAvailable] != 50 {
		t.Fatalf("sends with the slave stopped: statuses %v errors %v", down.byStatus, down.errs)
	}
	if el := time.Since(began); el > 5*time.Second {
		t.Fatalf("50 SLAVE_NOT_AVAILABLE sends took %v: they must not wait for slaveTimeout", el)
	}

	// Slave back: SEND_OK again, and it holds what was stored meanwhile.
	g.startSlave()
	eventually(t, 15*time.Second, func() string {
		if st, _ := one(); st != primitive.SendOK {
			return fmt.Sprintf("slave back: status %v", st)
		}
		return ""
	})
	g.waitCaughtUp(15 * time.Second)
}

// TestHAMasterKilledConsumeFromSlave: every message a SYNC_MASTER
// acknowledged survives a SIGKILL of the master on its slave, and the
// real Go client consumes all of them from the slave (slaveReadEnable)
// once the NameServer dropped the master. The master then returns:
// replication resumes where the slave is, without a gap or a resend.
func TestHAMasterKilledConsumeFromSlave(t *testing.T) {
	g := haStartGroup(t, []string{"slaveReadEnable=true"}, []string{"brokerRole=SYNC_MASTER"}, nil)
	const topic = "HAFailoverTopic"
	createTopic(t, g.view(), topic, 4)
	g.startSlave()
	p := newProducer(t, g.view(), "ha-failover-producer")
	eventually(t, 15*time.Second, func() string {
		r, err := p.SendSync(context.Background(), primitive.NewMessage(topic, []byte("probe")))
		if err != nil || r.Status != primitive.SendOK {
			return fmt.Sprintf("probe send: %v %v", r, err)
		}
		return ""
	})
	sent := haSend(t, p, topic, 600, 256, 8)
	if len(sent.errs) > 0 || len(sent.acked) != 600 {
		t.Fatalf("sends: statuses %v errors %v", sent.byStatus, sent.errs)
	}
	// The slave must know the topic (metadata sync) to serve it.
	eventually(t, 15*time.Second, func() string {
		w, err := body.DecodeTopicConfigSerializeWrapper(g.call(g.slave.Addr(), requestcode.GetAllTopicConfig, nil, nil).Body)
		if err != nil || w.TopicConfigTable[topic] == nil {
			return "the slave has not synchronised the topic"
		}
		return ""
	})

	g.master.kill()
	eventually(t, 15*time.Second, func() string {
		ids := g.brokerIDs()
		if _, ok := ids[0]; ok || ids[1] == "" {
			return fmt.Sprintf("the NameServer still lists %v", ids)
		}
		return ""
	})

	pc, err := consumer.NewPullConsumer(
		consumer.WithNsResolver(primitive.NewPassthroughResolver([]string{g.Namesrv()})),
		consumer.WithGroupName("ha-failover-puller"),
		consumer.WithInstance("ha-failover-puller"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := pc.Subscribe(topic, consumer.MessageSelector{Type: consumer.TAG, Expression: "*"}); err != nil {
		t.Fatal(err)
	}
	if err := pc.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = pc.Shutdown() }()
	// Pull every queue up to the slave's end, again until every
	// acknowledged message turned up (the slave's dispatcher may still be
	// building its queues). A pull at the end would be held (long
	// polling), so none is made there.
	got := map[string]bool{}
	next := make([]int64, 4)
	eventually(t, 15*time.Second, func() string {
		for q := 0; q < 4; q++ {
			ext := map[string]string{"topic": topic, "queueId": strconv.Itoa(q)}
			end, _ := strconv.ParseInt(g.call(g.slave.Addr(), requestcode.GetMaxOffset, ext, nil).Value("offset"), 10, 64)
			mq := &primitive.MessageQueue{Topic: topic, BrokerName: haBrokerName, QueueId: q}
			for next[q] < end {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				r, err := pc.PullFrom(ctx, mq, next[q], 32)
				cancel()
				if err != nil {
					t.Fatalf("pull queue %d at %d from the slave: %v", q, next[q], err)
				}
				if r.Status != primitive.PullFound {
					t.Fatalf("pull queue %d at %d: status %v (max %d)", q, next[q], r.Status, r.MaxOffset)
				}
				for _, m := range r.GetMessageExts() {
					got[m.MsgId] = true
				}
				next[q] = r.NextBeginOffset
			}
		}
		for _, id := range sent.acked {
			if !got[id] {
				return fmt.Sprintf("acknowledged message %s not consumable from the slave (%d of %d found)", id, len(got), len(sent.acked))
			}
		}
		return ""
	})

	// The master returns on the same store: replication resumes from the
	// slave's offset and the stores agree again.
	g.master.start()
	eventually(t, 20*time.Second, func() string {
		r, err := p.SendSync(context.Background(), primitive.NewMessage(topic, []byte("after")))
		if err != nil || r.Status != primitive.SendOK {
			return fmt.Sprintf("send to the returned master: %v %v", r, err)
		}
		return ""
	})
	end := g.waitCaughtUp(15 * time.Second)
	g.slave.stop()
	g.master.stop()
	haCompareStores(t, g.master.storeDir(), g.slave.storeDir(), end)
}
