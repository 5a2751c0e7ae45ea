package processor

import (
	"github.com/rocketgo/rocketgo/broker/rebalancelock"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
)

// RebalanceLock answers LOCK_BATCH_MQ and UNLOCK_BATCH_MQ, the queue locks
// of orderly consumers (Java AdminBrokerProcessor.lockBatchMQ and
// unlockBatchMQ over RebalanceLockManager). Neither has a header; the body
// is a LockBatchRequestBody / UnlockBatchRequestBody. LOCK answers SUCCESS
// with the queues the client now holds, UNLOCK answers SUCCESS with no
// body. A body that is missing or not JSON, or that names queues without
// a consumerGroup or clientId, is answered SYSTEM_ERROR (Java fails such a
// request with an exception, which its remoting layer turns into
// SYSTEM_ERROR).
type RebalanceLock struct {
	env   *Env
	locks *rebalancelock.Manager
}

// NewRebalanceLock returns the processor over the broker's lock table.
func NewRebalanceLock(env *Env, locks *rebalancelock.Manager) *RebalanceLock {
	return &RebalanceLock{env: env, locks: locks}
}

// ProcessRequest dispatches on the request code.
func (p *RebalanceLock) ProcessRequest(_ *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	switch requestcode.RequestCode(req.Code) {
	case requestcode.LockBatchMq, requestcode.UnlockBatchMq:
	default:
		return respond(req, requestcode.RequestCodeNotSupported, "request type not supported"), nil
	}
	r, err := rebalancelock.DecodeBatchRequest(req.Body)
	if err != nil {
		return respond(req, requestcode.SystemError, err.Error()), nil
	}
	if len(r.MQs) > 0 && (!r.HasGroup || !r.HasClientID) {
		return respond(req, requestcode.SystemError, "LockBatchRequestBody: consumerGroup and clientId are required with a non-empty mqSet"), nil
	}
	if req.Code == int32(requestcode.UnlockBatchMq) {
		p.locks.UnlockBatch(r.ConsumerGroup, r.MQs, r.ClientID)
		return respond(req, requestcode.Success, ""), nil
	}
	locked := p.locks.TryLockBatch(r.ConsumerGroup, r.MQs, r.ClientID)
	resp := respond(req, requestcode.Success, "")
	resp.Body = rebalancelock.AppendLockBatchResponse(make([]byte, 0, 16+64*len(locked)), locked)
	return resp, nil
}
