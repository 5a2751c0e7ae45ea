package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/broker"
	"github.com/rocketgo/rocketgo/broker/config"
	"github.com/rocketgo/rocketgo/cmd/mqadmin/internal/admin"
	"github.com/rocketgo/rocketgo/namesrv"
	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/sirupsen/logrus"
)

func quiet() *logrus.Logger {
	l := logrus.New()
	l.SetOutput(io.Discard)
	return l
}

// cluster is an in-process NameServer and broker on loopback ports with
// their files in temp dirs.
type cluster struct {
	t      *testing.T
	ns     *namesrv.Server
	b      *broker.Broker
	nsAddr string
	// brokerAddr is the registered address (what mqadmin dials).
	brokerAddr string
	// bodyDir receives the message bodies the query commands save.
	bodyDir string
}

// startCluster starts a NameServer and a broker named broker-a in
// DefaultCluster; storeRoot, when set, is an existing store to take over.
// Extra broker.conf keys go in props.
func startCluster(t *testing.T, storeRoot string, props map[string]string) *cluster {
	t.Helper()
	nsCfg := namesrv.DefaultConfig()
	nsCfg.ListenAddr = "127.0.0.1:0"
	dir := t.TempDir()
	nsCfg.KvConfigPath = filepath.Join(dir, "kvConfig.json")
	nsCfg.ConfigStorePath = filepath.Join(dir, "namesrv.properties")
	nsCfg.Logger = quiet()
	ns := namesrv.New(nsCfg)
	if err := ns.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = ns.Shutdown(ctx)
	})
	if storeRoot == "" {
		storeRoot = filepath.Join(t.TempDir(), "store")
	}
	env := config.SystemEnv()
	env.Hostname, env.LocalAddress, env.HomeDir = "test-host", "127.0.0.1", t.TempDir()
	env.NamesrvAddr = ""
	base := map[string]string{
		"brokerClusterName":          "DefaultCluster",
		"brokerName":                 "broker-a",
		"namesrvAddr":                ns.Addr(),
		"storePathRootDir":           storeRoot,
		"mappedFileSizeCommitLog":    strconv.Itoa(4 << 20),
		"mappedFileSizeConsumeQueue": "60000",
		"maxHashSlotNum":             "1000",
		"maxIndexNum":                "4000",
		"brokerIP1":                  "127.0.0.1",
		"flushDiskType":              "SYNC_FLUSH",
	}
	for k, v := range props {
		base[k] = v
	}
	cfg, _, err := config.LoadWith(env, "", base)
	if err != nil {
		t.Fatal(err)
	}
	b, err := broker.New(cfg, broker.Options{ListenAddr: "127.0.0.1:0", Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = b.Shutdown(ctx)
	})
	c := &cluster{t: t, ns: ns, b: b, nsAddr: ns.Addr(), brokerAddr: b.BrokerAddr(), bodyDir: t.TempDir()}
	c.waitRoute("TBW102", func(*body.TopicRouteData) bool { return true })
	return c
}

// waitRoute polls the NameServer until the topic's route satisfies ok:
// a broker registers new topics asynchronously.
func (c *cluster) waitRoute(topic string, ok func(*body.TopicRouteData) bool) *body.TopicRouteData {
	c.t.Helper()
	adm := admin.New(admin.Config{NamesrvAddrs: []string{c.nsAddr}})
	defer adm.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, err := adm.TopicRoute(context.Background(), topic)
		if err == nil && ok(r) {
			return r
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("route of %s not as expected after 10 s: %v %+v", topic, err, r)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// result is one mqadmin run.
type result struct {
	stdout, stderr string
	code           int
}

// mqadmin runs the tool in-process with NAMESRV_ADDR pointing at the
// cluster, times in UTC and bodies written under a temp dir.
func (c *cluster) mqadmin(args ...string) result {
	c.t.Helper()
	return runTool(map[string]string{"NAMESRV_ADDR": c.nsAddr}, c.bodyDir, args...)
}

// runTool runs mqadmin in-process with the given environment variables.
func runTool(environ map[string]string, bodyDir string, args ...string) result {
	var out, errOut bytes.Buffer
	e := &env{stdout: &out, stderr: &errOut, getenv: func(k string) string { return environ[k] }, now: time.Now,
		loc: time.UTC, timeout: 3 * time.Second, bodyDir: bodyDir}
	code := run(context.Background(), args, e)
	return result{stdout: out.String(), stderr: errOut.String(), code: code}
}

// ok fails the test unless the run exited 0.
func (r result) ok(t *testing.T) result {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	return r
}

// failed fails the test unless the run exited non-zero with stderr
// containing every want.
func (r result) failed(t *testing.T, want ...string) result {
	t.Helper()
	if r.code == 0 {
		t.Fatalf("exit 0, want failure\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			t.Fatalf("stderr lacks %q:\n%s", w, r.stderr)
		}
	}
	return r
}

// has fails the test unless stdout contains every want.
func (r result) has(t *testing.T, want ...string) result {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(r.stdout, w) {
			t.Fatalf("stdout lacks %q:\n%s\nstderr:\n%s", w, r.stdout, r.stderr)
		}
	}
	return r
}

// lines returns stdout's lines.
func (r result) lines() []string { return strings.Split(strings.TrimRight(r.stdout, "\n"), "\n") }

// fakeClient is a client connected to the broker by heartbeat, with a
// consumer group and a producer group, answering what the broker relays.
type fakeClient struct {
	id     string
	cl     *remoting.Client
	mu     sync.Mutex
	resets []*codec.Command
	mqs    []body.MessageQueue // what it claims to consume (running info)
}

func newFakeClient(t *testing.T, brokerAddr, clientID, group, topic, producerGroup string, mqs []body.MessageQueue) *fakeClient {
	t.Helper()
	f := &fakeClient{id: clientID, mqs: mqs}
	f.cl = remoting.NewClient(remoting.ClientConfig{Logger: quiet(), Processors: map[requestcode.RequestCode]remoting.RequestHandler{
		requestcode.ResetConsumerClientOffset: func(req *codec.Command) (*codec.Command, error) {
			f.mu.Lock()
			f.resets = append(f.resets, req)
			f.mu.Unlock()
			return nil, nil
		},
		requestcode.GetConsumerRunningInfo: func(req *codec.Command) (*codec.Command, error) {
			ri := body.ConsumerRunningInfo{Properties: map[string]string{"PROP_CONSUME_TYPE": "CONSUME_PASSIVELY"},
				MQTable: map[body.MessageQueue]body.ProcessQueueInfo{}}
			for _, q := range f.mqs {
				ri.MQTable[q] = body.ProcessQueueInfo{}
			}
			resp := codec.NewResponse(req, int32(requestcode.Success), "")
			resp.Body = ri.Encode()
			return resp, nil
		},
		requestcode.ConsumeMessageDirectly: func(req *codec.Command) (*codec.Command, error) {
			r := body.ConsumeMessageDirectlyResult{AutoCommit: true, ConsumeResult: "CR_SUCCESS", Remark: "seen " + req.Value("msgId"), SpentTimeMills: 7}
			resp := codec.NewResponse(req, int32(requestcode.Success), "")
			resp.Body = r.Encode()
			return resp, nil
		},
		requestcode.NotifyConsumerIdsChanged: func(*codec.Command) (*codec.Command, error) { return nil, nil },
	}})
	t.Cleanup(f.cl.Close)
	hb := codec.NewRequest(int32(requestcode.HeartBeat), 0)
	hb.Body = []byte(`{"clientID":"` + clientID + `","consumerDataSet":[{"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET",` +
		`"consumeType":"CONSUME_PASSIVELY","groupName":"` + group + `","messageModel":"CLUSTERING","subscriptionDataSet":[` +
		`{"classFilterMode":false,"codeSet":[],"expressionType":"TAG","subString":"*","subVersion":1,"tagsSet":[],"topic":"` + topic + `"}],` +
		`"unitMode":false}],"producerDataSet":[{"groupName":"` + producerGroup + `"}]}`)
	hb.Language = codec.LangJava
	if resp, err := f.cl.Invoke(context.Background(), brokerAddr, hb); err != nil || resp.Code != 0 {
		t.Fatalf("heartbeat: %v %v", resp, err)
	}
	return f
}

// commit commits a consumer offset as the client would.
func (f *fakeClient) commit(t *testing.T, brokerAddr, group string, q body.MessageQueue, offset int64) {
	t.Helper()
	req := codec.NewRequest(int32(requestcode.UpdateConsumerOffset), 0)
	req.Set("consumerGroup", group)
	req.Set("topic", q.Topic)
	req.Set("queueId", strconv.Itoa(int(q.QueueID)))
	req.Set("commitOffset", strconv.FormatInt(offset, 10))
	if resp, err := f.cl.Invoke(context.Background(), brokerAddr, req); err != nil || resp.Code != 0 {
		t.Fatalf("commit offset: %v %v", resp, err)
	}
}

func (f *fakeClient) resetCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.resets)
}
