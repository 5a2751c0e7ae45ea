package processor

import (
	"fmt"
	"strconv"

	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/header"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/sirupsen/logrus"
)

// minResetClientVersion is MQVersion V3_0_7_SNAPSHOT, the first client
// that understands RESET_CONSUMER_CLIENT_OFFSET.
const minResetClientVersion = 28

// ResetOffset answers INVOKE_BROKER_TO_RESET_OFFSET (mqadmin
// resetOffsetByTime), as Java AdminBrokerProcessor.resetOffset and
// Broker2Client.resetOffset do: it computes each queue's offset at the
// timestamp (-1: the queue's end), keeps the group's current offset when
// that is already earlier unless isForce, and sends the table in
// RESET_CONSUMER_CLIENT_OFFSET to every online client of the group, which
// then seek and commit. The broker's own offsets are not changed: with no
// client online the answer is CONSUMER_NOT_ONLINE, and mqadmin falls back
// to committing offsets itself (UPDATE_CONSUMER_OFFSET).
type ResetOffset struct {
	env *Env
}

// NewResetOffset returns the processor.
func NewResetOffset(env *Env) *ResetOffset { return &ResetOffset{env: env} }

// ProcessRequest handles INVOKE_BROKER_TO_RESET_OFFSET.
func (p *ResetOffset) ProcessRequest(c *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	if req.Code != int32(requestcode.InvokeBrokerToResetOffset) {
		return respond(req, requestcode.RequestCodeNotSupported, "request type not supported"), nil
	}
	r := header.NewReader(req)
	topic, group, ts := r.String("topic"), r.String("group"), r.Int64("timestamp")
	if err := r.Err(); err != nil {
		return nil, err
	}
	if _, ok := req.Get("isForce"); !ok {
		return nil, header.Missing("isForce")
	}
	force := header.OptionalBool(req, "isForce")
	log := p.env.Log.WithFields(logrus.Fields{"topic": topic, "group": group, "timestamp": ts, "force": force, "remote": adminRemote(c)})
	log.Info("reset offset requested")

	tc, ok := p.env.Topics.Get(topic)
	if !ok {
		return respond(req, requestcode.SystemError, "[reset-offset] reset offset failed, no topic in this broker. topic="+topic), nil
	}
	brokerName := p.env.Settings().BrokerName
	table := body.ResetOffsetBody{OffsetTable: make(map[body.MessageQueue]int64, tc.WriteQueueNums)}
	for i := int32(0); i < tc.WriteQueueNums; i++ {
		current := p.env.Offsets.Query(group, topic, i)
		if current == -1 {
			return respond(req, requestcode.SystemError, fmt.Sprintf("THe consumer group <%s> not exist", group)), nil
		}
		var target int64
		if ts == -1 {
			target = p.env.Store.MaxOffsetInQueue(topic, i)
		} else {
			target = p.env.Store.OffsetByTime(topic, i, ts)
		}
		target = max(target, 0)
		if !force && target >= current {
			target = current
		}
		table.OffsetTable[body.MessageQueue{Topic: topic, BrokerName: brokerName, QueueID: i}] = target
	}

	g, online := p.env.Consumers.Group(group)
	if !online || len(g.Channels) == 0 {
		return respond(req, requestcode.ConsumerNotOnline, fmt.Sprintf(
			"Consumer not online, so can not reset offset, Group: %s Topic: %s Timestamp: %d", group, topic, ts)), nil
	}
	// Java chooses the body by the language of the admin's request: C++
	// tools get the list form.
	var payload []byte
	if req.Language == codec.LangCPP {
		payload = body.NewResetOffsetBodyForC(&table).Encode()
	} else {
		payload = table.Encode()
	}
	for _, ci := range g.Channels {
		if ci.Version < minResetClientVersion {
			return respond(req, requestcode.SystemError,
				"the client does not support this feature. version="+strconv.Itoa(int(ci.Version))), nil
		}
		// one command per client: sending stamps the opaque into it
		cmd := codec.NewRequest(int32(requestcode.ResetConsumerClientOffset), 0)
		cmd.Set("topic", topic)
		cmd.Set("group", group)
		cmd.Set("timestamp", strconv.FormatInt(ts, 10))
		cmd.Set("isForce", "false")
		cmd.Body = payload
		if err := ci.Channel.InvokeOneway(cmd); err != nil {
			log.WithField("client", ci.ClientID).WithError(err).Warn("reset offset not sent to client")
			continue
		}
		log.WithField("client", ci.ClientID).Info("reset offset sent to client")
	}
	resp := respond(req, requestcode.Success, "")
	resp.Body = table.Encode()
	return resp, nil
}
