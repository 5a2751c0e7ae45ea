package processor

import (
	"errors"
	"strconv"

	"github.com/rocketgo/rocketgo/broker/transaction"
	"github.com/rocketgo/rocketgo/protocol/header"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/rocketgo/rocketgo/store"
	"github.com/rocketgo/rocketgo/store/commitlog"
	"github.com/rocketgo/rocketgo/store/message"
	"github.com/sirupsen/logrus"
)

// EndTransaction handles END_TRANSACTION, as Java's EndTransactionProcessor:
// a producer (or its answer to a check) commits or rolls back a half
// message parked in RMQ_SYS_TRANS_HALF_TOPIC. A commit stores the message
// on its real topic and queue; either outcome then writes an op record so
// the check service leaves the half message alone. An unknown outcome
// (TRANSACTION_NOT_TYPE) changes nothing and gets no answer.
type EndTransaction struct {
	env *Env
	svc *transaction.Service
	recordPools
}

// NewEndTransaction returns the processor; svc writes the op records.
func NewEndTransaction(env *Env, svc *transaction.Service) *EndTransaction {
	return &EndTransaction{env: env, svc: svc}
}

// endTxHeader is EndTransactionRequestHeader.
type endTxHeader struct {
	producerGroup        string
	tranStateTableOffset int64
	commitLogOffset      int64
	commitOrRollback     int32
	fromTransactionCheck bool
	msgID                string
	transactionID        string
}

// errCommitOrRollback is EndTransactionRequestHeader.checkFields' refusal
// of a commitOrRollback that is none of 0, 8 and 12.
var errCommitOrRollback = errors.New("org.apache.rocketmq.remoting.exception.RemotingCommandException: commitOrRollback field wrong")

func decodeEndTxHeader(req *codec.Command) (endTxHeader, error) {
	r := header.NewReader(req)
	h := endTxHeader{
		producerGroup:        r.String("producerGroup"),
		tranStateTableOffset: r.Int64("tranStateTableOffset"),
		commitLogOffset:      r.Int64("commitLogOffset"),
		commitOrRollback:     r.Int32("commitOrRollback"),
		fromTransactionCheck: r.Bool("fromTransactionCheck"),
		msgID:                r.String("msgId"),
		transactionID:        r.OptString("transactionId"),
	}
	if err := r.Err(); err != nil {
		return h, err
	}
	switch h.commitOrRollback {
	case message.TransactionNotType, message.TransactionCommitType, message.TransactionRollbackType:
		return h, nil
	}
	return h, errCommitOrRollback
}

// Remarks Java answers with.
const (
	remarkNoPrepared       = "Find prepared transaction message failed"
	remarkGroupWrong       = "The producer group wrong"
	remarkStateOffsetWrong = "The transaction state table offset wrong"
	remarkCommitLogWrong   = "The commit log offset wrong"
)

// ProcessRequest commits or rolls back the half message the header names.
func (p *EndTransaction) ProcessRequest(c *remoting.Conn, req *codec.Command) (*codec.Command, error) {
	h, err := decodeEndTxHeader(req)
	if err != nil {
		return nil, err
	}
	set := p.env.Settings()
	if set.Slave {
		p.logFor(c, &h).Warn("end transaction refused: this broker is a slave")
		return respond(req, requestcode.SlaveNotAvailable, "the broker is a slave, end transaction is forbidden"), nil
	}
	switch h.commitOrRollback {
	case message.TransactionNotType:
		// Still unknown: the check service asks again later. Java answers
		// nothing at all, not even a two-way request.
		p.logFor(c, &h).WithField("remark", req.Remark).Info("end transaction with an unknown outcome")
		return nil, nil
	case message.TransactionRollbackType:
		p.logFor(c, &h).WithField("remark", req.Remark).Info("producer rolls back a half message")
	}

	rec, view, ok := p.env.Store.LookMessage(h.commitLogOffset)
	if !ok {
		return p.refuse(c, req, &h, remarkNoPrepared), nil
	}
	defer view.Release()
	if string(rec.Topic) != transaction.HalfTopic {
		// Java would act on any record there; only a half message is a
		// prepared transaction (a commit of its committed copy would
		// deliver the message twice).
		return p.refuse(c, req, &h, remarkNoPrepared), nil
	}
	if remark := checkPrepared(&rec, &h); remark != "" {
		return p.refuse(c, req, &h, remark), nil
	}
	if h.commitOrRollback == message.TransactionCommitType {
		if failed := p.commit(req, set, &rec, &h); failed != nil {
			return failed, nil
		}
	}
	if err := p.svc.DeletePrepareMessage(rec.QueueID, rec.QueueOffset); err != nil {
		// Java ignores this too: the check service will ask again and
		// the producer answers the same.
		p.logFor(c, &h).WithError(err).Error("cannot write the transaction op record")
	}
	return respond(req, requestcode.Success, ""), nil
}

// refuse answers SYSTEM_ERROR; it is logged because producers send
// END_TRANSACTION oneway and never see the answer.
func (p *EndTransaction) refuse(c *remoting.Conn, req *codec.Command, h *endTxHeader, remark string) *codec.Command {
	p.logFor(c, h).WithField("reason", remark).Warn("end transaction refused")
	return respond(req, requestcode.SystemError, remark)
}

// logFor is the request's log context, built only when something is logged.
func (p *EndTransaction) logFor(c *remoting.Conn, h *endTxHeader) logrus.FieldLogger {
	return p.env.Log.WithFields(logrus.Fields{"producer": c.RemoteAddr(), "group": h.producerGroup,
		"commitLogOffset": h.commitLogOffset, "tranStateTableOffset": h.tranStateTableOffset,
		"msgId": h.msgID, "fromCheck": h.fromTransactionCheck})
}

// checkPrepared is EndTransactionProcessor.checkPrepareMessage: the half
// message must belong to the producer group and sit where the header says.
func checkPrepared(rec *message.Record, h *endTxHeader) string {
	if g, ok := rec.Properties.Get(message.PropertyProducerGroup); !ok || string(g) != h.producerGroup {
		return remarkGroupWrong
	}
	if rec.QueueOffset != h.tranStateTableOffset {
		return remarkStateOffsetWrong
	}
	if rec.PhysicalOffset != h.commitLogOffset {
		return remarkCommitLogWrong
	}
	return ""
}

// commit stores the half message on its real topic and queue
// (endMessageTransaction + sendFinalMessage): body, flag, born time and
// host, store host and reconsume times of the half message, the
// transaction type COMMIT, PREPARED TRANSACTION OFFSET = the half
// message's commitlog offset. The properties string is the half message's,
// re-serialised from its map: Java builds it before clearing TRAN_MSG,
// REAL_TOPIC and REAL_QID, so they stay in the stored record. A DELAY
// level sends the committed message through SCHEDULE_TOPIC_XXXX first, as
// the CommitLog does for any NOT/COMMIT message; that string is rebuilt
// from the map, so it lacks TRAN_MSG and has REAL_TOPIC/REAL_QID put back.
// It returns nil once the message is stored, else the failure's answer.
func (p *EndTransaction) commit(req *codec.Command, set *Settings, rec *message.Record, h *endTxHeader) *codec.Command {
	props := p.propMap()
	defer p.putPropMap(props)
	props.ParseFrom(rec.Properties)
	topic, _ := props.Get(message.PropertyRealTopic)
	qidText, _ := props.Get(message.PropertyRealQueueID)
	qid, err := strconv.ParseInt(qidText, 10, 32)
	if topic == "" || err != nil {
		return respond(req, requestcode.SystemError, "the prepared message has no valid REAL_TOPIC/REAL_QID properties")
	}
	queueID := int32(qid)
	bp := p.buf()
	defer p.putBuf(bp)
	sysFlag := rec.SysFlag&^message.TransactionRollbackType | message.TransactionCommitType
	level, err := delayLevel(props)
	if err != nil {
		return respond(req, requestcode.SystemError, err.Error())
	}
	if level > 0 {
		// endMessageTransaction's map no longer has these when the
		// CommitLog re-serialises it for the schedule topic.
		props.Remove(message.PropertyRealTopic)
		props.Remove(message.PropertyRealQueueID)
		props.Remove(message.PropertyTransactionPrepared)
		topic, queueID, _, _ = delayRedirect(props, p.env.Store.DelayLevels(), sysFlag, topic, queueID, removedWait{}, p.env.Log)
	}
	propBytes := props.AppendTo((*bp)[:0])
	m := message.Message{
		QueueID:                   queueID,
		Flag:                      rec.Flag,
		SysFlag:                   sysFlag,
		BornTimestamp:             rec.BornTimestamp,
		BornHost:                  rec.BornHost,
		StoreHost:                 rec.StoreHost,
		ReconsumeTimes:            rec.ReconsumeTimes,
		PreparedTransactionOffset: h.commitLogOffset,
		Body:                      rec.Body,
		Topic:                     topic,
		Properties:                propBytes,
	}
	limits := message.Limits{MaxMessageBodySize: set.MaxMessageSize}
	buf, err := limits.AppendRecord(propBytes, &m)
	*bp = buf[:0]
	if err == nil {
		// endMessageTransaction clears WAIT: no flush or slave wait.
		_, err = p.env.Store.PutNoWait(topic, queueID, buf[len(propBytes):])
	}
	return p.finalResult(req, set, err)
}

// finalResult maps the store's answer as sendFinalMessage does: nil when
// stored (flush and slave timeouts count as stored, as Java answers
// SUCCESS for them), else the answer to give.
func (p *EndTransaction) finalResult(req *codec.Command, set *Settings, err error) *codec.Command {
	switch {
	case store.Stored(err):
		return nil
	case errors.Is(err, store.ErrDiskFull), errors.Is(err, commitlog.ErrClosed):
		return respond(req, requestcode.ServiceNotAvailable, "Service not available now.")
	case errors.Is(err, commitlog.ErrTooLarge), errors.Is(err, store.ErrMessageTooLarge),
		errors.Is(err, message.ErrBodyTooLarge), errors.Is(err, message.ErrPropertiesTooLong),
		errors.Is(err, message.ErrTopicTooLong):
		maxSize := set.MaxMessageSize
		if maxSize <= 0 {
			maxSize = message.DefaultMaxMessageBodySize
		}
		return respond(req, requestcode.MessageIllegal, "The message is illegal, maybe msg body or properties length not matched. msg body length limit "+
			strconv.Itoa(maxSize)+"B, msg properties length limit 32KB.")
	default:
		p.env.Log.WithError(err).Error("storing the committed transaction message failed")
		return respond(req, requestcode.SystemError, "Create mapped file failed.")
	}
}
