package compat

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/admin"
	clienterrors "github.com/apache/rocketmq-client-go/v2/errors"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/rlog"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
)

func init() { rlog.SetLogLevel("error") }

// routeRecorder answers every GET_ROUTEINFO_BY_TOPIC with TOPIC_NOT_EXIST,
// as a NameServer with no route does, and records what it was asked.
type routeRecorder struct {
	mu       sync.Mutex
	requests []*codec.Command
}

func (r *routeRecorder) ProcessRequest(_ *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	r.mu.Lock()
	r.requests = append(r.requests, req)
	r.mu.Unlock()
	topic, ok := req.Get("topic")
	if !ok {
		return nil, io.ErrUnexpectedEOF
	}
	return codec.NewResponse(req, int32(requestcode.TopicNotExist),
		"No topic route info in name server for the topic: "+topic), nil
}

func (r *routeRecorder) topics() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, req := range r.requests {
		out = append(out, req.Value("topic"))
	}
	return out
}

func startRouteServer(t *testing.T) (*remoting.Server, *routeRecorder) {
	t.Helper()
	rec := &routeRecorder{}
	s := startRemotingServer(t, func(s *remoting.Server) {
		s.Register(requestcode.GetRouteinfoByTopic, rec, nil)
	})
	return s, rec
}

// TestGoClientProducerSeesTopicNotExist: the real producer's route lookup
// is decoded, answered TOPIC_NOT_EXIST, and the producer surfaces that
// answer (after its TBW102 fallback) instead of timing out. Frames, JSON
// headers and opaque matching all have to be right for that.
func TestGoClientProducerSeesTopicNotExist(t *testing.T) {
	s, rec := startRouteServer(t)
	p := startProducer(t, s.Addr(), "CompatProducerGroup")

	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := p.SendSync(ctx, primitive.NewMessage("NoSuchTopic", []byte("hello")))
	if err == nil {
		t.Fatal("send to a topic without a route succeeded")
	}
	// The client's route call times out after 6 s per attempt; an answer
	// that it failed to decode or match would show up as that timeout.
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("client took %s: it did not take our answer", d)
	}
	if !errors.Is(err, clienterrors.ErrTopicNotExist) && !strings.Contains(err.Error(), "route") {
		t.Fatalf("unexpected error: %v", err)
	}
	t.Logf("producer error: %v", err)
	topics := rec.topics()
	seen := map[string]bool{}
	for _, tp := range topics {
		seen[tp] = true
	}
	// The producer asks for the topic, then for TBW102, Java's default topic.
	if !seen["NoSuchTopic"] || !seen["TBW102"] {
		t.Fatalf("route requests for %v, want NoSuchTopic and TBW102", topics)
	}
	for _, req := range rec.requests {
		if req.Language != codec.LangGo || req.Version != 317 || req.Serialize != codec.JSON || req.IsResponse() {
			t.Fatalf("request header %+v is not what rocketmq-client-go sends", req)
		}
	}
}

// TestGoClientAdminSeesTopicNotExist: the admin API's route lookup
// (FetchPublishMessageQueues) gets our TOPIC_NOT_EXIST as the client's
// ErrTopicNotExist.
func TestGoClientAdminSeesTopicNotExist(t *testing.T) {
	s, rec := startRouteServer(t)
	adm, err := admin.NewAdmin(admin.WithResolver(primitive.NewPassthroughResolver([]string{s.Addr()})))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = adm.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	mqs, err := adm.FetchPublishMessageQueues(ctx, "AdminNoSuchTopic")
	if time.Since(start) > 5*time.Second {
		t.Fatalf("admin call took %s: our answer was not taken", time.Since(start))
	}
	if !errors.Is(err, clienterrors.ErrTopicNotExist) || len(mqs) != 0 {
		t.Fatalf("got %v %v, want the client's ErrTopicNotExist", mqs, err)
	}
	if got := rec.topics(); len(got) == 0 || got[0] != "AdminNoSuchTopic" {
		t.Fatalf("route requests %v", got)
	}
}
