package body

import (
	"reflect"
	"testing"
)

// Bodies as the Java 4.9.7 client and rocketmq-client-go v2.1.2 send them
// (REMOTING.md §6.6): same content, different key order, string codeSet
// and nanosecond subVersion from Go.
const (
	javaHeartbeat = `{"clientID":"192.168.0.5@12345","consumerDataSet":[{"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","consumeType":"CONSUME_PASSIVELY","groupName":"CG","messageModel":"CLUSTERING","subscriptionDataSet":[{"classFilterMode":false,"codeSet":[],"expressionType":"TAG","subString":"*","subVersion":1700000000001,"tagsSet":[],"topic":"%RETRY%CG"},{"classFilterMode":false,"codeSet":[2598919,2598920],"expressionType":"TAG","subString":"TagA || TagB","subVersion":1700000000000,"tagsSet":["TagA","TagB"],"topic":"TopicTest"}],"unitMode":false}],"producerDataSet":[{"groupName":"PG"}]}`
	goHeartbeat   = `{"clientID":"10.0.0.1@1234","producerDataSet":[{"groupName":"PG"}],"consumerDataSet":[{"groupName":"CG","consumeType":"CONSUME_PASSIVELY","messageModel":"CLUSTERING","consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","subscriptionDataSet":[{"classFilterMode":false,"topic":"TopicTest","subString":"TagA || TagB","tagsSet":["TagA","TagB"],"codeSet":["2598919","2598920"],"subVersion":1700000000000000000,"expressionType":"TAG"},{"classFilterMode":false,"topic":"%RETRY%CG","subString":"*","tagsSet":[],"codeSet":[],"subVersion":1700000000000000001,"expressionType":"TAG"}],"unitMode":false}]}`
)

func TestDecodeHeartbeatFromBothClients(t *testing.T) {
	for name, raw := range map[string]string{"java": javaHeartbeat, "go": goHeartbeat} {
		t.Run(name, func(t *testing.T) {
			hb, err := DecodeHeartbeatData([]byte(raw))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(hb.Producers, []string{"PG"}) || len(hb.Consumers) != 1 {
				t.Fatalf("producers %v consumers %d", hb.Producers, len(hb.Consumers))
			}
			cd := hb.Consumers[0]
			if cd.GroupName != "CG" || cd.ConsumeType != "CONSUME_PASSIVELY" || cd.MessageModel != "CLUSTERING" ||
				cd.ConsumeFromWhere != "CONSUME_FROM_LAST_OFFSET" || len(cd.Subscriptions) != 2 {
				t.Fatalf("consumer data %+v", cd)
			}
			var tagged *SubscriptionData
			for i := range cd.Subscriptions {
				if cd.Subscriptions[i].Topic == "TopicTest" {
					tagged = &cd.Subscriptions[i]
				}
			}
			if tagged == nil || !reflect.DeepEqual(tagged.TagsSet, []string{"TagA", "TagB"}) ||
				!reflect.DeepEqual(tagged.CodeSet, []int32{2598919, 2598920}) || !tagged.IsTag() || tagged.MatchesAll() {
				t.Fatalf("tag subscription %+v", tagged)
			}
		})
	}
}

func TestTagCodesAreJavaStringHashCode(t *testing.T) {
	// Java: "TagA".hashCode() = 2598919; "标签".hashCode() = 26631*31+31614 (UTF-16 units);
	// "😀" is a surrogate pair 0xD83D 0xDE00.
	cases := map[string]int32{"TagA": 2598919, "": 0, "标签": 26631*31 + 31614, "😀": 0xD83D*31 + 0xDE00}
	for tag, want := range cases {
		if got := TagCodes([]string{tag})[0]; got != want {
			t.Errorf("hash(%q) = %d, want %d", tag, got, want)
		}
	}
}

func TestParseTagExpression(t *testing.T) {
	cases := []struct {
		expr string
		tags []string
		all  bool
	}{
		{"*", nil, true},
		{"", nil, true},
		{"TagA", []string{"TagA"}, false},
		{" TagA || TagB ||  ", []string{"TagA", "TagB"}, false},
	}
	for _, c := range cases {
		sd := ParseTagExpression("T", c.expr)
		if !reflect.DeepEqual(sd.TagsSet, c.tags) || sd.MatchesAll() != c.all {
			t.Errorf("%q → tags %v all %v", c.expr, sd.TagsSet, sd.MatchesAll())
		}
	}
}

func TestDecodeHeartbeatRejectsWrongShapes(t *testing.T) {
	for _, raw := range []string{`[]`, `{"consumerDataSet":{}}`, `{"consumerDataSet":[1]}`, `{"producerDataSet":"x"}`, `{`} {
		if _, err := DecodeHeartbeatData([]byte(raw)); err == nil {
			t.Errorf("%s decoded without error", raw)
		}
	}
}
