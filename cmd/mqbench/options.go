package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// Modes.
const (
	modeProducer = "producer"
	modeConsumer = "consumer"
	modeE2E      = "e2e"
)

// options are one run's settings. The single-letter flags are those of
// Java 4.9.7's benchmark Producer and Consumer (example/.../benchmark), with
// their defaults; the long ones are mqbench's own.
type options struct {
	mode string

	namesrv string // -n, ';'-separated like Java's namesrvAddr
	topic   string // -t

	// Producer (Java benchmark Producer).
	workers       int   // -w threadCount (producer 64, consumer 20)
	size          int   // -s messageSize
	keys          bool  // -k keyEnable
	tagCount      int   // -l tagCount
	propertySize  int   // -p propertySize
	delay         bool  // -d delayEnable
	delayLevel    int   // -e delayLevel
	quantity      int64 // -q as a count: total messages (0: no limit)
	duration      time.Duration
	async, oneway bool // -y asyncEnable / --async, --oneway
	batch         int  // --batch: messages per request (SEND_BATCH_MESSAGE)
	inflight      int  // --inflight: requests in flight per worker (raw, async)
	producerGroup string

	// Consumer (Java benchmark Consumer).
	group           string  // -g
	groupSuffix     bool    // -p (consumer mode): append _<millis%100> to the group
	filterType      string  // -f TAG or SQL92
	expressionFile  string  // -e (consumer mode): file holding the expression
	failRate        float64 // -r
	consumerThreads int     // e2e: consume goroutines (-w in consumer mode)

	raw         bool
	serialize   string // "json" or "rocketmq" ("" = per client default)
	jsonOut     bool
	interval    time.Duration
	timeout     time.Duration
	drain       time.Duration
	queues      int
	createTopic bool
	rssPID      int
	quiet       bool
}

// javaBool is a flag that takes a value, as Java's commons-cli options do
// (`-k true`); like Boolean.parseBoolean anything but "true" (any case) is
// false.
type javaBool struct{ v *bool }

func (b javaBool) String() string {
	if b.v == nil {
		return "false"
	}
	return strconv.FormatBool(*b.v)
}

func (b javaBool) Set(s string) error {
	*b.v = strings.EqualFold(strings.TrimSpace(s), "true")
	return nil
}

// quantityFlag is -q: a message count (Java's messageQuantity) or, with a
// unit, a duration ("30s", "2m").
type quantityFlag struct{ o *options }

func (q quantityFlag) String() string {
	if q.o == nil {
		return "0"
	}
	if q.o.duration > 0 {
		return q.o.duration.String()
	}
	return strconv.FormatInt(q.o.quantity, 10)
}

func (q quantityFlag) Set(s string) error {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 {
			return errors.New("must not be negative")
		}
		q.o.quantity, q.o.duration = n, 0
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return fmt.Errorf("%q is neither a message count nor a positive duration such as 30s", s)
	}
	q.o.quantity, q.o.duration = 0, d
	return nil
}

// unsupportedJava is a Java option mqbench accepts but cannot honour when
// true (message trace, ACL).
type unsupportedJava struct{ name string }

func (u unsupportedJava) String() string { return "false" }

func (u unsupportedJava) Set(s string) error {
	if strings.EqualFold(strings.TrimSpace(s), "true") {
		return fmt.Errorf("%s is not supported by mqbench", u.name)
	}
	return nil
}

func defaultNamesrv() string {
	if v := os.Getenv("NAMESRV_ADDR"); v != "" {
		return v
	}
	return "127.0.0.1:9876"
}

// parseOptions parses the flags of mode.
func parseOptions(mode string, args []string, stderr io.Writer) (*options, error) {
	o := &options{
		mode: mode, namesrv: defaultNamesrv(), topic: "BenchmarkTest",
		size: 128, delayLevel: 1, batch: 1, producerGroup: "benchmark_producer", group: "benchmark_consumer",
		consumerThreads: 20, interval: time.Second, timeout: 3 * time.Second, drain: 10 * time.Second,
		queues: 8, createTopic: true,
	}
	fs := flag.NewFlagSet("mqbench "+mode, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.namesrv, "n", o.namesrv, "NameServer address(es), ';'-separated; $NAMESRV_ADDR when set")
	fs.StringVar(&o.topic, "t", o.topic, "topic name")
	fs.Var(quantityFlag{o}, "q", "stop after this many messages (a count, Java messageQuantity) or this long (a duration such as 30s); 0 runs until interrupted")
	fs.BoolVar(&o.raw, "raw", false, "use rocketgo's own remoting client (pipelined sends, pull loop) instead of rocketmq-client-go")
	fs.StringVar(&o.serialize, "serialize", "", "request header serialization with --raw: json or rocketmq (default rocketmq, as Java's benchmark; the Go client speaks json only)")
	fs.BoolVar(&o.jsonOut, "json", false, "print the final report as JSON on stdout (progress and summary go to stderr)")
	fs.DurationVar(&o.interval, "interval", o.interval, "progress line interval")
	fs.DurationVar(&o.timeout, "timeout", o.timeout, "request timeout")
	fs.IntVar(&o.queues, "queues", o.queues, "read/write queues of the topic when mqbench creates it")
	fs.BoolVar(&o.createTopic, "create-topic", o.createTopic, "create the topic on every master broker when the NameServer has no route for it")
	fs.IntVar(&o.rssPID, "rss-pid", 0, "sample this process's VmRSS (the broker's) during the run and report its peak")
	fs.BoolVar(&o.quiet, "quiet", false, "no progress lines")
	fs.Var(unsupportedJava{"message trace (-m)"}, "m", "msgTraceEnable (Java; only false is accepted)")
	fs.Var(unsupportedJava{"ACL (-a)"}, "a", "aclEnable (Java; only false is accepted)")

	producerFlags := func() {
		fs.IntVar(&o.size, "s", o.size, "message body size in bytes")
		fs.Var(javaBool{&o.keys}, "k", "keyEnable: true sets a message key (Java: the send second)")
		fs.IntVar(&o.tagCount, "l", 0, "tagCount: tags tag0..tag<n-1> (0: no tag)")
		fs.IntVar(&o.propertySize, "p", 0, "propertySize: user properties of about this many bytes per message")
		fs.Var(javaBool{&o.delay}, "d", "delayEnable: true sends delay messages")
		fs.IntVar(&o.delayLevel, "e", o.delayLevel, "delayLevel with -d true")
		fs.Var(javaBool{&o.async}, "y", "asyncEnable (Java spelling of --async)")
		fs.BoolVar(&o.async, "async", false, "asynchronous sends: up to --inflight requests outstanding per worker (Go client: SendAsync)")
		fs.BoolVar(&o.oneway, "oneway", false, "oneway sends: nothing is acknowledged")
		fs.IntVar(&o.batch, "batch", 1, "messages per send request; above 1 sends SEND_BATCH_MESSAGE")
		fs.IntVar(&o.inflight, "inflight", 0, "requests in flight per worker (default 1, or 128 with --async); with --raw above 1 pipelines on one connection")
		fs.StringVar(&o.producerGroup, "producer-group", o.producerGroup, "producer group")
	}
	switch mode {
	case modeProducer:
		o.workers = 64
		fs.IntVar(&o.workers, "w", o.workers, "threadCount: producer goroutines")
		producerFlags()
	case modeConsumer:
		o.workers = 20
		fs.IntVar(&o.workers, "w", o.workers, "threadCount: consume goroutines of the Go client")
		fs.StringVar(&o.group, "g", o.group, "consumer group")
		fs.Var(javaBool{&o.groupSuffix}, "p", "group prefix enable: true appends _<millis%100> to the group")
		fs.StringVar(&o.filterType, "f", "", "filterType: TAG or SQL92 (with -e)")
		fs.StringVar(&o.expressionFile, "e", "", "file holding the filter expression (with -f)")
		fs.Float64Var(&o.failRate, "r", 0, "fail rate: fraction of messages answered RECONSUME_LATER (Go client)")
	case modeE2E:
		o.workers = 64
		o.group = ""
		fs.IntVar(&o.workers, "w", o.workers, "threadCount: producer goroutines")
		producerFlags()
		fs.StringVar(&o.group, "g", "", "consumer group (default benchmark_e2e_<run id>, fresh per run)")
		fs.IntVar(&o.consumerThreads, "consumer-threads", o.consumerThreads, "consume goroutines of the Go client")
		fs.DurationVar(&o.drain, "drain", o.drain, "after sending, wait this long without progress for the consumer to catch up")
	default:
		return nil, fmt.Errorf("unknown mode %q (want producer, consumer, e2e or table)", mode)
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return o, o.validate()
}

func (o *options) validate() error {
	o.topic = strings.TrimSpace(o.topic)
	switch {
	case o.topic == "":
		return errors.New("-t: empty topic")
	case o.workers < 1:
		return errors.New("-w must be at least 1")
	case o.size < 0:
		return errors.New("-s must not be negative")
	case o.batch < 1:
		return errors.New("--batch must be at least 1")
	case o.inflight < 0:
		return errors.New("--inflight must not be negative")
	case o.async && o.oneway:
		return errors.New("--async and --oneway exclude each other")
	case o.interval <= 0:
		return errors.New("--interval must be positive")
	case o.queues < 1:
		return errors.New("--queues must be at least 1")
	case o.failRate < 0 || o.failRate > 1:
		return errors.New("-r must be within [0, 1]")
	case o.failRate > 0 && o.raw:
		return errors.New("-r needs the Go client (not --raw)")
	}
	switch strings.ToLower(o.serialize) {
	case "":
		if o.raw {
			o.serialize = "rocketmq"
		} else {
			o.serialize = "json"
		}
	case "json":
		o.serialize = "json"
	case "rocketmq":
		if !o.raw {
			return errors.New("--serialize rocketmq needs --raw: rocketmq-client-go writes JSON headers only")
		}
		o.serialize = "rocketmq"
	default:
		return fmt.Errorf("--serialize %q: want json or rocketmq", o.serialize)
	}
	if o.inflight == 0 {
		o.inflight = 1
		if o.async {
			o.inflight = 128
		}
	}
	if o.mode == modeE2E && o.size < markerLen {
		return fmt.Errorf("e2e needs -s >= %d: each body carries the run id and send time", markerLen)
	}
	if o.filterType != "" {
		o.filterType = strings.ToUpper(o.filterType)
		if o.filterType != "TAG" && o.filterType != "SQL92" {
			return fmt.Errorf("-f %q: want TAG or SQL92", o.filterType)
		}
	}
	return nil
}

// sendMode names how messages are sent, for the report.
func (o *options) sendMode() string {
	switch {
	case o.mode == modeConsumer:
		return ""
	case o.oneway:
		return "oneway"
	case o.raw && o.inflight > 1:
		return "pipelined"
	case o.async:
		return "async"
	}
	return "sync"
}

// namesrvAddrs splits -n.
func (o *options) namesrvAddrs() []string {
	var out []string
	for _, a := range strings.Split(o.namesrv, ";") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}
