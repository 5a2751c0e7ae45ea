package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
)

// errTopicNotExist is the NameServer's TOPIC_NOT_EXIST.
var errTopicNotExist = errors.New("topic not exist")

// admin makes the few setup calls mqbench needs on the remoting client:
// routes from the NameServer, topic creation, queue offsets.
type admin struct {
	c       *remoting.Client
	namesrv []string
	timeout time.Duration
}

// call invokes req on addr and fails on a transport error.
func (a *admin) call(ctx context.Context, addr string, req *codec.Command) (*codec.Command, error) {
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	resp, err := a.c.Invoke(ctx, addr, req)
	if err != nil {
		return nil, fmt.Errorf("%s on %s: %w", requestcode.RequestCode(req.Code), addr, err)
	}
	return resp, nil
}

// namesrvCall tries each NameServer in turn, as Java's client does.
func (a *admin) namesrvCall(ctx context.Context, mk func() *codec.Command) (*codec.Command, error) {
	var errs []error
	for _, ns := range a.namesrv {
		resp, err := a.call(ctx, ns, mk())
		if err == nil {
			return resp, nil
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return nil, errors.New("no NameServer address (-n)")
	}
	return nil, errors.Join(errs...)
}

func codeErr(what, addr string, resp *codec.Command) error {
	return fmt.Errorf("%s on %s: %s (%d): %s", what, addr, requestcode.ResponseCode(resp.Code), resp.Code, resp.Remark)
}

// route is GET_ROUTEINFO_BY_TOPIC.
func (a *admin) route(ctx context.Context, topic string) (*body.TopicRouteData, error) {
	resp, err := a.namesrvCall(ctx, func() *codec.Command {
		req := codec.NewRequest(int32(requestcode.GetRouteinfoByTopic), 0)
		req.Set("topic", topic)
		return req
	})
	if err != nil {
		return nil, err
	}
	switch requestcode.ResponseCode(resp.Code) {
	case requestcode.Success:
	case requestcode.TopicNotExist:
		return nil, fmt.Errorf("route of %s: %w", topic, errTopicNotExist)
	default:
		return nil, codeErr("route of "+topic, a.namesrv[0], resp)
	}
	r, err := body.DecodeTopicRouteData(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("route of %s: %w", topic, err)
	}
	return r, nil
}

// masters returns the master address of every broker group in the cluster.
func (a *admin) masters(ctx context.Context) ([]string, error) {
	resp, err := a.namesrvCall(ctx, func() *codec.Command {
		return codec.NewRequest(int32(requestcode.GetBrokerClusterInfo), 0)
	})
	if err != nil {
		return nil, err
	}
	if resp.Code != int32(requestcode.Success) {
		return nil, codeErr("cluster info", a.namesrv[0], resp)
	}
	ci, err := body.DecodeClusterInfo(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("cluster info: %w", err)
	}
	var out []string
	for _, bd := range ci.BrokerAddrTable {
		if addr := bd.BrokerAddrs[body.MasterID]; addr != "" {
			out = append(out, addr)
		}
	}
	sort.Strings(out)
	return out, nil
}

// createTopic is UPDATE_AND_CREATE_TOPIC on one broker, with the header
// fields of Java's CreateTopicRequestHeader.
func (a *admin) createTopic(ctx context.Context, addr, topic string, queues int) error {
	req := codec.NewRequest(int32(requestcode.UpdateAndCreateTopic), 0)
	req.Set("topic", topic)
	req.Set("defaultTopic", "TBW102")
	req.Set("readQueueNums", strconv.Itoa(queues))
	req.Set("writeQueueNums", strconv.Itoa(queues))
	req.Set("perm", strconv.Itoa(int(body.PermRead|body.PermWrite)))
	req.Set("topicFilterType", "SINGLE_TAG")
	req.Set("topicSysFlag", "0")
	req.Set("order", "false")
	resp, err := a.call(ctx, addr, req)
	if err != nil {
		return err
	}
	if resp.Code != int32(requestcode.Success) {
		return codeErr("create topic "+topic, addr, resp)
	}
	return nil
}

// ensureTopic returns the topic's route, first creating the topic on every
// master when the NameServer has none and create is set, then waiting for
// the brokers to register it.
func (a *admin) ensureTopic(ctx context.Context, topic string, queues int, create bool) (*body.TopicRouteData, error) {
	r, err := a.route(ctx, topic)
	if err == nil || !errors.Is(err, errTopicNotExist) || !create {
		return r, err
	}
	// A broker that has just started may not be registered yet.
	deadline := time.Now().Add(15 * time.Second)
	var masters []string
	for {
		masters, err = a.masters(ctx)
		if err != nil {
			return nil, err
		}
		if len(masters) > 0 {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("create topic %s: the NameServer knows no master broker", topic)
		}
		if err := sleepCtx(ctx, 100*time.Millisecond); err != nil {
			return nil, err
		}
	}
	for _, m := range masters {
		if err := a.createTopic(ctx, m, topic, queues); err != nil {
			return nil, err
		}
	}
	deadline = time.Now().Add(15 * time.Second)
	for {
		r, err := a.route(ctx, topic)
		if err == nil && len(r.QueueDatas) >= len(masters) {
			return r, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("topic %s created on %v but no route after 15 s: %v", topic, masters, err)
		}
		if err := sleepCtx(ctx, 100*time.Millisecond); err != nil {
			return nil, err
		}
	}
}

// sleepCtx sleeps d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// queueRef is one queue of the topic on its broker's master.
type queueRef struct {
	broker string // broker name
	addr   string // master address
	id     int32
}

// queues lists the writable (write) or readable (!write) queues of a
// route, on brokers that have a master, ordered by broker name and id.
func queues(r *body.TopicRouteData, write bool) []queueRef {
	addrs := map[string]string{}
	for _, bd := range r.BrokerDatas {
		if a := bd.BrokerAddrs[body.MasterID]; a != "" {
			addrs[bd.BrokerName] = a
		}
	}
	var out []queueRef
	qds := append([]body.QueueData(nil), r.QueueDatas...)
	sort.Slice(qds, func(i, j int) bool { return qds[i].BrokerName < qds[j].BrokerName })
	for _, qd := range qds {
		addr := addrs[qd.BrokerName]
		if addr == "" {
			continue
		}
		n, perm := qd.ReadQueueNums, body.PermRead
		if write {
			n, perm = qd.WriteQueueNums, body.PermWrite
		}
		if qd.Perm&perm == 0 {
			continue
		}
		for i := int32(0); i < n; i++ {
			out = append(out, queueRef{broker: qd.BrokerName, addr: addr, id: i})
		}
	}
	return out
}

// offsetCall asks a broker for one queue offset (GET_MAX_OFFSET,
// QUERY_CONSUMER_OFFSET); found is false for QUERY_NOT_FOUND.
func (a *admin) offsetCall(ctx context.Context, code requestcode.RequestCode, q queueRef, topic, group string) (off int64, found bool, err error) {
	req := codec.NewRequest(int32(code), 0)
	if group != "" {
		req.Set("consumerGroup", group)
	}
	req.Set("topic", topic)
	req.Set("queueId", strconv.Itoa(int(q.id)))
	resp, err := a.call(ctx, q.addr, req)
	if err != nil {
		return 0, false, err
	}
	switch requestcode.ResponseCode(resp.Code) {
	case requestcode.Success:
	case requestcode.QueryNotFound:
		return 0, false, nil
	default:
		return 0, false, codeErr(code.String(), q.addr, resp)
	}
	off, err = strconv.ParseInt(resp.Value("offset"), 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("%s on %s: offset %q: %w", code, q.addr, resp.Value("offset"), err)
	}
	return off, true, nil
}
