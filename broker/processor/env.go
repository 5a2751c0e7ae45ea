// Package processor holds the broker's request processors, one per file,
// each mirroring the Java 4.9.7 processor it names (SendMessageProcessor,
// PullMessageProcessor, ClientManageProcessor, ConsumerManageProcessor,
// AdminBrokerProcessor). They share the broker's state through Env.
package processor

import (
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/rocketgo/rocketgo/broker/client"
	"github.com/rocketgo/rocketgo/broker/longpoll"
	"github.com/rocketgo/rocketgo/broker/offset"
	"github.com/rocketgo/rocketgo/broker/subscription"
	"github.com/rocketgo/rocketgo/broker/topicconfig"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/rocketgo/rocketgo/store"
	"github.com/rocketgo/rocketgo/store/message"
	"github.com/sirupsen/logrus"
)

// Settings are the broker configuration values processors consult on
// every request. The broker publishes a new *Settings when its
// configuration changes; processors load it once per request.
type Settings struct {
	BrokerName       string
	ClusterName      string
	BrokerIP1        string
	BrokerAddr       string // brokerIP1:listenPort
	BrokerID         int64
	BrokerPermission int32
	Slave            bool
	RegionID         string // MSG_REGION of send replies
	TraceOn          bool   // TRACE_ON of send replies

	MaxMessageSize                  int
	RejectTransactionMessage        bool
	StartAcceptSendRequestTimeStamp int64 // ms; sends before it are refused

	LongPollingEnable           bool
	ShortPollingTime            time.Duration
	AutoCreateSubscriptionGroup bool
	SlaveReadEnable             bool
	TransferMsgByHeap           bool

	// EnablePropertyFilter admits SQL92 subscriptions; FilterSupportRetry
	// applies them to the group's retry topic too.
	EnablePropertyFilter bool
	FilterSupportRetry   bool
	// StoreReplyMessageEnable stores reply messages before pushing them.
	StoreReplyMessageEnable bool
}

// Env is what every processor reaches: the store, the managers and the
// broker's settings.
type Env struct {
	settings atomic.Pointer[Settings]

	Store     *store.Store
	Topics    *topicconfig.Manager
	Groups    *subscription.Manager
	Offsets   *offset.Manager
	Consumers *client.ConsumerManager
	Producers *client.ProducerManager
	Hold      *longpoll.Service
	// Pool runs re-executed long-poll pulls (the pull pool).
	Pool *remoting.WorkerPool
	// StoreHost is written into every stored record and offset msgId.
	StoreHost message.Host
	Now       func() time.Time
	Log       logrus.FieldLogger

	// PutNums and GetNums count messages stored and delivered (the
	// broker's runtime statistics).
	PutNums atomic.Int64
	GetNums atomic.Int64
}

// Settings returns the current settings.
func (e *Env) Settings() *Settings { return e.settings.Load() }

// SetSettings publishes new settings.
func (e *Env) SetSettings(s *Settings) { e.settings.Store(s) }

func (e *Env) nowMillis() int64 {
	if e.Now != nil {
		return e.Now().UnixMilli()
	}
	return time.Now().UnixMilli()
}

// remoteHost parses a connection's "ip:port" into a record host (the born
// host of a message). An unparsable address is stored as 0.0.0.0:0, as the
// record has no way to say "unknown".
func remoteHost(addr string) message.Host {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return message.Host{Addr: netip.IPv4Unspecified()}
	}
	return message.HostFrom(ap)
}

func respond(req *codec.Command, code requestcode.ResponseCode, remark string) *codec.Command {
	return codec.NewResponse(req, int32(code), remark)
}
