package main

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rocketgo/rocketgo/protocol/body"
)

// TestCommandListMatchesJava: no arguments print Java's command list, in
// Java's registration order, each line "   %-20s %s".
func TestCommandListMatchesJava(t *testing.T) {
	r := runTool(nil, t.TempDir()).ok(t)
	lines := r.lines()
	if lines[0] != "The most commonly used mqadmin commands are:" {
		t.Fatalf("first line %q", lines[0])
	}
	want := []string{"updateTopic", "deleteTopic", "updateSubGroup", "deleteSubGroup", "updateBrokerConfig", "topicRoute",
		"topicStatus", "brokerStatus", "queryMsgById", "queryMsgByKey", "queryMsgByUniqueKey", "queryMsgByOffset", "printMsg",
		"producerConnection", "consumerConnection", "consumerProgress", "clusterList", "topicList", "updateKvConfig",
		"deleteKvConfig", "wipeWritePerm", "resetOffsetByTime", "getNamesrvConfig", "getBrokerConfig", "sendMessage", "consumeMessage"}
	var got []string
	for _, l := range lines[1 : len(lines)-2] {
		got = append(got, strings.Fields(l)[0])
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("commands:\n got %v\nwant %v", got, want)
	}
	if lines[1] != "   updateTopic          Update or create topic" {
		t.Fatalf("line layout %q", lines[1])
	}
	if lines[len(lines)-1] != "See 'mqadmin help <command>' for more information on a specific command." {
		t.Fatalf("last line %q", lines[len(lines)-1])
	}
}

// TestHelpLayout: "help <cmd>" and -h print commons-cli's help: usage with
// options sorted, optional ones bracketed, required group as "a | b",
// descriptions aligned.
func TestHelpLayout(t *testing.T) {
	r := runTool(nil, t.TempDir(), "help", "topicRoute").ok(t)
	lines := r.lines()
	if lines[0] != "usage: mqadmin topicRoute [-h] [--json] [-l] [-n <arg>] -t <arg>" {
		t.Fatalf("usage line %q", lines[0])
	}
	// Descriptions start in one column, 3 spaces after the longest option.
	col := len(" -n,--namesrvAddr <arg>") + 3
	for _, l := range lines[1:] {
		if len(l) <= col || l[col-1] != ' ' || l[col] == ' ' {
			t.Fatalf("description not at column %d: %q", col, l)
		}
	}
	if !strings.Contains(r.stdout, " -t,--topic <arg>"+strings.Repeat(" ", col-len(" -t,--topic <arg>"))+"topic name\n") {
		t.Fatalf("topic line:\n%s", r.stdout)
	}
	if h := runTool(nil, t.TempDir(), "topicRoute", "-h").ok(t); h.stdout != r.stdout {
		t.Fatalf("-h differs from help:\n%s", h.stdout)
	}
	u := runTool(nil, t.TempDir(), "help", "updateTopic").ok(t)
	if !strings.HasPrefix(u.stdout, "usage: mqadmin updateTopic -b <arg> | -c <arg> [-h]") {
		t.Fatalf("group usage:\n%s", u.stdout)
	}
	// A long usage wraps at 110 columns, continuing under "usage: ".
	for _, l := range u.lines() {
		if len(l) > 110 {
			t.Fatalf("line longer than 110: %q", l)
		}
	}
	if !strings.HasPrefix(u.lines()[1], "       ") {
		t.Fatalf("continuation not indented: %q", u.lines()[1])
	}
}

// TestUsageErrors: unknown commands and bad options end with status 1, as
// Java's parser exits 1 after printing the help.
func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	r := runTool(nil, dir, "help", "nope")
	if r.code != 1 || r.stdout != "The sub command nope not exist.\n" {
		t.Fatalf("help nope: %d %q", r.code, r.stdout)
	}
	r = runTool(nil, dir, "nope")
	if r.code != 1 || r.stdout != "The sub command nope not exist.\n" {
		t.Fatalf("nope: %d %q", r.code, r.stdout)
	}
	runTool(nil, dir, "topicStatus").failed(t, "Missing required option: t").has(t, "usage: mqadmin topicStatus")
	runTool(nil, dir, "topicStatus", "-t", "T", "-x").failed(t, "Unrecognized option: -x")
	runTool(nil, dir, "topicStatus", "-t").failed(t, "Missing argument for option: t")
	runTool(nil, dir, "updateTopic", "-t", "T").failed(t, "one of -b, -c")
	runTool(nil, dir, "updateTopic", "-t", "T", "-b", "x:1", "-c", "C").failed(t, "cannot be given together")
	runTool(nil, dir, "updateTopic", "-t", "T", "-c", "C", "-r", "many").failed(t, `"many" is not a number`)
	// No NameServer anywhere: the error says how to give one.
	runTool(nil, dir, "clusterList").failed(t, "NAMESRV_ADDR")
	// Command names match case-insensitively, as in Java.
	runTool(nil, dir, "TOPICSTATUS").failed(t, "Missing required option: t")
}

// TestParseArgsForms: the option spellings commons-cli's PosixParser takes.
func TestParseArgsForms(t *testing.T) {
	opts := append(commonOptions(), option{short: "t", long: "topic", hasArg: true}, option{short: "l", long: "list"})
	for _, args := range [][]string{
		{"-t", "T", "-l"}, {"-tT", "-l"}, {"--topic", "T", "--list"}, {"--topic=T", "-l"}, {"-topic", "T", "-list"},
	} {
		p, err := parseArgs(opts, args)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if p.value("t") != "T" || !p.has("l") || p.has("h") {
			t.Fatalf("%v: %+v", args, p.values)
		}
	}
	// The first value wins and values are trimmed, as getOptionValue().trim().
	p, err := parseArgs(opts, []string{"-t", " A ", "-t", "B"})
	if err != nil || p.value("t") != "A" {
		t.Fatalf("repeat: %v %+v", err, p)
	}
	if _, err := parseArgs(opts, []string{"--list=x"}); err == nil {
		t.Fatal("a flag with a value must fail")
	}
}

// TestJavaFormatting checks the Java helpers the layouts rely on.
func TestJavaFormatting(t *testing.T) {
	if got := versionDesc(407); got != "V4_9_7" {
		t.Fatalf("407 = %s", got)
	}
	if got := versionDesc(401); got != "V4_9_4" {
		t.Fatalf("401 = %s", got)
	}
	if got := versionDesc(0); got != "V3_0_0_SNAPSHOT" {
		t.Fatalf("0 = %s", got)
	}
	if got := versionDesc(99999); got != "HIGHER_VERSION" {
		t.Fatalf("big = %s", got)
	}
	if n := len(versionNames()); n != 613 {
		t.Fatalf("%d version names, Java has 613", n)
	}
	for perm, want := range map[int32]string{6: "RW-", 4: "R--", 2: "-W-", 7: "RWX", 0: "---"} {
		if got := perm2String(perm); got != want {
			t.Fatalf("perm %d = %s", perm, got)
		}
	}
	if got := frontStringAtLeast("abcdef", 4); got != "abcd" {
		t.Fatal(got)
	}
	if got := javaBytes([]byte{104, 0xff}); got != "[104, -1]" {
		t.Fatal(got)
	}
	ms, err := parseTimestamp("2026-11-21#10:19:10:079", time.UTC)
	if err != nil || ms != 1795256350079 {
		t.Fatalf("parse %d %v", ms, err)
	}
	if got := humanMillis(1795256350079, time.UTC); got != "2026-11-21 10:19:10,079" {
		t.Fatal(got)
	}
	if _, err := parseTimestamp("yesterday", time.UTC); err == nil {
		t.Fatal("bad timestamp accepted")
	}
}

// TestRoutePrettyTwoBrokers: with two or more items fastjson puts each
// list item on its own line one level deeper (one item stays inline, see
// TestTopicAndMessageCommands); integer map keys stay on the brace's line.
func TestRoutePrettyTwoBrokers(t *testing.T) {
	r := &body.TopicRouteData{
		BrokerDatas: []body.BrokerData{
			{Cluster: "C", BrokerName: "a", BrokerAddrs: map[int64]string{1: "h:2", 0: "h:1"}},
			{Cluster: "C", BrokerName: "b", BrokerAddrs: map[int64]string{0: "h:3"}},
		},
		QueueDatas:        []body.QueueData{{BrokerName: "a", ReadQueueNums: 1, WriteQueueNums: 1, Perm: 6}},
		FilterServerTable: map[string][]string{"h:1": {"f:1", "f:2"}},
		OrderTopicConf:    "a:1",
	}
	want := "{\n" +
		"\t\"brokerDatas\":[\n" +
		"\t\t{\n" +
		"\t\t\t\"brokerAddrs\":{0:\"h:1\",1:\"h:2\"\n" +
		"\t\t\t},\n" +
		"\t\t\t\"brokerName\":\"a\",\n" +
		"\t\t\t\"cluster\":\"C\"\n" +
		"\t\t},\n" +
		"\t\t{\n" +
		"\t\t\t\"brokerAddrs\":{0:\"h:3\"\n" +
		"\t\t\t},\n" +
		"\t\t\t\"brokerName\":\"b\",\n" +
		"\t\t\t\"cluster\":\"C\"\n" +
		"\t\t}\n" +
		"\t],\n" +
		"\t\"filterServerTable\":{\n" +
		"\t\t\"h:1\":[\n" +
		"\t\t\t\"f:1\",\n" +
		"\t\t\t\"f:2\"\n" +
		"\t\t]\n" +
		"\t},\n" +
		"\t\"orderTopicConf\":\"a:1\",\n" +
		"\t\"queueDatas\":[{\n" +
		"\t\t\"brokerName\":\"a\",\n" +
		"\t\t\"perm\":6,\n" +
		"\t\t\"readQueueNums\":1,\n" +
		"\t\t\"topicSysFlag\":0,\n" +
		"\t\t\"writeQueueNums\":1\n" +
		"\t}]\n" +
		"}"
	diff(t, "route pretty JSON", routePrettyJSON(r), want)
}
