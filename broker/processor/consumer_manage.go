package processor

import (
	"strconv"

	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/header"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
)

// ConsumerManage handles GET_CONSUMER_LIST_BY_GROUP, UPDATE_CONSUMER_OFFSET
// and QUERY_CONSUMER_OFFSET as Java's ConsumerManageProcessor.
type ConsumerManage struct {
	env *Env
}

// NewConsumerManage returns the processor.
func NewConsumerManage(env *Env) *ConsumerManage { return &ConsumerManage{env: env} }

// ProcessRequest dispatches on the request code.
func (p *ConsumerManage) ProcessRequest(c *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	switch requestcode.RequestCode(req.Code) {
	case requestcode.GetConsumerListByGroup:
		return p.consumerList(req)
	case requestcode.UpdateConsumerOffset:
		return p.updateOffset(c, req)
	case requestcode.QueryConsumerOffset:
		return p.queryOffset(req)
	}
	return respond(req, requestcode.RequestCodeNotSupported, "request type not supported"), nil
}

func (p *ConsumerManage) consumerList(req *codec.Command) (*codec.Command, error) {
	group, err := header.Required(req, "consumerGroup")
	if err != nil {
		return nil, err
	}
	ids := p.env.Consumers.ClientIDs(group)
	if len(ids) == 0 {
		resp := respond(req, requestcode.SystemError, "no consumer for this group, "+group)
		resp.SetEmptyExt()
		return resp, nil
	}
	resp := respond(req, requestcode.Success, "")
	resp.SetEmptyExt()
	resp.Body = (&body.ConsumerListBody{ConsumerIDList: ids}).Encode()
	return resp, nil
}

func (p *ConsumerManage) updateOffset(c *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	r := header.NewReader(req)
	group, topic := r.String("consumerGroup"), r.String("topic")
	qid, off := r.Int32("queueId"), r.Int64("commitOffset")
	if err := r.Err(); err != nil {
		return nil, err
	}
	p.env.Offsets.Commit(c.RemoteAddr(), group, topic, qid, off)
	resp := respond(req, requestcode.Success, "")
	resp.SetEmptyExt()
	return resp, nil
}

// queryOffset answers the stored offset. Without one, a queue whose first
// message is still in memory answers 0 so a new group starts at the
// beginning (Java 4.9.7; clients depend on it), else QUERY_NOT_FOUND.
func (p *ConsumerManage) queryOffset(req *codec.Command) (*codec.Command, error) {
	r := header.NewReader(req)
	group, topic, qid := r.String("consumerGroup"), r.String("topic"), r.Int32("queueId")
	if err := r.Err(); err != nil {
		return nil, err
	}
	off := p.env.Offsets.Query(group, topic, qid)
	if off < 0 {
		min := p.env.Store.MinOffsetInQueue(topic, qid)
		if min <= 0 && !p.env.Store.CheckInDiskByConsumeOffset(topic, qid, 0) {
			off = 0
		}
	}
	if off < 0 {
		resp := respond(req, requestcode.QueryNotFound, "Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first")
		resp.SetEmptyExt()
		return resp, nil
	}
	resp := respond(req, requestcode.Success, "")
	resp.Set("offset", strconv.FormatInt(off, 10))
	return resp, nil
}
