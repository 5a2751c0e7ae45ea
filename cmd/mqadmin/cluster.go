package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rocketgo/rocketgo/cmd/mqadmin/internal/admin"
	"github.com/rocketgo/rocketgo/protocol/body"
)

// clusterListCmd is Java's ClusterListSubCommand.
func clusterListCmd() *command {
	return &command{
		name: "clusterList",
		desc: "List all of clusters",
		opts: []option{
			{short: "m", long: "moreStats", desc: "Print more stats"},
			{short: "i", long: "interval", hasArg: true, desc: "specify intervals numbers, it is in seconds"},
		},
		run: runClusterList,
	}
}

// clusterBroker is one broker address of a cluster, as listed.
type clusterBroker struct {
	cluster, brokerName string
	brokerID            int64
	addr                string
}

// clusterBrokers lists every broker address: clusters sorted (Java walks
// a HashMap), broker names sorted (a TreeSet), ids ascending.
func clusterBrokers(ci *body.ClusterInfo) []clusterBroker {
	var out []clusterBroker
	clusters := make([]string, 0, len(ci.ClusterAddrTable))
	for c := range ci.ClusterAddrTable {
		clusters = append(clusters, c)
	}
	sort.Strings(clusters)
	for _, c := range clusters {
		names := append([]string(nil), ci.ClusterAddrTable[c]...)
		sort.Strings(names)
		for _, n := range names {
			bd := ci.BrokerAddrTable[n]
			if bd == nil {
				continue
			}
			ids := make([]int64, 0, len(bd.BrokerAddrs))
			for id := range bd.BrokerAddrs {
				ids = append(ids, id)
			}
			sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
			for _, id := range ids {
				out = append(out, clusterBroker{cluster: c, brokerName: n, brokerID: id, addr: bd.BrokerAddrs[id]})
			}
		}
	}
	return out
}

type clusterBaseJSON struct {
	ClusterName            string  `json:"clusterName"`
	BrokerName             string  `json:"brokerName"`
	BrokerID               int64   `json:"brokerId"`
	Addr                   string  `json:"addr"`
	Version                string  `json:"version"`
	InTPS                  float64 `json:"inTps"`
	OutTPS                 float64 `json:"outTps"`
	SendThreadPoolQueue    string  `json:"sendThreadPoolQueueSize"`
	SendQueueHeadWaitMills string  `json:"sendThreadPoolQueueHeadWaitTimeMills"`
	PullThreadPoolQueue    string  `json:"pullThreadPoolQueueSize"`
	PullQueueHeadWaitMills string  `json:"pullThreadPoolQueueHeadWaitTimeMills"`
	PageCacheLockTimeMills string  `json:"pageCacheLockTimeMills"`
	Hour                   float64 `json:"hour"`
	Space                  float64 `json:"space"`
	Error                  string  `json:"error,omitempty"`
}

type clusterMoreJSON struct {
	ClusterName   string `json:"clusterName"`
	BrokerName    string `json:"brokerName"`
	BrokerID      int64  `json:"brokerId"`
	Addr          string `json:"addr"`
	InTotalYest   int64  `json:"inTotalYest"`
	OutTotalYest  int64  `json:"outTotalYest"`
	InTotalToday  int64  `json:"inTotalToday"`
	OutTotalToday int64  `json:"outTotalToday"`
	Error         string `json:"error,omitempty"`
}

func runClusterList(c *cmdCtx) error {
	interval := time.Duration(0)
	if c.opts.has("i") {
		n, err := strconv.ParseInt(c.opts.value("i"), 10, 64)
		if err != nil {
			return &usageError{"interval " + strconv.Quote(c.opts.value("i")) + " is not a number of seconds"}
		}
		interval = time.Duration(n) * time.Second
	}
	for i := 0; ; i++ {
		if i > 0 {
			select {
			case <-c.ctx.Done():
				return nil
			case <-time.After(interval):
			}
		}
		var err error
		if c.opts.has("m") {
			err = printClusterMoreStats(c)
		} else {
			err = printClusterBaseInfo(c)
		}
		if c.ctx.Err() != nil && c.opts.has("i") {
			// Interrupted, the way an interval listing ends: what the
			// interruption broke is no failure.
			c.failed = nil
			return nil
		}
		if err != nil {
			return err
		}
		if !c.opts.has("i") {
			return nil
		}
	}
}

func printClusterMoreStats(c *cmdCtx) error {
	ci, err := c.admin().ClusterInfo(c.ctx)
	if err != nil {
		return err
	}
	t := table{c.out, "%-16s  %-32s %14s %14s %14s %14s\n"}
	if !c.out.json {
		t.row("#Cluster Name", "#Broker Name", "#InTotalYest", "#OutTotalYest", "#InTotalToday", "#OutTotalToday")
	}
	var rows []clusterMoreJSON
	for _, b := range clusterBrokers(ci) {
		r := clusterMoreJSON{ClusterName: b.cluster, BrokerName: b.brokerName, BrokerID: b.brokerID, Addr: b.addr}
		kv, err := c.admin().BrokerRuntimeInfo(c.ctx, b.addr)
		if err == nil {
			n := func(k string) int64 { v, _ := strconv.ParseInt(kv[k], 10, 64); return v }
			r.InTotalYest = n("msgPutTotalTodayMorning") - n("msgPutTotalYesterdayMorning")
			r.OutTotalYest = n("msgGetTotalTodayMorning") - n("msgGetTotalYesterdayMorning")
			r.InTotalToday = n("msgPutTotalTodayNow") - n("msgPutTotalTodayMorning")
			r.OutTotalToday = n("msgGetTotalTodayNow") - n("msgGetTotalTodayMorning")
		} else {
			// Java swallows the error and prints zeros; the failure is
			// still reported and sets the exit status.
			r.Error = err.Error()
			c.fail(err)
		}
		rows = append(rows, r)
		if !c.out.json {
			c.out.printf("%-16s  %-32s %14d %14d %14d %14d\n", r.ClusterName, r.BrokerName, r.InTotalYest, r.OutTotalYest, r.InTotalToday, r.OutTotalToday)
		}
	}
	if c.out.json {
		return c.out.emitJSON(rows)
	}
	return nil
}

func printClusterBaseInfo(c *cmdCtx) error {
	ci, err := c.admin().ClusterInfo(c.ctx)
	if err != nil {
		return err
	}
	const format = "%-16s  %-22s  %-4s  %-22s %-16s %19s %19s %10s %5s %6s\n"
	t := table{c.out, format}
	if !c.out.json {
		t.row("#Cluster Name", "#Broker Name", "#BID", "#Addr", "#Version", "#InTPS(LOAD)", "#OutTPS(LOAD)", "#PCWait(ms)", "#Hour", "#SPACE")
	}
	var rows []clusterBaseJSON
	for _, b := range clusterBrokers(ci) {
		r := clusterBaseJSON{ClusterName: b.cluster, BrokerName: b.brokerName, BrokerID: b.brokerID, Addr: b.addr}
		kv, err := c.admin().BrokerRuntimeInfo(c.ctx, b.addr)
		// A key the broker does not report prints as Java's null.
		get := func(k string) string {
			if v, ok := kv[k]; ok {
				return v
			}
			return "null"
		}
		earliest, ratio := "", ""
		if err == nil {
			r.SendThreadPoolQueue, r.PullThreadPoolQueue = get("sendThreadPoolQueueSize"), get("pullThreadPoolQueueSize")
			r.SendQueueHeadWaitMills = get("sendThreadPoolQueueHeadWaitTimeMills")
			r.PullQueueHeadWaitMills = get("pullThreadPoolQueueHeadWaitTimeMills")
			r.PageCacheLockTimeMills = get("pageCacheLockTimeMills")
			r.Version = get("brokerVersionDesc")
			r.InTPS = firstFloat(kv["putTps"])
			r.OutTPS = firstFloat(kv["getTransferedTps"])
			earliest, ratio = kv["earliestMessageTimeStamp"], kv["commitLogDiskRatio"]
		} else {
			r.Error = err.Error()
			c.fail(err)
		}
		if earliest != "" {
			if ms, err := strconv.ParseInt(earliest, 10, 64); err == nil {
				r.Hour = float64(c.env.now().UnixMilli()-ms) / 1000.0 / 60.0 / 60.0
			}
		}
		if ratio != "" {
			r.Space, _ = strconv.ParseFloat(ratio, 64)
		}
		rows = append(rows, r)
		if !c.out.json {
			t.row(r.ClusterName, r.BrokerName, strconv.FormatInt(r.BrokerID, 10), r.Addr, r.Version,
				fmt.Sprintf("%9.2f(%s,%sms)", r.InTPS, r.SendThreadPoolQueue, r.SendQueueHeadWaitMills),
				fmt.Sprintf("%9.2f(%s,%sms)", r.OutTPS, r.PullThreadPoolQueue, r.PullQueueHeadWaitMills),
				r.PageCacheLockTimeMills, fmt.Sprintf("%2.2f", r.Hour), fmt.Sprintf("%.4f", r.Space))
		}
	}
	if c.out.json {
		return c.out.emitJSON(rows)
	}
	return nil
}

// firstFloat parses the first word of a TPS value such as "12.5 11.0 10.2".
func firstFloat(s string) float64 {
	f, _ := strconv.ParseFloat(strings.SplitN(strings.TrimSpace(s), " ", 2)[0], 64)
	return f
}

// brokerStatusCmd is Java's BrokerStatusSubCommand.
func brokerStatusCmd() *command {
	return &command{
		name: "brokerStatus",
		desc: "Fetch broker runtime status data",
		opts: []option{
			{short: "b", long: "brokerAddr", hasArg: true, desc: "Broker address"},
			{short: "c", long: "clusterName", hasArg: true, desc: "which cluster"},
		},
		run: runBrokerStatus,
	}
}

type brokerStatusJSON struct {
	BrokerAddr string            `json:"brokerAddr"`
	Stats      map[string]string `json:"stats,omitempty"`
	Error      string            `json:"error,omitempty"`
}

func runBrokerStatus(c *cmdCtx) error {
	var addrs []string
	printBroker := false
	switch {
	case c.opts.has("b"):
		addrs = []string{c.opts.value("b")}
	case c.opts.has("c"):
		ci, err := c.admin().ClusterInfo(c.ctx)
		if err != nil {
			return err
		}
		if addrs, err = admin.AllAddrs(ci, c.opts.value("c")); err != nil {
			return err
		}
		printBroker = true
	default:
		return &usageError{"brokerStatus needs -b brokerAddr or -c clusterName"}
	}
	var rows []brokerStatusJSON
	for _, addr := range addrs {
		kv, err := c.admin().BrokerRuntimeInfo(c.ctx, addr)
		if err != nil {
			if !printBroker {
				return err
			}
			// Java prints the stack trace and goes on with the next broker.
			c.fail(err)
			rows = append(rows, brokerStatusJSON{BrokerAddr: addr, Error: err.Error()})
			continue
		}
		rows = append(rows, brokerStatusJSON{BrokerAddr: addr, Stats: kv})
		if c.out.json {
			continue
		}
		keys := make([]string, 0, len(kv))
		for k := range kv {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if printBroker {
				c.out.printf("%-24s %-32s: %s\n", addr, k, kv[k])
			} else {
				c.out.printf("%-32s: %s\n", k, kv[k])
			}
		}
	}
	if c.out.json {
		if !printBroker {
			return c.out.emitJSON(rows[0])
		}
		return c.out.emitJSON(rows)
	}
	return nil
}
