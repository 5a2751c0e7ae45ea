package broker

// This file wires the broker side of the operator tools (mqadmin's
// statistics, connection, reset-offset, relay and broker-config codes)
// into the broker, and keeps the live configuration UPDATE_BROKER_CONFIG
// changes (Java BrokerController's Configuration object).

import (
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rocketgo/rocketgo/broker/config"
	"github.com/rocketgo/rocketgo/broker/processor"
	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/store/configfile"
	"github.com/sirupsen/logrus"
)

// adminToolsFeature is the state of the admin tools: the configuration as
// UPDATE_BROKER_CONFIG left it and the file it is persisted to.
//
// b.cfg stays the configuration the broker started with: other goroutines
// read it without a lock, so it is never written after Start. What can
// change while running is published through the processors' Settings
// (read atomically per request); everything else is recorded here, shown
// by GET_BROKER_CONFIG, persisted, and takes effect at the next start.
type adminToolsFeature struct {
	mu         sync.Mutex
	configFile string        // "" when the broker was started without -c
	cfg        config.Config // current values, as GET_BROKER_CONFIG shows them
	version    body.DataVersion
}

// liveKeys are the keys whose new value the running broker uses at once:
// each is read per request from processor.Settings.
var liveKeys = map[string]func(s *processor.Settings, c *config.Config){
	"brokerPermission": func(s *processor.Settings, c *config.Config) { s.BrokerPermission = int32(c.Broker.BrokerPermission) },
	"regionId":         func(s *processor.Settings, c *config.Config) { s.RegionID = c.Broker.RegionID },
	"traceOn":          func(s *processor.Settings, c *config.Config) { s.TraceOn = c.Broker.TraceOn },
	"rejectTransactionMessage": func(s *processor.Settings, c *config.Config) {
		s.RejectTransactionMessage = c.Broker.RejectTransactionMessage
	},
	"startAcceptSendRequestTimeStamp": func(s *processor.Settings, c *config.Config) {
		s.StartAcceptSendRequestTimeStamp = c.Broker.StartAcceptSendRequestTimeStamp
	},
	"longPollingEnable": func(s *processor.Settings, c *config.Config) { s.LongPollingEnable = c.Broker.LongPollingEnable },
	"shortPollingTimeMills": func(s *processor.Settings, c *config.Config) {
		s.ShortPollingTime = time.Duration(c.Broker.ShortPollingTimeMills) * time.Millisecond
	},
	"autoCreateSubscriptionGroup": func(s *processor.Settings, c *config.Config) {
		s.AutoCreateSubscriptionGroup = c.Broker.AutoCreateSubscriptionGroup
	},
	"slaveReadEnable":      func(s *processor.Settings, c *config.Config) { s.SlaveReadEnable = c.Broker.SlaveReadEnable },
	"transferMsgByHeap":    func(s *processor.Settings, c *config.Config) { s.TransferMsgByHeap = c.Broker.TransferMsgByHeap },
	"enablePropertyFilter": func(s *processor.Settings, c *config.Config) { s.EnablePropertyFilter = c.Broker.EnablePropertyFilter },
	"filterSupportRetry":   func(s *processor.Settings, c *config.Config) { s.FilterSupportRetry = c.Broker.FilterSupportRetry },
	"storeReplyMessageEnable": func(s *processor.Settings, c *config.Config) {
		s.StoreReplyMessageEnable = c.Broker.StoreReplyMessageEnable
	},
}

// SetConfigFile names the properties file UPDATE_BROKER_CONFIG persists
// the whole configuration to, as Java's Configuration.persist writes the
// -c file (BrokerPathConfigHelper). Without one, updates live in memory
// only. Call before Start.
func (b *Broker) SetConfigFile(path string) { b.adminToolsState().configFile = path }

func (b *Broker) adminToolsState() *adminToolsFeature {
	if b.adminTools == nil {
		b.adminTools = &adminToolsFeature{}
	}
	return b.adminTools
}

// registerAdminTools registers the admin tool processors on the admin
// pool, where Java's AdminBrokerProcessor runs them.
func (b *Broker) registerAdminTools(p pools) error {
	f := b.adminToolsState()
	f.cfg = b.cfg
	f.version = body.DataVersion{Timestamp: b.bootTime.UnixMilli()}

	srv := b.server
	stats := processor.NewConsumeStatsAdmin(b.env)
	for _, code := range []requestcode.RequestCode{requestcode.GetTopicStatsInfo, requestcode.GetConsumeStats, requestcode.GetBrokerConsumeStats} {
		srv.Register(code, stats, p.admin)
	}
	conns := processor.NewConnectionAdmin(b.env)
	for _, code := range []requestcode.RequestCode{requestcode.GetConsumerConnectionList, requestcode.GetProducerConnectionList, requestcode.QueryTopicConsumeByWho} {
		srv.Register(code, conns, p.admin)
	}
	offsets := processor.NewConsumerOffsetAdmin(b.env)
	srv.Register(requestcode.GetAllConsumerOffset, offsets, p.admin)
	srv.Register(requestcode.CloneGroupOffset, offsets, p.admin)
	srv.Register(requestcode.InvokeBrokerToResetOffset, processor.NewResetOffset(b.env), p.admin)
	relay := processor.NewConsumerRelay(b.env)
	srv.Register(requestcode.GetConsumerRunningInfo, relay, p.admin)
	srv.Register(requestcode.ConsumeMessageDirectly, relay, p.admin)
	srv.Register(requestcode.UpdateBrokerConfig, processor.NewBrokerConfigUpdate(b.env, b.updateConfig), p.admin)
	// GET_BROKER_CONFIG must show what UPDATE_BROKER_CONFIG changed, as
	// both read Java's one Configuration: it is re-registered to read the
	// updatable copy.
	srv.Register(requestcode.GetBrokerConfig, processor.NewBrokerInfo(b.env, b.runtimeInfo, f.configText), p.admin)
	return nil
}

// configText is GET_BROKER_CONFIG's body ("key=value" lines, sorted) and
// the configuration's DataVersion, which every update advances.
func (f *adminToolsFeature) configText() ([]byte, []byte) {
	f.mu.Lock()
	props := f.cfg.Properties()
	v := f.version
	f.mu.Unlock()
	return propertiesText(props), v.Encode()
}

func propertiesText(props map[string]string) []byte {
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	for _, k := range keys {
		sb.WriteString(k)
		sb.WriteByte('=')
		sb.WriteString(props[k])
		sb.WriteByte('\n')
	}
	return []byte(sb.String())
}

// updateConfig applies an UPDATE_BROKER_CONFIG (Java Configuration.update
// and persist): known keys change the recorded configuration, live keys
// also the running broker, and the whole configuration is written to the
// config file when there is one. Unknown keys are ignored, as Java's
// properties2Object ignores them. The returned remark says which keys did
// not take effect at once; it is empty when all did.
func (b *Broker) updateConfig(props map[string]string, remote string) (string, error) {
	f := b.adminTools
	f.mu.Lock()
	defer f.mu.Unlock()

	next := f.cfg
	warnings := next.Apply(props)
	unknown := map[string]bool{}
	for _, w := range warnings {
		if w.Kind == config.UnknownKey || w.Kind == config.Ignored {
			unknown[w.Key] = true
		}
	}
	set := *b.env.Settings()
	var live, restart, ignored []string
	for _, k := range sortedPropKeys(props) {
		switch apply, ok := liveKeys[k]; {
		case unknown[k]:
			ignored = append(ignored, k)
		case ok:
			apply(&set, &next)
			live = append(live, k)
		case k == "maxMessageSize" && next.Store.MaxMessageSize <= b.cfg.Store.MaxMessageSize:
			// The store sized its checks at start: a smaller limit applies
			// now, a larger one once restarted.
			set.MaxMessageSize = next.Store.MaxMessageSize
			live = append(live, k)
		default:
			restart = append(restart, k)
		}
	}
	f.cfg = next
	f.version = body.DataVersion{Timestamp: time.Now().UnixMilli(), Counter: f.version.Counter + 1}
	b.env.SetSettings(&set)
	if _, ok := props["brokerPermission"]; ok {
		// Java re-registers at once so the NameServers learn the new
		// permission.
		b.kickRegister()
	}
	log := b.log.WithFields(logrus.Fields{"remote": remote, "applied": live, "afterRestart": restart, "ignored": ignored})
	config.LogWarnings(b.log, warnings)

	var notes []string
	if f.configFile != "" {
		if err := configfile.Write(f.configFile, propertiesText(next.Properties())); err != nil {
			log.WithError(err).Error("updateBrokerConfig: cannot persist the configuration")
			notes = append(notes, "not persisted: "+err.Error())
		}
	}
	log.Info("broker configuration updated")
	if len(restart) > 0 {
		notes = append(notes, "takes effect after a restart: "+strings.Join(restart, ", "))
	}
	if len(ignored) > 0 {
		notes = append(notes, "unknown, ignored: "+strings.Join(ignored, ", "))
	}
	return strings.Join(notes, "; "), nil
}

func sortedPropKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
