package processor

import (
	"strconv"

	"github.com/rocketgo/rocketgo/protocol/header"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
)

// QueueOffsets answers GET_MAX_OFFSET, GET_MIN_OFFSET,
// SEARCH_OFFSET_BY_TIMESTAMP and GET_EARLIEST_MSG_STORETIME (Java
// AdminBrokerProcessor's getMaxOffset, getMinOffset, searchOffsetByTimestamp
// and getEarliestMsgStoretime). All four answer SUCCESS for unknown
// queues, with the store's 0 / -1 values, as Java does.
type QueueOffsets struct {
	env *Env
}

// NewQueueOffsets returns the processor.
func NewQueueOffsets(env *Env) *QueueOffsets { return &QueueOffsets{env: env} }

// ProcessRequest dispatches on the request code.
func (p *QueueOffsets) ProcessRequest(_ *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	r := header.NewReader(req)
	topic, qid := r.String("topic"), r.Int32("queueId")
	var ts int64
	if req.Code == int32(requestcode.SearchOffsetByTimestamp) {
		ts = r.Int64("timestamp")
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	st := p.env.Store
	resp := respond(req, requestcode.Success, "")
	switch requestcode.RequestCode(req.Code) {
	case requestcode.GetMaxOffset:
		resp.Set("offset", strconv.FormatInt(st.MaxOffsetInQueue(topic, qid), 10))
	case requestcode.GetMinOffset:
		resp.Set("offset", strconv.FormatInt(st.MinOffsetInQueue(topic, qid), 10))
	case requestcode.SearchOffsetByTimestamp:
		resp.Set("offset", strconv.FormatInt(st.OffsetByTime(topic, qid, ts), 10))
	case requestcode.GetEarliestMsgStoretime:
		resp.Set("timestamp", strconv.FormatInt(st.EarliestMessageTime(topic, qid), 10))
	default:
		return respond(req, requestcode.RequestCodeNotSupported, "request type not supported"), nil
	}
	return resp, nil
}
