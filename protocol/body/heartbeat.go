package body

import (
	"fmt"
	"strings"

	"github.com/rocketgo/rocketgo/store/message"
)

// HeartbeatData is the HEART_BEAT body (Java
// common.protocol.heartbeat.HeartbeatData): the client id and the producer
// and consumer groups the client runs.
type HeartbeatData struct {
	ClientID  string
	Producers []string // producer group names
	Consumers []ConsumerData
}

// ConsumerData is one consumer group of a heartbeat (Java ConsumerData).
type ConsumerData struct {
	GroupName        string
	ConsumeType      string // CONSUME_PASSIVELY (push) or CONSUME_ACTIVELY (pull)
	MessageModel     string // CLUSTERING or BROADCASTING
	ConsumeFromWhere string // CONSUME_FROM_LAST_OFFSET, ...
	Subscriptions    []SubscriptionData
	UnitMode         bool
}

// Expression types of a subscription (Java ExpressionType).
const (
	ExpressionTag   = "TAG"
	ExpressionSQL92 = "SQL92"
)

// SubscriptionData is one topic subscription (Java SubscriptionData).
type SubscriptionData struct {
	Topic          string
	SubString      string
	ExpressionType string
	SubVersion     int64
	TagsSet        []string
	// CodeSet holds Java String.hashCode of each tag. The Go client
	// computes it over UTF-8 bytes, so DecodeHeartbeatData recomputes the
	// codes from TagsSet rather than trusting the client's.
	CodeSet         []int32
	ClassFilterMode bool
}

// IsTag reports whether the subscription filters by tag (TAG or absent).
func (s *SubscriptionData) IsTag() bool {
	return s.ExpressionType == "" || strings.EqualFold(s.ExpressionType, ExpressionTag)
}

// MatchesAll reports whether the subscription takes every tag ("*" or
// empty).
func (s *SubscriptionData) MatchesAll() bool {
	return s.SubString == "" || s.SubString == "*"
}

// DecodeHeartbeatData parses a heartbeat body as fastjson does: unknown
// keys ignored, numbers given as strings accepted.
func DecodeHeartbeatData(data []byte) (*HeartbeatData, error) {
	v, err := decodeObject(data, "HeartbeatData")
	if err != nil {
		return nil, err
	}
	hb := &HeartbeatData{}
	if f, ok := v.get("clientID"); ok {
		if hb.ClientID, err = f.asString("clientID"); err != nil {
			return nil, err
		}
	}
	if f, ok := v.get("producerDataSet"); ok && f.k != kNull {
		if f.k != kArray {
			return nil, fmt.Errorf("body: producerDataSet: expected an array")
		}
		for i := range f.arr {
			p := &f.arr[i]
			if err := p.objectOrNull("producerDataSet[]"); err != nil {
				return nil, err
			}
			if g, ok := p.get("groupName"); ok {
				name, err := g.asString("groupName")
				if err != nil {
					return nil, err
				}
				hb.Producers = append(hb.Producers, name)
			}
		}
	}
	if f, ok := v.get("consumerDataSet"); ok && f.k != kNull {
		if f.k != kArray {
			return nil, fmt.Errorf("body: consumerDataSet: expected an array")
		}
		for i := range f.arr {
			cd, err := decodeConsumerData(&f.arr[i])
			if err != nil {
				return nil, err
			}
			hb.Consumers = append(hb.Consumers, cd)
		}
	}
	return hb, nil
}

func decodeConsumerData(v *value) (ConsumerData, error) {
	var cd ConsumerData
	if v.k != kObject {
		return cd, fmt.Errorf("body: consumerDataSet[]: expected an object")
	}
	var err error
	for _, s := range []struct {
		key string
		dst *string
	}{
		{"groupName", &cd.GroupName},
		{"consumeType", &cd.ConsumeType},
		{"messageModel", &cd.MessageModel},
		{"consumeFromWhere", &cd.ConsumeFromWhere},
	} {
		if f, ok := v.get(s.key); ok {
			if *s.dst, err = f.asString(s.key); err != nil {
				return cd, err
			}
		}
	}
	if f, ok := v.get("unitMode"); ok {
		if cd.UnitMode, err = f.asBool("unitMode"); err != nil {
			return cd, err
		}
	}
	if f, ok := v.get("subscriptionDataSet"); ok && f.k != kNull {
		if f.k != kArray {
			return cd, fmt.Errorf("body: subscriptionDataSet: expected an array")
		}
		for i := range f.arr {
			sd, err := decodeSubscriptionData(&f.arr[i])
			if err != nil {
				return cd, err
			}
			cd.Subscriptions = append(cd.Subscriptions, sd)
		}
	}
	return cd, nil
}

func decodeSubscriptionData(v *value) (SubscriptionData, error) {
	var sd SubscriptionData
	if v.k != kObject {
		return sd, fmt.Errorf("body: subscriptionDataSet[]: expected an object")
	}
	var err error
	for _, s := range []struct {
		key string
		dst *string
	}{
		{"topic", &sd.Topic},
		{"subString", &sd.SubString},
		{"expressionType", &sd.ExpressionType},
	} {
		if f, ok := v.get(s.key); ok {
			if *s.dst, err = f.asString(s.key); err != nil {
				return sd, err
			}
		}
	}
	if f, ok := v.get("subVersion"); ok {
		if sd.SubVersion, err = f.asInt64("subVersion"); err != nil {
			return sd, err
		}
	}
	if f, ok := v.get("classFilterMode"); ok {
		if sd.ClassFilterMode, err = f.asBool("classFilterMode"); err != nil {
			return sd, err
		}
	}
	if f, ok := v.get("tagsSet"); ok {
		if sd.TagsSet, err = f.asStrings("tagsSet"); err != nil {
			return sd, err
		}
	}
	sd.CodeSet = TagCodes(sd.TagsSet)
	return sd, nil
}

// TagCodes returns Java String.hashCode of each tag: the codes the
// dispatcher stored in the consume queue for TAGS.
func TagCodes(tags []string) []int32 {
	if len(tags) == 0 {
		return nil
	}
	codes := make([]int32, len(tags))
	for i, t := range tags {
		codes[i] = message.JavaHashString(t)
	}
	return codes
}

// ParseTagExpression splits a TAG subscription expression the way Java
// FilterAPI.buildSubscriptionData does: "*" or empty subscribes to all;
// otherwise tags separated by "||", trimmed, empty ones dropped.
func ParseTagExpression(topic, expr string) SubscriptionData {
	sd := SubscriptionData{Topic: topic, SubString: expr, ExpressionType: ExpressionTag}
	if expr == "" || strings.TrimSpace(expr) == "*" {
		sd.SubString = "*"
		return sd
	}
	for _, t := range strings.Split(expr, "||") {
		if t = strings.TrimSpace(t); t != "" {
			sd.TagsSet = append(sd.TagsSet, t)
		}
	}
	sd.CodeSet = TagCodes(sd.TagsSet)
	return sd
}

// ConsumerListBody is GET_CONSUMER_LIST_BY_GROUP's reply body (Java
// GetConsumerListByGroupResponseBody).
type ConsumerListBody struct {
	ConsumerIDList []string
}

// Encode writes {"consumerIdList":[...]}.
func (c *ConsumerListBody) Encode() []byte {
	dst := []byte(`{"consumerIdList":`)
	dst = appendStringArray(dst, c.ConsumerIDList, false)
	return append(dst, '}')
}
