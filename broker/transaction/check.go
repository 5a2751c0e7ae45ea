package transaction

import (
	"context"
	"slices"
	"strconv"

	"github.com/rocketgo/rocketgo/broker/topicconfig"
	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting/codec"
	"github.com/rocketgo/rocketgo/store"
	"github.com/rocketgo/rocketgo/store/commitlog"
	"github.com/rocketgo/rocketgo/store/message"
	"github.com/sirupsen/logrus"
)

// pullStatus is the client PullStatus Java's bridge turns a store
// GetMessageStatus into (TransactionalMessageBridge.getMessage); the
// check's decisions are written against it.
type pullStatus int

const (
	pullFound pullStatus = iota
	pullNoNewMsg
	pullNoMatchedMsg
	pullOffsetIllegal
)

func statusOf(st store.GetStatus) pullStatus {
	switch st {
	case store.Found:
		return pullFound
	case store.NoMatchedMessage:
		return pullNoMatchedMsg
	case store.NoMessageInQueue, store.OffsetOverflowOne:
		return pullNoNewMsg
	default:
		return pullOffsetIllegal
	}
}

// opPull is what one read of the op queue found (Java's PullResult as the
// check uses it).
type opPull struct {
	status pullStatus
	next   int64
	// found is Java's "msgFoundList != null": op records were read.
	found bool
	// lastBorn is the born time of the last op record read.
	lastBorn int64
}

// step tells the queue walk what to do after looking at one half offset.
type step int

const (
	stepAdvance step = iota // offset done, go to the next
	stepJump                // continue at the offset returned
	stepAgain               // look at the same offset again (more op records were read)
	stepStop                // end this queue's round
)

// queueRound is the state of one half queue's check in one round
// (the locals of TransactionalMessageServiceImpl.check).
type queueRound struct {
	s          *Service
	qid        int32
	start      int64 // ms
	halfOffset int64
	// removeMap maps a resolved half offset to the op offset saying so.
	removeMap map[int64]int64
	// doneOp are op offsets whose half message was passed.
	doneOp []int64
	views  []commitlog.View
	props  message.PropertyMap
}

func (s *Service) now() int64 { return s.cfg.Now().UnixMilli() }

// check is one round over every half queue (TransactionalMessageServiceImpl.check).
func (s *Service) check(ctx context.Context) {
	s.round.Lock()
	defer s.round.Unlock()
	tc, ok := s.cfg.Topics.Get(HalfTopic)
	if !ok {
		// Java's fetchMessageQueues creates the half topic on demand:
		// one queue, read-write.
		tc, ok = s.cfg.Topics.CreateTopicInSendMessageBack(HalfTopic, 1, body.PermWrite|body.PermRead, 0)
	}
	if !ok || tc.ReadQueueNums <= 0 {
		s.log.WithField("topic", HalfTopic).Warn("the half topic has no queue")
		return
	}
	begin := s.now()
	for qid := int32(0); qid < tc.ReadQueueNums && ctx.Err() == nil; qid++ {
		s.checkQueue(ctx, qid)
	}
	s.log.WithField("ms", s.now()-begin).Debug("transaction check round done")
}

// checkQueue walks one half queue from the internal group's offset: it
// skips half messages an op record resolved, discards those checked too
// often, and for those old enough re-appends them and asks a producer of
// their group. It then commits how far the half and op queues are done.
func (s *Service) checkQueue(ctx context.Context, qid int32) {
	q := &queueRound{s: s, qid: qid, start: s.now(), removeMap: map[int64]int64{}}
	q.halfOffset = s.queueOffset(HalfTopic, qid)
	opOffset := s.queueOffset(OpTopic, qid)
	log := s.log.WithFields(logrus.Fields{"queue": qid, "halfOffset": q.halfOffset, "opOffset": opOffset})
	if q.halfOffset < 0 || opOffset < 0 {
		log.Error("illegal offset of a transaction queue, skipping it")
		return
	}
	pr := q.fillOpRemoveMap(opOffset)
	nullCount := 1
	newOffset, i := q.halfOffset, q.halfOffset
walk:
	for {
		if s.now()-q.start > maxProcessTime.Milliseconds() {
			log.Info("half queue check reached its time limit")
			break
		}
		if ctx.Err() != nil {
			break
		}
		if op, ok := q.removeMap[i]; ok {
			delete(q.removeMap, i)
			q.doneOp = append(q.doneOp, op)
		} else {
			st, next := q.examine(i, &pr, &nullCount)
			switch st {
			case stepStop:
				break walk
			case stepJump:
				i, newOffset = next, next
				continue
			case stepAgain:
				continue
			}
		}
		newOffset = i + 1
		i++
	}
	if newOffset != q.halfOffset {
		s.commitOffset(HalfTopic, qid, newOffset)
	}
	if newOp := nextOpOffset(q.doneOp, opOffset); newOp != opOffset {
		s.commitOffset(OpTopic, qid, newOp)
	}
}

// examine decides about the half message at offset i (the body of Java's
// check loop for an offset not in removeMap).
func (q *queueRound) examine(i int64, pr *opPull, nullCount *int) (step, int64) {
	s := q.s
	res := s.cfg.Store.GetMessage(HalfTopic, q.qid, i, 1, nil, q.views[:0])
	defer func() {
		res.Release()
		q.views = res.Messages[:0]
	}()
	var rec message.Record
	got := res.Status == store.Found && len(res.Messages) > 0 &&
		rec.Decode(res.Messages[0].Bytes, false) == nil && rec.Kind == message.KindMessage
	if !got {
		n := *nullCount
		*nullCount = n + 1
		if n > halfNullRetries || statusOf(res.Status) == pullNoNewMsg {
			return stepStop, 0
		}
		s.log.WithFields(logrus.Fields{"queue": q.qid, "offset": i, "status": res.Status, "next": res.NextBeginOffset}).
			Info("half message missing at offset, skipping ahead")
		return stepJump, res.NextBeginOffset
	}
	props := &q.props
	props.ParseFrom(rec.Properties)
	now := s.now()
	if s.needDiscard(props) || s.needSkip(&rec, now) {
		s.resolveDiscard(&rec, props)
		return stepAdvance, 0
	}
	if rec.StoreTimestamp >= q.start {
		// Stored during this round (a copy this round re-appended, or a
		// new half message): the next round looks at it.
		return stepStop, 0
	}
	age := now - rec.BornTimestamp
	timeout := s.cfg.Timeout.Milliseconds()
	immunity := timeout
	if v, ok := props.Get(message.PropertyCheckImmunityTimeInSeconds); ok {
		immunity = immunityMillis(v, timeout)
		if age < immunity && q.checkPrepareQueueOffset(&rec, props) {
			return stepAdvance, 0
		}
	} else if age >= 0 && age < immunity {
		return stepStop, 0
	}
	needCheck := (!pr.found && age > immunity) ||
		(pr.found && pr.lastBorn-q.start > timeout) ||
		age <= -1
	if !needCheck {
		if !pr.found {
			// Java reads the (exhausted) op queue again and again until
			// the message is old enough or 60 s pass; the next round
			// sees it just as well without the spin.
			return stepStop, 0
		}
		*pr = q.fillOpRemoveMap(pr.next)
		return stepAgain, 0
	}
	if !s.putBackAndCheck(&rec, props) {
		// Java retries the same offset at once; a store that just
		// refused a write is better retried next round.
		return stepStop, 0
	}
	return stepAdvance, 0
}

// fillOpRemoveMap reads up to 32 op records from offset from and notes
// which half offsets they resolve: below the round's first half offset
// they only count as done, otherwise they go into removeMap.
func (q *queueRound) fillOpRemoveMap(from int64) opPull {
	s := q.s
	res := s.cfg.Store.GetMessage(OpTopic, q.qid, from, opBatch, nil, q.views[:0])
	defer func() {
		res.Release()
		q.views = res.Messages[:0]
	}()
	pr := opPull{status: statusOf(res.Status), next: res.NextBeginOffset}
	switch pr.status {
	case pullOffsetIllegal, pullNoMatchedMsg:
		s.log.WithFields(logrus.Fields{"queue": q.qid, "offset": from, "status": res.Status, "next": res.NextBeginOffset}).
			Warn("op queue offset is illegal, moving it")
		s.commitOffset(OpTopic, q.qid, res.NextBeginOffset)
		return pr
	case pullNoNewMsg:
		return pr
	}
	for _, v := range res.Messages {
		var rec message.Record
		if rec.Decode(v.Bytes, false) != nil || rec.Kind != message.KindMessage {
			continue
		}
		pr.found = true
		pr.lastBorn = rec.BornTimestamp
		if tags, _ := rec.Tags(); string(tags) != RemoveTag {
			s.log.WithFields(logrus.Fields{"queue": q.qid, "opOffset": rec.QueueOffset, "tags": string(tags)}).
				Error("op record with an illegal tag")
			continue
		}
		half := parseLong(string(rec.Body))
		if half < q.halfOffset {
			q.doneOp = append(q.doneOp, rec.QueueOffset)
		} else {
			q.removeMap[half] = rec.QueueOffset
		}
	}
	return pr
}

// checkPrepareQueueOffset handles a half message still inside its
// CHECK_IMMUNITY_TIME_IN_SECONDS: if the copy it was made from (named by
// TRAN_PREPARED_QUEUE_OFFSET) is resolved it is done, otherwise it is
// re-appended to wait on. True means the offset is done.
func (q *queueRound) checkPrepareQueueOffset(rec *message.Record, props *message.PropertyMap) bool {
	v, ok := props.Get(message.PropertyTransactionPreparedQueueOffset)
	if !ok {
		return q.s.putImmunityBack(rec, props)
	}
	prepared := parseLong(v)
	if prepared == -1 {
		return false
	}
	if op, ok := q.removeMap[prepared]; ok {
		delete(q.removeMap, prepared)
		q.doneOp = append(q.doneOp, op)
		return true
	}
	return q.s.putImmunityBack(rec, props)
}

// needDiscard is Java's needDiscard: a message checked CheckMax times is
// given up; otherwise its TRANSACTION_CHECK_TIMES is raised (1 on the
// first check) in props, which the re-appended copy then carries.
func (s *Service) needDiscard(props *message.PropertyMap) bool {
	times := 1
	if v, ok := props.Get(message.PropertyTransactionCheckTimes); ok {
		times = parseInt(v)
		if times >= s.cfg.CheckMax {
			return true
		}
		times++
	}
	props.Put(message.PropertyTransactionCheckTimes, strconv.Itoa(times))
	return false
}

// needSkip: a half message born before the commitlog retention window is
// about to lose its record and is given up (Java needSkip). A zero
// retention (which would give up everything) disables it.
func (s *Service) needSkip(rec *message.Record, now int64) bool {
	keep := s.cfg.FileReservedTime.Milliseconds()
	return keep > 0 && now-rec.BornTimestamp > keep
}

// halfRecord is the re-appended copy of a half message
// (TransactionalMessageBridge.renewHalfMessageInner): same topic, queue,
// body, sysflag, born time and hosts; flag and reconsume times are not
// carried over.
func halfRecord(rec *message.Record, props []byte) message.Message {
	return message.Message{
		QueueID:       rec.QueueID,
		SysFlag:       rec.SysFlag,
		BornTimestamp: rec.BornTimestamp,
		BornHost:      rec.BornHost,
		StoreHost:     rec.StoreHost,
		Body:          rec.Body,
		Topic:         HalfTopic,
		Properties:    props,
	}
}

func (s *Service) put(m *message.Message) (commitlog.Result, error) {
	buf, err := s.limits.AppendRecord(nil, m)
	if err != nil {
		return commitlog.Result{}, err
	}
	// The copies carry WAIT=false (renewHalfMessageInner): no waits.
	res, err := s.cfg.Store.PutNoWait(m.Topic, m.QueueID, buf)
	if store.Stored(err) {
		err = nil
	}
	return res, err
}

// putImmunityBack re-appends a half message still in its immunity time,
// remembering its first half offset in TRAN_PREPARED_QUEUE_OFFSET
// (renewImmunityHalfMessageInner). Java's renewHalfMessageInner sets
// WAIT=false on the map the string is then built from, so the copy
// stores WAIT=false.
func (s *Service) putImmunityBack(rec *message.Record, props *message.PropertyMap) bool {
	props.Put(message.PropertyWaitStoreMsgOK, "false")
	if _, ok := props.Get(message.PropertyTransactionPreparedQueueOffset); !ok {
		props.Put(message.PropertyTransactionPreparedQueueOffset, strconv.FormatInt(rec.QueueOffset, 10))
	}
	m := halfRecord(rec, props.AppendTo(nil))
	if _, err := s.put(&m); err != nil {
		s.log.WithFields(logrus.Fields{"queue": rec.QueueID, "offset": rec.QueueOffset}).WithError(err).
			Error("cannot re-append a half message in its immunity time")
		return false
	}
	return true
}

// putBackAndCheck re-appends the half message (its TRANSACTION_CHECK_TIMES
// raised) and asks a producer of its group about the new copy
// (putBackHalfMsgQueue then resolveHalfMsg). False when the copy could not
// be stored.
func (s *Service) putBackAndCheck(rec *message.Record, props *message.PropertyMap) bool {
	m := halfRecord(rec, props.AppendTo(nil))
	res, err := s.put(&m)
	if err != nil {
		s.log.WithFields(logrus.Fields{"queue": rec.QueueID, "offset": rec.QueueOffset}).WithError(err).
			Error("cannot re-append a half message for its check")
		return false
	}
	// The in-memory message Java sends has WAIT=false (see putImmunityBack).
	props.Put(message.PropertyWaitStoreMsgOK, "false")
	s.sendCheck(rec, props, res.QueueOffset, res.PhysOffset)
	return true
}

// sendCheck sends CHECK_TRANSACTION_STATE, oneway, to one producer
// connection of the message's PGROUP (AbstractTransactionalMessageCheckListener.sendCheckMessage,
// Broker2Client.checkProducerTransactionState). The body is the message in
// record form with its real topic and queue and the offsets of the copy
// just appended; the producer answers with END_TRANSACTION for that copy.
func (s *Service) sendCheck(rec *message.Record, props *message.PropertyMap, queueOffset, phys int64) {
	log := s.log.WithFields(logrus.Fields{"queueOffset": queueOffset, "commitLogOffset": phys})
	realTopic, _ := props.Get(message.PropertyRealTopic)
	qidText, _ := props.Get(message.PropertyRealQueueID)
	realQID, err := strconv.ParseInt(qidText, 10, 32)
	if realTopic == "" || err != nil {
		log.WithFields(logrus.Fields{"realTopic": realTopic, "realQueueId": qidText}).
			Error("half message without a real topic and queue, cannot check it")
		return
	}
	group, _ := props.Get(message.PropertyProducerGroup)
	chans := s.cfg.Producers.Channels(group)
	if len(chans) == 0 {
		log.WithField("group", group).Warn("check transaction failed: no producer connection of the group")
		return
	}
	ch := chans[int(s.rr.Add(1)%uint32(len(chans)))].Channel
	m := message.Message{
		QueueID:                   int32(realQID),
		Flag:                      rec.Flag,
		QueueOffset:               queueOffset,
		PhysicalOffset:            phys,
		SysFlag:                   rec.SysFlag,
		BornTimestamp:             rec.BornTimestamp,
		BornHost:                  rec.BornHost,
		StoreTimestamp:            rec.StoreTimestamp,
		StoreHost:                 rec.StoreHost,
		ReconsumeTimes:            rec.ReconsumeTimes,
		PreparedTransactionOffset: rec.PreparedTransactionOffset,
		Body:                      rec.Body,
		Topic:                     realTopic,
		Properties:                props.AppendTo(nil),
		BodyCRC:                   rec.BodyCRC,
		KeepBodyCRC:               true,
	}
	b, err := s.limits.AppendRecord(nil, &m)
	if err != nil {
		log.WithError(err).Error("cannot encode the half message for its check")
		return
	}
	req := codec.NewRequest(int32(requestcode.CheckTransactionState), 0)
	req.Set("commitLogOffset", strconv.FormatInt(phys, 10))
	uniq, hasUniq := props.Get(message.PropertyUniqClientMessageIDKeyIdx)
	if hasUniq {
		req.Set("msgId", uniq)
	}
	req.Set("tranStateTableOffset", strconv.FormatInt(queueOffset, 10))
	req.Set("offsetMsgId", message.OffsetMsgID(rec.StoreHost, rec.SysFlag&message.StoreHostAddressV6Flag != 0, phys))
	if hasUniq {
		req.Set("transactionId", uniq)
	}
	req.Body = b
	if err := ch.InvokeOneway(req); err != nil {
		log.WithFields(logrus.Fields{"group": group, "remote": ch.RemoteAddr()}).WithError(err).
			Error("check transaction failed: cannot reach the producer")
		return
	}
	log.WithFields(logrus.Fields{"group": group, "remote": ch.RemoteAddr(), "msgId": uniq}).Debug("transaction state check sent")
}

// resolveDiscard gives a half message up: a copy goes to
// TRANS_CHECK_MAX_TIME_TOPIC (created with one read-write queue) where an
// operator can find it (DefaultTransactionalMessageCheckListener.resolveDiscardMsg).
func (s *Service) resolveDiscard(rec *message.Record, props *message.PropertyMap) {
	log := s.log.WithFields(logrus.Fields{"queue": rec.QueueID, "offset": rec.QueueOffset, "commitLogOffset": rec.PhysicalOffset})
	log.Error("half message checked too many times (or too old), discarding it into " + topicconfig.TransCheckMaxTimeTopic)
	tc, ok := s.cfg.Topics.CreateTopicOfTranCheckMaxTime(discardQueues, body.PermRead|body.PermWrite)
	if !ok {
		log.Error("cannot create " + topicconfig.TransCheckMaxTimeTopic)
		return
	}
	m := message.Message{
		QueueID:        0, // random % TCMT_QUEUE_NUMS, which is 1
		Flag:           rec.Flag,
		SysFlag:        rec.SysFlag,
		BornTimestamp:  rec.BornTimestamp,
		BornHost:       rec.BornHost,
		StoreHost:      rec.StoreHost,
		ReconsumeTimes: rec.ReconsumeTimes,
		Body:           rec.Body,
		Topic:          tc.TopicName,
		Properties:     props.AppendTo(nil),
	}
	if _, err := s.put(&m); err != nil {
		log.WithError(err).Error("cannot store the discarded half message")
	}
}

// nextOpOffset is calculateOpOffset: the op offset advances over the run
// of done op records that starts at it.
func nextOpOffset(done []int64, from int64) int64 {
	slices.Sort(done)
	next := from
	for _, o := range done {
		if o != next {
			break
		}
		next++
	}
	return next
}

// immunityMillis is getImmunityTime: seconds, or the timeout when the
// value does not parse (or is -1).
func immunityMillis(v string, timeout int64) int64 {
	n := parseLong(v)
	if n == -1 {
		return timeout
	}
	return n * 1000
}

// parseLong and parseInt are Java's getLong/getInt: -1 when unparsable.
func parseLong(v string) int64 {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return -1
	}
	return n
}

func parseInt(v string) int {
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return -1
	}
	return int(n)
}
