package body

import (
	"fmt"
	"sort"
	"strconv"
)

// Connection is one client connection of a group (Java
// protocol.body.Connection): the client id, its remote "ip:port", its
// language (LanguageCode name: JAVA, GO, CPP, ...) and its protocol
// version.
type Connection struct {
	ClientID   string
	ClientAddr string
	Language   string
	Version    int32
}

func appendConnection(dst []byte, c *Connection) []byte {
	dst = append(dst, '{')
	sep := false
	for _, f := range [...]struct{ k, v string }{{"clientAddr", c.ClientAddr}, {"clientId", c.ClientID}, {"language", c.Language}} {
		if f.v == "" {
			continue // Java null
		}
		if sep {
			dst = append(dst, ',')
		}
		dst = appendKey(dst, f.k, false)
		dst = appendString(dst, f.v, false)
		sep = true
	}
	if sep {
		dst = append(dst, ',')
	}
	dst = append(dst, `"version":`...)
	dst = strconv.AppendInt(dst, int64(c.Version), 10)
	return append(dst, '}')
}

func appendConnections(dst []byte, cs []Connection) []byte {
	dst = append(dst, '[')
	for i := range cs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendConnection(dst, &cs[i])
	}
	return append(dst, ']')
}

func decodeConnections(v *value, what string) ([]Connection, error) {
	if v.k == kNull {
		return nil, nil
	}
	if v.k != kArray {
		return nil, fmt.Errorf("body: %s: expected an array", what)
	}
	out := make([]Connection, 0, len(v.arr))
	for i := range v.arr {
		e := &v.arr[i]
		if e.k != kObject {
			return nil, fmt.Errorf("body: %s[]: expected an object", what)
		}
		var c Connection
		var err error
		for j, k := range e.keys {
			f := &e.vals[j]
			switch beanKey(k) {
			case "clientid":
				c.ClientID, err = f.asString(k)
			case "clientaddr":
				c.ClientAddr, err = f.asString(k)
			case "language":
				c.Language, err = f.asString(k)
			case "version":
				c.Version, err = f.asInt32(k)
			}
			if err != nil {
				return nil, fmt.Errorf("body: %s[]: %w", what, err)
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// SortConnections orders connections by client id, then address, so
// encoded sets are stable (Java's HashSet order is arbitrary).
func SortConnections(cs []Connection) {
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].ClientID != cs[j].ClientID {
			return cs[i].ClientID < cs[j].ClientID
		}
		return cs[i].ClientAddr < cs[j].ClientAddr
	})
}

// appendSubscriptionData writes a SubscriptionData bean as fastjson does
// (filterClassSource is transient in Java and never written).
func appendSubscriptionData(dst []byte, s *SubscriptionData) []byte {
	dst = append(dst, `{"classFilterMode":`...)
	dst = appendBool(dst, s.ClassFilterMode)
	dst = append(dst, `,"codeSet":[`...)
	for i, c := range s.CodeSet {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendInt(dst, int64(c), 10)
	}
	dst = append(dst, ']')
	if s.ExpressionType != "" {
		dst = append(dst, `,"expressionType":`...)
		dst = appendString(dst, s.ExpressionType, false)
	}
	dst = append(dst, `,"subString":`...)
	dst = appendString(dst, s.SubString, false)
	dst = append(dst, `,"subVersion":`...)
	dst = strconv.AppendInt(dst, s.SubVersion, 10)
	dst = append(dst, `,"tagsSet":`...)
	dst = appendStringArray(dst, s.TagsSet, false)
	dst = append(dst, `,"topic":`...)
	dst = appendString(dst, s.Topic, false)
	return append(dst, '}')
}

// ConsumerConnection is the GET_CONSUMER_CONNECTION_LIST body (Java
// protocol.body.ConsumerConnection): a group's connections, its
// subscriptions by topic and its consume type, message model and
// consume-from-where (enum names; "" is not written).
//
//	{"connectionSet":[{"clientAddr":"10.0.0.2:50000","clientId":"10.0.0.2@1","language":"GO","version":317}],
//	 "consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","consumeType":"CONSUME_PASSIVELY","messageModel":"CLUSTERING",
//	 "subscriptionTable":{"T":{"classFilterMode":false,"codeSet":[],"expressionType":"TAG","subString":"*","subVersion":1,"tagsSet":[],"topic":"T"}}}
type ConsumerConnection struct {
	ConnectionSet     []Connection
	SubscriptionTable map[string]SubscriptionData
	ConsumeType       string
	MessageModel      string
	ConsumeFromWhere  string
}

// ComputeMinVersion is the lowest client version of the group (Java
// computeMinVersion; MaxInt32 when there is no connection).
func (c *ConsumerConnection) ComputeMinVersion() int32 {
	min := int32(1<<31 - 1)
	for _, conn := range c.ConnectionSet {
		if conn.Version < min {
			min = conn.Version
		}
	}
	return min
}

// Encode writes the body as fastjson does (properties sorted).
func (c *ConsumerConnection) Encode() []byte {
	dst := make([]byte, 0, 256+128*len(c.ConnectionSet)+200*len(c.SubscriptionTable))
	dst = append(dst, `{"connectionSet":`...)
	dst = appendConnections(dst, c.ConnectionSet)
	for _, f := range [...]struct{ k, v string }{{"consumeFromWhere", c.ConsumeFromWhere}, {"consumeType", c.ConsumeType}, {"messageModel", c.MessageModel}} {
		if f.v == "" {
			continue
		}
		dst = append(dst, ',')
		dst = appendKey(dst, f.k, false)
		dst = appendString(dst, f.v, false)
	}
	dst = append(dst, `,"subscriptionTable":{`...)
	for i, topic := range sortedKeys(c.SubscriptionTable) {
		if i > 0 {
			dst = append(dst, ',')
		}
		sd := c.SubscriptionTable[topic]
		dst = appendKey(dst, topic, false)
		dst = appendSubscriptionData(dst, &sd)
	}
	return append(dst, "}}"...)
}

// DecodeConsumerConnection parses a ConsumerConnection body.
func DecodeConsumerConnection(data []byte) (*ConsumerConnection, error) {
	v, err := decodeObject(data, "ConsumerConnection")
	if err != nil {
		return nil, err
	}
	c := &ConsumerConnection{SubscriptionTable: map[string]SubscriptionData{}}
	for i, k := range v.keys {
		f := &v.vals[i]
		switch beanKey(k) {
		case "connectionset":
			c.ConnectionSet, err = decodeConnections(f, k)
		case "consumetype":
			c.ConsumeType, err = f.asString(k)
		case "messagemodel":
			c.MessageModel, err = f.asString(k)
		case "consumefromwhere":
			c.ConsumeFromWhere, err = f.asString(k)
		case "subscriptiontable":
			if err = f.objectOrNull(k); err != nil {
				break
			}
			for j, topic := range f.keys {
				if f.vals[j].k == kNull {
					continue
				}
				var sd SubscriptionData
				if sd, err = decodeSubscriptionData(&f.vals[j]); err != nil {
					break
				}
				c.SubscriptionTable[topic] = sd
			}
		}
		if err != nil {
			return nil, fmt.Errorf("body: ConsumerConnection: %w", err)
		}
	}
	return c, nil
}

// ProducerConnection is the GET_PRODUCER_CONNECTION_LIST body (Java
// protocol.body.ProducerConnection).
//
//	{"connectionSet":[{"clientAddr":"10.0.0.2:50001","clientId":"10.0.0.2@1","language":"JAVA","version":407}]}
type ProducerConnection struct {
	ConnectionSet []Connection
}

// Encode writes the body as fastjson does.
func (p *ProducerConnection) Encode() []byte {
	dst := make([]byte, 0, 32+128*len(p.ConnectionSet))
	dst = append(dst, `{"connectionSet":`...)
	dst = appendConnections(dst, p.ConnectionSet)
	return append(dst, '}')
}

// DecodeProducerConnection parses a ProducerConnection body.
func DecodeProducerConnection(data []byte) (*ProducerConnection, error) {
	v, err := decodeObject(data, "ProducerConnection")
	if err != nil {
		return nil, err
	}
	p := &ProducerConnection{}
	if f, ok := v.get("connectionSet"); ok {
		if p.ConnectionSet, err = decodeConnections(f, "connectionSet"); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// GroupList is a set of group names (Java protocol.body.GroupList), the
// QUERY_TOPIC_CONSUME_BY_WHO body: {"groupList":["G1","G2"]}.
type GroupList struct {
	GroupList []string
}

// Encode writes {"groupList":[...]}.
func (g *GroupList) Encode() []byte {
	dst := []byte(`{"groupList":`)
	dst = appendStringArray(dst, g.GroupList, false)
	return append(dst, '}')
}

// DecodeGroupList parses a GroupList body.
func DecodeGroupList(data []byte) (*GroupList, error) {
	v, err := decodeObject(data, "GroupList")
	if err != nil {
		return nil, err
	}
	g := &GroupList{}
	if f, ok := v.get("groupList"); ok {
		if g.GroupList, err = f.asStrings("groupList"); err != nil {
			return nil, err
		}
	}
	return g, nil
}
