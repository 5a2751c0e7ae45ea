package main

import (
	"sort"
	"strconv"
	"strings"

	"github.com/rocketgo/rocketgo/protocol/body"
)

// fjPretty writes JSON as fastjson's toJSONString(obj, prettyFormat=true)
// does, which is what Java's topicRoute prints: one tab per level, no
// space after ':', bean properties and String map keys each on a new
// line, integer map keys not; a list of two or more items puts each on
// its own line one level deeper, a single-item list keeps it inline
// (ListSerializer's size > 1 rule); empty containers are "{}" and "[]".
type fjPretty struct {
	sb    strings.Builder
	depth int
}

func (w *fjPretty) newline() {
	w.sb.WriteByte('\n')
	for i := 0; i < w.depth; i++ {
		w.sb.WriteByte('\t')
	}
}

// object writes a bean or String-keyed map; fields must be in the order
// fastjson writes them (alphabetical for beans). Each field's value is
// written by its function.
func (w *fjPretty) object(fields []fjField) {
	if len(fields) == 0 {
		w.sb.WriteString("{}")
		return
	}
	w.sb.WriteByte('{')
	w.depth++
	for i, f := range fields {
		if i > 0 {
			w.sb.WriteByte(',')
		}
		w.newline()
		w.str(f.name)
		w.sb.WriteByte(':')
		f.write()
	}
	w.depth--
	w.newline()
	w.sb.WriteByte('}')
}

type fjField struct {
	name  string
	write func()
}

// list writes n items with item(i).
func (w *fjPretty) list(n int, item func(i int)) {
	switch {
	case n == 0:
		w.sb.WriteString("[]")
	case n == 1:
		w.sb.WriteByte('[')
		item(0)
		w.sb.WriteByte(']')
	default:
		w.sb.WriteByte('[')
		w.depth++
		for i := 0; i < n; i++ {
			if i > 0 {
				w.sb.WriteByte(',')
			}
			w.newline()
			item(i)
		}
		w.depth--
		w.newline()
		w.sb.WriteByte(']')
	}
}

// longStringMap writes a Map<Long,String> (brokerAddrs): keys unquoted and
// not on new lines, the closing brace on its own line.
func (w *fjPretty) longStringMap(m map[int64]string) {
	if len(m) == 0 {
		w.sb.WriteString("{}")
		return
	}
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	w.sb.WriteByte('{')
	w.depth++
	for i, id := range ids {
		if i > 0 {
			w.sb.WriteByte(',')
		}
		w.sb.WriteString(strconv.FormatInt(id, 10))
		w.sb.WriteByte(':')
		w.str(m[id])
	}
	w.depth--
	w.newline()
	w.sb.WriteByte('}')
}

func (w *fjPretty) int(v int64) { w.sb.WriteString(strconv.FormatInt(v, 10)) }

// str writes a JSON string with fastjson's escapes.
func (w *fjPretty) str(s string) {
	w.sb.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			w.sb.WriteString(`\"`)
		case '\\':
			w.sb.WriteString(`\\`)
		case '\n':
			w.sb.WriteString(`\n`)
		case '\r':
			w.sb.WriteString(`\r`)
		case '\t':
			w.sb.WriteString(`\t`)
		case '\b':
			w.sb.WriteString(`\b`)
		case '\f':
			w.sb.WriteString(`\f`)
		default:
			if r < 0x20 {
				w.sb.WriteString(`\u00`)
				w.sb.WriteByte("0123456789abcdef"[r>>4])
				w.sb.WriteByte("0123456789abcdef"[r&0xf])
				continue
			}
			w.sb.WriteRune(r)
		}
	}
	w.sb.WriteByte('"')
}

// routePrettyJSON renders a TopicRouteData as TopicRouteData.toJson(true).
func routePrettyJSON(r *body.TopicRouteData) string {
	w := &fjPretty{}
	fields := []fjField{
		{"brokerDatas", func() {
			w.list(len(r.BrokerDatas), func(i int) {
				bd := &r.BrokerDatas[i]
				w.object([]fjField{
					{"brokerAddrs", func() { w.longStringMap(bd.BrokerAddrs) }},
					{"brokerName", func() { w.str(bd.BrokerName) }},
					{"cluster", func() { w.str(bd.Cluster) }},
				})
			})
		}},
		{"filterServerTable", func() {
			keys := make([]string, 0, len(r.FilterServerTable))
			for k := range r.FilterServerTable {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var fs []fjField
			for _, k := range keys {
				servers := r.FilterServerTable[k]
				fs = append(fs, fjField{k, func() { w.list(len(servers), func(i int) { w.str(servers[i]) }) }})
			}
			w.object(fs)
		}},
	}
	if r.OrderTopicConf != "" {
		fields = append(fields, fjField{"orderTopicConf", func() { w.str(r.OrderTopicConf) }})
	}
	fields = append(fields, fjField{"queueDatas", func() {
		w.list(len(r.QueueDatas), func(i int) {
			q := &r.QueueDatas[i]
			w.object([]fjField{
				{"brokerName", func() { w.str(q.BrokerName) }},
				{"perm", func() { w.int(int64(q.Perm)) }},
				{"readQueueNums", func() { w.int(int64(q.ReadQueueNums)) }},
				{"topicSysFlag", func() { w.int(int64(q.TopicSysFlag)) }},
				{"writeQueueNums", func() { w.int(int64(q.WriteQueueNums)) }},
			})
		})
	}})
	w.object(fields)
	return w.sb.String()
}
