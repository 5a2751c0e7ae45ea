package compat

import (
	"context"
	"fmt"
	"hash/crc32"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/admin"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/rocketgo/rocketgo/namesrv"
	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
)

func startNamesrv(t *testing.T) *namesrv.Server {
	t.Helper()
	cfg := namesrv.DefaultConfig()
	cfg.ListenAddr = "127.0.0.1:0"
	cfg.KvConfigPath = filepath.Join(t.TempDir(), "kvConfig.json")
	cfg.ConfigStorePath = filepath.Join(t.TempDir(), "namesrv.properties")
	cfg.Logger = quietLogger()
	s := namesrv.New(cfg)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
	})
	return s
}

// sendRecorder is a minimal broker: it answers SEND_MESSAGE with SUCCESS
// and records which queue each message was sent to.
type sendRecorder struct {
	mu     sync.Mutex
	queues []string
}

func (r *sendRecorder) ProcessRequest(_ *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	// SEND_MESSAGE header fields are a..m in SEND_MESSAGE_V2; the Go client
	// sends SEND_MESSAGE with long names.
	topic, queue := req.Value("topic"), req.Value("queueId")
	r.mu.Lock()
	r.queues = append(r.queues, topic+"/"+queue)
	r.mu.Unlock()
	resp := codec.NewResponse(req, int32(requestcode.Success), "")
	resp.Set("msgId", "7F00000100002A9F0000000000000000")
	resp.Set("queueId", queue)
	resp.Set("queueOffset", "0")
	return resp, nil
}

// TestGoClientRoutesThroughNamesrv registers a broker as a Java 4.9.7
// broker does (RegisterBrokerBody over our remoting client), then lets
// rocketmq-client-go v2.1.2 look the route up through its admin and
// producer APIs.
func TestGoClientRoutesThroughNamesrv(t *testing.T) {
	ns := startNamesrv(t)

	// The "broker": a remoting server answering SEND_MESSAGE.
	rec := &sendRecorder{}
	broker := startRemotingServer(t, func(s *remoting.Server) {
		s.Register(requestcode.SendMessage, rec, nil)
		s.Register(requestcode.SendMessageV2, rec, nil)
	})

	const topic = "CompatRouteTopic"
	tc := body.NewTopicConfig(topic)
	tc.ReadQueueNums, tc.WriteQueueNums = 3, 3
	tbw := body.NewTopicConfig("TBW102")
	tbw.Perm = 7
	rb := body.RegisterBrokerBody{FilterServerList: []string{}, TopicConfigSerializeWrapper: body.TopicConfigSerializeWrapper{
		DataVersion:      body.DataVersion{Timestamp: time.Now().UnixMilli(), Counter: 1},
		TopicConfigTable: map[string]*body.TopicConfig{topic: &tc, "TBW102": &tbw},
	}}
	data, err := rb.Encode(false)
	if err != nil {
		t.Fatal(err)
	}
	req := codec.NewRequest(int32(requestcode.RegisterBroker), 0)
	req.Set("brokerId", "0")
	req.Set("bodyCrc32", strconv.Itoa(int(crc31(data))))
	req.Set("clusterName", "DefaultCluster")
	req.Set("brokerAddr", broker.Addr())
	req.Set("haServerAddr", "127.0.0.1:1")
	req.Set("compressed", "false")
	req.Set("brokerName", "broker-go")
	req.Body = data
	cli := remoting.NewClient(remoting.ClientConfig{Logger: quietLogger()})
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	resp, err := cli.Invoke(ctx, ns.Addr(), req)
	if err != nil || resp.Code != 0 {
		t.Fatalf("register: %v %+v", err, resp)
	}

	adm, err := admin.NewAdmin(admin.WithResolver(primitive.NewPassthroughResolver([]string{ns.Addr()})))
	if err != nil {
		t.Fatal(err)
	}
	defer adm.Close()
	mqs, err := adm.FetchPublishMessageQueues(ctx, topic)
	if err != nil {
		t.Fatalf("FetchPublishMessageQueues: %v", err)
	}
	var got []string
	for _, mq := range mqs {
		got = append(got, fmt.Sprintf("%s/%s/%d", mq.Topic, mq.BrokerName, mq.QueueId))
	}
	sort.Strings(got)
	want := []string{topic + "/broker-go/0", topic + "/broker-go/1", topic + "/broker-go/2"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("queues %v, want %v", got, want)
	}
	tl, err := adm.FetchAllTopicList(ctx)
	if err != nil {
		t.Fatalf("FetchAllTopicList: %v", err)
	}
	found := false
	for _, name := range tl.TopicList {
		found = found || name == topic
	}
	if !found {
		t.Errorf("topic list %v lacks %s", tl.TopicList, topic)
	}

	// The producer resolves the broker address from the route and sends.
	p := startProducer(t, ns.Addr(), "CompatNamesrvProducer")
	res, err := p.SendSync(ctx, primitive.NewMessage(topic, []byte("hello")))
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	if res.MessageQueue == nil || res.MessageQueue.BrokerName != "broker-go" {
		t.Errorf("send result %v", res)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.queues) != 1 {
		t.Errorf("broker saw sends %v", rec.queues)
	}
}

// crc31 is the REGISTER_BROKER bodyCrc32: CRC-32 (IEEE) & 0x7FFFFFFF.
func crc31(b []byte) int32 {
	return int32(crc32.ChecksumIEEE(b) & 0x7FFFFFFF)
}
