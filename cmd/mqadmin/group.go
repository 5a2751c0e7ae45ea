package main

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/rocketgo/rocketgo/cmd/mqadmin/internal/admin"
	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
)

// updateSubGroupCmd is Java's UpdateSubGroupSubCommand.
func updateSubGroupCmd() *command {
	return &command{
		name: "updateSubGroup",
		desc: "Update or create subscription group",
		opts: []option{
			{short: "b", long: "brokerAddr", hasArg: true, desc: "create subscription group to which broker"},
			{short: "c", long: "clusterName", hasArg: true, desc: "create subscription group to which cluster"},
			{short: "g", long: "groupName", hasArg: true, required: true, desc: "consumer group name"},
			{short: "s", long: "consumeEnable", hasArg: true, desc: "consume enable"},
			{short: "m", long: "consumeFromMinEnable", hasArg: true, desc: "from min offset"},
			{short: "d", long: "consumeBroadcastEnable", hasArg: true, desc: "broadcast"},
			{short: "q", long: "retryQueueNums", hasArg: true, desc: "retry queue nums"},
			{short: "r", long: "retryMaxTimes", hasArg: true, desc: "retry max times"},
			{short: "i", long: "brokerId", hasArg: true, desc: "consumer from which broker id"},
			{short: "w", long: "whichBrokerWhenConsumeSlowly", hasArg: true, desc: "which broker id when consume slowly"},
			{short: "a", long: "notifyConsumerIdsChanged", hasArg: true, desc: "notify consumerId changed"},
		},
		run: runUpdateSubGroup,
	}
}

// subscriptionGroupString is SubscriptionGroupConfig.toString.
func subscriptionGroupString(sg *body.SubscriptionGroupConfig) string {
	return fmt.Sprintf("SubscriptionGroupConfig [groupName=%s, consumeEnable=%t, consumeFromMinEnable=%t, consumeBroadcastEnable=%t, "+
		"retryQueueNums=%d, retryMaxTimes=%d, brokerId=%d, whichBrokerWhenConsumeSlowly=%d, notifyConsumerIdsChangedEnable=%t]",
		sg.GroupName, sg.ConsumeEnable, sg.ConsumeFromMinEnable, sg.ConsumeBroadcastEnable, sg.RetryQueueNums, sg.RetryMaxTimes,
		sg.BrokerID, sg.WhichBrokerWhenConsumeSlowly, sg.NotifyConsumerIdsChangedEnable)
}

type subGroupJSON struct {
	GroupName                      string `json:"groupName"`
	ConsumeEnable                  bool   `json:"consumeEnable"`
	ConsumeFromMinEnable           bool   `json:"consumeFromMinEnable"`
	ConsumeBroadcastEnable         bool   `json:"consumeBroadcastEnable"`
	RetryQueueNums                 int32  `json:"retryQueueNums"`
	RetryMaxTimes                  int32  `json:"retryMaxTimes"`
	BrokerID                       int64  `json:"brokerId"`
	WhichBrokerWhenConsumeSlowly   int64  `json:"whichBrokerWhenConsumeSlowly"`
	NotifyConsumerIdsChangedEnable bool   `json:"notifyConsumerIdsChangedEnable"`
}

type brokerResultJSON struct {
	BrokerAddr string `json:"brokerAddr"`
	Error      string `json:"error,omitempty"`
}

func runUpdateSubGroup(c *cmdCtx) error {
	sg := body.NewSubscriptionGroupConfig(c.opts.value("g"))
	sg.ConsumeBroadcastEnable = false
	sg.ConsumeFromMinEnable = false
	for _, b := range []struct {
		key string
		dst *bool
	}{{"s", &sg.ConsumeEnable}, {"m", &sg.ConsumeFromMinEnable}, {"d", &sg.ConsumeBroadcastEnable}, {"a", &sg.NotifyConsumerIdsChangedEnable}} {
		if c.opts.has(b.key) {
			*b.dst = boolOpt(c, b.key)
		}
	}
	for _, n := range []struct {
		key  string
		bits int
		set  func(int64)
	}{
		{"q", 32, func(v int64) { sg.RetryQueueNums = int32(v) }},
		{"r", 32, func(v int64) { sg.RetryMaxTimes = int32(v) }},
		{"i", 64, func(v int64) { sg.BrokerID = v }},
		{"w", 64, func(v int64) { sg.WhichBrokerWhenConsumeSlowly = v }},
	} {
		if c.opts.has(n.key) {
			v, err := intOpt(c, n.key, n.bits)
			if err != nil {
				return err
			}
			n.set(v)
		}
	}
	res := struct {
		Brokers []brokerResultJSON `json:"brokers"`
		Group   subGroupJSON       `json:"subscriptionGroupConfig"`
	}{Group: subGroupJSON{sg.GroupName, sg.ConsumeEnable, sg.ConsumeFromMinEnable, sg.ConsumeBroadcastEnable, sg.RetryQueueNums,
		sg.RetryMaxTimes, sg.BrokerID, sg.WhichBrokerWhenConsumeSlowly, sg.NotifyConsumerIdsChangedEnable}}
	var addrs []string
	switch {
	case c.opts.has("b"):
		addrs = []string{c.opts.value("b")}
	case c.opts.has("c"):
		ci, err := c.admin().ClusterInfo(c.ctx)
		if err != nil {
			return err
		}
		if addrs, err = admin.MasterAddrs(ci, c.opts.value("c")); err != nil {
			return err
		}
	default:
		return &usageError{"updateSubGroup needs -b brokerAddr or -c clusterName"}
	}
	for _, addr := range addrs {
		if err := c.admin().CreateSubscriptionGroup(c.ctx, addr, sg); err != nil {
			if c.opts.has("b") {
				return err
			}
			// Java prints the error and goes on with the next master.
			c.fail(err)
			res.Brokers = append(res.Brokers, brokerResultJSON{addr, err.Error()})
			continue
		}
		res.Brokers = append(res.Brokers, brokerResultJSON{BrokerAddr: addr})
		if !c.out.json {
			c.out.printf("create subscription group to %s success.\n", addr)
		}
	}
	if c.out.json {
		return c.out.emitJSON(res)
	}
	c.out.printf("%s", subscriptionGroupString(&sg))
	return nil
}

// deleteSubGroupCmd is Java's DeleteSubscriptionGroupCommand.
func deleteSubGroupCmd() *command {
	return &command{
		name: "deleteSubGroup",
		desc: "Delete subscription group from broker.",
		opts: []option{
			{short: "b", long: "brokerAddr", hasArg: true, desc: "delete subscription group from which broker"},
			{short: "c", long: "clusterName", hasArg: true, desc: "delete subscription group from which cluster"},
			{short: "g", long: "groupName", hasArg: true, required: true, desc: "subscription group name"},
			{short: "r", long: "removeOffset", hasArg: true, desc: "remove offset"},
		},
		run: runDeleteSubGroup,
	}
}

func runDeleteSubGroup(c *cmdCtx) error {
	group := c.opts.value("g")
	removeOffset := c.opts.has("r") && boolOpt(c, "r")
	res := struct {
		Group         string             `json:"groupName"`
		Brokers       []string           `json:"brokers"`
		DeletedTopics []*deleteTopicJSON `json:"deletedTopics,omitempty"`
	}{Group: group}
	switch {
	case c.opts.has("b"):
		addr := c.opts.value("b")
		if err := c.admin().DeleteSubscriptionGroup(c.ctx, addr, group, removeOffset); err != nil {
			return err
		}
		res.Brokers = append(res.Brokers, addr)
		if !c.out.json {
			c.out.printf("delete subscription group [%s] from broker [%s] success.\n", group, addr)
		}
	case c.opts.has("c"):
		cluster := c.opts.value("c")
		ci, err := c.admin().ClusterInfo(c.ctx)
		if err != nil {
			return err
		}
		masters, err := admin.MasterAddrs(ci, cluster)
		if err != nil {
			return err
		}
		for _, addr := range masters {
			if err := c.admin().DeleteSubscriptionGroup(c.ctx, addr, group, removeOffset); err != nil {
				return err
			}
			res.Brokers = append(res.Brokers, addr)
			if !c.out.json {
				c.out.printf("delete subscription group [%s] from broker [%s] in cluster [%s] success.\n", group, addr, cluster)
			}
		}
		// The group's retry and dead-letter topics go too; Java prints a
		// failure here and still succeeds.
		for _, topic := range []string{admin.RetryGroupTopicPrefix + group, admin.DLQGroupTopicPrefix + group} {
			d, err := deleteTopic(c, cluster, topic)
			if err != nil {
				c.fail(err)
				if !c.out.json {
					fmt.Fprintf(c.env.stderr, "delete topic %s: %v\n", topic, err)
				}
				break
			}
			res.DeletedTopics = append(res.DeletedTopics, d)
		}
	default:
		return &usageError{"deleteSubGroup needs -b brokerAddr or -c clusterName"}
	}
	if c.out.json {
		return c.out.emitJSON(res)
	}
	return nil
}

// consumerProgressCmd is Java's ConsumerProgressSubCommand.
func consumerProgressCmd() *command {
	return &command{
		name: "consumerProgress",
		desc: "Query consumers's progress, speed",
		opts: []option{
			{short: "g", long: "groupName", hasArg: true, desc: "consumer group name"},
			{short: "s", long: "showClientIP", hasArg: true, desc: "Show Client IP per Queue"},
		},
		run: runConsumerProgress,
	}
}

type progressRowJSON struct {
	Topic          string `json:"topic"`
	BrokerName     string `json:"brokerName"`
	QueueID        int32  `json:"queueId"`
	BrokerOffset   int64  `json:"brokerOffset"`
	ConsumerOffset int64  `json:"consumerOffset"`
	ClientIP       string `json:"clientIP,omitempty"`
	Diff           int64  `json:"diff"`
	LastTimestamp  int64  `json:"lastTimestamp"`
}

type groupProgressJSON struct {
	Group      string `json:"group"`
	Count      int    `json:"count"`
	Version    string `json:"version"`
	Type       string `json:"type"`
	Model      string `json:"model"`
	ConsumeTPS int64  `json:"consumeTps"`
	DiffTotal  int64  `json:"diffTotal"`
}

func runConsumerProgress(c *cmdCtx) error {
	showClientIP := c.opts.has("s") && strings.EqualFold(c.opts.value("s"), "true")
	if c.opts.has("g") {
		return printGroupProgress(c, c.opts.value("g"), showClientIP)
	}
	topics, err := c.admin().TopicList(c.ctx)
	if err != nil {
		return err
	}
	if !c.out.json {
		c.out.printf("%-64s  %-6s  %-24s %-5s  %-14s  %-7s  %s\n", "#Group", "#Count", "#Version", "#Type", "#Model", "#TPS", "#Diff Total")
	}
	var rows []groupProgressJSON
	for _, topic := range topics {
		group, ok := strings.CutPrefix(topic, admin.RetryGroupTopicPrefix)
		if !ok {
			continue
		}
		g := groupProgressJSON{Group: group}
		// Java logs either failure and prints what it has.
		if cs, err := c.admin().ExamineConsumeStats(c.ctx, group, ""); err == nil {
			g.ConsumeTPS = int64(cs.ConsumeTps)
			g.DiffTotal = cs.ComputeTotalDiff()
		}
		if cc, _, err := c.admin().ExamineConsumerConnection(c.ctx, group, ""); err == nil {
			g.Count = len(cc.ConnectionSet)
			g.Version = versionDesc(cc.ComputeMinVersion())
			if cc.ConsumeType == "CONSUME_ACTIVELY" {
				g.Type = "PULL"
			} else {
				g.Type = "PUSH"
				g.Model = cc.MessageModel
			}
		}
		if g.Count == 0 {
			g.Version = "OFFLINE"
		}
		rows = append(rows, g)
		if !c.out.json {
			c.out.printf("%-64s  %-6d  %-24s %-5s  %-14s  %-7d  %d\n", frontStringAtLeast(g.Group, 64), g.Count, g.Version, g.Type, g.Model, g.ConsumeTPS, g.DiffTotal)
		}
	}
	if c.out.json {
		return c.out.emitJSON(rows)
	}
	return nil
}

func printGroupProgress(c *cmdCtx, group string, showClientIP bool) error {
	cs, err := c.admin().ExamineConsumeStats(c.ctx, group, "")
	if err != nil {
		return err
	}
	qs := make([]body.MessageQueue, 0, len(cs.OffsetTable))
	for q := range cs.OffsetTable {
		qs = append(qs, q)
	}
	body.SortMessageQueues(qs)
	var alloc map[body.MessageQueue]string
	if showClientIP {
		alloc = queueAllocation(c, group)
	}
	if !c.out.json {
		if showClientIP {
			c.out.printf("%-64s  %-32s  %-4s  %-20s  %-20s  %-20s %-20s  %s\n",
				"#Topic", "#Broker Name", "#QID", "#Broker Offset", "#Consumer Offset", "#Client IP", "#Diff", "#LastTime")
		} else {
			c.out.printf("%-64s  %-32s  %-4s  %-20s  %-20s  %-20s  %s\n",
				"#Topic", "#Broker Name", "#QID", "#Broker Offset", "#Consumer Offset", "#Diff", "#LastTime")
		}
	}
	var diffTotal int64
	rows := make([]progressRowJSON, 0, len(qs))
	for _, q := range qs {
		o := cs.OffsetTable[q]
		diff := o.BrokerOffset - o.ConsumerOffset
		diffTotal += diff
		lastTime := "N/A"
		if o.LastTimestamp != 0 {
			lastTime = formatDate(o.LastTimestamp, c.env.loc)
		}
		r := progressRowJSON{Topic: q.Topic, BrokerName: q.BrokerName, QueueID: q.QueueID, BrokerOffset: o.BrokerOffset,
			ConsumerOffset: o.ConsumerOffset, Diff: diff, LastTimestamp: o.LastTimestamp}
		if showClientIP {
			r.ClientIP = alloc[q]
			if r.ClientIP == "" {
				r.ClientIP = "N/A"
			}
		}
		rows = append(rows, r)
		if c.out.json {
			continue
		}
		if showClientIP {
			c.out.printf("%-64s  %-32s  %-4d  %-20d  %-20d  %-20s %-20d  %s\n", frontStringAtLeast(q.Topic, 64),
				frontStringAtLeast(q.BrokerName, 32), q.QueueID, o.BrokerOffset, o.ConsumerOffset, r.ClientIP, diff, lastTime)
		} else {
			c.out.printf("%-64s  %-32s  %-4d  %-20d  %-20d  %-20d  %s\n", frontStringAtLeast(q.Topic, 64),
				frontStringAtLeast(q.BrokerName, 32), q.QueueID, o.BrokerOffset, o.ConsumerOffset, diff, lastTime)
		}
	}
	if c.out.json {
		return c.out.emitJSON(struct {
			Group      string            `json:"group"`
			Queues     []progressRowJSON `json:"queues"`
			ConsumeTPS float64           `json:"consumeTps"`
			DiffTotal  int64             `json:"diffTotal"`
		}{group, rows, cs.ConsumeTps, diffTotal})
	}
	c.out.printf("\n")
	c.out.printf("Consume TPS: %.2f\n", cs.ConsumeTps)
	c.out.printf("Diff Total: %d\n", diffTotal)
	return nil
}

// queueAllocation asks each online client of the group which queues it
// holds (GET_CONSUMER_RUNNING_INFO relayed by the broker) and maps each
// queue to the client's IP, the part of its id before '@'. Failures leave
// the map partial, as in Java.
func queueAllocation(c *cmdCtx, group string) map[body.MessageQueue]string {
	out := map[body.MessageQueue]string{}
	cc, _, err := c.admin().ExamineConsumerConnection(c.ctx, group, "")
	if err != nil {
		return out
	}
	for _, conn := range cc.ConnectionSet {
		ri, err := c.admin().ExamineConsumerRunningInfo(c.ctx, group, conn.ClientID)
		if err != nil {
			return out
		}
		ip, _, _ := strings.Cut(conn.ClientID, "@")
		for q := range ri.MQTable {
			out[q] = ip
		}
	}
	return out
}

// consumerConnectionCmd is Java's ConsumerConnectionSubCommand.
func consumerConnectionCmd() *command {
	return &command{
		name: "consumerConnection",
		desc: "Query consumer's socket connection, client version and subscription",
		opts: []option{
			{short: "g", long: "consumerGroup", hasArg: true, required: true, desc: "consumer group name"},
			{short: "b", long: "brokerAddr", hasArg: true, desc: "broker address"},
		},
		run: runConsumerConnection,
	}
}

type connectionJSON struct {
	ClientID   string `json:"clientId"`
	ClientAddr string `json:"clientAddr"`
	Language   string `json:"language"`
	Version    int32  `json:"version"`
	VersionDes string `json:"versionDesc"`
}

type subscriptionJSON struct {
	Topic          string `json:"topic"`
	SubExpression  string `json:"subExpression"`
	ExpressionType string `json:"expressionType,omitempty"`
}

func toConnectionsJSON(cs []body.Connection) []connectionJSON {
	out := make([]connectionJSON, 0, len(cs))
	for _, conn := range cs {
		out = append(out, connectionJSON{conn.ClientID, conn.ClientAddr, conn.Language, conn.Version, versionDesc(conn.Version)})
	}
	return out
}

func runConsumerConnection(c *cmdCtx) error {
	group := c.opts.value("g")
	cc, _, err := c.admin().ExamineConsumerConnection(c.ctx, group, c.opts.value("b"))
	if err != nil {
		return err
	}
	conns := append([]body.Connection(nil), cc.ConnectionSet...)
	body.SortConnections(conns)
	// The table is a ConcurrentHashMap in Java; list it in that order.
	order := body.NewStringMapOrder(0)
	topics := make([]string, 0, len(cc.SubscriptionTable))
	for t := range cc.SubscriptionTable {
		topics = append(topics, t)
	}
	sort.Strings(topics)
	order.AddAll(topics)
	topics = order.Keys()
	if c.out.json {
		subs := make([]subscriptionJSON, 0, len(topics))
		for _, t := range topics {
			sd := cc.SubscriptionTable[t]
			subs = append(subs, subscriptionJSON{sd.Topic, sd.SubString, sd.ExpressionType})
		}
		return c.out.emitJSON(struct {
			Connections      []connectionJSON   `json:"connections"`
			Subscriptions    []subscriptionJSON `json:"subscriptions"`
			ConsumeType      string             `json:"consumeType"`
			MessageModel     string             `json:"messageModel"`
			ConsumeFromWhere string             `json:"consumeFromWhere"`
		}{toConnectionsJSON(conns), subs, cc.ConsumeType, cc.MessageModel, cc.ConsumeFromWhere})
	}
	c.out.printf("%-36s %-22s %-10s %s\n", "#ClientId", "#ClientAddr", "#Language", "#Version")
	for _, conn := range conns {
		c.out.printf("%-36s %-22s %-10s %s\n", conn.ClientID, conn.ClientAddr, conn.Language, versionDesc(conn.Version))
	}
	c.out.printf("\nBelow is subscription:\n")
	c.out.printf("%-20s %s\n", "#Topic", "#SubExpression")
	for _, t := range topics {
		sd := cc.SubscriptionTable[t]
		c.out.printf("%-20s %s\n", sd.Topic, sd.SubString)
	}
	c.out.printf("\n")
	c.out.printf("ConsumeType: %s\n", nullable(cc.ConsumeType))
	c.out.printf("MessageModel: %s\n", nullable(cc.MessageModel))
	c.out.printf("ConsumeFromWhere: %s\n", nullable(cc.ConsumeFromWhere))
	return nil
}

// producerConnectionCmd is Java's ProducerConnectionSubCommand.
func producerConnectionCmd() *command {
	return &command{
		name: "producerConnection",
		desc: "Query producer's socket connection and client version",
		opts: []option{
			{short: "g", long: "producerGroup", hasArg: true, required: true, desc: "producer group name"},
			{short: "t", long: "topic", hasArg: true, required: true, desc: "topic name"},
		},
		run: runProducerConnection,
	}
}

func runProducerConnection(c *cmdCtx) error {
	pc, _, err := c.admin().ExamineProducerConnection(c.ctx, c.opts.value("g"), c.opts.value("t"))
	if err != nil {
		return err
	}
	conns := append([]body.Connection(nil), pc.ConnectionSet...)
	body.SortConnections(conns)
	if c.out.json {
		return c.out.emitJSON(struct {
			Connections []connectionJSON `json:"connections"`
		}{toConnectionsJSON(conns)})
	}
	for i, conn := range conns {
		c.out.printf("%04d  %-32s %-22s %-8s %s\n", i+1, conn.ClientID, conn.ClientAddr, conn.Language, versionDesc(conn.Version))
	}
	return nil
}

// resetOffsetByTimeCmd is Java's ResetOffsetByTimeCommand.
func resetOffsetByTimeCmd() *command {
	return &command{
		name: "resetOffsetByTime",
		desc: "Reset consumer offset by timestamp(without client restart).",
		opts: []option{
			{short: "g", long: "group", hasArg: true, required: true, desc: "set the consumer group"},
			{short: "t", long: "topic", hasArg: true, required: true, desc: "set the topic"},
			{short: "s", long: "timestamp", hasArg: true, required: true, desc: "set the timestamp[now|currentTimeMillis|yyyy-MM-dd#HH:mm:ss:SSS]"},
			{short: "f", long: "force", hasArg: true, desc: "set the force rollback by timestamp switch[true|false]"},
			{short: "c", long: "cplus", desc: "reset c++ client offset"},
		},
		run: runResetOffsetByTime,
	}
}

type resetRowJSON struct {
	BrokerName string `json:"brokerName"`
	QueueID    int32  `json:"queueId"`
	Offset     int64  `json:"offset"`
}

func runResetOffsetByTime(c *cmdCtx) error {
	group, topic, tsText := c.opts.value("g"), c.opts.value("t"), c.opts.value("s")
	timestamp := int64(-1)
	if tsText != "now" {
		var err error
		if timestamp, err = parseTimestamp(tsText, c.env.loc); err != nil {
			return err
		}
	}
	force := true
	if c.opts.has("f") {
		force = boolOpt(c, "f")
	}
	table, err := c.admin().ResetOffsetByTimestamp(c.ctx, topic, group, timestamp, force, c.opts.has("c"))
	if code, ok := admin.ResponseCode(err); ok && code == requestcode.ConsumerNotOnline {
		// No consumer to tell: rewrite the committed offsets instead
		// (ResetOffsetByTimeOldCommand.resetOffset).
		return resetOffsetOffline(c, group, topic, timestamp, force, tsText)
	}
	if err != nil {
		return err
	}
	qs := make([]body.MessageQueue, 0, len(table))
	for q := range table {
		qs = append(qs, q)
	}
	body.SortMessageQueues(qs)
	if c.out.json {
		rows := make([]resetRowJSON, 0, len(qs))
		for _, q := range qs {
			rows = append(rows, resetRowJSON{q.BrokerName, q.QueueID, table[q]})
		}
		return c.out.emitJSON(struct {
			Group     string         `json:"group"`
			Topic     string         `json:"topic"`
			Force     bool           `json:"force"`
			Timestamp int64          `json:"timestamp"`
			Online    bool           `json:"online"`
			Offsets   []resetRowJSON `json:"offsets"`
		}{group, topic, force, timestamp, true, rows})
	}
	c.out.printf("rollback consumer offset by specified group[%s], topic[%s], force[%t], timestamp(string)[%s], timestamp(long)[%d]\n",
		group, topic, force, tsText, timestamp)
	c.out.printf("%-40s  %-40s  %-40s\n", "#brokerName", "#queueId", "#offset")
	for _, q := range qs {
		c.out.printf("%-40s  %-40d  %-40d\n", frontStringAtLeast(q.BrokerName, 32), q.QueueID, table[q])
	}
	return nil
}

func resetOffsetOffline(c *cmdCtx, group, topic string, timestamp int64, force bool, tsText string) error {
	stats, err := c.admin().ResetOffsetOffline(c.ctx, group, topic, timestamp, force)
	if err != nil {
		var no *admin.NotOnlineError
		if errors.As(err, &no) {
			return err
		}
		return fmt.Errorf("offline reset of %s on %s: %w", group, topic, err)
	}
	if c.out.json {
		return c.out.emitJSON(struct {
			Group     string               `json:"group"`
			Topic     string               `json:"topic"`
			Force     bool                 `json:"force"`
			Timestamp int64                `json:"timestamp"`
			Online    bool                 `json:"online"`
			Rollback  []admin.RollbackStat `json:"rollbackStats"`
		}{group, topic, force, timestamp, false, stats})
	}
	c.out.printf("rollback consumer offset by specified consumerGroup[%s], topic[%s], force[%t], timestamp(string)[%s], timestamp(long)[%d]\n",
		group, topic, force, tsText, timestamp)
	c.out.printf("%-20s  %-20s  %-20s  %-20s  %-20s  %-20s\n", "#brokerName", "#queueId", "#brokerOffset", "#consumerOffset", "#timestampOffset", "#rollbackOffset")
	for _, s := range stats {
		c.out.printf("%-20s  %-20d  %-20d  %-20d  %-20d  %-20d\n", frontStringAtLeast(s.BrokerName, 32), s.QueueID, s.BrokerOffset,
			s.ConsumerOffset, s.TimestampOffset, s.RollbackOffset)
	}
	return nil
}

// itoa is strconv.Itoa for int32 values.
func itoa(v int32) string { return strconv.Itoa(int(v)) }
