package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/rocketgo/rocketgo/cmd/mqadmin/internal/admin"
	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/store/message"
)

// namespaceOrderTopicConfig is the NameServer KV namespace of ordered
// topics' queue counts (NamesrvUtil.NAMESPACE_ORDER_TOPIC_CONFIG).
const namespaceOrderTopicConfig = "ORDER_TOPIC_CONFIG"

// topicListCmd is Java's TopicListSubCommand.
func topicListCmd() *command {
	return &command{
		name: "topicList",
		desc: "Fetch all topic list from name server",
		opts: []option{{short: "c", long: "clusterModel", desc: "clusterModel"}},
		run:  runTopicList,
	}
}

type topicClusterJSON struct {
	ClusterName   string `json:"clusterName"`
	Topic         string `json:"topic"`
	ConsumerGroup string `json:"consumerGroup"`
}

func runTopicList(c *cmdCtx) error {
	topics, err := c.admin().TopicList(c.ctx)
	if err != nil {
		return err
	}
	if !c.opts.has("c") {
		if c.out.json {
			return c.out.emitJSON(struct {
				TopicList []string `json:"topicList"`
			}{topics})
		}
		for _, t := range topics {
			c.out.printf("%s\n", t)
		}
		return nil
	}
	ci, err := c.admin().ClusterInfo(c.ctx)
	if err != nil {
		return err
	}
	if !c.out.json {
		c.out.printf("%-20s  %-48s  %-48s\n", "#Cluster Name", "#Topic", "#Consumer Group")
	}
	var rows []topicClusterJSON
	for _, topic := range topics {
		if strings.HasPrefix(topic, admin.RetryGroupTopicPrefix) || strings.HasPrefix(topic, admin.DLQGroupTopicPrefix) {
			continue
		}
		// Java ignores failures of these two lookups and prints blanks.
		cluster := ""
		var groups []string
		if route, err := c.admin().TopicRoute(c.ctx, topic); err == nil && len(route.BrokerDatas) > 0 {
			cluster = clusterOfBroker(ci, route.BrokerDatas[0].BrokerName)
			groups, _ = c.admin().QueryTopicConsumeByWho(c.ctx, topic)
		}
		if len(groups) == 0 {
			groups = []string{""}
		}
		for _, g := range groups {
			rows = append(rows, topicClusterJSON{ClusterName: cluster, Topic: topic, ConsumerGroup: g})
			if !c.out.json {
				c.out.printf("%-20s  %-64s  %-64s\n", frontStringAtLeast(cluster, 20), frontStringAtLeast(topic, 64), frontStringAtLeast(g, 64))
			}
		}
	}
	if c.out.json {
		return c.out.emitJSON(rows)
	}
	return nil
}

// clusterOfBroker finds the cluster a broker name belongs to.
func clusterOfBroker(ci *body.ClusterInfo, brokerName string) string {
	clusters := make([]string, 0, len(ci.ClusterAddrTable))
	for cl := range ci.ClusterAddrTable {
		clusters = append(clusters, cl)
	}
	sort.Strings(clusters)
	for _, cl := range clusters {
		for _, n := range ci.ClusterAddrTable[cl] {
			if n == brokerName {
				return cl
			}
		}
	}
	return ""
}

// topicRouteCmd is Java's TopicRouteSubCommand.
func topicRouteCmd() *command {
	return &command{
		name: "topicRoute",
		desc: "Examine topic route info",
		opts: []option{
			{short: "t", long: "topic", hasArg: true, required: true, desc: "topic name"},
			{short: "l", long: "list", desc: "Use list format to print data"},
		},
		run: runTopicRoute,
	}
}

func runTopicRoute(c *cmdCtx) error {
	route, err := c.admin().TopicRoute(c.ctx, c.opts.value("t"))
	if err != nil {
		return err
	}
	if c.out.json {
		// The NameServer's own standard-JSON form of the route.
		return c.out.emitJSON(json.RawMessage(route.Encode(body.Standard)))
	}
	if !c.opts.has("l") {
		c.out.printf("%s\n", routePrettyJSON(route))
		return nil
	}
	const format = "%-45s %-32s %-50s %-10s %-11s %-5s\n"
	queues := map[string]body.QueueData{}
	for _, q := range route.QueueDatas {
		queues[q.BrokerName] = q
	}
	brokers := append([]body.BrokerData(nil), route.BrokerDatas...)
	sort.Slice(brokers, func(i, j int) bool { return brokers[i].BrokerName < brokers[j].BrokerName })
	c.out.printf(format, "#ClusterName", "#BrokerName", "#BrokerAddrs", "#ReadQueue", "#WriteQueue", "#Perm")
	var totalRead, totalWrite int64
	for i := range brokers {
		b := &brokers[i]
		q := queues[b.BrokerName]
		totalRead += int64(q.ReadQueueNums)
		totalWrite += int64(q.WriteQueueNums)
		c.out.printf(format, b.Cluster, b.BrokerName, brokerAddrsString(b.BrokerAddrs), strconv.Itoa(int(q.ReadQueueNums)),
			strconv.Itoa(int(q.WriteQueueNums)), strconv.Itoa(int(q.Perm)))
	}
	c.out.printf("%s\n", strings.Repeat("-", 158))
	c.out.printf(format, "Total:", strconv.Itoa(len(queues)), "", strconv.FormatInt(totalRead, 10), strconv.FormatInt(totalWrite, 10), "")
	return nil
}

// brokerAddrsString is HashMap<Long,String>.toString for small ids:
// "{0=addr, 1=addr}".
func brokerAddrsString(m map[int64]string) string {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	entries := make([][2]string, 0, len(ids))
	for _, id := range ids {
		entries = append(entries, [2]string{strconv.FormatInt(id, 10), m[id]})
	}
	return javaMapString(entries)
}

// topicStatusCmd is Java's TopicStatusSubCommand.
func topicStatusCmd() *command {
	return &command{
		name: "topicStatus",
		desc: "Examine topic Status info",
		opts: []option{{short: "t", long: "topic", hasArg: true, required: true, desc: "topic name"}},
		run:  runTopicStatus,
	}
}

type topicStatusJSON struct {
	BrokerName          string `json:"brokerName"`
	QueueID             int32  `json:"queueId"`
	MinOffset           int64  `json:"minOffset"`
	MaxOffset           int64  `json:"maxOffset"`
	LastUpdateTimestamp int64  `json:"lastUpdateTimestamp"`
}

func runTopicStatus(c *cmdCtx) error {
	stats, err := c.admin().ExamineTopicStats(c.ctx, c.opts.value("t"))
	if err != nil {
		return err
	}
	qs := make([]body.MessageQueue, 0, len(stats))
	for q := range stats {
		qs = append(qs, q)
	}
	body.SortMessageQueues(qs)
	if c.out.json {
		rows := make([]topicStatusJSON, 0, len(qs))
		for _, q := range qs {
			o := stats[q]
			rows = append(rows, topicStatusJSON{q.BrokerName, q.QueueID, o.MinOffset, o.MaxOffset, o.LastUpdateTimestamp})
		}
		return c.out.emitJSON(rows)
	}
	c.out.printf("%-32s  %-4s  %-20s  %-20s    %s\n", "#Broker Name", "#QID", "#Min Offset", "#Max Offset", "#Last Updated")
	for _, q := range qs {
		o := stats[q]
		human := ""
		if o.LastUpdateTimestamp > 0 {
			human = humanMillis(o.LastUpdateTimestamp, c.env.loc)
		}
		c.out.printf("%-32s  %-4d  %-20d  %-20d    %s\n", frontStringAtLeast(q.BrokerName, 32), q.QueueID, o.MinOffset, o.MaxOffset, human)
	}
	return nil
}

// updateTopicCmd is Java's UpdateTopicSubCommand.
func updateTopicCmd() *command {
	return &command{
		name: "updateTopic",
		desc: "Update or create topic",
		opts: []option{
			{short: "b", long: "brokerAddr", hasArg: true, desc: "create topic to which broker", group: "target", groupRequired: true},
			{short: "c", long: "clusterName", hasArg: true, desc: "create topic to which cluster", group: "target", groupRequired: true},
			{short: "t", long: "topic", hasArg: true, required: true, desc: "topic name"},
			{short: "r", long: "readQueueNums", hasArg: true, desc: "set read queue nums"},
			{short: "w", long: "writeQueueNums", hasArg: true, desc: "set write queue nums"},
			{short: "p", long: "perm", hasArg: true, desc: "set topic's permission(2|4|6), intro[2:W 4:R; 6:RW]"},
			{short: "o", long: "order", hasArg: true, desc: "set topic's order(true|false)"},
			{short: "u", long: "unit", hasArg: true, desc: "is unit topic (true|false)"},
			{short: "s", long: "hasUnitSub", hasArg: true, desc: "has unit sub (true|false)"},
		},
		run: runUpdateTopic,
	}
}

// topicConfigString is TopicConfig.toString.
func topicConfigString(tc *body.TopicConfig) string {
	return fmt.Sprintf("TopicConfig [topicName=%s, readQueueNums=%d, writeQueueNums=%d, perm=%s, topicFilterType=%s, topicSysFlag=%d, order=%t]",
		tc.TopicName, tc.ReadQueueNums, tc.WriteQueueNums, perm2String(tc.Perm), tc.TopicFilterType, tc.TopicSysFlag, tc.Order)
}

// intOpt parses an integer option; a bad number is a usage error (Java
// throws NumberFormatException).
func intOpt(c *cmdCtx, key string, bits int) (int64, error) {
	v := c.opts.value(key)
	n, err := strconv.ParseInt(v, 10, bits)
	if err != nil {
		return 0, &usageError{fmt.Sprintf("option -%s: %q is not a number", key, v)}
	}
	return n, nil
}

// boolOpt is Boolean.parseBoolean of an option: true only for "true"
// ignoring case.
func boolOpt(c *cmdCtx, key string) bool { return strings.EqualFold(c.opts.value(key), "true") }

type topicConfigJSON struct {
	TopicName       string `json:"topicName"`
	ReadQueueNums   int32  `json:"readQueueNums"`
	WriteQueueNums  int32  `json:"writeQueueNums"`
	Perm            int32  `json:"perm"`
	TopicFilterType string `json:"topicFilterType"`
	TopicSysFlag    int32  `json:"topicSysFlag"`
	Order           bool   `json:"order"`
}

type updateTopicJSON struct {
	Brokers     []string        `json:"brokers"`
	OrderConf   string          `json:"orderConf,omitempty"`
	TopicConfig topicConfigJSON `json:"topicConfig"`
}

func runUpdateTopic(c *cmdCtx) error {
	tc := body.TopicConfig{TopicName: c.opts.value("t"), ReadQueueNums: 8, WriteQueueNums: 8,
		Perm: body.PermRead | body.PermWrite, TopicFilterType: body.SingleTag}
	for _, f := range []struct {
		key string
		dst *int32
	}{{"r", &tc.ReadQueueNums}, {"w", &tc.WriteQueueNums}, {"p", &tc.Perm}} {
		if c.opts.has(f.key) {
			n, err := intOpt(c, f.key, 32)
			if err != nil {
				return err
			}
			*f.dst = int32(n)
		}
	}
	if c.opts.has("u") && boolOpt(c, "u") {
		tc.TopicSysFlag |= body.FlagUnit
	}
	if c.opts.has("s") && boolOpt(c, "s") {
		tc.TopicSysFlag |= body.FlagUnitSub
	}
	tc.Order = c.opts.has("o") && boolOpt(c, "o")
	res := updateTopicJSON{TopicConfig: topicConfigJSON{tc.TopicName, tc.ReadQueueNums, tc.WriteQueueNums, tc.Perm,
		tc.TopicFilterType, tc.TopicSysFlag, tc.Order}}
	adm := c.admin()
	if c.opts.has("b") {
		addr := c.opts.value("b")
		if err := adm.CreateTopic(c.ctx, addr, tc); err != nil {
			return err
		}
		res.Brokers = append(res.Brokers, addr)
		if tc.Order {
			ci, err := adm.ClusterInfo(c.ctx)
			if err != nil {
				return err
			}
			name, ok := admin.BrokerNameOf(ci, addr)
			if !ok {
				return fmt.Errorf("broker %s is not registered in the NameServer's cluster info", addr)
			}
			conf, err := mergeOrderConf(c, tc.TopicName, name+":"+strconv.Itoa(int(tc.WriteQueueNums)))
			if err != nil {
				return err
			}
			res.OrderConf = conf
			if !c.out.json {
				c.out.printf("set broker orderConf. isOrder=%t, orderConf=[%s]", tc.Order, name+":"+strconv.Itoa(int(tc.WriteQueueNums)))
			}
		}
		if c.out.json {
			return c.out.emitJSON(res)
		}
		c.out.printf("create topic to %s success.\n", addr)
		c.out.printf("%s", topicConfigString(&tc))
		return nil
	}
	cluster := c.opts.value("c")
	ci, err := adm.ClusterInfo(c.ctx)
	if err != nil {
		return err
	}
	masters, err := admin.MasterAddrs(ci, cluster)
	if err != nil {
		return err
	}
	for _, addr := range masters {
		if err := adm.CreateTopic(c.ctx, addr, tc); err != nil {
			return err
		}
		res.Brokers = append(res.Brokers, addr)
		if !c.out.json {
			c.out.printf("create topic to %s success.\n", addr)
		}
	}
	if tc.Order {
		names := append([]string(nil), ci.ClusterAddrTable[cluster]...)
		sort.Strings(names)
		parts := make([]string, len(names))
		for i, n := range names {
			parts[i] = n + ":" + strconv.Itoa(int(tc.WriteQueueNums))
		}
		conf := strings.Join(parts, ";")
		if err := adm.PutKVConfig(c.ctx, namespaceOrderTopicConfig, tc.TopicName, conf); err != nil {
			return err
		}
		res.OrderConf = conf
		if !c.out.json {
			c.out.printf("set cluster orderConf. isOrder=%t, orderConf=[%s]", tc.Order, conf)
		}
	}
	if c.out.json {
		return c.out.emitJSON(res)
	}
	c.out.printf("%s", topicConfigString(&tc))
	return nil
}

// mergeOrderConf is createOrUpdateOrderConf for one broker: the topic's
// "broker:queues;..." entry in the NameServer gets this broker's part
// replaced, the parts in the HashMap order Java rebuilds it in.
func mergeOrderConf(c *cmdCtx, topic, part string) (string, error) {
	old, _, err := c.admin().GetKVConfig(c.ctx, namespaceOrderTopicConfig, topic)
	if err != nil {
		// Java prints the stack trace and continues as if there were none.
		old = ""
	}
	var m message.PropertyMap
	for _, p := range strings.Split(old, ";") {
		if strings.TrimSpace(p) == "" {
			continue
		}
		name, _, _ := strings.Cut(p, ":")
		m.Put(name, p)
	}
	name, _, _ := strings.Cut(part, ":")
	m.Put(name, part)
	var parts []string
	m.Range(func(_, v string) bool {
		parts = append(parts, v)
		return true
	})
	conf := strings.Join(parts, ";")
	return conf, c.admin().PutKVConfig(c.ctx, namespaceOrderTopicConfig, topic, conf)
}

// deleteTopicCmd is Java's DeleteTopicSubCommand.
func deleteTopicCmd() *command {
	return &command{
		name: "deleteTopic",
		desc: "Delete topic from broker and NameServer.",
		opts: []option{
			{short: "t", long: "topic", hasArg: true, required: true, desc: "topic name"},
			{short: "c", long: "clusterName", hasArg: true, required: true, desc: "delete topic from which cluster"},
		},
		run: runDeleteTopic,
	}
}

type deleteTopicJSON struct {
	Topic       string   `json:"topic"`
	Cluster     string   `json:"cluster"`
	Brokers     []string `json:"brokers"`
	NameServers []string `json:"nameServers"`
}

func runDeleteTopic(c *cmdCtx) error {
	res, err := deleteTopic(c, c.opts.value("c"), c.opts.value("t"))
	if err != nil {
		return err
	}
	if c.out.json {
		return c.out.emitJSON(res)
	}
	return nil
}

// deleteTopic is DeleteTopicSubCommand.deleteTopic: the topic goes from
// every master of the cluster, then from every NameServer.
func deleteTopic(c *cmdCtx, cluster, topic string) (*deleteTopicJSON, error) {
	adm := c.admin()
	ci, err := adm.ClusterInfo(c.ctx)
	if err != nil {
		return nil, err
	}
	masters, err := admin.MasterAddrs(ci, cluster)
	if err != nil {
		return nil, err
	}
	res := &deleteTopicJSON{Topic: topic, Cluster: cluster}
	for _, addr := range masters {
		if err := adm.DeleteTopicInBroker(c.ctx, addr, topic); err != nil {
			return nil, err
		}
		res.Brokers = append(res.Brokers, addr)
	}
	if !c.out.json {
		c.out.printf("delete topic [%s] from cluster [%s] success.\n", topic, cluster)
	}
	for _, ns := range adm.NamesrvAddrs() {
		if err := adm.DeleteTopicInNamesrv(c.ctx, ns, topic, cluster); err != nil {
			return nil, err
		}
		res.NameServers = append(res.NameServers, ns)
	}
	if !c.out.json {
		c.out.printf("delete topic [%s] from NameServer success.\n", topic)
	}
	return res, nil
}
