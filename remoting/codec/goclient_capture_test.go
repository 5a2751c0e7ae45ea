//go:build capture

// The capture program for testdata/goclient: it runs the real
// rocketmq-client-go v2.1.2 producer and push consumer against a tiny fake
// NameServer + Broker and stores the request frames the client sends, byte
// for byte. Run it with
//
//	go test -tags capture -run TestCaptureGoClient ./remoting/codec/
//
// It rewrites testdata/goclient/*.bin and INDEX.json; goclient_test.go
// checks the decoder against those files in every normal test run.

package codec

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
	"github.com/apache/rocketmq-client-go/v2/rlog"
)

const (
	gcCaptureTopic   = "GoCaptureTopic"
	gcMissingTopic   = "GoCaptureNoSuchTopic"
	gcProducerGroup  = "GoCaptureProducerGroup"
	gcConsumerGroup  = "GoCaptureConsumerGroup"
	gcTagExpression  = "TagA || TagB"
	gcPullHold       = time.Second // fake long polling, so pulls do not spin
	gcCaptureTimeout = 25 * time.Second
)

// gcCodeNames maps the request codes this capture can see to their Java
// RequestCode names.
var gcCodeNames = map[int32]string{
	10: "SEND_MESSAGE", 11: "PULL_MESSAGE", 14: "QUERY_CONSUMER_OFFSET",
	15: "UPDATE_CONSUMER_OFFSET", 29: "SEARCH_OFFSET_BY_TIMESTAMP", 30: "GET_MAX_OFFSET",
	34: "HEART_BEAT", 35: "UNREGISTER_CLIENT", 36: "CONSUMER_SEND_MSG_BACK",
	37: "END_TRANSACTION", 38: "GET_CONSUMER_LIST_BY_GROUP", 41: "LOCK_BATCH_MQ",
	42: "UNLOCK_BATCH_MQ", 105: "GET_ROUTEINFO_BY_TOPIC", 320: "SEND_BATCH_MESSAGE",
	324: "SEND_REPLY_MESSAGE",
}

func gcCodeName(code int32) string {
	if n, ok := gcCodeNames[code]; ok {
		return n
	}
	return "CODE_" + strconv.Itoa(int(code))
}

// gcSplitter cuts the bytes a connection delivered into length-prefixed
// frames, independently of the codec, so the raw bytes of every frame are
// kept exactly as received.
type gcSplitter struct {
	pending []byte
	frames  [][]byte
}

func (s *gcSplitter) feed(p []byte) {
	s.pending = append(s.pending, p...)
	for len(s.pending) >= 4 {
		n := int(binary.BigEndian.Uint32(s.pending)) + 4
		if n < 4 || len(s.pending) < n {
			return
		}
		s.frames = append(s.frames, bytes.Clone(s.pending[:n]))
		s.pending = s.pending[n:]
	}
}

func (s *gcSplitter) pop() []byte {
	if len(s.frames) == 0 {
		return nil
	}
	f := s.frames[0]
	s.frames = s.frames[1:]
	return f
}

// gcTee hands everything read from the socket to the splitter as well.
type gcTee struct {
	r io.Reader
	s *gcSplitter
}

func (t *gcTee) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.s.feed(p[:n])
	return n, err
}

type gcFrame struct {
	seq          int
	side         string // "namesrv" or "broker"
	at           time.Duration
	raw          []byte
	cmd          *Command
	answerCode   int32 // -1 until answered
	answerRemark string
}

type gcConn struct {
	mu sync.Mutex
	c  net.Conn
}

func (w *gcConn) write(cmd *Command) {
	buf, err := AppendFrame(nil, cmd)
	if err != nil {
		panic(err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	_, _ = w.c.Write(buf) // the client may already have closed the socket
}

type gcServer struct {
	t          *testing.T
	start      time.Time
	ns, broker net.Listener
	brokerAddr string
	stop       chan struct{}
	conns      sync.WaitGroup

	mu          sync.Mutex
	frames      []*gcFrame
	clientIDs   []string
	open        map[net.Conn]string // connections not yet closed by the client
	queueOffset int64
	commitLog   int64
}

func newGCServer(t *testing.T) *gcServer {
	s := &gcServer{t: t, start: time.Now(), stop: make(chan struct{}), open: map[net.Conn]string{}}
	var err error
	if s.ns, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	if s.broker, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	s.brokerAddr = s.broker.Addr().String()
	go s.accept(s.ns, "namesrv")
	go s.accept(s.broker, "broker")
	return s
}

func (s *gcServer) accept(l net.Listener, side string) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.open[c] = side
		s.mu.Unlock()
		s.conns.Add(1)
		go s.serveConn(c, side)
	}
}

func (s *gcServer) serveConn(c net.Conn, side string) {
	defer s.conns.Done()
	defer func() {
		s.mu.Lock()
		delete(s.open, c)
		s.mu.Unlock()
		c.Close()
	}()
	split := &gcSplitter{}
	r := NewReader(&gcTee{r: c, s: split}, 0)
	w := &gcConn{c: c}
	for {
		cmd, err := r.Next()
		if err != nil {
			// A reset is the client closing with our late replies unread.
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) && !errors.Is(err, syscall.ECONNRESET) {
				s.t.Logf("%s connection: %v", side, err)
			}
			return
		}
		raw := split.pop()
		if raw == nil {
			s.t.Errorf("%s: codec returned a frame the splitter did not see", side)
			return
		}
		if again, err := Decode(raw); err != nil || again.Code != cmd.Code || again.Opaque != cmd.Opaque {
			s.t.Errorf("%s: raw frame does not decode to what the reader returned: %v", side, err)
		}
		s.mu.Lock()
		f := &gcFrame{seq: len(s.frames), side: side, at: time.Since(s.start), raw: raw, cmd: cmd, answerCode: -1}
		s.frames = append(s.frames, f)
		s.mu.Unlock()
		if cmd.IsResponse() {
			continue // the client answering a server request; we send none
		}
		if cmd.Code == 11 {
			go s.answerPull(f, w) // held like a long poll
			continue
		}
		s.answer(f, w)
	}
}

func (s *gcServer) reply(f *gcFrame, w *gcConn, resp *Command) {
	s.mu.Lock()
	f.answerCode, f.answerRemark = resp.Code, resp.Remark
	s.mu.Unlock()
	w.write(resp)
}

func (s *gcServer) routeBody() []byte {
	return []byte(`{"brokerDatas":[{"brokerAddrs":{"0":"` + s.brokerAddr +
		`"},"brokerName":"broker-a","cluster":"DefaultCluster"}],"filterServerTable":{},` +
		`"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":4,"topicSysFlag":0,"writeQueueNums":4}]}`)
}

// batchCount counts the messages of a SEND_BATCH_MESSAGE body: each starts
// with its int32 total size.
func gcBatchCount(body []byte) int {
	n := 0
	for len(body) >= 4 {
		size := int(binary.BigEndian.Uint32(body))
		if size < 4 || size > len(body) {
			break
		}
		body = body[size:]
		n++
	}
	return max(n, 1)
}

func (s *gcServer) answer(f *gcFrame, w *gcConn) {
	req := f.cmd
	switch req.Code {
	case 105: // GET_ROUTEINFO_BY_TOPIC
		topic := req.Value("topic")
		if topic == gcCaptureTopic || topic == "TBW102" {
			resp := NewResponse(req, 0, "")
			resp.Body = s.routeBody()
			s.reply(f, w, resp)
			return
		}
		s.reply(f, w, NewResponse(req, 17, "No topic route info in name server for the topic: "+topic+
			"\nSee http://rocketmq.apache.org/docs/faq/ for further details."))
	case 34: // HEART_BEAT
		var hb struct {
			ClientID string `json:"clientID"`
		}
		if err := json.Unmarshal(req.Body, &hb); err == nil && hb.ClientID != "" {
			s.mu.Lock()
			found := false
			for _, id := range s.clientIDs {
				found = found || id == hb.ClientID
			}
			if !found {
				s.clientIDs = append(s.clientIDs, hb.ClientID)
			}
			s.mu.Unlock()
		}
		resp := NewResponse(req, 0, "")
		resp.SetEmptyExt()
		s.reply(f, w, resp)
	case 38: // GET_CONSUMER_LIST_BY_GROUP
		s.mu.Lock()
		ids, _ := json.Marshal(map[string][]string{"consumerIdList": append([]string{}, s.clientIDs...)})
		s.mu.Unlock()
		resp := NewResponse(req, 0, "")
		resp.SetEmptyExt()
		resp.Body = ids
		s.reply(f, w, resp)
	case 14: // QUERY_CONSUMER_OFFSET: queue 0 has a committed offset, the others none
		if req.Value("queueId") == "0" {
			resp := NewResponse(req, 0, "")
			resp.Set("offset", "1")
			s.reply(f, w, resp)
			return
		}
		s.reply(f, w, NewResponse(req, 22, "Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first"))
	case 30, 29: // GET_MAX_OFFSET, SEARCH_OFFSET_BY_TIMESTAMP
		resp := NewResponse(req, 0, "")
		resp.Set("offset", "0")
		s.reply(f, w, resp)
	case 10, 320, 324: // SEND_MESSAGE, SEND_BATCH_MESSAGE, SEND_REPLY_MESSAGE
		qid := req.Value("queueId")
		n := 1
		if req.Code == 320 {
			qid = req.Value("e")
			n = gcBatchCount(req.Body)
		}
		_, port, _ := net.SplitHostPort(s.brokerAddr)
		p, _ := strconv.Atoi(port)
		s.mu.Lock()
		first := s.queueOffset
		ids := make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprintf("7F000001%08X%016X", p, s.commitLog)
			s.commitLog += int64(len(req.Body)/n + 100)
		}
		s.queueOffset += int64(n)
		s.mu.Unlock()
		resp := NewResponse(req, 0, "")
		resp.Set("msgId", strings.Join(ids, ","))
		resp.Set("queueId", qid)
		resp.Set("queueOffset", strconv.FormatInt(first, 10))
		resp.Set("MSG_REGION", "DefaultRegion")
		resp.Set("TRACE_ON", "true")
		s.reply(f, w, resp)
	case 41: // LOCK_BATCH_MQ
		resp := NewResponse(req, 0, "")
		resp.Body = []byte(`{"lockOKMQSet":[]}`)
		s.reply(f, w, resp)
	case 15, 35, 36, 37, 42:
		resp := NewResponse(req, 0, "")
		resp.SetEmptyExt()
		s.reply(f, w, resp)
	default:
		s.reply(f, w, NewResponse(req, 3, fmt.Sprintf(" request type %d not supported", req.Code)))
	}
}

// answerPull holds a pull for gcPullHold (less when the capture is ending)
// and answers PULL_NOT_FOUND at the requested offset.
func (s *gcServer) answerPull(f *gcFrame, w *gcConn) {
	select {
	case <-time.After(gcPullHold):
	case <-s.stop:
	}
	off := f.cmd.Value("queueOffset")
	resp := NewResponse(f.cmd, 19, "")
	resp.Set("suggestWhichBrokerId", "0")
	resp.Set("nextBeginOffset", off)
	resp.Set("minOffset", "0")
	resp.Set("maxOffset", off)
	s.reply(f, w, resp)
}

func (s *gcServer) snapshot() []*gcFrame {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*gcFrame(nil), s.frames...)
}

// waitFor polls until pred holds for some received frame.
func (s *gcServer) waitFor(d time.Duration, pred func(*gcFrame) bool) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		for _, f := range s.snapshot() {
			if pred(f) {
				return true
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// close stops the listeners and waits for the client's connections to end.
// rocketmq-client-go v2.1.2 never closes its NameServer connection (the
// namesrvs remoting client has no shutdown path), so whatever is still open
// after a short wait is logged and closed here.
func (s *gcServer) close() {
	close(s.stop)
	s.ns.Close()
	s.broker.Close()
	done := make(chan struct{})
	go func() { s.conns.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Second):
		s.mu.Lock()
		for c, side := range s.open {
			s.t.Logf("the client left its %s connection %s open after shutdown; closing it", side, c.RemoteAddr())
			c.Close()
		}
		s.mu.Unlock()
		<-done
	}
}

func gcIs(code int32) func(*gcFrame) bool {
	return func(f *gcFrame) bool { return f.cmd.Code == code && !f.cmd.IsResponse() }
}

func TestCaptureGoClient(t *testing.T) {
	rlog.SetLogLevel("error")
	began := time.Now()
	srv := newGCServer(t)
	ns := primitive.NewPassthroughResolver([]string{srv.ns.Addr().String()})

	p, err := producer.NewDefaultProducer(
		producer.WithNsResolver(ns),
		producer.WithGroupName(gcProducerGroup),
		producer.WithRetry(2),
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	c, err := consumer.NewPushConsumer(
		consumer.WithNsResolver(ns),
		consumer.WithGroupName(gcConsumerGroup),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromLastOffset),
	)
	if err != nil {
		t.Fatal(err)
	}
	err = c.Subscribe(gcCaptureTopic, consumer.MessageSelector{Type: consumer.TAG, Expression: gcTagExpression},
		func(context.Context, ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
			return consumer.ConsumeSuccess, nil
		})
	if err != nil {
		t.Fatal(err)
	}
	// Start sends routes, a heartbeat carrying both the producer and the
	// consumer group, then rebalances: consumer list, offsets, pulls.
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	if !srv.waitFor(8*time.Second, gcIs(11)) {
		t.Error("no PULL_MESSAGE within 8 s of consumer start")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	msg := primitive.NewMessage(gcCaptureTopic, []byte("Hello RocketMQ from rocketmq-client-go v2.1.2"))
	msg.WithTag("TagA")
	msg.WithKeys([]string{"KeyA", "KeyB"})
	msg.WithProperty("userProp", "userValue")
	if res, err := p.SendSync(ctx, msg); err != nil {
		t.Errorf("single send: %v", err)
	} else {
		t.Logf("single send: %s", res)
	}

	batch := make([]*primitive.Message, 3)
	for i := range batch {
		batch[i] = primitive.NewMessage(gcCaptureTopic, []byte("batch message "+strconv.Itoa(i)))
		batch[i].WithTag("TagB")
		batch[i].WithKeys([]string{"BatchKey" + strconv.Itoa(i)})
	}
	if res, err := p.SendSync(ctx, batch...); err != nil {
		t.Errorf("batch send: %v", err)
	} else {
		t.Logf("batch send: %s", res)
	}

	// A topic the NameServer does not know: TOPIC_NOT_EXIST, then the
	// producer falls back to the TBW102 route.
	missing := primitive.NewMessage(gcMissingTopic, []byte("to a topic without a route"))
	if res, err := p.SendSync(ctx, missing); err != nil {
		t.Logf("send to %s: %v", gcMissingTopic, err)
	} else {
		t.Logf("send to %s: %s", gcMissingTopic, res)
	}

	// Let the 1 s heartbeat tick and a few held pulls come in.
	time.Sleep(1500 * time.Millisecond)

	if err := c.Shutdown(); err != nil {
		t.Errorf("consumer shutdown: %v", err)
	}
	if err := p.Shutdown(); err != nil {
		t.Errorf("producer shutdown: %v", err)
	}
	// Give the sockets a moment to deliver what shutdown wrote.
	srv.waitFor(500*time.Millisecond, gcIs(15))
	srv.close()

	frames := srv.snapshot()
	for _, f := range frames {
		t.Logf("%3d %6dms %-7s code %3d %-27s opaque %3d flag %d body %4d -> %d %q ext %v",
			f.seq, f.at.Milliseconds(), f.side, f.cmd.Code, gcCodeName(f.cmd.Code), f.cmd.Opaque,
			f.cmd.Flag, len(f.cmd.Body), f.answerCode, f.answerRemark, f.cmd.Ext)
	}
	for _, code := range []int32{105, 34, 38, 14, 11, 10, 320} {
		if !gcAny(frames, gcIs(code)) {
			t.Errorf("the client sent no %s", gcCodeName(code))
		}
	}
	if !gcAny(frames, func(f *gcFrame) bool { return f.cmd.Code == 105 && f.answerCode == 17 }) {
		t.Error("no GET_ROUTEINFO_BY_TOPIC answered TOPIC_NOT_EXIST")
	}
	gcWriteTestdata(t, gcSelect(frames))
	if d := time.Since(began); d > 30*time.Second {
		t.Errorf("capture took %v, want < 30 s", d)
	}
}

func gcAny(frames []*gcFrame, pred func(*gcFrame) bool) bool {
	for _, f := range frames {
		if pred(f) {
			return true
		}
	}
	return false
}

type gcPick struct {
	f    *gcFrame
	note string
}

// gcSelect keeps the first request of every code, plus the route request
// answered TOPIC_NOT_EXIST and the first pull whose sysFlag differs from the
// first pull's (2 = suspend; 3 = suspend + commit offset, once the consumer
// holds an offset above 0).
func gcSelect(frames []*gcFrame) []gcPick {
	var picks []gcPick
	seen := map[int32]bool{}
	var sawMissingRoute, sawOtherPull bool
	firstPullFlag := ""
	for _, f := range frames {
		cmd := f.cmd
		if cmd.IsResponse() {
			continue
		}
		switch {
		case cmd.Code == 105 && f.answerCode == 17:
			if !sawMissingRoute {
				sawMissingRoute = true
				picks = append(picks, gcPick{f, gcNote(f)})
			}
			continue
		case cmd.Code == 105 && f.answerCode != 0:
			continue
		case cmd.Code == 11 && seen[11] && !sawOtherPull && cmd.Value("sysFlag") != firstPullFlag:
			sawOtherPull = true
			picks = append(picks, gcPick{f, gcNote(f)})
			continue
		}
		if seen[cmd.Code] {
			continue
		}
		seen[cmd.Code] = true
		if cmd.Code == 11 {
			firstPullFlag = cmd.Value("sysFlag")
		}
		picks = append(picks, gcPick{f, gcNote(f)})
	}
	return picks
}

func gcNote(f *gcFrame) string {
	cmd := f.cmd
	var n string
	switch cmd.Code {
	case 105:
		if topic := cmd.Value("topic"); f.answerCode == 17 && strings.HasPrefix(topic, "%RETRY%") {
			n = "route request for the push consumer's retry topic " + topic +
				", which no broker has created yet; answered 17 TOPIC_NOT_EXIST"
		} else if f.answerCode == 17 {
			n = "route request for topic " + topic + ", which the fake NameServer does not know; answered 17 TOPIC_NOT_EXIST"
		} else {
			n = "route request for topic " + cmd.Value("topic") + "; answered 0 with a TopicRouteData body"
		}
	case 34:
		n = "heartbeat: no extFields (\"extFields\":{}), JSON HeartbeatData body with the producer and the push-consumer group"
	case 38:
		n = "push consumer rebalance asks for the group's consumer ids"
	case 14:
		n = "push consumer asks for the committed offset of queue " + cmd.Value("queueId")
	case 30:
		n = "QUERY_CONSUMER_OFFSET was answered 22 QUERY_NOT_FOUND, so with CONSUME_FROM_LAST_OFFSET the consumer asks for the max offset"
	case 11:
		n = "push consumer pull (sysFlag " + cmd.Value("sysFlag") + ", commitOffset " + cmd.Value("commitOffset") +
			", empty subscription, expressionType TAG); answered 19 PULL_NOT_FOUND after holding it"
	case 10:
		if cmd.Value("topic") == gcMissingTopic {
			n = "producer send to a topic without a route, via the TBW102 fallback"
		} else {
			n = "producer SendSync of one message: V1 header (long names), tag TagA, keys KeyA KeyB, user property userProp=userValue"
		}
	case 320:
		n = "producer SendSync of three messages: V2 header (keys a..m), body = concatenated messages, no UNIQ_KEY"
	case 15:
		n = "offset commit written at consumer Shutdown (oneway in the client, yet flag 0)"
	default:
		n = gcCodeName(cmd.Code) + " request"
	}
	return fmt.Sprintf("%s; %s connection, %d ms after start", n, f.side, f.at.Milliseconds())
}

type gcIndexEntry struct {
	File         string `json:"file"`
	Code         int32  `json:"code"`
	Name         string `json:"name"`
	Opaque       int32  `json:"opaque"`
	Flag         int32  `json:"flag"`
	HeaderLength int    `json:"headerLength"`
	HeaderText   string `json:"headerText"`
	BodyLength   int    `json:"bodyLength"`
	BodyText     string `json:"bodyText,omitempty"`
	To           string `json:"to"`
	AnswerCode   int32  `json:"answerCode"`
	AnswerRemark string `json:"answerRemark,omitempty"`
	Note         string `json:"note"`
}

func gcWriteTestdata(t *testing.T, picks []gcPick) {
	dir := filepath.Join("testdata", "goclient")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	old, _ := filepath.Glob(filepath.Join(dir, "*.bin"))
	for _, p := range old {
		os.Remove(p)
	}
	var entries []gcIndexEntry
	for i, p := range picks {
		raw := p.f.raw
		hlen := int(binary.BigEndian.Uint32(raw[4:]) & 0xFFFFFF)
		name := gcCodeName(p.f.cmd.Code)
		file := fmt.Sprintf("%03d_%s_request.bin", i+1, name)
		if err := os.WriteFile(filepath.Join(dir, file), raw, 0o644); err != nil {
			t.Fatal(err)
		}
		e := gcIndexEntry{
			File: file, Code: p.f.cmd.Code, Name: name, Opaque: p.f.cmd.Opaque, Flag: p.f.cmd.Flag,
			HeaderLength: hlen, HeaderText: string(raw[8 : 8+hlen]), BodyLength: len(raw) - 8 - hlen,
			To: p.f.side, AnswerCode: p.f.answerCode, AnswerRemark: p.f.answerRemark, Note: p.note,
		}
		if body := raw[8+hlen:]; json.Valid(body) {
			e.BodyText = string(body)
		}
		entries = append(entries, e)
	}
	idx := struct {
		Description string         `json:"description"`
		Client      string         `json:"client"`
		Frames      []gcIndexEntry `json:"frames"`
	}{
		Description: "Request frames sent by github.com/apache/rocketmq-client-go/v2 v2.1.2 (JSON headers), " +
			"captured byte for byte by a fake NameServer + Broker on 127.0.0.1. " +
			"Regenerate with: go test -tags capture -run TestCaptureGoClient ./remoting/codec/",
		Client: "github.com/apache/rocketmq-client-go/v2 v2.1.2",
		Frames: entries,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(idx); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "INDEX.json"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d frames to %s", len(entries), dir)
}
