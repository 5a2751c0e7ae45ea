package body

import (
	"fmt"
	"sort"
	"strconv"
)

// Permission bits of a topic or queue (Java PermName).
const (
	PermPriority int32 = 1 << 3
	PermRead     int32 = 1 << 2
	PermWrite    int32 = 1 << 1
	PermInherit  int32 = 1
)

// PermString is PermName.perm2String: "RWX" with '-' for a missing bit,
// as topic listings and remarks print a permission.
func PermString(perm int32) string {
	b := []byte("---")
	if perm&PermRead != 0 {
		b[0] = 'R'
	}
	if perm&PermWrite != 0 {
		b[1] = 'W'
	}
	if perm&PermInherit != 0 {
		b[2] = 'X'
	}
	return string(b)
}

// Topic system flags (Java TopicSysFlag).
const (
	FlagUnit    int32 = 1 << 0
	FlagUnitSub int32 = 1 << 1
)

// MasterID is the brokerId of a master.
const MasterID int64 = 0

// QueueData is one broker's queues of a topic (Java QueueData).
type QueueData struct {
	BrokerName     string
	ReadQueueNums  int32
	WriteQueueNums int32
	Perm           int32
	TopicSysFlag   int32
}

// BrokerData is a broker group: one brokerName, its master (id 0) and
// slaves, keyed by brokerId (Java BrokerData).
type BrokerData struct {
	Cluster     string
	BrokerName  string
	BrokerAddrs map[int64]string
}

// Clone returns a deep copy.
func (b *BrokerData) Clone() BrokerData {
	c := BrokerData{Cluster: b.Cluster, BrokerName: b.BrokerName, BrokerAddrs: make(map[int64]string, len(b.BrokerAddrs))}
	for id, a := range b.BrokerAddrs {
		c.BrokerAddrs[id] = a
	}
	return c
}

// TopicRouteData is the answer to GET_ROUTEINFO_BY_TOPIC (Java
// TopicRouteData).
type TopicRouteData struct {
	// OrderTopicConf is "brokerName:queueNums;..." from the
	// ORDER_TOPIC_CONFIG KV namespace; "" is not written.
	OrderTopicConf    string
	QueueDatas        []QueueData
	BrokerDatas       []BrokerData
	FilterServerTable map[string][]string
}

// JSONMode selects how integer map keys (BrokerData.brokerAddrs) are
// written.
type JSONMode uint8

const (
	// Fastjson is fastjson's default output: integer map keys unquoted
	// ({0:"addr"}), not valid JSON. Java 4.9.7 answers route requests of
	// version < V4_9_4 this way, and always writes ClusterInfo this way.
	Fastjson JSONMode = iota
	// Standard is valid JSON: map keys quoted and sorted, non-ASCII as
	// \uXXXX (Java's BrowserCompatible + QuoteFieldNames + MapSortField),
	// used for route requests of version >= V4_9_4 or with
	// acceptStandardJsonOnly=true.
	Standard
)

func appendQueueData(dst []byte, q *QueueData, browser bool) []byte {
	dst = append(dst, `{"brokerName":`...)
	dst = appendString(dst, q.BrokerName, browser)
	dst = append(dst, `,"perm":`...)
	dst = strconv.AppendInt(dst, int64(q.Perm), 10)
	dst = append(dst, `,"readQueueNums":`...)
	dst = strconv.AppendInt(dst, int64(q.ReadQueueNums), 10)
	dst = append(dst, `,"topicSysFlag":`...)
	dst = strconv.AppendInt(dst, int64(q.TopicSysFlag), 10)
	dst = append(dst, `,"writeQueueNums":`...)
	dst = strconv.AppendInt(dst, int64(q.WriteQueueNums), 10)
	return append(dst, '}')
}

// appendBrokerData writes a BrokerData. brokerAddrs is always written
// (rocketmq-client-go panics without it), compact, ids ascending.
func appendBrokerData(dst []byte, b *BrokerData, mode JSONMode) []byte {
	browser := mode == Standard
	dst = append(dst, `{"brokerAddrs":{`...)
	ids := make([]int64, 0, len(b.BrokerAddrs))
	for id := range b.BrokerAddrs {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for i, id := range ids {
		if i > 0 {
			dst = append(dst, ',')
		}
		if browser {
			dst = append(dst, '"')
			dst = strconv.AppendInt(dst, id, 10)
			dst = append(dst, '"')
		} else {
			dst = strconv.AppendInt(dst, id, 10)
		}
		dst = append(dst, ':')
		dst = appendString(dst, b.BrokerAddrs[id], browser)
	}
	dst = append(dst, `},"brokerName":`...)
	dst = appendString(dst, b.BrokerName, browser)
	dst = append(dst, `,"cluster":`...)
	dst = appendString(dst, b.Cluster, browser)
	return append(dst, '}')
}

// AppendJSON appends the route in the byte shape Java 4.9.7 writes: keys
// alphabetical, compact, queueDatas and brokerDatas always arrays,
// filterServerTable always present.
func (r *TopicRouteData) AppendJSON(dst []byte, mode JSONMode) []byte {
	browser := mode == Standard
	dst = append(dst, `{"brokerDatas":[`...)
	for i := range r.BrokerDatas {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendBrokerData(dst, &r.BrokerDatas[i], mode)
	}
	dst = append(dst, `],"filterServerTable":{`...)
	for i, k := range sortedKeys(r.FilterServerTable) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendKey(dst, k, browser)
		dst = appendStringArray(dst, r.FilterServerTable[k], browser)
	}
	dst = append(dst, '}')
	if r.OrderTopicConf != "" {
		dst = append(dst, `,"orderTopicConf":`...)
		dst = appendString(dst, r.OrderTopicConf, browser)
	}
	dst = append(dst, `,"queueDatas":[`...)
	for i := range r.QueueDatas {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendQueueData(dst, &r.QueueDatas[i], browser)
	}
	return append(dst, "]}"...)
}

// Encode returns AppendJSON(nil, mode).
func (r *TopicRouteData) Encode(mode JSONMode) []byte { return r.AppendJSON(nil, mode) }

func decodeQueueData(v *value) (QueueData, error) {
	var q QueueData
	if v.k != kObject {
		return q, fmt.Errorf("body: queueData: expected an object")
	}
	var err error
	for i, k := range v.keys {
		f := &v.vals[i]
		switch k {
		case "brokerName":
			q.BrokerName, err = f.asString(k)
		case "perm":
			q.Perm, err = f.asInt32(k)
		case "readQueueNums":
			q.ReadQueueNums, err = f.asInt32(k)
		case "writeQueueNums":
			q.WriteQueueNums, err = f.asInt32(k)
		case "topicSysFlag", "topicSynFlag": // the latter: Java <= 4.8
			q.TopicSysFlag, err = f.asInt32(k)
		}
		if err != nil {
			return q, err
		}
	}
	return q, nil
}

func decodeBrokerData(v *value) (BrokerData, error) {
	b := BrokerData{BrokerAddrs: map[int64]string{}}
	if v.k != kObject {
		return b, fmt.Errorf("body: brokerData: expected an object")
	}
	var err error
	for i, k := range v.keys {
		f := &v.vals[i]
		switch k {
		case "cluster":
			b.Cluster, err = f.asString(k)
		case "brokerName":
			b.BrokerName, err = f.asString(k)
		case "brokerAddrs":
			if err = f.objectOrNull(k); err != nil {
				return b, err
			}
			for j, idText := range f.keys {
				id, perr := strconv.ParseInt(idText, 10, 64)
				if perr != nil {
					return b, fmt.Errorf("body: brokerAddrs: bad broker id %q", idText)
				}
				addr, serr := f.vals[j].asString(k)
				if serr != nil {
					return b, serr
				}
				b.BrokerAddrs[id] = addr
			}
		}
		if err != nil {
			return b, err
		}
	}
	return b, nil
}

// DecodeTopicRouteData parses a route in either JSON mode.
func DecodeTopicRouteData(data []byte) (*TopicRouteData, error) {
	v, err := decodeObject(data, "TopicRouteData")
	if err != nil {
		return nil, err
	}
	r := &TopicRouteData{FilterServerTable: map[string][]string{}}
	for i, k := range v.keys {
		f := &v.vals[i]
		switch k {
		case "orderTopicConf":
			if r.OrderTopicConf, err = f.asString(k); err != nil {
				return nil, err
			}
		case "queueDatas":
			for j := range f.arr {
				q, err := decodeQueueData(&f.arr[j])
				if err != nil {
					return nil, err
				}
				r.QueueDatas = append(r.QueueDatas, q)
			}
		case "brokerDatas":
			for j := range f.arr {
				b, err := decodeBrokerData(&f.arr[j])
				if err != nil {
					return nil, err
				}
				r.BrokerDatas = append(r.BrokerDatas, b)
			}
		case "filterServerTable":
			if err := f.objectOrNull(k); err != nil {
				return nil, err
			}
			for j, addr := range f.keys {
				list, err := f.vals[j].asStrings(k)
				if err != nil {
					return nil, err
				}
				r.FilterServerTable[addr] = list
			}
		}
	}
	return r, nil
}

// ClusterInfo is the answer to GET_BROKER_CLUSTER_INFO (Java ClusterInfo).
type ClusterInfo struct {
	BrokerAddrTable  map[string]*BrokerData // brokerName -> BrokerData
	ClusterAddrTable map[string][]string    // clusterName -> brokerNames
}

// Encode writes the fastjson default form Java 4.9.7 always uses here
// (unquoted integer keys in brokerAddrs). Map keys are sorted.
func (c *ClusterInfo) Encode() []byte {
	dst := []byte(`{"brokerAddrTable":{`)
	for i, name := range sortedKeys(c.BrokerAddrTable) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendKey(dst, name, false)
		dst = appendBrokerData(dst, c.BrokerAddrTable[name], Fastjson)
	}
	dst = append(dst, `},"clusterAddrTable":{`...)
	for i, cluster := range sortedKeys(c.ClusterAddrTable) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendKey(dst, cluster, false)
		dst = appendStringArray(dst, c.ClusterAddrTable[cluster], false)
	}
	return append(dst, "}}"...)
}

// DecodeClusterInfo parses a ClusterInfo in either JSON mode.
func DecodeClusterInfo(data []byte) (*ClusterInfo, error) {
	v, err := decodeObject(data, "ClusterInfo")
	if err != nil {
		return nil, err
	}
	c := &ClusterInfo{BrokerAddrTable: map[string]*BrokerData{}, ClusterAddrTable: map[string][]string{}}
	if f, ok := v.get("brokerAddrTable"); ok {
		if err := f.objectOrNull("brokerAddrTable"); err != nil {
			return nil, err
		}
		for i, name := range f.keys {
			b, err := decodeBrokerData(&f.vals[i])
			if err != nil {
				return nil, err
			}
			c.BrokerAddrTable[name] = &b
		}
	}
	if f, ok := v.get("clusterAddrTable"); ok {
		if err := f.objectOrNull("clusterAddrTable"); err != nil {
			return nil, err
		}
		for i, name := range f.keys {
			list, err := f.vals[i].asStrings("clusterAddrTable")
			if err != nil {
				return nil, err
			}
			c.ClusterAddrTable[name] = list
		}
	}
	return c, nil
}
