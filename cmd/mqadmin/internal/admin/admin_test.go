package admin

import (
	"context"
	"errors"
	"io"
	"net/netip"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/rocketgo/rocketgo/store/message"
	"github.com/sirupsen/logrus"
)

func TestParseProperties(t *testing.T) {
	p := ParseProperties("# comment\nbrokerName=broker-a\r\n  listenPort : 10911\n! bang\nempty=\nflag\nbrokerName = broker-b\n\n")
	for k, want := range map[string]string{"brokerName": "broker-b", "listenPort": "10911", "empty": "", "flag": ""} {
		if v, ok := p.Get(k); !ok || v != want {
			t.Fatalf("%s = %q %v, want %q", k, v, ok, want)
		}
	}
	if p.Len() != 4 {
		t.Fatalf("%d keys: %v", p.Len(), p.Keys())
	}
	// The order is a ConcurrentHashMap(8)'s, whatever the text order.
	a := ParseProperties("a=1\nb=2\nc=3\nd=4\n").Keys()
	b := ParseProperties("d=4\nc=3\nb=2\na=1\n").Keys()
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("order depends on text order: %v vs %v", a, b)
	}
	if got := FormatProperties(map[string]string{"b": "2", "a": "1"}); got != "a=1\nb=2\n" {
		t.Fatalf("FormatProperties %q", got)
	}
}

func TestSplitNamesrvAddrs(t *testing.T) {
	if got := SplitNamesrvAddrs(" a:1; b:2 ;;"); !reflect.DeepEqual(got, []string{"a:1", "b:2"}) {
		t.Fatalf("%v", got)
	}
	if got := SplitNamesrvAddrs(""); got != nil {
		t.Fatalf("%v", got)
	}
}

func TestRemoteErrorText(t *testing.T) {
	err := error(&RemoteError{Role: RoleBroker, Addr: "10.0.0.1:10911", Request: requestcode.GetTopicStatsInfo,
		Code: requestcode.TopicNotExist, Remark: "topic X not exist"})
	want := "broker 10.0.0.1:10911 answered GET_TOPIC_STATS_INFO with code 17 (TOPIC_NOT_EXIST): topic X not exist"
	if err.Error() != want {
		t.Fatalf("%q", err.Error())
	}
	if code, ok := ResponseCode(errors.Join(errors.New("x"), err)); !ok || code != requestcode.TopicNotExist {
		t.Fatalf("ResponseCode: %v %v", code, ok)
	}
	if !errors.Is(&NotOnlineError{Group: "G"}, ErrNotFound) {
		t.Fatal("NotOnlineError is not ErrNotFound")
	}
}

func TestMasterAddrs(t *testing.T) {
	ci := &body.ClusterInfo{
		BrokerAddrTable: map[string]*body.BrokerData{
			"b": {BrokerName: "b", BrokerAddrs: map[int64]string{0: "h2:1", 1: "h2:2"}},
			"a": {BrokerName: "a", BrokerAddrs: map[int64]string{1: "h1:2"}},
		},
		ClusterAddrTable: map[string][]string{"C": {"b", "a"}},
	}
	if got, err := MasterAddrs(ci, "C"); err != nil || !reflect.DeepEqual(got, []string{"h2:1"}) {
		t.Fatalf("masters %v %v", got, err)
	}
	if got, err := AllAddrs(ci, "C"); err != nil || !reflect.DeepEqual(got, []string{"h1:2", "h2:1", "h2:2"}) {
		t.Fatalf("all %v %v", got, err)
	}
	if _, err := MasterAddrs(ci, "D"); err == nil || !strings.Contains(err.Error(), `"D"`) {
		t.Fatalf("unknown cluster: %v", err)
	}
	if n, ok := BrokerNameOf(ci, "h2:2"); !ok || n != "b" {
		t.Fatalf("BrokerNameOf %s %v", n, ok)
	}
	if got := SelectBrokerAddr(ci.BrokerAddrTable["a"]); got != "h1:2" {
		t.Fatalf("slave-only selection %q", got)
	}
}

// TestDecodeMessages decodes records as a broker returns them: back to
// back, one compressed; a truncated tail is an error that keeps what came
// before.
func TestDecodeMessages(t *testing.T) {
	host := message.Host{Addr: netip.MustParseAddr("127.0.0.1"), Port: 10911}
	var props message.PropertyMap
	props.Put("TAGS", "TagA")
	props.Put("KEYS", "k1 k2")
	props.Put("UNIQ_KEY", "0A0000010000000000000000000000AA")
	rec := func(offset int64, bodyText string) []byte {
		b, err := message.AppendRecord(nil, &message.Message{QueueID: 1, QueueOffset: offset, PhysicalOffset: offset * 200,
			BornTimestamp: 1, BornHost: host, StoreTimestamp: 2, StoreHost: host, Body: []byte(bodyText), Topic: "T",
			Properties: props.AppendTo(nil)})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	buf := append(rec(0, "one"), rec(1, "two")...)
	msgs, err := DecodeMessages(buf)
	if err != nil || len(msgs) != 2 {
		t.Fatalf("%d messages, %v", len(msgs), err)
	}
	m := msgs[1]
	if string(m.Body) != "two" || m.QueueOffset != 1 || m.Topic != "T" || m.MsgID() != "0A0000010000000000000000000000AA" ||
		m.OffsetMsgID != message.OffsetMsgID(host, false, 200) {
		t.Fatalf("message %+v", m)
	}
	if v, _ := m.Property("KEYS"); v != "k1 k2" {
		t.Fatalf("KEYS %q", v)
	}
	msgs, err = DecodeMessages(buf[:len(buf)-3])
	if err == nil || len(msgs) != 1 {
		t.Fatalf("truncated: %d %v", len(msgs), err)
	}
}

func TestUniqIDShape(t *testing.T) {
	var g idGen
	now := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	a, b := g.newID(now), g.newID(now)
	if !regexp.MustCompile(`^[0-9A-F]{32}$`).MatchString(a) || a == b || a[:20] != b[:20] {
		t.Fatalf("ids %s %s", a, b)
	}
	// Bytes 10..13 are the milliseconds since the start of the month.
	if a[20:28] != "69248100" { // 20 days and 10 hours
		t.Fatalf("time part %s", a[20:28])
	}
}

// TestNamesrvFailover: a NameServer that does not answer is skipped for
// the next one; a refusal is not.
func TestNamesrvFailover(t *testing.T) {
	log := logrus.New()
	log.SetOutput(io.Discard)
	srv := remoting.NewServer(remoting.ServerConfig{Addr: "127.0.0.1:0", Logger: log})
	srv.Register(requestcode.GetAllTopicListFromNameserver, remoting.ProcessorFunc(func(_ *remoting.Conn, req *codec.Command) (*codec.Command, error) {
		resp := codec.NewResponse(req, int32(requestcode.Success), "")
		resp.Body = (&body.TopicList{TopicList: []string{"A", "B"}}).Encode()
		return resp, nil
	}), nil)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	a := New(Config{NamesrvAddrs: []string{"127.0.0.1:1", srv.Addr()}, Timeout: 2 * time.Second})
	defer a.Close()
	topics, err := a.TopicList(context.Background())
	if err != nil || !reflect.DeepEqual(topics, []string{"A", "B"}) {
		t.Fatalf("%v %v", topics, err)
	}
	_, err = a.ClusterInfo(context.Background())
	var re *RemoteError
	if !errors.As(err, &re) || re.Code != requestcode.RequestCodeNotSupported || re.Addr != srv.Addr() {
		t.Fatalf("refusal: %v", err)
	}
	none := New(Config{})
	defer none.Close()
	if _, err := none.TopicList(context.Background()); !errors.Is(err, ErrNoNamesrv) {
		t.Fatalf("no namesrv: %v", err)
	}
}
