package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rocketgo/rocketgo/cmd/mqadmin/internal/admin"
	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/store/message"
)

// defaultBodyDir is where Java's query commands write message bodies.
const defaultBodyDir = "/tmp/rocketmq/msgbodys"

func (c *cmdCtx) bodyDir() string {
	if c.env.bodyDir != "" {
		return c.env.bodyDir
	}
	return defaultBodyDir
}

// writeBody saves a message body to <bodyDir>/<name> (Java createBodyFile).
func (c *cmdCtx) writeBody(name string, b []byte) (string, error) {
	dir := c.bodyDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("message body directory %s: %w", dir, err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		return "", fmt.Errorf("write message body %s: %w", p, err)
	}
	return p, nil
}

// queryMsgByIDCmd is Java's QueryMsgByIdSubCommand.
func queryMsgByIDCmd() *command {
	return &command{
		name: "queryMsgById",
		desc: "Query Message by Id",
		opts: []option{
			{short: "i", long: "msgId", hasArg: true, required: true, desc: "Message Id"},
			{short: "g", long: "consumerGroup", hasArg: true, desc: "consumer group name"},
			{short: "d", long: "clientId", hasArg: true, desc: "The consumer's client id"},
			{short: "s", long: "sendMessage", hasArg: true, desc: "resend message"},
			{short: "u", long: "unitName", hasArg: true, desc: "unit name"},
		},
		run: runQueryMsgByID,
	}
}

func runQueryMsgByID(c *cmdCtx) error {
	var ids []string
	for _, id := range strings.Split(c.opts.value("i"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	switch {
	case c.opts.has("g") && c.opts.has("d"):
		var results []any
		for _, id := range ids {
			r, err := consumeDirectly(c, c.opts.value("g"), c.opts.value("d"), id, "")
			if err != nil {
				// Java prints the stack trace and goes on.
				c.fail(err)
				continue
			}
			results = append(results, consumeResultJSON(id, r))
			if !c.out.json {
				c.out.printf("%s", consumeResultString(r))
			}
		}
		if c.out.json {
			return c.out.emitJSON(results)
		}
		return nil
	case c.opts.has("s"):
		if !boolOpt(c, "s") {
			return nil
		}
		var results []any
		for _, id := range ids {
			m, err := c.admin().ViewMessage(c.ctx, id)
			if err != nil {
				c.fail(err)
				if !c.out.json {
					c.out.printf("no message. msgId=%s", id)
				}
				continue
			}
			if !c.out.json {
				c.out.printf("prepare resend msg. originalMsgId=%s", id)
			}
			props := m.Properties
			sr, err := c.admin().Send(c.ctx, admin.SendRequest{Topic: m.Topic, Body: m.Body, QueueID: -1,
				ProducerGroup: "ReSendMsgById", Properties: &props})
			if err != nil {
				c.fail(err)
				continue
			}
			results = append(results, sendResultJSON(sr))
			if !c.out.json {
				c.out.printf("%s", sendResultString(sr))
			}
		}
		if c.out.json {
			return c.out.emitJSON(results)
		}
		return nil
	}
	var msgs []any
	for _, id := range ids {
		m, err := c.admin().ViewMessage(c.ctx, id)
		if err != nil {
			return err
		}
		j, err := printMessageDetail(c, m, true, m.MsgID())
		if err != nil {
			return err
		}
		msgs = append(msgs, j)
	}
	if c.out.json {
		return c.out.emitJSON(msgs)
	}
	return nil
}

// consumeDirectly asks the broker storing the message to hand it to one
// client (Java consumeMessageDirectly). A topic allows a unique key as id.
func consumeDirectly(c *cmdCtx, group, clientID, id, topic string) (*body.ConsumeMessageDirectlyResult, error) {
	var m *admin.Message
	var err error
	// Java's viewMessage(topic, id) first reads the id as an offset id
	// (any 32 hex digits parse) and falls back to the unique-key query
	// when that fails; an id whose "port" is out of range cannot be one.
	host, _, derr := message.DecodeOffsetMsgID(id)
	_, portOK := host.AddrPort()
	if topic == "" || (derr == nil && portOK) {
		m, err = c.admin().ViewMessage(c.ctx, id)
	}
	if topic != "" && (m == nil || err != nil) {
		var qr *admin.QueryResult
		qr, err = c.admin().QueryMessage(c.ctx, topic, id, 32, 0, maxInt64, true)
		if err == nil {
			m = qr.Messages[0]
		}
	}
	if err != nil {
		return nil, err
	}
	return c.admin().ConsumeMessageDirectly(c.ctx, hostText(m.StoreHost), group, clientID, m.OffsetMsgID)
}

const maxInt64 = int64(^uint64(0) >> 1)

func consumeResultString(r *body.ConsumeMessageDirectlyResult) string {
	return fmt.Sprintf("ConsumeMessageDirectlyResult [order=%t, autoCommit=%t, consumeResult=%s, remark=%s, spentTimeMills=%d]",
		r.Order, r.AutoCommit, nullable(r.ConsumeResult), nullable(r.Remark), r.SpentTimeMills)
}

func consumeResultJSON(id string, r *body.ConsumeMessageDirectlyResult) any {
	return struct {
		MsgID          string `json:"msgId"`
		Order          bool   `json:"order"`
		AutoCommit     bool   `json:"autoCommit"`
		ConsumeResult  string `json:"consumeResult"`
		Remark         string `json:"remark"`
		SpentTimeMills int64  `json:"spentTimeMills"`
	}{id, r.Order, r.AutoCommit, r.ConsumeResult, r.Remark, r.SpentTimeMills}
}

func sendResultString(r *admin.SendResult) string {
	return fmt.Sprintf("SendResult [sendStatus=%s, msgId=%s, offsetMsgId=%s, messageQueue=%s, queueOffset=%d]",
		r.Status, r.MsgID, r.OffsetMsgID, messageQueueString(r.Queue), r.QueueOffset)
}

func sendResultJSON(r *admin.SendResult) any {
	return struct {
		SendStatus  string    `json:"sendStatus"`
		MsgID       string    `json:"msgId"`
		OffsetMsgID string    `json:"offsetMsgId"`
		Queue       queueJSON `json:"messageQueue"`
		QueueOffset int64     `json:"queueOffset"`
	}{string(r.Status), r.MsgID, r.OffsetMsgID, toQueueJSON(r.Queue), r.QueueOffset}
}

// printMessageDetail prints a message as QueryMsgByIdSubCommand.printMsg
// (withOffsetID) or QueryMsgByUniqueKeySubCommand.showMessage does, its
// body saved to a file, followed by the message's track among the
// consumer groups. In JSON mode it returns the JSON value instead.
func printMessageDetail(c *cmdCtx, m *admin.Message, withOffsetID bool, bodyName string) (any, error) {
	path, err := c.writeBody(bodyName, m.Body)
	if err != nil {
		return nil, err
	}
	tracks, trackErr := c.admin().MessageTrackDetail(c.ctx, m)
	if c.out.json {
		j := toMessageJSON(m)
		j.BodyPath = path
		res := struct {
			messageJSON
			Tracks     []admin.MessageTrack `json:"tracks"`
			TrackError string               `json:"trackError,omitempty"`
		}{messageJSON: j, Tracks: tracks}
		if res.Tracks == nil {
			res.Tracks = []admin.MessageTrack{}
		}
		if trackErr != nil {
			res.TrackError = trackErr.Error()
		}
		return res, nil
	}
	renderMessageDetail(c.out, c.env.stderr, c.env.loc, m, withOffsetID, path, tracks, trackErr)
	return nil, nil
}

// renderMessageDetail writes the text of printMessageDetail.
func renderMessageDetail(o *output, stderr io.Writer, loc *time.Location, m *admin.Message, withOffsetID bool, path string,
	tracks []admin.MessageTrack, trackErr error) {
	const sf, df = "%-20s %s\n", "%-20s %d\n"
	tags, ok := m.Property(message.PropertyTags)
	if !ok {
		tags = "null"
	}
	keys, ok := m.Property(message.PropertyKeys)
	if !ok {
		keys = "null"
	}
	if withOffsetID {
		o.printf(sf, "OffsetID:", m.OffsetMsgID)
	}
	o.printf(sf, "Topic:", m.Topic)
	o.printf(sf, "Tags:", "["+tags+"]")
	o.printf(sf, "Keys:", "["+keys+"]")
	o.printf(df, "Queue ID:", m.QueueID)
	o.printf(df, "Queue Offset:", m.QueueOffset)
	o.printf(df, "CommitLog Offset:", m.CommitLogOffset)
	o.printf(df, "Reconsume Times:", m.ReconsumeTimes)
	o.printf(sf, "Born Timestamp:", humanMillis(m.BornTimestamp, loc))
	o.printf(sf, "Store Timestamp:", humanMillis(m.StoreTimestamp, loc))
	o.printf(sf, "Born Host:", hostText(m.BornHost))
	o.printf(sf, "Store Host:", hostText(m.StoreHost))
	o.printf(df, "System Flag:", m.SysFlag)
	o.printf(sf, "Properties:", javaMapString(m.PropertyList()))
	o.printf(sf, "Message Body Path:", path)
	if trackErr != nil {
		// Java prints the stack trace of a failed track lookup.
		fmt.Fprintf(stderr, "message track of %s: %v\n", m.MsgID(), trackErr)
		return
	}
	if len(tracks) == 0 {
		o.printf("\n\nWARN: No Consumer")
		return
	}
	o.printf("\n\n")
	for _, t := range tracks {
		o.printf("%s", messageTrackString(t))
	}
}

// messageTrackString is MessageTrack.toString.
func messageTrackString(t admin.MessageTrack) string {
	return "MessageTrack [consumerGroup=" + t.ConsumerGroup + ", trackType=" + t.TrackType + ", exceptionDesc=" + nullable(t.ExceptionDesc) + "]"
}

// queryMsgByKeyCmd is Java's QueryMsgByKeySubCommand.
func queryMsgByKeyCmd() *command {
	return &command{
		name: "queryMsgByKey",
		desc: "Query Message by Key",
		opts: []option{
			{short: "t", long: "topic", hasArg: true, required: true, desc: "topic name"},
			{short: "k", long: "msgKey", hasArg: true, required: true, desc: "Message Key"},
		},
		run: runQueryMsgByKey,
	}
}

func runQueryMsgByKey(c *cmdCtx) error {
	qr, err := c.admin().QueryMessage(c.ctx, c.opts.value("t"), c.opts.value("k"), 64, 0, maxInt64, false)
	if err != nil {
		return err
	}
	if c.out.json {
		rows := make([]messageJSON, 0, len(qr.Messages))
		for _, m := range qr.Messages {
			rows = append(rows, toMessageJSON(m))
		}
		return c.out.emitJSON(rows)
	}
	c.out.printf("%-50s %4s %40s\n", "#Message ID", "#QID", "#Offset")
	for _, m := range qr.Messages {
		c.out.printf("%-50s %4d %40d\n", m.MsgID(), m.QueueID, m.QueueOffset)
	}
	return nil
}

// queryMsgByUniqueKeyCmd is Java's QueryMsgByUniqueKeySubCommand.
func queryMsgByUniqueKeyCmd() *command {
	return &command{
		name: "queryMsgByUniqueKey",
		desc: "Query Message by Unique key",
		opts: []option{
			{short: "i", long: "msgId", hasArg: true, required: true, desc: "Message Id"},
			{short: "g", long: "consumerGroup", hasArg: true, desc: "consumer group name"},
			{short: "d", long: "clientId", hasArg: true, desc: "The consumer's client id"},
			{short: "t", long: "topic", hasArg: true, required: true, desc: "The topic of msg"},
			{short: "a", long: "showAll", desc: "Print all message, the limit is 32"},
		},
		run: runQueryMsgByUniqueKey,
	}
}

func runQueryMsgByUniqueKey(c *cmdCtx) error {
	id, topic := c.opts.value("i"), c.opts.value("t")
	if c.opts.has("g") && c.opts.has("d") {
		r, err := consumeDirectly(c, c.opts.value("g"), c.opts.value("d"), id, topic)
		if err != nil {
			return err
		}
		if c.out.json {
			return c.out.emitJSON(consumeResultJSON(id, r))
		}
		c.out.printf("%s", consumeResultString(r))
		return nil
	}
	qr, err := c.admin().QueryMessage(c.ctx, topic, id, 32, 0, maxInt64, true)
	if err != nil {
		return err
	}
	msgs := append([]*admin.Message(nil), qr.Messages...)
	sort.SliceStable(msgs, func(i, j int) bool { return msgs[i].StoreTimestamp < msgs[j].StoreTimestamp })
	n := 1
	if c.opts.has("a") {
		n = len(msgs)
	}
	var out []any
	for i := 0; i < n && i < len(msgs); i++ {
		name := msgs[i].MsgID()
		if i > 0 {
			name += "_" + strconv.Itoa(i)
		}
		j, err := printMessageDetail(c, msgs[i], false, name)
		if err != nil {
			return err
		}
		out = append(out, j)
	}
	if c.out.json {
		return c.out.emitJSON(out)
	}
	return nil
}

// routeQueueAddr finds the master address of a broker name in a topic's
// route, as the pull consumer does.
func routeQueueAddr(c *cmdCtx, topic, brokerName string) (string, error) {
	route, err := c.admin().TopicRoute(c.ctx, topic)
	if err != nil {
		return "", err
	}
	for i := range route.BrokerDatas {
		if route.BrokerDatas[i].BrokerName == brokerName {
			if addr := admin.SelectBrokerAddr(&route.BrokerDatas[i]); addr != "" {
				return addr, nil
			}
		}
	}
	return "", fmt.Errorf("the broker[%s] not exist in the route of topic %s", brokerName, topic)
}

// queryMsgByOffsetCmd is Java's QueryMsgByOffsetSubCommand.
func queryMsgByOffsetCmd() *command {
	return &command{
		name: "queryMsgByOffset",
		desc: "Query Message by offset",
		opts: []option{
			{short: "t", long: "topic", hasArg: true, required: true, desc: "topic name"},
			{short: "b", long: "brokerName", hasArg: true, required: true, desc: "Broker Name"},
			{short: "i", long: "queueId", hasArg: true, required: true, desc: "Queue Id"},
			{short: "o", long: "offset", hasArg: true, required: true, desc: "Queue Offset"},
		},
		run: runQueryMsgByOffset,
	}
}

func runQueryMsgByOffset(c *cmdCtx) error {
	qid, err := intOpt(c, "i", 32)
	if err != nil {
		return err
	}
	offset, err := intOpt(c, "o", 64)
	if err != nil {
		return err
	}
	mq := body.MessageQueue{Topic: c.opts.value("t"), BrokerName: c.opts.value("b"), QueueID: int32(qid)}
	addr, err := routeQueueAddr(c, mq.Topic, mq.BrokerName)
	if err != nil {
		return err
	}
	pr, err := c.admin().Pull(c.ctx, addr, admin.ToolsConsumerGroup, mq, "*", offset, 1)
	if err != nil {
		return err
	}
	if pr.Status != admin.PullFound || len(pr.Messages) == 0 {
		// Java prints nothing; say why on stderr and fail.
		return fmt.Errorf("no message at %s offset %d: pull status %s (queue range %d..%d)", mq, offset, pr.Status, pr.MinOffset, pr.MaxOffset)
	}
	j, err := printMessageDetail(c, pr.Messages[0], true, pr.Messages[0].MsgID())
	if err != nil {
		return err
	}
	if c.out.json {
		return c.out.emitJSON(j)
	}
	return nil
}

// pullLoop reads a queue from begin as Java's print commands do, calling
// onFound for every batch; it stops at the end of the queue, at end
// (exclusive) or after a failed pull. It returns the pull failures.
func pullLoop(c *cmdCtx, addr, group string, mq body.MessageQueue, sub string, begin, end int64, inclusive bool,
	maxNums func(offset int64) int, onFound func(pr *admin.PullResult), onOther func(pr *admin.PullResult, offset int64) bool) error {
	for offset := begin; offset < end || (inclusive && offset == end); {
		pr, err := c.admin().Pull(c.ctx, addr, group, mq, sub, offset, maxNums(offset))
		if err != nil {
			return err
		}
		offset = pr.NextBeginOffset
		if pr.Status == admin.PullFound {
			onFound(pr)
			continue
		}
		if !onOther(pr, offset) {
			return nil
		}
	}
	return nil
}

// printMsgCmd is Java's PrintMessageSubCommand.
func printMsgCmd() *command {
	return &command{
		name: "printMsg",
		desc: "Print Message Detail",
		opts: []option{
			{short: "t", long: "topic", hasArg: true, required: true, desc: "topic name"},
			{short: "c", long: "charsetName", hasArg: true, desc: "CharsetName(eg: UTF-8,GBK)"},
			{short: "s", long: "subExpression", hasArg: true, desc: "Subscribe Expression(eg: TagA || TagB)"},
			{short: "b", long: "beginTimestamp", hasArg: true, desc: "Begin timestamp[currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]"},
			{short: "e", long: "endTimestamp", hasArg: true, desc: "End timestamp[currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]"},
			{short: "d", long: "printBody", hasArg: true, desc: "print body"},
		},
		run: runPrintMsg,
	}
}

// checkCharset accepts the charsets whose decoding of a body is the bytes
// as they are: mqadmin writes bodies as UTF-8.
func checkCharset(c *cmdCtx, key string) error {
	if !c.opts.has(key) {
		return nil
	}
	switch strings.ToUpper(strings.ReplaceAll(c.opts.value(key), "-", "")) {
	case "UTF8":
		return nil
	}
	return &usageError{fmt.Sprintf("charset %q is not supported; bodies are printed as UTF-8", c.opts.value(key))}
}

// pullEnd is the pull loop's answer to a status other than FOUND, shared
// by printMsg and consumeMessage: NO_MATCHED_MSG moves on, anything else
// ends the queue with Java's "print msg finished" line.
func pullEnd(c *cmdCtx, mq body.MessageQueue, qj *queueMessagesJSON) func(pr *admin.PullResult, offset int64) bool {
	return func(pr *admin.PullResult, offset int64) bool {
		if pr.Status == admin.PullNoMatchedMsg {
			if !c.out.json {
				c.out.printf("%s no matched msg. status=%s, offset=%d\n", messageQueueString(mq), pr.Status, offset)
			}
			return true
		}
		qj.EndStatus = string(pr.Status)
		if !c.out.json {
			c.out.printf("%s print msg finished. status=%s, offset=%d\n", messageQueueString(mq), pr.Status, offset)
		}
		return false
	}
}

// queueFailed records a queue's pull error: the command fails, the JSON
// names the error, and the text output reports it on stderr.
func queueFailed(c *cmdCtx, mq body.MessageQueue, qj *queueMessagesJSON, err error) {
	c.fail(err)
	qj.Error = err.Error()
	if !c.out.json {
		fmt.Fprintf(c.env.stderr, "%s: %v\n", messageQueueString(mq), err)
	}
}

type queueMessagesJSON struct {
	Queue     queueJSON     `json:"messageQueue"`
	MinOffset int64         `json:"minOffset"`
	MaxOffset int64         `json:"maxOffset"`
	Messages  []messageJSON `json:"messages"`
	EndStatus string        `json:"endStatus,omitempty"`
	Error     string        `json:"error,omitempty"`
}

func runPrintMsg(c *cmdCtx) error {
	if err := checkCharset(c, "c"); err != nil {
		return err
	}
	topic := c.opts.value("t")
	sub := "*"
	if c.opts.has("s") {
		sub = c.opts.value("s")
	}
	printBody := !c.opts.has("d") || boolOpt(c, "d")
	var begin, end int64
	var err error
	if c.opts.has("b") {
		if begin, err = parseTimestamp(c.opts.value("b"), c.env.loc); err != nil {
			return err
		}
	}
	if c.opts.has("e") {
		if end, err = parseTimestamp(c.opts.value("e"), c.env.loc); err != nil {
			return err
		}
	}
	route, err := c.admin().TopicRoute(c.ctx, topic)
	if err != nil {
		return err
	}
	var out []queueMessagesJSON
	for _, qa := range admin.SubscribeQueues(topic, route) {
		mq := qa.Queue
		minOff, maxOff, err := queueRange(c, qa.Addr, mq, c.opts.has("b"), begin, c.opts.has("e"), end)
		if err != nil {
			return err
		}
		qj := queueMessagesJSON{Queue: toQueueJSON(mq), MinOffset: minOff, MaxOffset: maxOff, Messages: []messageJSON{}}
		if !c.out.json {
			c.out.printf("minOffset=%d, maxOffset=%d, %s\n", minOff, maxOff, messageQueueString(mq))
		}
		err = pullLoop(c, qa.Addr, admin.ToolsConsumerGroup, mq, sub, minOff, maxOff, false,
			func(int64) int { return 32 },
			func(pr *admin.PullResult) {
				for _, m := range pr.Messages {
					qj.Messages = append(qj.Messages, toMessageJSON(m))
					if !c.out.json {
						b := "NOT PRINT BODY"
						if printBody {
							b = string(m.Body)
						}
						c.out.printf("MSGID: %s %s BODY: %s\n", m.MsgID(), messageExtString(m), b)
					}
				}
			},
			pullEnd(c, mq, &qj))
		if err != nil {
			// Java prints the stack trace and moves on to the next queue.
			queueFailed(c, mq, &qj, err)
		}
		out = append(out, qj)
		if !c.out.json {
			c.out.printf("--------------------------------------------------------\n")
		}
	}
	if c.out.json {
		return c.out.emitJSON(out)
	}
	return nil
}

// queueRange returns a queue's min and max offsets, replaced by the
// offsets of the begin and end times when given (SEARCH_OFFSET_BY_TIMESTAMP).
func queueRange(c *cmdCtx, addr string, mq body.MessageQueue, hasBegin bool, begin int64, hasEnd bool, end int64) (int64, int64, error) {
	adm := c.admin()
	minOff, err := adm.MinOffset(c.ctx, addr, mq.Topic, mq.QueueID)
	if err != nil {
		return 0, 0, err
	}
	maxOff, err := adm.MaxOffset(c.ctx, addr, mq.Topic, mq.QueueID)
	if err != nil {
		return 0, 0, err
	}
	if hasBegin {
		if minOff, err = adm.SearchOffset(c.ctx, addr, mq.Topic, mq.QueueID, begin); err != nil {
			return 0, 0, err
		}
	}
	if hasEnd {
		if maxOff, err = adm.SearchOffset(c.ctx, addr, mq.Topic, mq.QueueID, end); err != nil {
			return 0, 0, err
		}
	}
	return minOff, maxOff, nil
}

// sendMessageCmd is Java's SendMessageCommand.
func sendMessageCmd() *command {
	return &command{
		name: "sendMessage",
		desc: "Send a message",
		opts: []option{
			{short: "t", long: "topic", hasArg: true, required: true, desc: "Topic name"},
			{short: "p", long: "body", hasArg: true, required: true, desc: "UTF-8 string format of the message body"},
			{short: "k", long: "key", hasArg: true, desc: "Message keys"},
			{short: "c", long: "tags", hasArg: true, desc: "Message tags"},
			{short: "b", long: "broker", hasArg: true, desc: "Send message to target broker"},
			{short: "i", long: "qid", hasArg: true, desc: "Send message to target queue"},
			{short: "m", long: "msgTraceEnable", hasArg: true, desc: "Message Trace Enable, Default: false"},
		},
		run: runSendMessage,
	}
}

func runSendMessage(c *cmdCtx) error {
	sr := admin.SendRequest{Topic: c.opts.value("t"), Body: []byte(c.opts.value("p")), QueueID: -1}
	if c.opts.has("k") {
		sr.Keys = c.opts.value("k")
	}
	if c.opts.has("c") {
		sr.Tags = c.opts.value("c")
	}
	if c.opts.has("b") {
		sr.BrokerName = c.opts.value("b")
	}
	if c.opts.has("i") {
		if !c.opts.has("b") {
			c.out.printf("Broker name must be set if the queue is chosen!")
			return &usageError{"-i needs -b"}
		}
		qid, err := intOpt(c, "i", 32)
		if err != nil {
			return err
		}
		sr.QueueID = int32(qid)
	}
	if c.opts.has("m") && boolOpt(c, "m") {
		return &usageError{"message trace (-m true) is not supported by this mqadmin"}
	}
	res, err := c.admin().Send(c.ctx, sr)
	if err != nil {
		return err
	}
	if c.out.json {
		return c.out.emitJSON(sendResultJSON(res))
	}
	const format = "%-32s  %-4s  %-20s    %s\n"
	c.out.printf(format, "#Broker Name", "#QID", "#Send Result", "#MsgId")
	c.out.printf(format, res.Queue.BrokerName, itoa(res.Queue.QueueID), res.Status, res.MsgID)
	return nil
}

// consumeMessageCmd is Java's ConsumeMessageCommand.
func consumeMessageCmd() *command {
	return &command{
		name: "consumeMessage",
		desc: "Consume message",
		opts: []option{
			{short: "t", long: "topic", hasArg: true, required: true, desc: "Topic name"},
			{short: "b", long: "brokerName", hasArg: true, desc: "Broker name"},
			{short: "i", long: "queueId", hasArg: true, desc: "Queue Id"},
			{short: "o", long: "offset", hasArg: true, desc: "Queue offset"},
			{short: "g", long: "consumerGroup", hasArg: true, desc: "Consumer group name"},
			{short: "s", long: "beginTimestamp", hasArg: true, desc: "Begin timestamp[currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]"},
			{short: "e", long: "endTimestamp", hasArg: true, desc: "End timestamp[currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]"},
			{short: "c", long: "MessageNumber", hasArg: true, desc: "Number of message to be consumed"},
		},
		run: runConsumeMessage,
	}
}

// consumeRefusal is one of consumeMessage's argument checks: Java prints
// the text (without a newline) and stops.
func consumeRefusal(c *cmdCtx, text string) error {
	if !c.out.json {
		c.out.printf("%s", text)
	}
	return &usageError{text}
}

type consumeState struct {
	c       *cmdCtx
	group   string
	results []queueMessagesJSON
}

func runConsumeMessage(c *cmdCtx) error {
	st := &consumeState{c: c, group: admin.ToolsConsumerGroup}
	if c.opts.has("g") {
		st.group = c.opts.value("g")
	}
	topic := c.opts.value("t")
	count := int64(128)
	if c.opts.has("c") {
		n, err := intOpt(c, "c", 64)
		if err != nil {
			return err
		}
		if n <= 0 {
			return consumeRefusal(c, "Please input a positive messageNumber!")
		}
		count = n
	}
	byQueue := false
	var qid, offset int64
	if c.opts.has("i") {
		if !c.opts.has("b") {
			return consumeRefusal(c, "Please set the brokerName before queueId!")
		}
		var err error
		if qid, err = intOpt(c, "i", 32); err != nil {
			return err
		}
		byQueue = true
	}
	if c.opts.has("o") {
		if !byQueue {
			return consumeRefusal(c, "Please set queueId before offset!")
		}
		var err error
		if offset, err = intOpt(c, "o", 64); err != nil {
			return err
		}
	}
	now := c.env.now().UnixMilli()
	var begin, end int64
	if c.opts.has("s") {
		var err error
		if begin, err = parseTimestamp(c.opts.value("s"), c.env.loc); err != nil {
			return err
		}
		if begin > now {
			return consumeRefusal(c, "Please set the beginTimestamp before now!")
		}
	}
	if c.opts.has("e") {
		var err error
		if end, err = parseTimestamp(c.opts.value("e"), c.env.loc); err != nil {
			return err
		}
		if end > now {
			return consumeRefusal(c, "Please set the endTimestamp before now!")
		}
		if begin > end {
			return consumeRefusal(c, "Please make sure that the beginTimestamp is less than or equal to the endTimestamp")
		}
	}
	var err error
	if byQueue {
		err = st.byCondition(topic, c.opts.value("b"), int32(qid), offset, begin, end, count)
	} else {
		err = st.byTopic(topic, begin, end, count)
	}
	if err != nil {
		return err
	}
	if c.out.json {
		return c.out.emitJSON(st.results)
	}
	return nil
}

// byTopic is executeDefault: queue after queue until count messages, the
// count bookkeeping exactly as Java's.
func (st *consumeState) byTopic(topic string, begin, end, count int64) error {
	c := st.c
	route, err := c.admin().TopicRoute(c.ctx, topic)
	if err != nil {
		return err
	}
	left := count
	for _, qa := range admin.SubscribeQueues(topic, route) {
		if left == 0 {
			return nil
		}
		minOff, maxOff, err := queueRange(c, qa.Addr, qa.Queue, begin > 0, begin, end > 0, end)
		if err != nil {
			return err
		}
		if maxOff-minOff > left {
			if !c.out.json {
				c.out.printf("The older %d message of the %d queue will be provided\n", left, qa.Queue.QueueID)
			}
			maxOff = minOff + left - 1
			left = 0
		} else {
			left = left - (maxOff - minOff) - 1
		}
		st.pullQueue(qa.Addr, qa.Queue, minOff, maxOff)
	}
	return nil
}

// byCondition is executeByCondition: one queue from offset.
func (st *consumeState) byCondition(topic, brokerName string, qid int32, offset, begin, end, count int64) error {
	c := st.c
	mq := body.MessageQueue{Topic: topic, BrokerName: brokerName, QueueID: qid}
	addr, err := routeQueueAddr(c, topic, brokerName)
	if err != nil {
		return err
	}
	minOff, maxOff, err := queueRange(c, addr, mq, begin > 0, begin, end > 0, end)
	if err != nil {
		return err
	}
	if offset > maxOff {
		if !c.out.json {
			c.out.printf("%s no matched msg, offset=%d\n", messageQueueString(mq), offset)
		}
		return nil
	}
	minOff = max(minOff, offset)
	if maxOff-minOff > count {
		if !c.out.json {
			c.out.printf("The oldler %d message will be provided\n", count)
		}
		maxOff = minOff + count - 1
	}
	st.pullQueue(addr, mq, minOff, maxOff)
	return nil
}

// pullQueue is pullMessageByQueue: offsets minOff..maxOff inclusive.
func (st *consumeState) pullQueue(addr string, mq body.MessageQueue, minOff, maxOff int64) {
	c := st.c
	qj := queueMessagesJSON{Queue: toQueueJSON(mq), MinOffset: minOff, MaxOffset: maxOff, Messages: []messageJSON{}}
	err := pullLoop(c, addr, st.group, mq, "*", minOff, maxOff, true,
		func(offset int64) int { return int(min(maxOff-offset+1, 1<<20)) },
		func(pr *admin.PullResult) {
			if !c.out.json {
				c.out.printf("Consume ok\n")
			}
			for _, m := range pr.Messages {
				qj.Messages = append(qj.Messages, toMessageJSON(m))
				if !c.out.json {
					c.out.printf("MSGID: %s %s BODY: %s\n", m.MsgID(), messageExtString(m), string(m.Body))
				}
			}
		},
		pullEnd(c, mq, &qj))
	if err != nil {
		// Java prints the stack trace and stops this queue.
		queueFailed(c, mq, &qj, err)
	}
	st.results = append(st.results, qj)
}
