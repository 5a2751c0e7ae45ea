package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/cmd/mqadmin/internal/admin"
	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
)

func decodeJSON(t *testing.T, r result, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.stdout), v); err != nil {
		t.Fatalf("--json output does not parse: %v\n%s", err, r.stdout)
	}
}

type sentMsg struct {
	SendStatus   string    `json:"sendStatus"`
	MsgID        string    `json:"msgId"`
	OffsetMsgID  string    `json:"offsetMsgId"`
	MessageQueue queueJSON `json:"messageQueue"`
	QueueOffset  int64     `json:"queueOffset"`
}

// send sends one message through the sendMessage command (--json) and
// returns its result.
func (c *cluster) send(t *testing.T, args ...string) sentMsg {
	t.Helper()
	var s sentMsg
	decodeJSON(t, c.mqadmin(append([]string{"sendMessage", "--json"}, args...)...).ok(t), &s)
	if s.SendStatus != "SEND_OK" || len(s.MsgID) != 32 || len(s.OffsetMsgID) != 32 {
		t.Fatalf("send result %+v", s)
	}
	return s
}

var uniqIDPattern = regexp.MustCompile(`^[0-9A-F]{32}$`)

// TestClusterAndBrokerCommands: clusterList, brokerStatus and the config
// commands against a live rocketgo.
func TestClusterAndBrokerCommands(t *testing.T) {
	c := startCluster(t, "", nil)

	r := c.mqadmin("clusterList").ok(t)
	lines := r.lines()
	if want := fmt.Sprintf("%-16s  %-22s  %-4s  %-22s %-16s %19s %19s %10s %5s %6s", "#Cluster Name", "#Broker Name", "#BID",
		"#Addr", "#Version", "#InTPS(LOAD)", "#OutTPS(LOAD)", "#PCWait(ms)", "#Hour", "#SPACE"); lines[0] != want {
		t.Fatalf("clusterList title:\n got %q\nwant %q", lines[0], want)
	}
	if len(lines) != 2 || !strings.HasPrefix(lines[1], fmt.Sprintf("%-16s  %-22s  %-4s  %-22s %-16s ", "DefaultCluster", "broker-a", "0", c.brokerAddr, "V4_9_7")) {
		t.Fatalf("clusterList row:\n%s", r.stdout)
	}
	r = c.mqadmin("clusterList", "-m").ok(t)
	if !strings.HasPrefix(r.lines()[1], fmt.Sprintf("%-16s  %-32s ", "DefaultCluster", "broker-a")) || !strings.Contains(r.lines()[0], "#InTotalToday") {
		t.Fatalf("clusterList -m:\n%s", r.stdout)
	}
	var cl []clusterBaseJSON
	decodeJSON(t, c.mqadmin("clusterList", "--json").ok(t), &cl)
	if len(cl) != 1 || cl[0].Addr != c.brokerAddr || cl[0].Version != "V4_9_7" || cl[0].BrokerID != 0 {
		t.Fatalf("clusterList --json: %+v", cl)
	}

	r = c.mqadmin("brokerStatus", "-b", c.brokerAddr).ok(t).has(t, "brokerVersionDesc               : V4_9_7\n")
	r = c.mqadmin("brokerStatus", "-c", "DefaultCluster").ok(t)
	if !strings.Contains(r.stdout, fmt.Sprintf("%-24s %-32s: %s\n", c.brokerAddr, "brokerVersionDesc", "V4_9_7")) {
		t.Fatalf("brokerStatus -c:\n%s", r.stdout)
	}
	var bs brokerStatusJSON
	decodeJSON(t, c.mqadmin("brokerStatus", "-b", c.brokerAddr, "--json").ok(t), &bs)
	if bs.BrokerAddr != c.brokerAddr || bs.Stats["brokerVersion"] != "407" {
		t.Fatalf("brokerStatus --json: %+v", bs)
	}
	c.mqadmin("brokerStatus", "-c", "NoSuchCluster").failed(t, `cluster "NoSuchCluster" not found`)

	r = c.mqadmin("getBrokerConfig", "-b", c.brokerAddr).ok(t)
	if r.lines()[0] != "============"+c.brokerAddr+"============" ||
		!strings.Contains(r.stdout, fmt.Sprintf("%-50s=  %s\n", "brokerName", "broker-a")) || !strings.HasSuffix(r.stdout, "\n\n") {
		t.Fatalf("getBrokerConfig -b:\n%s", r.stdout)
	}
	c.mqadmin("getBrokerConfig", "-c", "DefaultCluster").ok(t).has(t, "============Master: "+c.brokerAddr+"============\n",
		fmt.Sprintf("%-50s=  %s\n", "brokerClusterName", "DefaultCluster"))

	c.mqadmin("updateBrokerConfig", "-b", c.brokerAddr, "-k", "maxMessageSize", "-v", "1000000").ok(t).
		has(t, "update broker config success, "+c.brokerAddr+"\n")
	c.mqadmin("getBrokerConfig", "-b", c.brokerAddr).ok(t).has(t, fmt.Sprintf("%-50s=  %s\n", "maxMessageSize", "1000000"))
	c.mqadmin("updateBrokerConfig", "-c", "DefaultCluster", "-k", "maxMessageSize", "-v", "900000").ok(t).
		has(t, "update broker config success, "+c.brokerAddr+"\n")
	var cfgs []configJSON
	decodeJSON(t, c.mqadmin("getBrokerConfig", "-b", c.brokerAddr, "--json").ok(t), &cfgs)
	if len(cfgs) != 1 || cfgs[0].Config["maxMessageSize"] != "900000" {
		t.Fatalf("getBrokerConfig --json after update: %+v", cfgs)
	}

	r = c.mqadmin("getNamesrvConfig").ok(t)
	if r.lines()[0] != "============"+c.nsAddr+"============" || !regexp.MustCompile(`(?m)^kvConfigPath {38}=  .*kvConfig\.json$`).MatchString(r.stdout) {
		t.Fatalf("getNamesrvConfig:\n%s", r.stdout)
	}

	c.mqadmin("updateKvConfig", "-s", "NS1", "-k", "k1", "-v", "v1").ok(t).has(t, "create or update kv config to namespace success.\n")
	adm := admin.New(admin.Config{NamesrvAddrs: []string{c.nsAddr}})
	defer adm.Close()
	if v, found, err := adm.GetKVConfig(context.Background(), "NS1", "k1"); err != nil || !found || v != "v1" {
		t.Fatalf("kv after updateKvConfig: %q %v %v", v, found, err)
	}
	c.mqadmin("deleteKvConfig", "-s", "NS1", "-k", "k1").ok(t).has(t, "delete kv config from namespace success.\n")
	if _, found, err := adm.GetKVConfig(context.Background(), "NS1", "k1"); err != nil || found {
		t.Fatalf("kv after deleteKvConfig: %v %v", found, err)
	}

	// wipeWritePerm last: it leaves the broker's topics read-only in the
	// NameServer (until the broker registers again).
	r = c.mqadmin("wipeWritePerm", "-b", "broker-a").ok(t)
	if !regexp.MustCompile(`^wipe write perm of broker\[broker-a\] in name server\[` + regexp.QuoteMeta(c.nsAddr) + `\] OK, [1-9][0-9]*\n$`).MatchString(r.stdout) {
		t.Fatalf("wipeWritePerm:\n%s", r.stdout)
	}
	route, err := adm.TopicRoute(context.Background(), "TBW102")
	if err != nil || route.QueueDatas[0].Perm&body.PermWrite != 0 {
		t.Fatalf("TBW102 still writable after wipeWritePerm: %v %+v", err, route)
	}

	// A broker that is not there: the error names it; the status is 1.
	c.mqadmin("brokerStatus", "-b", "127.0.0.1:1").failed(t, "GET_BROKER_RUNTIME_INFO to broker 127.0.0.1:1")
	c.mqadmin("updateBrokerConfig", "-b", "127.0.0.1:1", "-k", "a", "-v", "b").failed(t, "broker 127.0.0.1:1")
	// -n overrides NAMESRV_ADDR.
	c.mqadmin("clusterList", "-n", "127.0.0.1:1").failed(t, "namesrv 127.0.0.1:1")
}

// TestTopicAndMessageCommands: topic administration, sending and the
// message queries against a live rocketgo.
func TestTopicAndMessageCommands(t *testing.T) {
	c := startCluster(t, "", nil)

	r := c.mqadmin("updateTopic", "-b", c.brokerAddr, "-t", "MT", "-r", "3", "-w", "3").ok(t)
	diff(t, "updateTopic -b", r.stdout, "create topic to "+c.brokerAddr+" success.\n"+
		"TopicConfig [topicName=MT, readQueueNums=3, writeQueueNums=3, perm=RW-, topicFilterType=SINGLE_TAG, topicSysFlag=0, order=false]")
	c.waitRoute("MT", func(r *body.TopicRouteData) bool {
		return len(r.QueueDatas) == 1 && r.QueueDatas[0].WriteQueueNums == 3
	})
	c.mqadmin("topicList").ok(t).has(t, "\nMT\n")
	c.mqadmin("topicList", "-c").ok(t).has(t, fmt.Sprintf("%-20s  %-64s  %-64s\n", "DefaultCluster", "MT", ""))

	r = c.mqadmin("topicRoute", "-t", "MT").ok(t)
	diff(t, "topicRoute", r.stdout, "{\n"+
		"\t\"brokerDatas\":[{\n"+
		"\t\t\"brokerAddrs\":{0:\""+c.brokerAddr+"\"\n"+
		"\t\t},\n"+
		"\t\t\"brokerName\":\"broker-a\",\n"+
		"\t\t\"cluster\":\"DefaultCluster\"\n"+
		"\t}],\n"+
		"\t\"filterServerTable\":{},\n"+
		"\t\"queueDatas\":[{\n"+
		"\t\t\"brokerName\":\"broker-a\",\n"+
		"\t\t\"perm\":6,\n"+
		"\t\t\"readQueueNums\":3,\n"+
		"\t\t\"topicSysFlag\":0,\n"+
		"\t\t\"writeQueueNums\":3\n"+
		"\t}]\n"+
		"}\n")
	r = c.mqadmin("topicRoute", "-t", "MT", "-l").ok(t)
	const rf = "%-45s %-32s %-50s %-10s %-11s %-5s\n"
	diff(t, "topicRoute -l", r.stdout, fmt.Sprintf(rf, "#ClusterName", "#BrokerName", "#BrokerAddrs", "#ReadQueue", "#WriteQueue", "#Perm")+
		fmt.Sprintf(rf, "DefaultCluster", "broker-a", "{0="+c.brokerAddr+"}", "3", "3", "6")+strings.Repeat("-", 158)+"\n"+
		fmt.Sprintf(rf, "Total:", "1", "", "3", "3", ""))
	var route struct {
		QueueDatas []struct {
			ReadQueueNums int `json:"readQueueNums"`
		} `json:"queueDatas"`
		BrokerDatas []struct {
			BrokerAddrs map[string]string `json:"brokerAddrs"`
		} `json:"brokerDatas"`
	}
	decodeJSON(t, c.mqadmin("topicRoute", "-t", "MT", "--json").ok(t), &route)
	if route.QueueDatas[0].ReadQueueNums != 3 || route.BrokerDatas[0].BrokerAddrs["0"] != c.brokerAddr {
		t.Fatalf("topicRoute --json: %+v", route)
	}

	// Three messages to queue 0, one to queue 1 with another tag.
	var sent []sentMsg
	for i := 0; i < 3; i++ {
		sent = append(sent, c.send(t, "-t", "MT", "-p", fmt.Sprintf("body-%d", i), "-k", fmt.Sprintf("key-%d shared", i), "-c", "TagA", "-b", "broker-a", "-i", "0"))
	}
	r = c.mqadmin("sendMessage", "-t", "MT", "-p", "body-q1", "-k", "key-q1", "-c", "TagB", "-b", "broker-a", "-i", "1").ok(t)
	lines := r.lines()
	if lines[0] != fmt.Sprintf("%-32s  %-4s  %-20s    %s", "#Broker Name", "#QID", "#Send Result", "#MsgId") ||
		!regexp.MustCompile(`^`+regexp.QuoteMeta(fmt.Sprintf("%-32s  %-4s  %-20s    ", "broker-a", "1", "SEND_OK"))+`[0-9A-F]{32}$`).MatchString(lines[1]) {
		t.Fatalf("sendMessage:\n%s", r.stdout)
	}
	q1ID := strings.Fields(lines[1])[3]
	for i, s := range sent {
		if s.MessageQueue.QueueID != 0 || s.QueueOffset != int64(i) || !uniqIDPattern.MatchString(s.MsgID) {
			t.Fatalf("send %d: %+v", i, s)
		}
	}
	// Without a queue the sender picks one of the topic's; a topic with
	// no route goes through TBW102's broker with 4 queues, which creates it.
	if s := c.send(t, "-t", "AutoT", "-p", "anywhere"); s.MessageQueue.QueueID < 0 || s.MessageQueue.QueueID > 3 || s.MessageQueue.Topic != "AutoT" {
		t.Fatalf("send without queue: %+v", s)
	}
	c.waitRoute("AutoT", func(r *body.TopicRouteData) bool {
		return len(r.QueueDatas) == 1 && r.QueueDatas[0].WriteQueueNums == 4
	})
	if s := c.send(t, "-t", "AutoT", "-p", "again"); s.MessageQueue.QueueID < 0 || s.MessageQueue.QueueID > 3 {
		t.Fatalf("second send without queue: %+v", s)
	}
	c.mqadmin("sendMessage", "-t", "MT", "-p", "x", "-i", "1").failed(t, "-i needs -b").has(t, "Broker name must be set if the queue is chosen!")

	r = c.mqadmin("topicStatus", "-t", "MT").ok(t)
	lines = r.lines()
	if lines[0] != fmt.Sprintf("%-32s  %-4s  %-20s  %-20s    %s", "#Broker Name", "#QID", "#Min Offset", "#Max Offset", "#Last Updated") || len(lines) != 4 {
		t.Fatalf("topicStatus:\n%s", r.stdout)
	}
	if !strings.HasPrefix(lines[1], fmt.Sprintf("%-32s  %-4d  %-20d  %-20d    20", "broker-a", 0, 0, 3)) {
		t.Fatalf("topicStatus queue 0: %q", lines[1])
	}
	var ts []topicStatusJSON
	decodeJSON(t, c.mqadmin("topicStatus", "-t", "MT", "--json").ok(t), &ts)
	if len(ts) != 3 || ts[0].MaxOffset != 3 || ts[0].LastUpdateTimestamp <= 0 {
		t.Fatalf("topicStatus --json: %+v", ts)
	}

	// By key: the key is one of several space-separated keys.
	r = c.mqadmin("queryMsgByKey", "-t", "MT", "-k", "shared").ok(t)
	lines = r.lines()
	if lines[0] != fmt.Sprintf("%-50s %4s %40s", "#Message ID", "#QID", "#Offset") || len(lines) != 4 {
		t.Fatalf("queryMsgByKey:\n%s", r.stdout)
	}
	for i := 0; i < 3; i++ {
		if !strings.Contains(r.stdout, fmt.Sprintf("%-50s %4d %40d\n", sent[i].MsgID, 0, i)) {
			t.Fatalf("queryMsgByKey lacks message %d:\n%s", i, r.stdout)
		}
	}
	c.mqadmin("queryMsgByKey", "-t", "MT", "-k", "no-such-key").failed(t, "no message")

	// By offset id: the broker in the id is asked; the body is saved.
	r = c.mqadmin("queryMsgById", "-i", sent[1].OffsetMsgID).ok(t)
	for _, want := range []string{
		fmt.Sprintf("%-20s %s\n", "OffsetID:", sent[1].OffsetMsgID),
		fmt.Sprintf("%-20s %s\n", "Topic:", "MT"),
		fmt.Sprintf("%-20s %s\n", "Tags:", "[TagA]"),
		fmt.Sprintf("%-20s %s\n", "Keys:", "[key-1 shared]"),
		fmt.Sprintf("%-20s %d\n", "Queue Offset:", 1),
		fmt.Sprintf("%-20s %s\n", "Store Host:", c.brokerAddr),
		"UNIQ_KEY=" + sent[1].MsgID,
		fmt.Sprintf("%-20s %s\n", "Message Body Path:", filepath.Join(c.bodyDir, sent[1].MsgID)),
	} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("queryMsgById lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.HasSuffix(r.stdout, "\n\nWARN: No Consumer") {
		t.Fatalf("queryMsgById without consumers:\n%s", r.stdout)
	}
	if b, err := os.ReadFile(filepath.Join(c.bodyDir, sent[1].MsgID)); err != nil || string(b) != "body-1" {
		t.Fatalf("saved body: %q %v", b, err)
	}
	var byID []messageJSON
	decodeJSON(t, c.mqadmin("queryMsgById", "-i", sent[0].OffsetMsgID+","+sent[2].OffsetMsgID, "--json").ok(t), &byID)
	if len(byID) != 2 || byID[0].Body != "body-0" || byID[1].Body != "body-2" || byID[1].MsgID != sent[2].MsgID {
		t.Fatalf("queryMsgById --json: %+v", byID)
	}
	c.mqadmin("queryMsgById", "-i", "ZZ").failed(t, "message id ZZ")

	// By unique key: the same layout without the OffsetID line.
	r = c.mqadmin("queryMsgByUniqueKey", "-t", "MT", "-i", q1ID).ok(t)
	if !strings.HasPrefix(r.stdout, fmt.Sprintf("%-20s %s\n%-20s %s\n", "Topic:", "MT", "Tags:", "[TagB]")) {
		t.Fatalf("queryMsgByUniqueKey:\n%s", r.stdout)
	}
	c.mqadmin("queryMsgByUniqueKey", "-t", "MT", "-i", "00000000000000000000000000000000").failed(t, "no message")

	// By queue offset: a pull of one message.
	c.mqadmin("queryMsgByOffset", "-t", "MT", "-b", "broker-a", "-i", "0", "-o", "2").ok(t).
		has(t, fmt.Sprintf("%-20s %s\n", "OffsetID:", sent[2].OffsetMsgID), "MIN_OFFSET=0", "MAX_OFFSET=3")
	c.mqadmin("queryMsgByOffset", "-t", "MT", "-b", "broker-a", "-i", "0", "-o", "3").failed(t, "NO_NEW_MSG")
	c.mqadmin("queryMsgByOffset", "-t", "MT", "-b", "broker-a", "-i", "0", "-o", "9").failed(t, "OFFSET_ILLEGAL")
	c.mqadmin("queryMsgByOffset", "-t", "MT", "-b", "broker-x", "-i", "0", "-o", "0").failed(t, "broker-x")

	// printMsg walks every queue.
	r = c.mqadmin("printMsg", "-t", "MT").ok(t)
	for _, want := range []string{
		"minOffset=0, maxOffset=3, MessageQueue [topic=MT, brokerName=broker-a, queueId=0]\n",
		"MSGID: " + sent[0].MsgID + " MessageExt [brokerName=broker-a, queueId=0, ",
		"msgId=" + sent[0].OffsetMsgID + ", ",
		"body=[98, 111, 100, 121, 45, 48], transactionId='null'}] BODY: body-0\n",
		"MSGID: " + q1ID + " ",
		"--------------------------------------------------------\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("printMsg lacks %q:\n%s", want, r.stdout)
		}
	}
	// A tag filter leaves queue 1's TagB message out; -d false hides bodies.
	r = c.mqadmin("printMsg", "-t", "MT", "-s", "TagB", "-d", "false").ok(t)
	if strings.Contains(r.stdout, "BODY: body-") || strings.Count(r.stdout, "NOT PRINT BODY") < 1 || strings.Contains(r.stdout, "MSGID: "+sent[0].MsgID) {
		t.Fatalf("printMsg -s TagB -d false:\n%s", r.stdout)
	}
	var pm []queueMessagesJSON
	decodeJSON(t, c.mqadmin("printMsg", "-t", "MT", "--json").ok(t), &pm)
	if len(pm) != 3 || len(pm[0].Messages) != 3 || pm[0].Messages[2].Body != "body-2" {
		t.Fatalf("printMsg --json: %+v", pm)
	}
	c.mqadmin("printMsg", "-t", "MT", "-c", "GBK").failed(t, "not supported")

	// consumeMessage: Java's count bookkeeping over the queues.
	r = c.mqadmin("consumeMessage", "-t", "MT", "-c", "2").ok(t)
	if !strings.HasPrefix(r.stdout, "The older 2 message of the 0 queue will be provided\nConsume ok\nMSGID: "+sent[0].MsgID) ||
		strings.Contains(r.stdout, "BODY: body-2") || !strings.Contains(r.stdout, "BODY: body-1\n") {
		t.Fatalf("consumeMessage -c 2:\n%s", r.stdout)
	}
	r = c.mqadmin("consumeMessage", "-t", "MT", "-b", "broker-a", "-i", "0", "-o", "1").ok(t)
	if strings.Contains(r.stdout, "BODY: body-0") || !strings.Contains(r.stdout, "BODY: body-2\n") ||
		!strings.HasSuffix(r.stdout, "MessageQueue [topic=MT, brokerName=broker-a, queueId=0] print msg finished. status=NO_NEW_MSG, offset=3\n") {
		t.Fatalf("consumeMessage by offset:\n%s", r.stdout)
	}
	c.mqadmin("consumeMessage", "-t", "MT", "-b", "broker-a", "-i", "0", "-o", "7").ok(t).
		has(t, "MessageQueue [topic=MT, brokerName=broker-a, queueId=0] no matched msg, offset=7\n")
	c.mqadmin("consumeMessage", "-t", "MT", "-o", "1").failed(t).has(t, "Please set queueId before offset!")
	c.mqadmin("consumeMessage", "-t", "MT", "-c", "0").failed(t).has(t, "Please input a positive messageNumber!")
	future := time.Now().Add(time.Hour).UnixMilli()
	c.mqadmin("consumeMessage", "-t", "MT", "-s", fmt.Sprint(future)).failed(t).has(t, "Please set the beginTimestamp before now!")

	// Unknown topic: the NameServer's refusal, with address and code.
	c.mqadmin("topicStatus", "-t", "NoSuchTopic").failed(t, "namesrv "+c.nsAddr, "GET_ROUTEINFO_BY_TOPIC", "code 17 (TOPIC_NOT_EXIST)")

	// Sending a stored message again keeps its unique key.
	r = c.mqadmin("queryMsgById", "-i", sent[0].OffsetMsgID, "-s", "true").ok(t)
	if !regexp.MustCompile(`^prepare resend msg\. originalMsgId=` + sent[0].OffsetMsgID + `SendResult \[sendStatus=SEND_OK, msgId=` + sent[0].MsgID +
		`, offsetMsgId=[0-9A-F]{32}, messageQueue=MessageQueue \[topic=MT, brokerName=broker-a, queueId=[0-2]\], queueOffset=\d+\]$`).MatchString(r.stdout) {
		t.Fatalf("queryMsgById -s true:\n%s", r.stdout)
	}
	var again []messageJSON
	decodeJSON(t, c.mqadmin("queryMsgByKey", "-t", "MT", "-k", "key-0", "--json").ok(t), &again)
	if len(again) != 2 || again[0].MsgID != again[1].MsgID || again[0].OffsetMsgID == again[1].OffsetMsgID {
		t.Fatalf("resent message by key: %+v", again)
	}

	// An ordered topic: the queue counts go to the NameServer's
	// ORDER_TOPIC_CONFIG namespace, by cluster and by broker.
	r = c.mqadmin("updateTopic", "-c", "DefaultCluster", "-t", "OrdT", "-w", "2", "-r", "2", "-o", "true").ok(t)
	if !strings.Contains(r.stdout, "create topic to "+c.brokerAddr+" success.\nset cluster orderConf. isOrder=true, orderConf=[broker-a:2]TopicConfig [topicName=OrdT, ") ||
		!strings.HasSuffix(r.stdout, "order=true]") {
		t.Fatalf("ordered updateTopic -c:\n%s", r.stdout)
	}
	r = c.mqadmin("updateTopic", "-b", c.brokerAddr, "-t", "OrdT", "-w", "3", "-r", "3", "-o", "true").ok(t)
	if !strings.HasPrefix(r.stdout, "set broker orderConf. isOrder=true, orderConf=[broker-a:3]create topic to "+c.brokerAddr+" success.\n") {
		t.Fatalf("ordered updateTopic -b:\n%s", r.stdout)
	}
	adm0 := admin.New(admin.Config{NamesrvAddrs: []string{c.nsAddr}})
	if v, found, err := adm0.GetKVConfig(context.Background(), "ORDER_TOPIC_CONFIG", "OrdT"); err != nil || !found || v != "broker-a:3" {
		t.Fatalf("order conf in the NameServer: %q %v %v", v, found, err)
	}
	adm0.Close()

	r = c.mqadmin("deleteTopic", "-t", "MT", "-c", "DefaultCluster").ok(t)
	diff(t, "deleteTopic", r.stdout, "delete topic [MT] from cluster [DefaultCluster] success.\ndelete topic [MT] from NameServer success.\n")
	adm := admin.New(admin.Config{NamesrvAddrs: []string{c.nsAddr}})
	defer adm.Close()
	if _, err := adm.TopicRoute(context.Background(), "MT"); err == nil {
		t.Fatal("MT still routed after deleteTopic")
	} else if code, _ := admin.ResponseCode(err); code != requestcode.TopicNotExist {
		t.Fatalf("route after deleteTopic: %v", err)
	}
	w, err := adm.AllTopicConfig(context.Background(), c.brokerAddr)
	if err != nil || w.TopicConfigTable["MT"] != nil {
		t.Fatalf("MT still on the broker: %v", err)
	}
}

// TestGroupCommands: subscription groups, consumer and producer
// connections, progress, offset resets and the calls relayed to a client,
// with a client that registered by heartbeat.
func TestGroupCommands(t *testing.T) {
	c := startCluster(t, "", nil)
	ctx := context.Background()
	adm := admin.New(admin.Config{NamesrvAddrs: []string{c.nsAddr}})
	defer adm.Close()

	r := c.mqadmin("updateSubGroup", "-b", c.brokerAddr, "-g", "G1", "-r", "3", "-q", "2").ok(t)
	diff(t, "updateSubGroup", r.stdout, "create subscription group to "+c.brokerAddr+" success.\n"+
		"SubscriptionGroupConfig [groupName=G1, consumeEnable=true, consumeFromMinEnable=false, consumeBroadcastEnable=false, "+
		"retryQueueNums=2, retryMaxTimes=3, brokerId=0, whichBrokerWhenConsumeSlowly=1, notifyConsumerIdsChangedEnable=true]")
	var ug struct {
		Brokers []brokerResultJSON `json:"brokers"`
		Group   subGroupJSON       `json:"subscriptionGroupConfig"`
	}
	decodeJSON(t, c.mqadmin("updateSubGroup", "-c", "DefaultCluster", "-g", "G2", "-s", "false", "--json").ok(t), &ug)
	if len(ug.Brokers) != 1 || ug.Brokers[0].BrokerAddr != c.brokerAddr || ug.Group.ConsumeEnable {
		t.Fatalf("updateSubGroup --json: %+v", ug)
	}
	groups, err := adm.AllSubscriptionGroups(ctx, c.brokerAddr)
	if err != nil || groups.SubscriptionGroupTable["G1"] == nil || groups.SubscriptionGroupTable["G1"].RetryMaxTimes != 3 ||
		groups.SubscriptionGroupTable["G2"] == nil || groups.SubscriptionGroupTable["G2"].ConsumeEnable {
		t.Fatalf("groups on the broker: %v %+v", err, groups)
	}
	c.mqadmin("deleteSubGroup", "-b", c.brokerAddr, "-g", "G1").ok(t).
		has(t, "delete subscription group [G1] from broker ["+c.brokerAddr+"] success.\n")
	c.mqadmin("deleteSubGroup", "-c", "DefaultCluster", "-g", "G2").ok(t).
		has(t, "delete subscription group [G2] from broker ["+c.brokerAddr+"] in cluster [DefaultCluster] success.\n",
			"delete topic [%RETRY%G2] from cluster [DefaultCluster] success.\n", "delete topic [%DLQ%G2] from NameServer success.\n")
	groups, err = adm.AllSubscriptionGroups(ctx, c.brokerAddr)
	if err != nil || groups.SubscriptionGroupTable["G1"] != nil || groups.SubscriptionGroupTable["G2"] != nil {
		t.Fatalf("groups left after deleteSubGroup: %v %+v", err, groups)
	}

	// A topic with two queues, four messages, a consumer group CG that
	// consumed queue 0 up to offset 1 and queue 1 up to 2.
	c.mqadmin("updateTopic", "-c", "DefaultCluster", "-t", "CT", "-r", "2", "-w", "2").ok(t)
	c.waitRoute("CT", func(r *body.TopicRouteData) bool {
		return len(r.QueueDatas) == 1 && r.QueueDatas[0].WriteQueueNums == 2
	})
	var sent []sentMsg
	for i := 0; i < 4; i++ {
		sent = append(sent, c.send(t, "-t", "CT", "-p", fmt.Sprint("m", i), "-c", "TagA", "-b", "broker-a", "-i", fmt.Sprint(i%2)))
	}
	const clientID = "127.0.0.1@fake"
	q0 := body.MessageQueue{Topic: "CT", BrokerName: "broker-a", QueueID: 0}
	q1 := body.MessageQueue{Topic: "CT", BrokerName: "broker-a", QueueID: 1}
	fc := newFakeClient(t, c.brokerAddr, clientID, "CG", "CT", "PG", []body.MessageQueue{q0, q1})
	fc.commit(t, c.brokerAddr, "CG", q0, 1)
	fc.commit(t, c.brokerAddr, "CG", q1, 2)
	// The group's retry topic makes the group known to the NameServer.
	c.mqadmin("updateTopic", "-c", "DefaultCluster", "-t", "%RETRY%CG", "-r", "1", "-w", "1").ok(t)
	c.waitRoute("%RETRY%CG", func(*body.TopicRouteData) bool { return true })

	r = c.mqadmin("consumerConnection", "-g", "CG").ok(t)
	lines := r.lines()
	if lines[0] != fmt.Sprintf("%-36s %-22s %-10s %s", "#ClientId", "#ClientAddr", "#Language", "#Version") ||
		!regexp.MustCompile(`^127\.0\.0\.1@fake {22} 127\.0\.0\.1:\d+ +JAVA {7}V4_9_7$`).MatchString(lines[1]) {
		t.Fatalf("consumerConnection:\n%s", r.stdout)
	}
	if !strings.HasSuffix(r.stdout, "\nBelow is subscription:\n"+fmt.Sprintf("%-20s %s\n", "#Topic", "#SubExpression")+
		fmt.Sprintf("%-20s %s\n", "CT", "*")+"\nConsumeType: CONSUME_PASSIVELY\nMessageModel: CLUSTERING\nConsumeFromWhere: CONSUME_FROM_LAST_OFFSET\n") {
		t.Fatalf("consumerConnection subscription part:\n%s", r.stdout)
	}
	c.mqadmin("consumerConnection", "-g", "CG", "-b", c.brokerAddr).ok(t).has(t, clientID)
	c.mqadmin("consumerConnection", "-g", "NoGroup", "-b", c.brokerAddr).failed(t, "broker "+c.brokerAddr, "206")

	r = c.mqadmin("consumerProgress", "-g", "CG").ok(t)
	const pf = "%-64s  %-32s  %-4d  %-20d  %-20d  %-20d  %s\n"
	if !strings.Contains(r.stdout, fmt.Sprintf(pf, "CT", "broker-a", 0, 2, 1, 1, "20")[:172]) ||
		!strings.Contains(r.stdout, fmt.Sprintf(pf, "CT", "broker-a", 1, 2, 2, 0, "20")[:172]) ||
		!strings.HasSuffix(r.stdout, "\nDiff Total: 1\n") || !strings.Contains(r.stdout, "\nConsume TPS: ") {
		t.Fatalf("consumerProgress -g:\n%s", r.stdout)
	}
	r = c.mqadmin("consumerProgress", "-g", "CG", "-s", "true").ok(t)
	if !strings.Contains(r.lines()[0], "#Client IP") ||
		!strings.Contains(r.stdout, fmt.Sprintf("%-64s  %-32s  %-4d  %-20d  %-20d  %-20s %-20d  ", "CT", "broker-a", 0, 2, 1, "127.0.0.1", 1)) {
		t.Fatalf("consumerProgress -s true:\n%s", r.stdout)
	}
	r = c.mqadmin("consumerProgress").ok(t)
	if !strings.Contains(r.stdout, fmt.Sprintf("%-64s  %-6d  %-24s %-5s  %-14s  %-7d  %d\n", "CG", 1, "V4_9_7", "PUSH", "CLUSTERING", 0, 1)) {
		t.Fatalf("consumerProgress (all groups):\n%s", r.stdout)
	}

	// topicList -c names the consuming groups.
	c.mqadmin("topicList", "-c").ok(t).has(t, fmt.Sprintf("%-20s  %-64s  %-64s\n", "DefaultCluster", "CT", "CG"))

	r = c.mqadmin("producerConnection", "-g", "PG", "-t", "CT").ok(t)
	if !regexp.MustCompile(`^0001  127\.0\.0\.1@fake {18} 127\.0\.0\.1:\d+ +JAVA {5}V4_9_7\n$`).MatchString(r.stdout) {
		t.Fatalf("producerConnection:\n%q", r.stdout)
	}
	c.mqadmin("producerConnection", "-g", "NoSuchPG", "-t", "CT").failed(t, "broker "+c.brokerAddr)

	// The message track: queue 0's first message is consumed, queue 0's
	// second (offset 1) is not yet.
	c.mqadmin("queryMsgById", "-i", sent[0].OffsetMsgID).ok(t).
		has(t, "\n\nMessageTrack [consumerGroup=CG, trackType=CONSUMED, exceptionDesc=null]")
	c.mqadmin("queryMsgById", "-i", sent[2].OffsetMsgID).ok(t).
		has(t, "\n\nMessageTrack [consumerGroup=CG, trackType=NOT_CONSUME_YET, exceptionDesc=null]")

	// Consume a message directly on the client, by offset id and by key.
	r = c.mqadmin("queryMsgById", "-i", sent[1].OffsetMsgID, "-g", "CG", "-d", clientID).ok(t)
	diff(t, "queryMsgById -g -d", r.stdout, "ConsumeMessageDirectlyResult [order=false, autoCommit=true, consumeResult=CR_SUCCESS, remark=seen "+
		sent[1].OffsetMsgID+", spentTimeMills=7]")
	c.mqadmin("queryMsgByUniqueKey", "-t", "CT", "-i", sent[3].MsgID, "-g", "CG", "-d", clientID).ok(t).
		has(t, "remark=seen "+sent[3].OffsetMsgID+",")

	// Reset with the consumer online: the broker computes the offsets and
	// tells the client.
	r = c.mqadmin("resetOffsetByTime", "-g", "CG", "-t", "CT", "-s", "0").ok(t)
	want := "rollback consumer offset by specified group[CG], topic[CT], force[true], timestamp(string)[0], timestamp(long)[0]\n" +
		fmt.Sprintf("%-40s  %-40s  %-40s\n", "#brokerName", "#queueId", "#offset") +
		fmt.Sprintf("%-40s  %-40d  %-40d\n", "broker-a", 0, 0) + fmt.Sprintf("%-40s  %-40d  %-40d\n", "broker-a", 1, 0)
	diff(t, "resetOffsetByTime", r.stdout, want)
	deadline := time.Now().Add(5 * time.Second)
	for fc.resetCount() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the client never got RESET_CONSUMER_CLIENT_OFFSET")
		}
		time.Sleep(10 * time.Millisecond)
	}

	// Reset with no consumer online: the committed offsets are rewritten
	// (Java's old command), to the end of each queue for "now".
	oc := newFakeClient(t, c.brokerAddr, "127.0.0.1@other", "OtherCG", "OtherTopic", "OtherPG", nil)
	oc.commit(t, c.brokerAddr, "OG", q0, 0)
	oc.commit(t, c.brokerAddr, "OG", q1, 0)
	r = c.mqadmin("resetOffsetByTime", "-g", "OG", "-t", "CT", "-s", "now").ok(t)
	if !strings.HasPrefix(r.stdout, "rollback consumer offset by specified consumerGroup[OG], topic[CT], force[true], timestamp(string)[now], timestamp(long)[-1]\n"+
		fmt.Sprintf("%-20s  %-20s  %-20s  %-20s  %-20s  %-20s\n", "#brokerName", "#queueId", "#brokerOffset", "#consumerOffset", "#timestampOffset", "#rollbackOffset")) ||
		!strings.Contains(r.stdout, fmt.Sprintf("%-20s  %-20d  %-20d  %-20d  %-20d  %-20d\n", "broker-a", 0, 2, 0, 2, 2)) ||
		!strings.Contains(r.stdout, fmt.Sprintf("%-20s  %-20d  %-20d  %-20d  %-20d  %-20d\n", "broker-a", 1, 2, 0, 2, 2)) {
		t.Fatalf("offline resetOffsetByTime:\n%s", r.stdout)
	}
	cs, err := adm.ConsumeStats(ctx, c.brokerAddr, "OG", "CT")
	if err != nil || cs.OffsetTable[q0].ConsumerOffset != 2 || cs.OffsetTable[q1].ConsumerOffset != 2 {
		t.Fatalf("OG offsets after the offline reset: %v %+v", err, cs)
	}
	c.mqadmin("resetOffsetByTime", "-g", "CG", "-t", "CT", "-s", "yesterday").failed(t, "yyyy-MM-dd#HH:mm:ss:SSS")
}
