package admin

import (
	"context"
	"fmt"
	"strconv"

	"github.com/rocketgo/rocketgo/protocol/body"
	"github.com/rocketgo/rocketgo/protocol/requestcode"
	"github.com/rocketgo/rocketgo/remoting/codec"
)

// DefaultTopic is the template topic a broker auto-creates topics from
// (TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC).
const DefaultTopic = "TBW102"

// BrokerRuntimeInfo reads a broker's runtime statistics
// (GET_BROKER_RUNTIME_INFO, Java fetchBrokerRuntimeStats).
func (a *Admin) BrokerRuntimeInfo(ctx context.Context, addr string) (map[string]string, error) {
	resp, err := a.call(ctx, RoleBroker, addr, newRequest(requestcode.GetBrokerRuntimeInfo))
	if err != nil {
		return nil, err
	}
	kv, err := body.DecodeKVTable(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("runtime info from broker %s: %w", addr, err)
	}
	if kv.Table == nil {
		kv.Table = map[string]string{}
	}
	return kv.Table, nil
}

// BrokerConfig reads a broker's settings (GET_BROKER_CONFIG).
func (a *Admin) BrokerConfig(ctx context.Context, addr string) (*Properties, error) {
	resp, err := a.call(ctx, RoleBroker, addr, newRequest(requestcode.GetBrokerConfig))
	if err != nil {
		return nil, err
	}
	return ParseProperties(string(resp.Body)), nil
}

// UpdateBrokerConfig changes broker settings (UPDATE_BROKER_CONFIG, the
// body is properties text).
func (a *Admin) UpdateBrokerConfig(ctx context.Context, addr string, props map[string]string) error {
	req := newRequest(requestcode.UpdateBrokerConfig)
	req.Body = []byte(FormatProperties(props))
	_, err := a.call(ctx, RoleBroker, addr, req)
	return err
}

// CreateTopic creates or updates a topic on one broker
// (UPDATE_AND_CREATE_TOPIC, Java createAndUpdateTopicConfig).
func (a *Admin) CreateTopic(ctx context.Context, addr string, tc body.TopicConfig) error {
	filter := tc.TopicFilterType
	if filter == "" {
		filter = body.SingleTag
	}
	req := newRequest(requestcode.UpdateAndCreateTopic,
		"topic", tc.TopicName,
		"defaultTopic", DefaultTopic,
		"readQueueNums", strconv.Itoa(int(tc.ReadQueueNums)),
		"writeQueueNums", strconv.Itoa(int(tc.WriteQueueNums)),
		"perm", strconv.Itoa(int(tc.Perm)),
		"topicFilterType", filter,
		"topicSysFlag", strconv.Itoa(int(tc.TopicSysFlag)),
		"order", strconv.FormatBool(tc.Order))
	_, err := a.call(ctx, RoleBroker, addr, req)
	return err
}

// DeleteTopicInBroker deletes a topic from one broker (DELETE_TOPIC_IN_BROKER).
func (a *Admin) DeleteTopicInBroker(ctx context.Context, addr, topic string) error {
	_, err := a.call(ctx, RoleBroker, addr, newRequest(requestcode.DeleteTopicInBroker, "topic", topic))
	return err
}

// AllTopicConfig reads a broker's topic table (GET_ALL_TOPIC_CONFIG).
func (a *Admin) AllTopicConfig(ctx context.Context, addr string) (*body.TopicConfigSerializeWrapper, error) {
	resp, err := a.call(ctx, RoleBroker, addr, newRequest(requestcode.GetAllTopicConfig))
	if err != nil {
		return nil, err
	}
	w, err := body.DecodeTopicConfigSerializeWrapper(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("topic table from broker %s: %w", addr, err)
	}
	return w, nil
}

// CreateSubscriptionGroup creates or updates a consumer group on one
// broker (UPDATE_AND_CREATE_SUBSCRIPTIONGROUP).
func (a *Admin) CreateSubscriptionGroup(ctx context.Context, addr string, sg body.SubscriptionGroupConfig) error {
	req := newRequest(requestcode.UpdateAndCreateSubscriptiongroup)
	req.Body = sg.Encode()
	_, err := a.call(ctx, RoleBroker, addr, req)
	return err
}

// AllSubscriptionGroups reads a broker's group table
// (GET_ALL_SUBSCRIPTIONGROUP_CONFIG).
func (a *Admin) AllSubscriptionGroups(ctx context.Context, addr string) (*body.SubscriptionGroupWrapper, error) {
	resp, err := a.call(ctx, RoleBroker, addr, newRequest(requestcode.GetAllSubscriptiongroupConfig))
	if err != nil {
		return nil, err
	}
	w, err := body.DecodeSubscriptionGroupWrapper(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("group table from broker %s: %w", addr, err)
	}
	return w, nil
}

// DeleteSubscriptionGroup deletes a consumer group from one broker
// (DELETE_SUBSCRIPTIONGROUP), and its offsets with removeOffset.
func (a *Admin) DeleteSubscriptionGroup(ctx context.Context, addr, group string, removeOffset bool) error {
	_, err := a.call(ctx, RoleBroker, addr, newRequest(requestcode.DeleteSubscriptiongroup,
		"groupName", group, "removeOffset", strconv.FormatBool(removeOffset)))
	return err
}

// MaxOffset returns a queue's max (next) offset (GET_MAX_OFFSET).
func (a *Admin) MaxOffset(ctx context.Context, addr, topic string, queueID int32) (int64, error) {
	return a.offsetCall(ctx, addr, newRequest(requestcode.GetMaxOffset, "topic", topic, "queueId", itoa32(queueID)))
}

// MinOffset returns a queue's smallest held offset (GET_MIN_OFFSET).
func (a *Admin) MinOffset(ctx context.Context, addr, topic string, queueID int32) (int64, error) {
	return a.offsetCall(ctx, addr, newRequest(requestcode.GetMinOffset, "topic", topic, "queueId", itoa32(queueID)))
}

// SearchOffset returns the queue offset of a point in time
// (SEARCH_OFFSET_BY_TIMESTAMP).
func (a *Admin) SearchOffset(ctx context.Context, addr, topic string, queueID int32, timestamp int64) (int64, error) {
	return a.offsetCall(ctx, addr, newRequest(requestcode.SearchOffsetByTimestamp, "topic", topic, "queueId", itoa32(queueID),
		"timestamp", strconv.FormatInt(timestamp, 10)))
}

func (a *Admin) offsetCall(ctx context.Context, addr string, req *codec.Command) (int64, error) {
	resp, err := a.call(ctx, RoleBroker, addr, req)
	if err != nil {
		return 0, err
	}
	v := resp.Value("offset")
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s from broker %s: offset %q: %w", requestcode.RequestCode(req.Code), addr, v, err)
	}
	return n, nil
}

// UpdateConsumerOffset commits a consumer offset (UPDATE_CONSUMER_OFFSET,
// two-way, as Java's resetOffsetConsumeOffset sends it).
func (a *Admin) UpdateConsumerOffset(ctx context.Context, addr, group string, mq body.MessageQueue, offset int64) error {
	_, err := a.call(ctx, RoleBroker, addr, newRequest(requestcode.UpdateConsumerOffset,
		"consumerGroup", group, "topic", mq.Topic, "queueId", itoa32(mq.QueueID),
		"commitOffset", strconv.FormatInt(offset, 10)))
	return err
}

func itoa32(v int32) string { return strconv.FormatInt(int64(v), 10) }
