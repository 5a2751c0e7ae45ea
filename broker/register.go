package broker

import (
	"context"
	"hash/crc32"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/sirupsen/logrus"
)

// nameServers splits namesrvAddr ("host:port;host:port").
func nameServers(addr string) []string {
	var out []string
	for _, a := range strings.Split(addr, ";") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// registerBody builds the REGISTER_BROKER body from the topic table (Java
// BrokerController.registerBrokerAll): every topic, with the broker's own
// permission when that is not read+write.
func (b *Broker) registerBody() (body.TopicConfigSerializeWrapper, []byte, error) {
	w := b.topics.Wrapper()
	// From the live settings: UPDATE_BROKER_CONFIG may have changed it.
	perm := b.env.Settings().BrokerPermission
	if perm&(body.PermRead|body.PermWrite) != body.PermRead|body.PermWrite {
		for name, tc := range w.TopicConfigTable {
			c := *tc
			c.Perm = perm
			w.TopicConfigTable[name] = &c
		}
	}
	rb := body.RegisterBrokerBody{TopicConfigSerializeWrapper: w, FilterServerList: []string{}}
	data, err := rb.Encode(b.cfg.Broker.CompressedRegister)
	return w, data, err
}

func (b *Broker) registerHeader(req *codec.Command) {
	req.Set("brokerName", b.cfg.Broker.BrokerName)
	req.Set("brokerAddr", b.brokerAddr)
	req.Set("clusterName", b.cfg.Broker.BrokerClusterName)
	req.Set("brokerId", strconv.FormatInt(b.cfg.Broker.BrokerID, 10))
}

// registerAll sends REGISTER_BROKER to every NameServer in parallel and
// waits for the answers (Java doRegisterBrokerAll), or only sends them
// when oneway.
func (b *Broker) registerAll(oneway bool) {
	addrs := nameServers(b.cfg.Broker.NamesrvAddr)
	if len(addrs) == 0 {
		return
	}
	_, data, err := b.registerBody()
	if err != nil {
		b.log.WithError(err).Error("cannot encode the register body")
		return
	}
	timeout := time.Duration(b.cfg.Broker.RegisterBrokerTimeoutMills) * time.Millisecond
	if timeout <= 0 {
		timeout = 6 * time.Second
	}
	crc := int32(crc32.ChecksumIEEE(data) & 0x7FFFFFFF)
	var wg sync.WaitGroup
	for _, addr := range addrs {
		req := codec.NewRequest(int32(requestcode.RegisterBroker), 0)
		b.registerHeader(req)
		req.Set("haServerAddr", b.haServerAddr)
		req.Set("compressed", strconv.FormatBool(b.cfg.Broker.CompressedRegister))
		req.Set("bodyCrc32", strconv.Itoa(int(crc)))
		req.Body = data
		wg.Add(1)
		go func(addr string) {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(b.ctx, timeout)
			defer cancel()
			if oneway {
				if err := b.client.InvokeOneway(ctx, addr, req); err != nil {
					b.log.WithFields(logrus.Fields{"namesrv": addr}).WithError(err).Warn("register broker (oneway) failed")
				}
				return
			}
			resp, err := b.client.Invoke(ctx, addr, req)
			if err == nil && resp.Code != int32(requestcode.Success) {
				err = errRemark(resp)
			}
			if err != nil {
				b.log.WithFields(logrus.Fields{"namesrv": addr}).WithError(err).Warn("register broker failed")
				return
			}
			b.onRegistered(resp)
			b.log.WithFields(logrus.Fields{"namesrv": addr}).Debug("registered with the NameServer")
		}(addr)
	}
	wg.Wait()
}

// onRegistered keeps what a slave learns from the reply: its master's HA
// and service addresses (used by replication).
func (b *Broker) onRegistered(resp *codec.Command) {
	if b.cfg.Broker.BrokerID == 0 {
		return
	}
	master, masterHA := resp.Value("masterAddr"), resp.Value("haServerAddr")
	b.mu.Lock()
	if master != "" {
		b.masterAddr = master
	}
	if masterHA != "" {
		b.masterHAAddr = masterHA
	}
	b.mu.Unlock()
	b.haRegistered(master, masterHA)
}

// unregisterAll tells every NameServer the broker is leaving (Java
// unregisterBrokerAll at shutdown).
func (b *Broker) unregisterAll(ctx context.Context) {
	var wg sync.WaitGroup
	for _, addr := range nameServers(b.cfg.Broker.NamesrvAddr) {
		req := codec.NewRequest(int32(requestcode.UnregisterBroker), 0)
		b.registerHeader(req)
		wg.Add(1)
		go func(addr string) {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			defer cancel()
			if _, err := b.client.Invoke(ctx, addr, req); err != nil {
				b.log.WithFields(logrus.Fields{"namesrv": addr}).WithError(err).Warn("unregister broker failed")
			}
		}(addr)
	}
	wg.Wait()
}

type remarkError struct {
	code   int32
	remark string
}

func (e *remarkError) Error() string {
	return "CODE: " + strconv.Itoa(int(e.code)) + " DESC: " + e.remark
}

func errRemark(resp *codec.Command) error { return &remarkError{resp.Code, resp.Remark} }
