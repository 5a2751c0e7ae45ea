package broker

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/remoting/codec"
)

// brokerVersionDesc is what GET_BROKER_RUNTIME_INFO reports as the
// version: the Java release whose protocol rocketgo speaks.
const brokerVersionDesc = "V4_9_7"

// runtimeInfo is the GET_BROKER_RUNTIME_INFO table (Java
// AdminBrokerProcessor.prepareRuntimeInfo and the store's runtime info):
// the keys mqadmin brokerStatus and the dashboard read.
func (b *Broker) runtimeInfo() map[string]string {
	st := b.store
	cl := st.CommitLog()
	i64 := func(v int64) string { return strconv.FormatInt(v, 10) }
	m := map[string]string{
		"brokerVersionDesc":               brokerVersionDesc,
		"brokerVersion":                   strconv.Itoa(int(codec.Version)),
		"bootTimestamp":                   i64(b.bootTime.UnixMilli()),
		"runtime":                         runtimeText(time.Since(b.bootTime)),
		"commitLogMinOffset":              i64(cl.MinOffset()),
		"commitLogMaxOffset":              i64(cl.MaxOffset()),
		"remainHowManyDataToFlush":        i64(cl.MaxOffset() - cl.FlushedOffset()),
		"remainHowManyDataToCommit":       "0",
		"remainTransientStoreBufferNumbs": "0",
		"dispatchBehindBytes":             i64(st.DispatchBehindBytes()),
		"pageCacheLockTimeMills":          "0",
		"earliestMessageTimeStamp":        i64(st.EarliestMessageTimeAll()),
		"startAcceptSendRequestTimeStamp": i64(b.cfg.Broker.StartAcceptSendRequestTimeStamp),
		"msgPutTotalTodayNow":             i64(b.stats.putTotal.Load()),
		"msgGetTotalTodayNow":             i64(b.stats.getTotal.Load()),
		"msgPutTotalTodayMorning":         i64(b.stats.putMorning.Load()),
		"msgGetTotalTodayMorning":         i64(b.stats.getMorning.Load()),
		"msgPutTotalYesterdayMorning":     i64(b.stats.putYesterday.Load()),
		"msgGetTotalYesterdayMorning":     i64(b.stats.getYesterday.Load()),
		"sendThreadPoolQueueCapacity":     strconv.Itoa(b.cfg.Broker.SendThreadPoolQueueCapacity),
		"pullThreadPoolQueueCapacity":     strconv.Itoa(b.cfg.Broker.PullThreadPoolQueueCapacity),
		"queryThreadPoolQueueCapacity":    strconv.Itoa(b.cfg.Broker.QueryThreadPoolQueueCapacity),
		"commitLogDirCapacity":            diskCapacityText(b.cfg.StorePathCommitLog()),
		"putTps":                          b.stats.tps(b.stats.putTotal),
		"getTransferedTps":                b.stats.tps(b.stats.getTotal),
	}
	if r, err := st.DiskUsage(); err == nil {
		m["commitLogDiskRatio"] = strconv.FormatFloat(r, 'f', -1, 64)
		m["consumeQueueDiskRatio"] = strconv.FormatFloat(r, 'f', -1, 64)
	}
	return m
}

func runtimeText(d time.Duration) string {
	s := int64(d.Seconds())
	return "[ " + strconv.FormatInt(s/86400, 10) + " days, " + strconv.FormatInt(s%86400/3600, 10) + " hours, " +
		strconv.FormatInt(s%3600/60, 10) + " minutes, " + strconv.FormatInt(s%60, 10) + " seconds ]"
}

// configText is GET_BROKER_CONFIG's body: "key=value" lines, sorted.
func (b *Broker) configText() ([]byte, []byte) {
	props := b.cfg.Properties()
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var sb strings.Builder
	for _, k := range keys {
		sb.WriteString(k)
		sb.WriteByte('=')
		sb.WriteString(props[k])
		sb.WriteByte('\n')
	}
	v := body.DataVersion{Timestamp: b.bootTime.UnixMilli()}
	return []byte(sb.String()), v.Encode()
}
