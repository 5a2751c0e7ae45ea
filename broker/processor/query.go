package processor

import (
	"fmt"
	"strconv"
	"sync"

	"github.com/rocketgo/rocketgo/protocol/header"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/rocketgo/rocketgo/store/commitlog"
)

// uniqueKeyQueryFlag is the extField a client sets to "true" when the key
// of a QUERY_MESSAGE is a UNIQ_KEY (Java MixAll.UNIQUE_MSG_QUERY_FLAG).
const uniqueKeyQueryFlag = "_UNIQUE_KEY_QUERY"

// QueryConfig holds the message store keys the query path reads.
type QueryConfig struct {
	// MaxMsgsNumBatch (maxMsgsNumBatch, 64) caps a query's maxNum (Java
	// applies it in IndexService.queryOffset).
	MaxMsgsNumBatch int
	// DefaultQueryMaxNum (defaultQueryMaxNum, 32) replaces maxNum in a
	// unique-key query.
	DefaultQueryMaxNum int
}

// QueryMessage answers QUERY_MESSAGE (by key or UNIQ_KEY through the
// index, within a store-time range) and VIEW_MESSAGE_BY_ID (the record at
// a commitlog offset, which clients take from an offset msgId), as Java's
// QueryMessageProcessor. Found records go out straight from the mapped
// commitlog and are released once written.
type QueryMessage struct {
	env   *Env
	cfg   QueryConfig
	views sync.Pool // *[]commitlog.View
}

// NewQueryMessage returns the processor; zero config values take Java's
// defaults.
func NewQueryMessage(env *Env, cfg QueryConfig) *QueryMessage {
	if cfg.MaxMsgsNumBatch <= 0 {
		cfg.MaxMsgsNumBatch = 64
	}
	if cfg.DefaultQueryMaxNum <= 0 {
		cfg.DefaultQueryMaxNum = 32
	}
	p := &QueryMessage{env: env, cfg: cfg}
	p.views.New = func() any { v := make([]commitlog.View, 0, 8); return &v }
	return p
}

// ProcessRequest dispatches on the request code.
func (p *QueryMessage) ProcessRequest(c *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	switch requestcode.RequestCode(req.Code) {
	case requestcode.QueryMessage:
		return p.query(c, req)
	case requestcode.ViewMessageById:
		return p.view(c, req)
	}
	return respond(req, requestcode.RequestCodeNotSupported, "request type not supported"), nil
}

// query is Java queryMessage. The response header carries the newest
// index file's end time and offset on every answer (0 when the index had
// nothing for the key); nothing found is QUERY_NOT_FOUND.
func (p *QueryMessage) query(c *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	r := header.NewReader(req)
	topic, key := r.String("topic"), r.String("key")
	maxNum := r.Int32("maxNum")
	begin, end := r.Int64("beginTimestamp"), r.Int64("endTimestamp")
	if err := r.Err(); err != nil {
		return nil, err
	}
	if v, _ := req.Get(uniqueKeyQueryFlag); v == "true" {
		maxNum = int32(p.cfg.DefaultQueryMaxNum)
	}
	if maxNum < 0 {
		// Java sizes a list by it and fails with IllegalArgumentException.
		return respond(req, requestcode.SystemError, fmt.Sprintf("maxNum must not be negative: %d", maxNum)), nil
	}
	n := min(int(maxNum), p.cfg.MaxMsgsNumBatch)

	vp := p.views.Get().(*[]commitlog.View)
	res := p.env.Store.QueryMessage(topic, key, n, begin, end, *vp)
	resp := respond(req, requestcode.Success, "")
	resp.Set("indexLastUpdateTimestamp", strconv.FormatInt(res.IndexLastUpdateTimestamp, 10))
	resp.Set("indexLastUpdatePhyoffset", strconv.FormatInt(res.IndexLastUpdatePhyOffset, 10))
	if res.Bytes == 0 {
		res.Release()
		*vp = res.Messages[:0]
		p.views.Put(vp)
		resp.Code = int32(requestcode.QueryNotFound)
		resp.Remark = "can not find message, maybe time range not correct"
		return resp, nil
	}
	return p.sendViews(c, req, resp, res.Messages, vp)
}

// view is Java viewMessageById: the record whose TOTALSIZE is read at the
// offset, or SYSTEM_ERROR when there is none.
func (p *QueryMessage) view(c *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	offset, err := header.RequiredInt64(req, "offset")
	if err != nil {
		return nil, err
	}
	v, ok := p.env.Store.LookMessageByOffset(offset)
	if !ok {
		return respond(req, requestcode.SystemError, "can not find message by the offset, "+strconv.FormatInt(offset, 10)), nil
	}
	vp := p.views.Get().(*[]commitlog.View)
	*vp = append((*vp)[:0], v)
	return p.sendViews(c, req, respond(req, requestcode.Success, ""), *vp, vp)
}

// sendViews writes resp with the records as its body, zero-copy, and
// releases them once the socket has them (or the write failed). Java
// writes these replies itself (a FileRegion) with a command created in
// the server's own serialization, JSON, whatever the request used: the
// 4.9.7 captures of a ROCKETMQ-header client show JSON answers to both
// codes. So do these.
func (p *QueryMessage) sendViews(c *remoting.Conn, req, resp *codec.Command, msgs []commitlog.View, vp *[]commitlog.View) (*codec.Command, error) {
	release := func(error) {
		for _, v := range msgs {
			v.Release()
		}
		clear(msgs)
		*vp = msgs[:0]
		p.views.Put(vp)
	}
	if req.IsOneway() {
		release(nil)
		return nil, nil
	}
	parts := make([][]byte, len(msgs))
	for i, v := range msgs {
		parts[i] = v.Bytes
	}
	resp.Serialize = codec.JSON
	// SendParts runs release on every path, also when it fails.
	_ = c.SendParts(resp, parts, release)
	return nil, nil
}
